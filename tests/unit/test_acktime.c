/* Unit tests for the rows held for acktime (src/modes/acktime.c): rows two
 * columns wide (id, acktime) written as CSV to a temporary file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acktime.h"
#include "msgtab.h"
#include "write_table.h"
#include "out.h"
#include "qspan.h"
#include "row.h"
#include "unit_main.h"

static struct out out;
static struct mt_columns cols;
static struct table_writer w;
static struct acktime *a;
static FILE *tmp;
static char text[1 << 22];

static void setup(void)
{
    tmp = tmpfile();
    ck_assert_ptr_nonnull(tmp);
    ck_assert_int_eq(out_init(&out, fileno(tmp), "tmp"), 0);
    out.max_rows = UINT64_MAX;
    cols.n = 0;
    mt_columns_add(&cols, "id", 'J', 0);
    mt_columns_add(&cols, "acktime", 'N', 1);
    ck_assert_int_eq(tw_open(&w, &cols, "t", &out, 0, 0, NULL), 0);
    a = acktime_new(&w, 1);
    ck_assert_ptr_nonnull(a);
}

static void teardown(void)
{
    acktime_free(a);
    tw_free(&w);
    out_free(&out);
    fclose(tmp);
}

/* Everything written so far. */
static const char *written(void)
{
    out_flush(&out);
    return unit_file_text(tmp, text, sizeof text);
}

/* A row of message id, held (acktime_row_begin's row, its id set). */
static void held_row(unsigned id, uint64_t stream, int dir, uint32_t end_seq, int64_t t_q)
{
    int r = acktime_row_begin(a, 0);
    ck_assert_int_ge(r, 0);
    bb_set_j(w.bb, 0, r, id);
    acktime_row(a, r, stream, dir, end_seq, t_q, 1);
}

static void msg(unsigned id, uint64_t stream, int dir, uint32_t end_seq, int64_t t_ns)
{
    held_row(id, stream, dir, end_seq, qspan_time(t_ns / 1000000000, t_ns % 1000000000));
}

/* A packet of stream in direction dir at t_ns with these flags and ack. */
static void pkt(uint64_t stream, int dir, uint16_t flags, uint32_t ack, int64_t t_ns)
{
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_TIME | HAS_TCPHDR;
    r.ts_sec = t_ns / 1000000000;
    r.ts_nsec = (uint32_t)(t_ns % 1000000000);
    r.tcpflags = flags;
    r.ack = ack;
    acktime_packet(a, &r, 1, stream, dir);
}

#define MS 1000000LL

START_TEST(acktime_rows_wait_and_keep_their_order)
{
    msg(1, 1, 0, 100, 0);
    msg(2, 2, 0, 50, 1 * MS);
    msg(3, 1, 0, 200, 2 * MS);
    pkt(2, 1, TCP_ACK, 50, 3 * MS);          /* settles 2, but 1 still waits */
    ck_assert_str_eq(written(), "");
    pkt(1, 1, TCP_ACK, 150, 4 * MS);         /* settles 1: 1 and 2 go out */
    ck_assert_str_eq(written(), "1,0D00:00:00.004000000\n2,0D00:00:00.002000000\n");
    acktime_flush(a);                        /* 3 never acknowledged */
    ck_assert_str_eq(written(), "1,0D00:00:00.004000000\n2,0D00:00:00.002000000\n3,\n");
    ck_assert_uint_eq(acktime_stats(a)->acked, 2);
    ck_assert_uint_eq(acktime_stats(a)->ended, 1);
}
END_TEST

START_TEST(acktime_needs_the_peer_ack_covering_the_last_byte)
{
    msg(1, 7, 0, 1000, 0);
    pkt(7, 0, TCP_ACK, 5000, 1 * MS);        /* same direction: not an ACK of it */
    pkt(7, 1, 0, 5000, 2 * MS);              /* ACK flag clear */
    pkt(7, 1, TCP_ACK, 999, 3 * MS);         /* one byte short */
    pkt(8, 1, TCP_ACK, 5000, 4 * MS);        /* another connection */
    ck_assert_str_eq(written(), "");
    pkt(7, 1, TCP_ACK, 1000, 5 * MS);
    ck_assert_str_eq(written(), "1,0D00:00:00.005000000\n");
}
END_TEST

