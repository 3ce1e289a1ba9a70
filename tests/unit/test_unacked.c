/* Unit tests for the bounded list of unacknowledged segments (unacked.h):
 * Wireshark's matching of ACKs, and what the bounds approximate. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "row.h"
#include "unacked.h"
#include "qspan.h"
#include "unit_main.h"

#define BASE 1000u

static struct ual_pool pool;
static struct ual_dir data, acks;   /* the sender's list; the peer's state */

static void setup(void)
{
    ck_assert_int_eq(ual_pool_init(&pool, 1024), 0);
    memset(&data, 0, sizeof data);
    memset(&acks, 0, sizeof acks);
}
static void teardown(void) { ual_pool_free(&pool); }

/* A data segment [seq, seq+len) sent by the listed side in frame at t. */
static struct ual_result send_seg_at(uint32_t seq, uint32_t len, uint16_t flags, uint64_t frame,
                                     uint64_t t, int32_t hi)
{
    struct ual_result res;
    ual_segment(&pool, &data, &acks, BASE, seq, 1, len, flags, 1, seq + len, 0, frame, t, hi, &res);
    return res;
}

static struct ual_result send_seg(uint32_t seq, uint32_t len, uint16_t flags, uint64_t frame,
                                  uint64_t t)
{
    return send_seg_at(seq, len, flags, frame, t, 0);
}

/* A pure ACK from the peer. */
static struct ual_result ack_seg_at(uint32_t ack, uint64_t frame, uint64_t t, int32_t hi)
{
    struct ual_result res;
    ual_segment(&pool, &acks, &data, 1, 1, ack, 0, TCP_ACK, 0, 1, 0, frame, t, hi, &res);
    return res;
}

static struct ual_result ack_seg(uint32_t ack, uint64_t frame, uint64_t t)
{
    return ack_seg_at(ack, frame, t, 0);
}

START_TEST(inflight_grows_until_acked)
{
    ck_assert_uint_eq(send_seg(1001, 100, TCP_ACK, 1, 10).inflight, 100);
    ck_assert_uint_eq(send_seg(1101, 100, TCP_ACK, 2, 20).inflight, 200);
    struct ual_result r = send_seg(1201, 50, TCP_ACK | TCP_PSH, 3, 30);
    ck_assert_uint_eq(r.inflight, 250);
    ck_assert_uint_eq(r.push_bytes, 250);   /* bytes up to and with the PSH */
    r = ack_seg(1201, 4, 45);               /* ends frame 2: acks 1 and 2 */
    ck_assert(r.matched);
    ck_assert_uint_eq(r.acked_frame, 2);
    ck_assert_int_eq(r.rtt_ns, 25);
    ck_assert_uint_eq(data.n, 1);
    r = send_seg(1251, 10, TCP_ACK, 5, 50);
    ck_assert_uint_eq(r.inflight, 60);
    ck_assert_uint_eq(r.push_bytes, 10);    /* restarted after the PSH */
}
END_TEST

START_TEST(partial_ack_gives_no_sample)
{
    send_seg(1001, 100, TCP_ACK, 1, 10);
    struct ual_result r = ack_seg(1051, 2, 20);
    ck_assert(!r.matched);
    ck_assert_uint_eq(data.n, 1);
    ck_assert_uint_eq(send_seg(1101, 10, TCP_ACK, 3, 30).inflight, 60); /* from 1051 */
}
END_TEST

START_TEST(rtt_after_retransmission_from_first_copy)
{
    send_seg(1001, 100, TCP_ACK, 1, 10);
    send_seg(1001, 100, TCP_ACK, 2, 500);  /* the retransmission is listed too */
    struct ual_result r = ack_seg(1101, 3, 510);
    ck_assert(r.matched);
    ck_assert_uint_eq(r.acked_frame, 1);    /* Wireshark: the oldest copy wins */
    ck_assert_int_eq(r.rtt_ns, 500);
    ck_assert_uint_eq(data.n, 0);
}
END_TEST

