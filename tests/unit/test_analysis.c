/* Unit tests for the TCP analysis (analysis.c) and the flow table's use of
 * it (flow.c): Wireshark 4.0 packet-tcp.c rules, including its quirks. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "flow.h"
#include "row.h"
#include "tcp_segment.h"
#include "unit_main.h"

#define MS 1000000ull

static struct ta_conn conn;
static struct ta_dir cli, srv;

static void setup(void)
{
    memset(&conn, 0, sizeof conn);
    ta_dir_init(&cli);
    ta_dir_init(&srv);
}

/* A segment from the client (to_srv) or the server, no window scaling. */
static uint32_t c2s(uint32_t seq, uint32_t ack, uint32_t len, uint16_t flags, uint32_t win,
                    uint64_t t)
{
    return ta_segment(&conn, &cli, &srv, WSCALE_NOT_USED, seq, ack, len, flags, win, t, 0);
}

static uint32_t s2c(uint32_t seq, uint32_t ack, uint32_t len, uint16_t flags, uint32_t win,
                    uint64_t t)
{
    return ta_segment(&conn, &srv, &cli, WSCALE_NOT_USED, seq, ack, len, flags, win, t, 0);
}

START_TEST(ack_of_unseen_segment_then_dupacks_restart_at_one)
{
    ck_assert_uint_eq(c2s(100, 500, 10, TCP_ACK, 1000, 1 * MS), 0);
    ck_assert_uint_eq(s2c(500, 110, 0, TCP_ACK, 1000, 2 * MS), 0);
    /* the server acknowledges bytes the client never sent (seen) */
    ck_assert_uint_eq(s2c(500, 200, 0, TCP_ACK, 1000, 3 * MS), TA_ACK_LOST_SEGMENT);
    ck_assert_uint_eq(cli.dupacknum, 0xFFFFFFFFu); /* the sticky -1 */
    /* ... only once while the client stalls (no finding, but tshark's
     * tcp.analysis tree all the same) */
    ck_assert_uint_eq(s2c(500, 210, 0, TCP_ACK, 1000, 4 * MS), TA_TREE);
    /* a duplicate ACK from the client after the -1 counts from 1 */
    ck_assert_uint_eq(c2s(110, 500, 0, TCP_ACK, 1000, 5 * MS), TA_DUP_ACK);
    ck_assert_uint_eq(cli.dupacknum, 1);
    ck_assert_uint_eq(c2s(110, 500, 0, TCP_ACK, 1000, 6 * MS), TA_DUP_ACK);
    ck_assert_uint_eq(cli.dupacknum, 2);
}
END_TEST

START_TEST(zero_window_probe_skips_the_window_checks)
{
    c2s(100, 500, 0, TCP_ACK, 1000, 1 * MS);
    ck_assert_uint_eq(s2c(500, 100, 0, TCP_ACK, 0, 2 * MS), TA_ZERO_WINDOW);
    ck_assert_uint_eq(c2s(100, 500, 1, TCP_ACK, 1000, 3 * MS), TA_ZERO_WINDOW_PROBE);
    ck_assert_uint_eq(cli.nextseq, 100); /* a probe does not advance */
    ck_assert_uint_eq(s2c(500, 100, 0, TCP_ACK, 0, 4 * MS),
                      TA_ZERO_WINDOW | TA_ZERO_WINDOW_PROBE_ACK);
    ck_assert_uint_eq(s2c(500, 100, 0, TCP_ACK, 100, 5 * MS), TA_WINDOW_UPDATE);
}
END_TEST

START_TEST(window_full_scales_the_peer_window_after_its_first_ack)
{
    c2s(100, 500, 0, TCP_ACK, 1000, 1 * MS);
    s2c(500, 100, 0, TCP_ACK, 10, 2 * MS);
    /* peer scale 2: 10 << 2 = 40 bytes of window */
    srv.is_first_ack = 1;
    ck_assert_uint_eq(ta_segment(&conn, &cli, &srv, 2, 100, 500, 10, TCP_ACK, 1000, 3 * MS, 0),
                      TA_WINDOW_FULL); /* unscaled while is_first_ack */
    srv.is_first_ack = 0;
    ck_assert_uint_eq(ta_segment(&conn, &cli, &srv, 2, 110, 500, 30, TCP_ACK, 1000, 4 * MS, 0),
                      TA_WINDOW_FULL); /* 110 + 30 == 100 + 40 */
    /* unknown peer scale: never */
    setup();
    s2c(500, 100, 0, TCP_ACK, 40, 1 * MS);
    ck_assert_uint_eq(ta_segment(&conn, &cli, &srv, -1, 100, 500, 40, TCP_ACK, 1000, 2 * MS, 0),
                      0);
}
END_TEST

