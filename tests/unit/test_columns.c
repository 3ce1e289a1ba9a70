/* Unit tests for the default columns' formatters (columns_default.h): the
 * bounds the q writer's batch size rests on, and a row's text through a
 * typed batch (columns_batch.h, batch_value.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "batch_value.h"
#include "columns_batch.h"
#include "columns_default.h"
#include "msgtab.h"
#include "unit_main.h"

static char buf[4096];

static struct row tcp_row(void)
{
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_TIME | HAS_SRC | HAS_DST | HAS_SPORT | HAS_DPORT | HAS_IPPROTO |
                HAS_TCPSEQ | HAS_TCPHDR | HAS_WIN | HAS_TSOPT | HAS_PAYLEN;
    r.ts_sec = 1589458202; /* 2020.05.14D12:10:02 */
    r.ts_nsec = 639526000;
    r.ipver = IPVER_4;
    r.ipproto = 6;
    memcpy(r.src, "\x0a\x00\x00\x01", 4);
    memcpy(r.dst, "\xc0\xa8\x01\xfe", 4);
    r.sport = 5001;
    r.dport = 40000;
    r.tcpflags = TCP_ACK | TCP_PSH;
    r.seq = 4294967295u;
    r.ack = 7;
    r.win = 65535ull << 7;
    r.tsval = 12;
    r.tsecr = 0;
    r.origlen = 1514;
    r.paylen = 1448;
    return r;
}

START_TEST(tcp_flags_every_combination_within_bound)
{
    size_t longest = 0;
    for (unsigned f = 0; f < 512; f++) {
        size_t n = (size_t)(format_tcp_flags(buf, (uint16_t)f) - buf);
        ck_assert_uint_le(n, TCP_FLAGS_TEXT_MAX);
        longest = n > longest ? n : longest;
    }
    ck_assert_uint_eq(longest, 34);
    *format_tcp_flags(buf, 0x1FF) = '\0';
    ck_assert_str_eq(buf, "NS|CWR|ECE|URG|ACK|PSH|RST|SYN|FIN");
    *format_tcp_flags(buf, TCP_ACK | TCP_PSH) = '\0';
    ck_assert_str_eq(buf, "ACK|PSH");
    ck_assert_ptr_eq(format_tcp_flags(buf, 0), buf);
}
END_TEST

/* Every IP protocol and Ethertype the protocol column can name, and the
 * link-layer names, fit PROTOCOL_TEXT_MAX. */
START_TEST(protocol_text_within_bound)
{
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_IPPROTO;
    for (unsigned p = 0; p < 256; p++) {
        r.ipproto = (uint8_t)p;
        ck_assert_uint_le((size_t)(format_protocol_text(buf, &r) - buf), PROTOCOL_TEXT_MAX);
    }
    r.present = HAS_ETHTYPE;
    for (unsigned t = 0; t < 65536; t++) {
        r.ethertype = (uint16_t)t;
        ck_assert_uint_le((size_t)(format_protocol_text(buf, &r) - buf), PROTOCOL_TEXT_MAX);
    }
    r.ethertype = 0x88F7;
    *format_protocol_text(buf, &r) = '\0';
    ck_assert_str_eq(buf, "PTP");
    r.ethertype = 0x1234;
    *format_protocol_text(buf, &r) = '\0';
    ck_assert_str_eq(buf, "0x1234");
}
END_TEST

/* The text of each default column of a row, through a typed batch (a
 * packet block, and a batch of another size, whose columns are vectors of
 * their own): both give the literal the CSV writer prints, nulls too. */
struct batch_text {
    char text[2048];
    int rows;
};

static int batch_text_take(void *ctx, const struct batch *b)
{
    struct batch_text *t = ctx;
    struct time_cache tc[DEFAULT_COLUMNS];
    memset(tc, 0, sizeof tc);
    char *p = t->text;
    for (int c = 0; c < DEFAULT_COLUMNS; c++) {
        if (c)
            *p++ = ',';
        p = bv_text(p, b, c, 0, &tc[c]);
    }
    *p = '\0';
    t->rows += b->nrows;
    return 0;
}