START_TEST(rtt_q_cannot_hold_is_null)
{
    /* Times kept as (nanoseconds modulo 2^64, seconds >> 32). 1970 and
     * 2280 (310 years): the ACK acknowledges the segment, its RTT is null,
     * not a value turned round; either way. */
    const int64_t s1 = 1, s2 = 310LL * 365 * 86400;
#define AT(s) (uint64_t)(s) * 1000000000u, qspan_hi(s)
    send_seg_at(1001, 100, TCP_ACK, 1, AT(s1));
    struct ual_result r = ack_seg_at(1101, 2, AT(s2));
    ck_assert(r.matched);
    ck_assert_uint_eq(r.acked_frame, 1);
    ck_assert_int_eq(r.rtt_ns, QSPAN_NULL);
    send_seg_at(1101, 100, TCP_ACK, 3, AT(s2));
    r = ack_seg_at(1201, 4, AT(s1));
    ck_assert(r.matched);
    ck_assert_int_eq(r.rtt_ns, QSPAN_NULL);
    /* 200 years (beyond 2^33 s apart... no: 6.3e9 s, high words 0 and 1):
     * exact, and 280 years (high words 0 and 2: worked out in full) */
    const int64_t s3 = 200LL * 365 * 86400, s4 = 280LL * 365 * 86400;
    send_seg_at(1201, 100, TCP_ACK, 5, AT(s1));
    r = ack_seg_at(1301, 6, AT(s3));
    ck_assert_int_eq(r.rtt_ns, (s3 - s1) * 1000000000);
    send_seg_at(1301, 100, TCP_ACK, 7, AT(s4));
    r = ack_seg_at(1401, 8, AT(s1));
    ck_assert_int_eq(r.rtt_ns, -(s4 - s1) * 1000000000);
    /* 1 ms apart in the year 586,000 (beyond q's timestamps): exact */
    const int64_t s5 = 18446744073204LL;
    send_seg_at(1401, 100, TCP_ACK, 9, AT(s5));
    r = ack_seg_at(1501, 10, (uint64_t)s5 * 1000000000u + 1000000, qspan_hi(s5));
    ck_assert_int_eq(r.rtt_ns, 1000000);
#undef AT
}
END_TEST

START_TEST(sack_blocks_lower_inflight)
{
    send_seg(1001, 100, TCP_ACK, 1, 10);
    send_seg(1101, 100, TCP_ACK, 2, 11);
    acks.nsack = 1;                          /* the peer SACKed 100 bytes */
    acks.sack_bytes = 100;
    ck_assert_uint_eq(send_seg(1201, 100, TCP_ACK, 3, 12).inflight, 200);
}
END_TEST

START_TEST(bound_merges_oldest_and_keeps_inflight)
{
    uint32_t seq = 1001;
    for (uint64_t f = 1; f <= UAL_PER_DIR + 10; f++, seq += 10)
        send_seg(seq, 10, TCP_ACK, f, f);
    ck_assert_uint_eq(data.n, UAL_PER_DIR);
    ck_assert_uint_eq(pool.merged, 10);
    /* the span is still exact */
    ck_assert_uint_eq(send_seg(seq, 10, TCP_ACK, 999, 999).inflight, (UAL_PER_DIR + 11) * 10);
    /* the end of a merged-away entry is no longer found... */
    ck_assert(!ack_seg(1011, 1000, 1000).matched);
    /* ...the end of a kept one is */
    struct ual_result r = ack_seg(1001 + 20 * 10, 1001, 1001);
    ck_assert(r.matched);
    ck_assert_uint_eq(r.acked_frame, 20);
}
END_TEST

START_TEST(empty_pool_leaves_segment_unlisted)
{
    ual_pool_free(&pool);
    ck_assert_int_eq(ual_pool_init(&pool, 1), 0);
    struct ual_dir other;
    memset(&other, 0, sizeof other);
    ual_add(&pool, &other, BASE, 5001, 5002, 1, 1, 0);   /* takes the only entry */
    send_seg(1001, 10, TCP_ACK, 2, 2);
    ck_assert_uint_eq(data.n, 0);
    ck_assert_uint_eq(pool.unlisted, 1);
    ual_dir_clear(&pool, &other);                     /* back in the pool */
    send_seg(1011, 10, TCP_ACK, 3, 3);
    ck_assert_uint_eq(data.n, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unacked");
    TCase *tc = tcase_create("unacked");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, inflight_grows_until_acked);
    tcase_add_test(tc, partial_ack_gives_no_sample);
    tcase_add_test(tc, rtt_after_retransmission_from_first_copy);
    tcase_add_test(tc, rtt_q_cannot_hold_is_null);
    tcase_add_test(tc, sack_blocks_lower_inflight);
    tcase_add_test(tc, bound_merges_oldest_and_keeps_inflight);
    tcase_add_test(tc, empty_pool_leaves_segment_unlisted);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
