/* Unit tests for the flow table: window scaling, stream numbers and
 * relative sequence numbers, as Wireshark 4.0 computes them. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "row.h"
#include "tcp_segment.h"
#include "unit_main.h"

static struct flow_table ft;

static void setup(void) { ck_assert_int_eq(flow_table_init(&ft, 64), 0); }
static void teardown(void) { flow_table_free(&ft); }

/* A TCP segment between 10.0.0.1:1000 (client) and 10.0.0.2:80. */
static struct row seg(int from_client, uint16_t flags, uint32_t seq, uint32_t ack,
                      uint16_t win, int wsopt, uint32_t paylen)
{
    struct row r = tcp_segment(from_client, flags, seq, ack, win, paylen);
    if (wsopt >= 0) {
        r.present |= HAS_WSOPT;
        r.wsopt = (uint8_t)wsopt;
    }
    return r;
}

static struct row track(struct row r)
{
    int dir;
    flow_track_tcp(&ft, &r, &dir);
    return r;
}

START_TEST(tcp_wscale_applied_after_synack)
{
    struct row r = track(seg(1, TCP_SYN, 1000, 0, 65535, 7, 0));
    ck_assert_uint_eq(r.win, 65535); /* SYN: never scaled */
    ck_assert(!(r.present & HAS_WSCALE));
    r = track(seg(0, TCP_SYN | TCP_ACK, 5000, 1001, 65535, 8, 0));
    ck_assert_uint_eq(r.win, 65535);
    ck_assert_uint_eq(r.rack, 1);
    r = track(seg(1, TCP_ACK, 1001, 5001, 100, -1, 0));
    ck_assert_uint_eq(r.win, 100u << 7);
    ck_assert_int_eq(r.wscale, 7);
    ck_assert_uint_eq(r.rseq, 1);
    ck_assert_uint_eq(r.rack, 1);
    r = track(seg(0, TCP_ACK, 5001, 1001, 3, -1, 10));
    ck_assert_uint_eq(r.win, 3u << 8);
    ck_assert_int_eq(r.wscale, 8);
    ck_assert_uint_eq(r.stream, 0);
}
END_TEST

START_TEST(tcp_wscale_not_used_when_synack_lacks_option)
{
    track(seg(1, TCP_SYN, 1000, 0, 65535, 7, 0));
    track(seg(0, TCP_SYN | TCP_ACK, 5000, 1001, 65535, -1, 0));
    struct row r = track(seg(1, TCP_ACK, 1001, 5001, 100, -1, 0));
    ck_assert_uint_eq(r.win, 100);
    ck_assert(r.present & HAS_WSCALE);
    ck_assert_int_eq(r.wscale, 0);
}
END_TEST

START_TEST(tcp_wscale_unknown_without_handshake)
{
    struct row r = track(seg(1, TCP_ACK, 77, 99, 100, -1, 5));
    ck_assert_uint_eq(r.win, 100);
    ck_assert(!(r.present & HAS_WSCALE));
    ck_assert_uint_eq(r.rseq, 1); /* mid-stream: the first segment shows 1 */
    ck_assert_uint_eq(r.rack, 1);
}
END_TEST

START_TEST(tcp_ack_shown_raw_when_ack_flag_clear)
{
    struct row r = track(seg(1, TCP_SYN, 1000, 12345, 100, -1, 0));
    ck_assert(r.present & HAS_RACK);
    ck_assert_uint_eq(r.rack, 12345);
    ck_assert_uint_eq(r.rseq, 0);
}
END_TEST

START_TEST(tcp_new_syn_with_other_isn_starts_new_stream)
{
    track(seg(1, TCP_SYN, 1000, 0, 100, -1, 0));
    struct row r = track(seg(1, TCP_SYN, 1000, 0, 100, -1, 0)); /* retransmitted SYN */
    ck_assert_uint_eq(r.stream, 0);
    r = track(seg(1, TCP_RST, 1001, 0, 0, -1, 0));
    ck_assert_uint_eq(r.stream, 0);
    r = track(seg(1, TCP_SYN, 9000, 0, 100, -1, 0));
    ck_assert_uint_eq(r.stream, 1);
    ck_assert_uint_eq(r.rseq, 0);
}
END_TEST

START_TEST(tcp_short_segment_shows_raw_numbers)
{
    track(seg(1, TCP_SYN, 1000, 0, 100, 7, 0));
    track(seg(0, TCP_SYN | TCP_ACK, 5000, 1001, 100, 7, 0));
    struct row s = seg(1, TCP_ACK, 1001, 5001, 100, -1, 0);
    s.present &= ~(uint32_t)HAS_PAYLEN; /* header longer than the segment */
    s = track(s);
    ck_assert_uint_eq(s.rseq, 1001);
    ck_assert_uint_eq(s.rack, 5001);
    ck_assert_uint_eq(s.win, 100);
    ck_assert_int_eq(s.wscale, 7);
}
END_TEST

START_TEST(table_evicts_least_recently_used_and_stays_bounded)
{
    flow_table_free(&ft);
    ck_assert_int_eq(flow_table_init(&ft, 8), 0); /* one set of 8 ways */
    for (int i = 0; i < 20; i++) {
        struct row r = seg(1, TCP_ACK, 1, 1, 1, -1, 0);
        r.sport = (uint16_t)(2000 + i);
        r = track(r);
        ck_assert_uint_eq(r.stream, (uint64_t)i);
    }
    ck_assert_uint_eq(ft.evictions, 12);
    /* the most recent flow is still known */
    struct row r = seg(1, TCP_ACK, 1, 1, 1, -1, 0);
    r.sport = 2019;
    ck_assert_uint_eq(track(r).stream, 19);
    /* the first one was evicted: it comes back as a new stream */
    r.sport = 2000;
    ck_assert_uint_eq(track(r).stream, 20);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("flow");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, tcp_wscale_applied_after_synack);
    tcase_add_test(tc, tcp_wscale_not_used_when_synack_lacks_option);
    tcase_add_test(tc, tcp_wscale_unknown_without_handshake);
    tcase_add_test(tc, tcp_ack_shown_raw_when_ack_flag_clear);
    tcase_add_test(tc, tcp_new_syn_with_other_isn_starts_new_stream);
    tcase_add_test(tc, tcp_short_segment_shows_raw_numbers);
    tcase_add_test(tc, table_evicts_least_recently_used_and_stays_bounded);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