START_TEST(acktime_sequence_numbers_wrap)
{
    msg(1, 1, 1, 0xFFFFFFF0u, 0);
    pkt(1, 0, TCP_ACK, 0xFFFFFFEFu, 1 * MS);
    ck_assert_str_eq(written(), "");
    pkt(1, 0, TCP_ACK, 0x10u, 2 * MS);
    ck_assert_str_eq(written(), "1,0D00:00:00.002000000\n");
}
END_TEST

START_TEST(acktime_reset_and_end_give_up)
{
    msg(1, 1, 0, 100, 0);
    msg(2, 2, 0, 100, 0);
    pkt(1, 0, TCP_RST, 0, 1 * MS);           /* the sender resets: no ACK follows */
    ck_assert_str_eq(written(), "1,\n");
    acktime_stream_end(a, 2);                /* evicted from the flow table */
    ck_assert_str_eq(written(), "1,\n2,\n");
    pkt(1, 1, TCP_ACK, 100, 2 * MS);         /* too late */
    ck_assert_str_eq(written(), "1,\n2,\n");
}
END_TEST

START_TEST(acktime_rst_with_ack_settles_first)
{
    msg(1, 1, 0, 100, 0);
    pkt(1, 1, TCP_RST | TCP_ACK, 100, 1 * MS);
    ck_assert_str_eq(written(), "1,0D00:00:00.001000000\n");
}
END_TEST

START_TEST(acktime_wait_is_bounded_in_capture_time)
{
    msg(1, 1, 0, 100, 0);
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_TIME;
    r.ts_sec = ACKT_WAIT_NS / 1000000000;    /* exactly the bound: still waits */
    acktime_packet(a, &r, 0, 0, 0);
    ck_assert_str_eq(written(), "");
    r.ts_nsec = 1;
    acktime_packet(a, &r, 0, 0, 0);
    ck_assert_str_eq(written(), "1,\n");
    ck_assert_uint_eq(acktime_stats(a)->timed_out, 1);
}
END_TEST

START_TEST(acktime_far_ack_is_given_up)
{
    /* sent in 1970, acknowledged in 2280: 310 years (beyond a timespan and
     * int64_t nanoseconds since 1970), far past the 10 s bound: the ACK's
     * packet gives the message up before its ACK counts */
    const int64_t y310 = 310LL * 365 * 86400; /* seconds */
    held_row(1, 1, 0, 100, qspan_time(1, 0));
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_TIME | HAS_TCPHDR;
    r.ts_sec = y310;
    r.tcpflags = TCP_ACK;
    r.ack = 100;
    acktime_packet(a, &r, 1, 1, 1);
    /* and a message in 2280 acknowledged 2 ms later: exact */
    held_row(2, 1, 0, 200, qspan_time(y310, 0));
    r.ts_nsec = 2000000;
    r.ack = 200;
    acktime_packet(a, &r, 1, 1, 1);
    ck_assert_str_eq(written(), "1,\n2,0D00:00:00.002000000\n");
    ck_assert_uint_eq(acktime_stats(a)->acked, 1);
    ck_assert_uint_eq(acktime_stats(a)->timed_out, 1);
}
END_TEST

START_TEST(acktime_ack_past_the_bound_is_given_up)
{
    /* no packet between the message and its ACK: the ACK's own packet is
     * the first one past the bound, 10 s + 1 ns later */
    msg(1, 1, 0, 100, 0);
    pkt(1, 1, TCP_ACK, 100, ACKT_WAIT_NS + 1);
    ck_assert_str_eq(written(), "1,\n");
    ck_assert_uint_eq(acktime_stats(a)->timed_out, 1);
    ck_assert_uint_eq(acktime_stats(a)->acked, 0);
}
END_TEST