static void batch_default_text(struct row *r, struct format_ctx *ctx, int rows,
                               struct batch_text *t)
{
    struct column_list cl;
    columns_default(&cl);
    struct table_column cols[DEFAULT_COLUMNS];
    struct table_schema sc;
    columns_schema(&sc, cols, &cl, "pcap");
    struct batch_builder bb;
    memset(t, 0, sizeof *t);
    ck_assert_int_eq(columns_batch_init(&bb, &sc, &cl, rows, batch_text_take, t), 0);
    ck_assert(rows == PACKET_BLOCK_ROWS ? bb.b.block != NULL : bb.b.block == NULL);
    bb.latency_ns = 0;
    columns_batch_row(&bb, &cl, r, ctx);
    ck_assert_int_eq(bb_pause(&bb), 0);
    ck_assert_int_eq(t->rows, 1);
    bb_free(&bb);
}

START_TEST(default_row_through_batches)
{
    struct row r = tcp_row();
    struct format_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    format_set_input(&ctx, "feed", "feed.pcap");
    static const char *want = "2020.05.14D12:10:02.639526000,feed,10.0.0.1,192.168.1.254,5001,"
                              "40000,TCP,ACK|PSH,4294967295,7,8388480,12,0,1514,1448";
    struct batch_text t;
    batch_default_text(&r, &ctx, PACKET_BLOCK_ROWS, &t);
    ck_assert_str_eq(t.text, want);
    batch_default_text(&r, &ctx, 7, &t);
    ck_assert_str_eq(t.text, want);
    /* nulls: no TCP header, no time, a length q's int cannot hold */
    r.present = HAS_SRC | HAS_DST | HAS_ETHTYPE;
    r.ethertype = 0x1234;
    r.origlen = 2147483647u;
    r.ipver = IPVER_6;
    memset(r.src, 0, 16);
    r.src[15] = 1;
    static const char *nulls = ",feed,::1,c0a8:1fe::,,,0x1234,,,,,,,,";
    batch_default_text(&r, &ctx, PACKET_BLOCK_ROWS, &t);
    ck_assert_str_eq(t.text, nulls);
    batch_default_text(&r, &ctx, 7, &t);
    ck_assert_str_eq(t.text, nulls);
}
END_TEST

START_TEST(csv_str_special_byte_anywhere)
{
    /* mt_csv_str tests several bytes at once: a special byte at any place
     * of a value of any length is seen (the value is changed), any other
     * byte leaves the value as it is, and nothing past it is written or
     * (each value allocated to its length) read. */
    static const uint8_t special[] = { 0, 1, 0x1f, ',', '"', '\\', 0x7f };
    static const uint8_t plain[] = { 0x20, 'a', '~', 0x80, 0xff, '0', '=' };
    char out[128];
    for (uint32_t n = 1; n <= 24; n++)
        for (uint32_t at = 0; at < n; at++)
            for (size_t k = 0; k < sizeof special + sizeof plain; k++) {
                int is_special = k < sizeof special;
                char *s = malloc(n);
                ck_assert_ptr_nonnull(s);
                memset(s, 'x', n);
                s[at] = (char)(is_special ? special[k] : plain[k - sizeof special]);
                memset(out, '#', sizeof out);
                char *e = mt_csv_str(out, s, n);
                ck_assert(e >= out + n && e <= out + MT_CSV_STR_ROOM(n));
                ck_assert_int_eq(out[e - out], '#');
                if (is_special)
                    ck_assert(e > out + n || memcmp(out, s, n) != 0);
                else
                    ck_assert(e == out + n && memcmp(out, s, n) == 0);
                free(s);
            }
    ck_assert_ptr_eq(mt_csv_str(out, "", 0), out);
}
END_TEST

START_TEST(sym_escape_and_input_count)
{
    struct format_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    format_set_input(&ctx, "plain", "plain.pcap");
    ck_assert_int_eq(ctx.sym_escape, 0);
    unsigned first = ctx.input;
    format_set_input(&ctx, "a\\b", "a\\b.pcap");
    ck_assert_int_eq(ctx.sym_escape, 1);
    ck_assert_uint_eq(ctx.input, first + 1);
    format_set_input(&ctx, "q\"", "x.pcap");
    ck_assert_int_eq(ctx.sym_escape, 1);
    format_set_input(&ctx, "tab\t", "x.pcap");
    ck_assert_int_eq(ctx.sym_escape, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("columns");
    TCase *tc = tcase_create("columns");
    tcase_add_test(tc, tcp_flags_every_combination_within_bound);
    tcase_add_test(tc, protocol_text_within_bound);
    tcase_add_test(tc, default_row_through_batches);
    tcase_add_test(tc, sym_escape_and_input_count);
    tcase_add_test(tc, csv_str_special_byte_anywhere);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