START_TEST(fast_retransmission_within_20ms_of_the_dup_ack)
{
    c2s(1000, 1, 100, TCP_ACK, 1000, 1 * MS);
    c2s(1200, 1, 100, TCP_ACK, 1000, 1 * MS + 1); /* 1100 lost */
    s2c(1, 1100, 0, TCP_ACK, 1000, 2 * MS);
    ck_assert_uint_eq(s2c(1, 1100, 0, TCP_ACK, 1000, 3 * MS), TA_DUP_ACK);
    ck_assert_uint_eq(s2c(1, 1100, 0, TCP_ACK, 1000, 4 * MS), TA_DUP_ACK);
    /* 20 ms after the last dup ACK is too late: a plain retransmission */
    ck_assert_uint_eq(c2s(1100, 1, 100, TCP_ACK, 1000, 24 * MS), TA_RETRANSMISSION);
    setup();
    c2s(1000, 1, 100, TCP_ACK, 1000, 1 * MS);
    c2s(1200, 1, 100, TCP_ACK, 1000, 1 * MS + 1);
    s2c(1, 1100, 0, TCP_ACK, 1000, 2 * MS);
    s2c(1, 1100, 0, TCP_ACK, 1000, 3 * MS);
    s2c(1, 1100, 0, TCP_ACK, 1000, 4 * MS);
    ck_assert_uint_eq(c2s(1100, 1, 100, TCP_ACK, 1000, 24 * MS - 1), TA_FAST_RETRANSMISSION);
}
END_TEST

START_TEST(out_of_order_threshold_is_the_first_rtt)
{
    /* handshake: SYN at 1 ms, first pure ACK at 11 ms -> threshold 10 ms */
    ta_after_header(&conn, &cli, TCP_SYN, 1 * MS);
    ta_after_header(&conn, &srv, TCP_SYN | TCP_ACK, 5 * MS);
    ta_after_header(&conn, &cli, TCP_ACK, 11 * MS);
    ck_assert_uint_eq(conn.ts_first_rtt, 10 * MS);
    c2s(2000, 1, 100, TCP_ACK, 1000, 20 * MS);
    ck_assert_uint_eq(c2s(2200, 1, 100, TCP_ACK, 1000, 21 * MS), TA_LOST_SEGMENT);
    ck_assert_uint_eq(c2s(2100, 1, 100, TCP_ACK, 1000, 30 * MS), TA_OUT_OF_ORDER);
    /* beyond the threshold it is a retransmission */
    c2s(2400, 1, 100, TCP_ACK, 1000, 40 * MS);
    ck_assert_uint_eq(c2s(2300, 1, 100, TCP_ACK, 1000, 51 * MS),
                      TA_RETRANSMISSION);
}
END_TEST

START_TEST(clock_going_backwards_meets_no_threshold)
{
    c2s(2000, 1, 100, TCP_ACK, 1000, 20 * MS);
    c2s(2200, 1, 100, TCP_ACK, 1000, 21 * MS);
    /* earlier than the highest segment: the unsigned delta is huge */
    ck_assert_uint_eq(c2s(2100, 1, 100, TCP_ACK, 1000, 19 * MS), TA_RETRANSMISSION);
}
END_TEST

START_TEST(format_in_column_order_and_bounded)
{
    char buf[ANALYSIS_MAX];
    ta_format(buf, sizeof buf, TA_ZERO_WINDOW | TA_LOST_SEGMENT | TA_REUSED_PORTS);
    ck_assert_str_eq(buf, "lost_segment|zero_window|reused_ports");
    ta_format(buf, 20, TA_ZERO_WINDOW | TA_LOST_SEGMENT);
    ck_assert_str_eq(buf, "lost_segment"); /* whole names only */
    ta_format(buf, sizeof buf, 0xFFFF);
    ck_assert(strlen(buf) < sizeof buf);
}
END_TEST

/* flow table: a row from 10.0.0.1:1000 (client) or 10.0.0.2:80 */
static struct row seg(int from_client, uint16_t flags, uint32_t seq, uint32_t ack,
                      uint16_t win, uint32_t paylen, uint64_t ms)
{
    struct row r = tcp_segment(from_client, flags, seq, ack, win, paylen);
    r.ts_sec = (int64_t)(ms / 1000);
    r.ts_nsec = (uint32_t)(ms % 1000 * 1000000);
    return r;
}