START_TEST(acktime_bound_holds_behind_the_first_row)
{
    /* times that go back: message 2 (at 50 s) is held behind message 1 (at
     * 100 s), so the clock at 61 s does not give it up as the first row;
     * its ACK at 61 s is 11 s after it: given up there, not 11 s */
    msg(1, 1, 0, 100, 100000 * MS);
    msg(2, 2, 0, 200, 50000 * MS);
    pkt(2, 1, TCP_ACK, 200, 61000 * MS);
    ck_assert_str_eq(written(), "");
    pkt(1, 1, TCP_ACK, 100, 100001 * MS);
    ck_assert_str_eq(written(), "1,0D00:00:00.001000000\n2,\n");
    ck_assert_uint_eq(acktime_stats(a)->timed_out, 1);
    ck_assert_uint_eq(acktime_stats(a)->acked, 1);
}
END_TEST

START_TEST(acktime_clock_moves_without_settling)
{
    /* acktime_clock: a packet the filters drop moves the clock (here past
     * the bound) and settles nothing else, even with an ACK covering the
     * message */
    msg(1, 1, 0, 100, 0);
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_TIME | HAS_TCPHDR;
    r.ts_sec = 5;
    r.tcpflags = TCP_ACK;
    r.ack = 100;
    acktime_clock(a, &r);
    ck_assert_str_eq(written(), "");
    r.ts_sec = 12;
    acktime_clock(a, &r);
    ck_assert_str_eq(written(), "1,\n");
    ck_assert_uint_eq(acktime_stats(a)->timed_out, 1);
}
END_TEST

START_TEST(acktime_direction_bound_gives_up_the_oldest)
{
    for (unsigned i = 0; i <= ACKT_PER_DIR; i++)
        msg(i, 3, 0, 10 * (i + 1), 0);
    ck_assert_uint_eq(acktime_stats(a)->dir_full, 1);
    /* row 0 is settled (given up), so it goes out once it is first */
    pkt(3, 1, 0, 0, 0);
    ck_assert_str_eq(written(), "0,\n");
    pkt(3, 1, TCP_ACK, 10 * (ACKT_PER_DIR + 1), 1 * MS);
    const char *t = written();
    ck_assert(strncmp(t, "0,\n1,0D00:00:00.001000000\n", 26) == 0);
    char last[64];
    snprintf(last, sizeof last, "\n%u,0D00:00:00.001000000\n", ACKT_PER_DIR);
    ck_assert(strlen(t) > strlen(last) && strcmp(t + strlen(t) - strlen(last), last) == 0);
}
END_TEST

START_TEST(acktime_row_bound_writes_the_oldest)
{
    for (unsigned i = 0; i < ACKT_MAX_ROWS; i++)
        msg(i, i, 0, 100, 0);                /* each its own connection */
    ck_assert_str_eq(written(), "");
    msg(ACKT_MAX_ROWS, 0, 1, 100, 0);
    ck_assert_str_eq(written(), "0,\n");
    ck_assert_uint_eq(acktime_stats(a)->forced, 1);
    pkt(1, 1, TCP_ACK, 100, 1 * MS);
    ck_assert_str_eq(written(), "0,\n1,0D00:00:00.001000000\n");
    acktime_flush(a);                        /* 65,535 connections end */
    size_t lines = 0;
    for (const char *t = written(); *t; t++)
        lines += *t == '\n';
    ck_assert_uint_eq(lines, ACKT_MAX_ROWS + 1);
    ck_assert_uint_eq(acktime_stats(a)->ended, ACKT_MAX_ROWS - 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("acktime");
    TCase *tc = tcase_create("acktime");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, acktime_rows_wait_and_keep_their_order);
    tcase_add_test(tc, acktime_far_ack_is_given_up);
    tcase_add_test(tc, acktime_ack_past_the_bound_is_given_up);
    tcase_add_test(tc, acktime_bound_holds_behind_the_first_row);
    tcase_add_test(tc, acktime_clock_moves_without_settling);
    tcase_add_test(tc, acktime_needs_the_peer_ack_covering_the_last_byte);
    tcase_add_test(tc, acktime_sequence_numbers_wrap);
    tcase_add_test(tc, acktime_reset_and_end_give_up);
    tcase_add_test(tc, acktime_rst_with_ack_settles_first);
    tcase_add_test(tc, acktime_wait_is_bounded_in_capture_time);
    tcase_add_test(tc, acktime_direction_bound_gives_up_the_oldest);
    tcase_add_test(tc, acktime_row_bound_writes_the_oldest);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
