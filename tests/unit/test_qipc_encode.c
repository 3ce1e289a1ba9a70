/* Byte-exact kdb+ IPC serialization against the `-8!` outputs documented by
 * KX (code.kx.com/q/kb/serialization). */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "qipc_encode.h"
#include "unit_main.h"

/* Hex text ("01 00 ...", spaces ignored) to bytes. */
static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    while (*h) {
        if (*h == ' ') {
            h++;
            continue;
        }
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

static void expect_bytes(const struct qbuf *b, const char *hex)
{
    uint8_t want[512];
    size_t n = unhex(hex, want);
    ck_assert_int_eq(b->failed, 0);
    ck_assert_uint_eq(b->len, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(b->p[i] == want[i], "byte %zu: %02x, want %02x", i, b->p[i], want[i]);
}

START_TEST(int_atom)
{
    struct qbuf b;
    qb_init(&b);
    qb_begin(&b, QMSG_ASYNC);
    qb_atom_int(&b, 1);
    qb_end(&b);
    /* -8!1i (serialization: fa 01000000) */
    expect_bytes(&b, "01000000 0d000000 fa 01000000");
    qb_free(&b);
}
END_TEST

START_TEST(symbol_atom_and_sync_header)
{
    struct qbuf b;
    qb_init(&b);
    qb_begin(&b, QMSG_SYNC);
    qb_atom_symbol(&b, "abc", 3);
    qb_end(&b);
    expect_bytes(&b, "01010000 0d000000 f5 61626300");
    qb_free(&b);
}
END_TEST

START_TEST(int_vector)
{
    struct qbuf b;
    qb_init(&b);
    qb_begin(&b, QMSG_ASYNC);
    int32_t v[] = { 1, 2, 3 };
    qb_vec_int(&b, v, 3);
    qb_end(&b);
    /* -8!1 2 3i */
    expect_bytes(&b, "01000000 1a000000 06 00 03000000 01000000 02000000 03000000");
    qb_free(&b);
}
END_TEST

START_TEST(symbol_vector)
{
    struct qbuf b;
    qb_init(&b);
    qb_begin(&b, QMSG_ASYNC);
    struct qtext v[] = { { "a", 1 }, { "b", 1 } };
    qb_vec_symbol(&b, v, 2);
    qb_end(&b);
    /* -8!`a`b */
    expect_bytes(&b, "01000000 12000000 0b 00 02000000 6100 6200");
    qb_free(&b);
}
END_TEST

START_TEST(symbol_nul_and_null)
{
    struct qbuf b;
    qb_init(&b);
    qb_begin(&b, QMSG_ASYNC);
    struct qtext v[] = { { "a\0b", 3 }, { NULL, 0 } };
    qb_vec_symbol(&b, v, 2);
    qb_end(&b);
    /* a NUL inside a symbol would cut it: '?' instead; ` is the empty symbol */
    expect_bytes(&b, "01000000 13000000 0b 00 02000000 613f6200 00");
    qb_free(&b);
}
END_TEST

/* Symbols are copied eight bytes at a time: a NUL in the first word, in a
 * later one, or in the tail after the last whole word. */
START_TEST(symbol_nul_in_words)
{
    struct qbuf b;
    qb_init(&b);
    qb_begin(&b, QMSG_ASYNC);
    struct qtext v[] = { { "abc\0efghij", 10 }, { "abcdefghij\0k", 12 },
                         { "abcdefgh", 8 }, { "abcdefgh\0", 9 } };
    qb_vec_symbol(&b, v, 4);
    qb_end(&b);
    expect_bytes(&b, "01000000 39000000 0b 00 04000000 "
                     "6162633f65666768696a00 "
                     "6162636465666768696a3f6b00 "
                     "616263646566676800 "
                     "61626364656667683f00");
    qb_free(&b);
}
END_TEST

START_TEST(timestamp_vector)
{
    struct qbuf b;
    qb_init(&b);
    qb_begin(&b, QMSG_ASYNC);
    /* 2000.01.01D00:00:00.000000001 and 0Np */
    int64_t v[] = { 1, Q_NULL_LONG };
    qb_vec_j(&b, QT_TIMESTAMP, v, 2);
    qb_end(&b);
    expect_bytes(&b, "01000000 1e000000 0c 00 02000000 0100000000000000 0000000000000080");
    qb_free(&b);
}
END_TEST

START_TEST(null_atoms)
{
    struct qbuf b;
    qb_init(&b);
    qb_begin(&b, QMSG_ASYNC);
    qb_list(&b, 6);
    qb_atom_int(&b, Q_NULL_INT);                 /* 0Ni */
    qb_atom_j(&b, QT_LONG, Q_NULL_LONG);         /* 0Nj */
    qb_atom_short(&b, Q_NULL_SHORT);             /* 0Nh */
    qb_atom_j(&b, QT_TIMESPAN, Q_NULL_LONG);     /* 0Nn */
    qb_atom_symbol(&b, "", 0);                   /* ` */
    qb_atom_float(&b, NAN);                      /* 0n */
    qb_end(&b);
    ck_assert_int_eq(b.failed, 0);
    ck_assert_uint_eq(b.len, 8 + 6 + 5 + 9 + 3 + 9 + 2 + 9);
    expect_bytes(&b, "01000000 33000000 00 00 06000000 fa 00000080 f9 0000000000000080 "
                     "fb 0080 f0 0000000000000080 f5 00 f7 000000000000f87f");
    qb_free(&b);
}
END_TEST

/* The KX worked example of "Serialization examples", through the reader: a table. */
START_TEST(reads_table_columns_and_errors)
{
    uint8_t m[256];
    size_t n = unhex("62 00 63 0b 00 02000000 6300 7400 00 00 02000000 "
                     "0b 00 02000000 74696d6500 73796d00 0a 00 02000000 6e73", m);
    char names[4][32], types[4], err[64];
    int nc;
    ck_assert_int_eq(qipc_read_answer(m, n, 1, err, sizeof err, names, types, 4, &nc), QA_TABLE);
    ck_assert_int_eq(nc, 2);
    ck_assert_str_eq(names[0], "time");
    ck_assert_str_eq(names[1], "sym");
    ck_assert_int_eq(types[0], 'n');
    ck_assert_int_eq(types[1], 's');
    /* cut short anywhere: not a q object */
    for (size_t k = 0; k < n; k++)
        ck_assert_int_eq(qipc_read_answer(m, k, 1, err, sizeof err, names, types, 4, &nc), QA_BAD);
    n = unhex("80 74797065 00", m); /* 'type */
    ck_assert_int_eq(qipc_read_answer(m, n, 1, err, sizeof err, names, types, 4, &nc), QA_ERROR);
    ck_assert_str_eq(err, "type");
    n = unhex("65 00", m); /* :: */
    ck_assert_int_eq(qipc_read_answer(m, n, 1, err, sizeof err, names, types, 4, &nc), QA_OTHER);
    /* the KX example -8!([]a:enlist 2;b:enlist 3) is a table without c, t */
    n = unhex("62 00 63 0b 00 02000000 6100 6200 00 00 02000000 06 00 01000000 02000000 "
              "06 00 01000000 03000000", m);
    ck_assert_uint_eq(qipc_object_size(m, n, 1), n);
    ck_assert_int_eq(qipc_read_answer(m, n, 1, err, sizeof err, names, types, 4, &nc), QA_OTHER);
    /* a huge count is refused, not trusted */
    n = unhex("06 00 ffffff7f 01000000", m);
    ck_assert_uint_eq(qipc_object_size(m, n, 1), 0);
}
END_TEST

/* The same answers in big-endian messages (header byte 0 = 0, as legacy
 * c.java writes): every count read in that order. */
START_TEST(reads_big_endian_answers)
{
    uint8_t m[256];
    size_t n = unhex("62 00 63 0b 00 00000002 6300 7400 00 00 00000002 "
                     "0b 00 00000002 74696d6500 73796d00 0a 00 00000002 6e73", m);
    char names[4][32], types[4], err[64];
    int nc;
    ck_assert_int_eq(qipc_read_answer(m, n, 0, err, sizeof err, names, types, 4, &nc), QA_TABLE);
    ck_assert_int_eq(nc, 2);
    ck_assert_str_eq(names[1], "sym");
    ck_assert_int_eq(types[0], 'n');
    ck_assert_int_eq(types[1], 's');
    /* read as little-endian, its counts are 2^25: not a q object */
    ck_assert_int_eq(qipc_read_answer(m, n, 1, err, sizeof err, names, types, 4, &nc), QA_BAD);
    for (size_t k = 0; k < n; k++)
        ck_assert_int_eq(qipc_read_answer(m, k, 0, err, sizeof err, names, types, 4, &nc), QA_BAD);
    n = unhex("80 74797065 00", m); /* 'type: no byte order in it */
    ck_assert_int_eq(qipc_read_answer(m, n, 0, err, sizeof err, names, types, 4, &nc), QA_ERROR);
    ck_assert_str_eq(err, "type");
    n = unhex("06 00 00000003 00000001 00000002 00000003", m); /* 1 2 3i */
    ck_assert_uint_eq(qipc_object_size(m, n, 0), n);
    ck_assert_uint_eq(qipc_object_size(m, n, 1), 0);
}
END_TEST

/* ---- decompression ---------------------------------------------------- */

/* q's own -18! bytes of 1000#`q (qPython's tests/QCompressedExpressions3.out),
 * with the async little-endian header in front. */
static const char QPY_Z_SYM[] = "01000100 2d000000 "
                                "de070000800b00e80300007171ffaa7171ff7171ff7171ff7171ff2a7171ff"
                                "7171ff7171bf";
/* Big-endian responses, compressed as c.java's compress() does (kept
 * though they do not halve): "abab...ab" (40 chars), and the 0!meta
 * answer of a table (time n; sym s), which reads as that table. */
static const char BE_Z_CHARS[] = "000201000000001700000036880a000000002861620324";
static const char BE_CHARS[] = "00020000 00000036 0a 00 00000028 "
                               "61626162616261626162616261626162616261626162616261626162616261"
                               "626162616261626162";
static const char BE_Z_META[] = "000201000000004000000047406200630b0000000004806300740066006100"
                                "00050002040b030274696d65400073796d000a0002021c6e730b0400000b05"
                                "6700";

/* The 0!meta answer of pcap2kdb's default tick table (16 columns),
 * compressed as above, little-endian: copies of 2 bytes among them. */
static const char LE_Z_META16[] =
    "01020100a7000000c3000000006200630b0004000081630000740066006100"
    "00160004020b0010000174696d80650073796d00701d044072630064657374"
    "0073d11100706f7274006416011f030070726f746f636f6c4000666c616773"
    "73006500710061636b007769c06e00747376616c00070000656372006c656e"
    "674474686c02000a0010026e007370737369697373846a6a000169690b0010"
    "022c0000000c0b0567000c00";

/* The whole message in hex decompressed: 0 and its length in *ulen. */
static int unz_hex(const char *hex, uint8_t *out, size_t cap, size_t *ulen)
{
    uint8_t m[512];
    size_t n = unhex(hex, m);
    *ulen = qipc_unz_len(m, n);
    if (*ulen > cap)
        return -1;
    return qipc_uncompress(m, n, out, *ulen);
}

START_TEST(uncompress_q_made_symbols)
{
    uint8_t out[4096];
    size_t ulen;
    ck_assert_int_eq(unz_hex(QPY_Z_SYM, out, sizeof out, &ulen), 0);
    ck_assert_uint_eq(ulen, 8 + 6 + 2000);
    /* a plain message now: header byte 2 = 0, the uncompressed length */
    uint8_t head[8] = { 1, 0, 0, 0, 0xde, 0x07, 0, 0 };
    ck_assert_mem_eq(out, head, 8);
    uint8_t vec[6] = { 0x0b, 0, 0xe8, 0x03, 0, 0 };
    ck_assert_mem_eq(out + 8, vec, 6);
    for (int i = 0; i < 1000; i++)
        ck_assert(out[14 + 2 * i] == 'q' && out[15 + 2 * i] == 0);
}
END_TEST

START_TEST(uncompress_big_endian)
{
    uint8_t out[512], want[512];
    size_t ulen;
    ck_assert_int_eq(unz_hex(BE_Z_CHARS, out, sizeof out, &ulen), 0);
    ck_assert_uint_eq(ulen, unhex(BE_CHARS, want));
    ck_assert_mem_eq(out, want, ulen);
    ck_assert_int_eq(unz_hex(BE_Z_META, out, sizeof out, &ulen), 0);
    char names[4][32], types[4], err[64];
    int nc;
    ck_assert_int_eq(qipc_read_answer(out + 8, ulen - 8, out[0] == 1, err, sizeof err, names,
                                      types, 4, &nc),
                     QA_TABLE);
    ck_assert_int_eq(nc, 2);
    ck_assert_str_eq(names[0], "time");
    ck_assert_int_eq(types[1], 's');
}
END_TEST

/* A copy of 2 bytes (count byte 0) ends the hashing at its end as a longer
 * one does: the slots after it are those c.java's compress used. */
START_TEST(uncompress_short_copies)
{
    uint8_t out[512];
    size_t ulen;
    ck_assert_int_eq(unz_hex(LE_Z_META16, out, sizeof out, &ulen), 0);
    ck_assert_uint_eq(ulen, 195);
    char names[20][32], types[20], err[64];
    int nc;
    ck_assert_int_eq(qipc_read_answer(out + 8, ulen - 8, 1, err, sizeof err, names, types, 20,
                                      &nc),
                     QA_TABLE);
    ck_assert_int_eq(nc, 16);
    ck_assert_str_eq(names[3], "src");
    ck_assert_str_eq(names[15], "len");
    ck_assert_mem_eq(types, "nspssiissjjjjjii", 16);
}
END_TEST

/* Hostile bytes: refused, never read or written out of bounds (the ASan
 * build runs this). */
START_TEST(uncompress_refuses_hostile_bytes)
{
    uint8_t m[512], out[4096];
    size_t n = unhex(QPY_Z_SYM, m), ulen = qipc_unz_len(m, n);
    /* cut anywhere: bytes missing */
    for (size_t k = 0; k < n; k++)
        ck_assert_int_eq(qipc_uncompress(m, k, out, ulen), -1);
    /* a byte left over */
    m[n] = 0;
    ck_assert_int_eq(qipc_uncompress(m, n + 1, out, ulen), -1);
    /* the length given is not the one declared; not compressed */
    ck_assert_int_eq(qipc_uncompress(m, n, out, ulen - 1), -1);
    m[2] = 0;
    ck_assert_int_eq(qipc_uncompress(m, n, out, ulen), -1);
    m[2] = 1;
    /* declared shorter: a copy runs past the end */
    m[8] = 0x20;
    m[9] = 0;
    ck_assert_int_eq(qipc_uncompress(m, n, out, 0x20), -1);
    /* below a header and one type byte */
    m[8] = 8;
    ck_assert_int_eq(qipc_uncompress(m, n, out, 8), -1);
    /* the first item a back-reference: its slot was never set */
    n = unhex("01000100 12000000 14000000 01 00 05", m);
    ck_assert_int_eq(qipc_uncompress(m, n, out, 0x14), -1);
    /* a back-reference to a slot set, copying past the end: 3 literals
     * then (slot 'a'^'a', 255 + 2 bytes) into a message of 16 */
    n = unhex("01000100 13000000 10000000 08 61 61 61 00 ff", m);
    ck_assert_int_eq(qipc_uncompress(m, n, out, 16), -1);
    /* the same copy of 2 bytes fits: "aaaaa" */
    n = unhex("01000100 13000000 0d000000 08 61 61 61 00 00", m);
    ck_assert_int_eq(qipc_uncompress(m, n, out, 13), 0);
    ck_assert_mem_eq(out + 8, "aaaaa", 5);
    /* random damage to a valid message: whatever comes out, in bounds */
    uint8_t good[512];
    size_t gn = unhex(BE_Z_META, good);
    uint32_t x = 2463534242u;
    for (int round = 0; round < 20000; round++) {
        memcpy(m, good, gn);
        for (int k = 0; k < 3; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            m[8 + x % (gn - 8)] = (uint8_t)(x >> 8);
        }
        size_t len = qipc_unz_len(m, gn);
        if (len <= sizeof out)
            (void)qipc_uncompress(m, gn, out, len);
    }
}
END_TEST

START_TEST(upd_call_from_batch)
{
    static const struct table_column cols[] = {
        { "time", 'P', 0, 0, 0 }, { "sym", 'S', 0, 0, 0 }, { "len", 'I', 0, 0, 0 },
        { "data", '*', 1, 0, 0 },
    };
    static const struct table_schema sc = { "pcap", 4, cols };
    int64_t t[] = { 1 };
    struct qtext s[] = { { "x", 1 } };
    int32_t len[] = { Q_NULL_INT };
    struct qtext d[] = { { "hi", 2 } };
    union batch_values v[4];
    v[0].j = t;
    v[1].s = s;
    v[2].i = len;
    v[3].s = d;
    struct batch bt = { .schema = &sc, .nrows = 1, .cap = 1, .col = v };
    int order[] = { 1, 0, 2, 3 }; /* tick layout: sym first */
    struct qbuf b;
    qb_init(&b);
    ck_assert_int_eq(qipc_call_batch(&b, ".u.upd", "pcap", &bt, order, 4), 0);
    /* (".u.upd";`pcap;(enlist`x;enlist 2000.01.01D00:00:00.000000001;enlist 0Ni;enlist"hi")) */
    expect_bytes(&b, "01000000 54000000 00 00 03000000 "
                     "0a 00 06000000 2e752e757064 "
                     "f5 7063617000 "
                     "00 00 04000000 "
                     "0b 00 01000000 7800 "
                     "0c 00 01000000 0100000000000000 "
                     "06 00 01000000 00000080 "
                     "00 00 01000000 0a 00 02000000 6869");
    qb_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("qipc_encode");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, int_atom);
    tcase_add_test(tc, symbol_atom_and_sync_header);
    tcase_add_test(tc, int_vector);
    tcase_add_test(tc, symbol_vector);
    tcase_add_test(tc, symbol_nul_and_null);
    tcase_add_test(tc, symbol_nul_in_words);
    tcase_add_test(tc, timestamp_vector);
    tcase_add_test(tc, null_atoms);
    tcase_add_test(tc, reads_table_columns_and_errors);
    tcase_add_test(tc, reads_big_endian_answers);
    tcase_add_test(tc, uncompress_q_made_symbols);
    tcase_add_test(tc, uncompress_big_endian);
    tcase_add_test(tc, uncompress_short_copies);
    tcase_add_test(tc, uncompress_refuses_hostile_bytes);
    tcase_add_test(tc, upd_call_from_batch);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