static struct flow_table ft;
static uint64_t ended[16];
static enum flow_end why[16];
static int nended;

static void on_end(void *ctx, const struct flow *f, const struct flow_summary *s,
                   enum flow_end w)
{
    (void)ctx;
    (void)s;
    ended[nended] = f->stream;
    why[nended++] = w;
}

static void ft_setup(void)
{
    ck_assert_int_eq(flow_table_init(&ft, 64), 0);
    ft.analyze = 1;
    nended = 0;
}

static void ft_teardown(void) { flow_table_free(&ft); }

static void track(struct row *r)
{
    int dir;
    flow_table_sweep(&ft, r->ts_sec, r->ts_nsec);   /* as the converter does */
    ck_assert_ptr_nonnull(flow_track_tcp(&ft, r, &dir));
}

START_TEST(findings_hidden_when_options_were_cut)
{
    struct row r = seg(1, TCP_ACK, 100, 1, 0, 0, 1);
    track(&r);
    ck_assert_str_eq(r.analysis, "zero_window");
    r = seg(1, TCP_ACK, 100, 1, 0, 0, 2);
    r.tcp_opts = 0; /* tshark stops before printing the analysis */
    track(&r);
    ck_assert_str_eq(r.analysis, "");
}
END_TEST

START_TEST(new_isn_syn_is_reused_ports_and_a_new_stream)
{
    struct row r = seg(1, TCP_SYN, 100, 0, 1000, 0, 1);
    track(&r);
    ck_assert_str_eq(r.analysis, "");
    r = seg(1, TCP_SYN, 100, 0, 1000, 0, 1001); /* same ISN */
    track(&r);
    ck_assert_str_eq(r.analysis, "retransmission");
    ck_assert_uint_eq(r.stream, 0);
    r = seg(1, TCP_SYN, 9000, 0, 1000, 0, 2001);
    track(&r);
    ck_assert_str_eq(r.analysis, "reused_ports");
    ck_assert_uint_eq(r.stream, 1);
}
END_TEST

START_TEST(flows_end_after_linger_and_at_reset_in_stream_order)
{
    ft.on_end = on_end;
    struct row r = seg(1, TCP_SYN, 100, 0, 1000, 0, 1);
    track(&r);
    r = seg(1, TCP_RST, 101, 0, 0, 0, 2); /* stream 0 closes */
    track(&r);
    ck_assert_int_eq(nended, 0);
    /* another connection, 10 s later: stream 0 has been quiet long enough */
    r = seg(1, TCP_SYN, 100, 0, 1000, 0, 5000);
    r.sport = 1001;
    track(&r);
    ck_assert_int_eq(nended, 0);
    r = seg(0, TCP_SYN, 100, 0, 1000, 0, 5000);
    r.dport = 1002;
    track(&r);
    r = seg(1, TCP_ACK, 101, 1, 1000, 0, 10002);
    r.sport = 1001;
    track(&r);
    ck_assert_int_eq(nended, 1);
    ck_assert_uint_eq(ended[0], 0);
    ck_assert_int_eq(why[0], FLOW_END_CLOSED);
    flow_table_reset(&ft);
    ck_assert_int_eq(nended, 3);
    ck_assert_uint_eq(ended[1], 1);
    ck_assert_uint_eq(ended[2], 2);
    ck_assert_int_eq(why[2], FLOW_END_INPUT);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("analysis");
    TCase *tc = tcase_create("rules");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, ack_of_unseen_segment_then_dupacks_restart_at_one);
    tcase_add_test(tc, zero_window_probe_skips_the_window_checks);
    tcase_add_test(tc, window_full_scales_the_peer_window_after_its_first_ack);
    tcase_add_test(tc, fast_retransmission_within_20ms_of_the_dup_ack);
    tcase_add_test(tc, out_of_order_threshold_is_the_first_rtt);
    tcase_add_test(tc, clock_going_backwards_meets_no_threshold);
    tcase_add_test(tc, format_in_column_order_and_bounded);
    suite_add_tcase(s, tc);
    TCase *tf = tcase_create("flow");
    tcase_add_checked_fixture(tf, ft_setup, ft_teardown);
    tcase_add_test(tf, findings_hidden_when_options_were_cut);
    tcase_add_test(tf, new_isn_syn_is_reused_ports_and_a_new_stream);
    tcase_add_test(tf, flows_end_after_linger_and_at_reset_in_stream_order);
    suite_add_tcase(s, tf);
    return s;
}

int main(void) { return run_suite(suite()); }
