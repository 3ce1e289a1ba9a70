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

START_TEST(upd_call_from_batch)
{
    static const struct table_column cols[] = {
        { "time", 'P', 0 }, { "sym", 'S', 0 }, { "len", 'I', 0 }, { "data", '*', 1 },
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
    tcase_add_test(tc, upd_call_from_batch);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
