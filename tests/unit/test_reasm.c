/* Unit tests for the generic TCP reassembler (src/reasm.c), with a framer
 * that records what it is given: bytes in order, gaps as "[gap N]". */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "reasm.h"
#include "row.h"
#include "tcp_segment.h"
#include "unit_main.h"

struct rec {
    char text[4096];
    size_t len;
    uint64_t own[64];          /* own frame of each chunk */
    uint64_t cur[64];          /* the frame that completed it */
    int reordered[64];
    int chunks;
    int closes;
};

static struct rec rec;
static struct flow_table ft;
static struct reasm ra;
static struct reasm_framer fr;

static void put(const char *s, size_t n)
{
    ck_assert(rec.len + n < sizeof rec.text);
    memcpy(rec.text + rec.len, s, n);
    rec.len += n;
    rec.text[rec.len] = '\0';
}

static void r_data(struct reasm *r, struct reasm_stream *s, const struct reasm_chunk *c)
{
    (void)r;
    (void)s;
    put((const char *)c->p, c->n);
    if (rec.chunks < 64) {
        rec.own[rec.chunks] = c->own->frame;
        rec.cur[rec.chunks] = c->cur ? c->cur->frame : 0;
        rec.reordered[rec.chunks] = c->reordered;
    }
    rec.chunks++;
}

static void r_gap(struct reasm *r, struct reasm_stream *s, uint64_t n, const struct reasm_pkt *cur)
{
    (void)r;
    (void)cur;
    char b[32];
    int k = snprintf(b, sizeof b, s->over_budget ? "[over_budget %llu]" : "[gap %llu]",
                     (unsigned long long)n);
    put(b, (size_t)k);
}

static void r_close(struct reasm *r, struct reasm_stream *s)
{
    (void)r;
    (void)s;
    rec.closes++;
}

static void on_evict(void *ctx, struct flow *f)
{
    (void)ctx;
    reasm_flow_end(&ra, f);
}

static void setup(void)
{
    memset(&rec, 0, sizeof rec);
    ck_assert_int_eq(flow_table_init(&ft, 64), 0);
    fr = (struct reasm_framer){ "test", 16, r_data, r_gap, r_close, NULL };
    reasm_init(&ra, &fr, REASM_DEFAULT_BUDGET);
    ft.on_evict = on_evict;
}

static void teardown(void) { flow_table_free(&ft); }

static uint64_t frame_no;

/* A segment 10.0.0.1:1000 -> 10.0.0.2:80 (from_client) or back. */
static void send_seg(int from_client, uint16_t flags, uint32_t seq, uint32_t ack,
                     const char *data, uint32_t caplen, uint32_t paylen)
{
    struct row r = tcp_segment(from_client, flags, seq, ack, 0, paylen);
    r.payload = (const uint8_t *)data;
    r.payload_caplen = caplen;
    r.frame = ++frame_no;
    int dir;
    struct flow *f = flow_track_tcp(&ft, &r, &dir);
    struct reasm_pkt pkt = { r.frame, 0, 0, 0 };
    reasm_packet(&ra, f, dir, &r, &pkt);
}

static void data(uint32_t seq, const char *s)
{
    send_seg(1, TCP_ACK | TCP_PSH, seq, 1, s, (uint32_t)strlen(s), (uint32_t)strlen(s));
}

static void handshake(void)
{
    frame_no = 0;
    send_seg(1, TCP_SYN, 999, 0, NULL, 0, 0);
    send_seg(0, TCP_SYN | TCP_ACK, 0, 1000, NULL, 0, 0);
    send_seg(1, TCP_ACK, 1000, 1, NULL, 0, 0);
}

START_TEST(reasm_in_order_delivers_each_byte_once)
{
    handshake();
    data(1000, "abc");
    data(1003, "def");
    ck_assert_str_eq(rec.text, "abcdef");
    ck_assert_int_eq(rec.chunks, 2);
    ck_assert_uint_eq(rec.own[1], 5);
}
END_TEST

START_TEST(reasm_duplicate_segment_delivered_once)
{
    handshake();
    data(1000, "abc");
    data(1000, "abc");         /* a capture on `any` */
    data(1003, "def");
    data(1003, "def");
    ck_assert_str_eq(rec.text, "abcdef");
    ck_assert_uint_eq(ra.stats.duplicates, 2);
}
END_TEST

START_TEST(reasm_retransmission_with_new_bytes_delivers_only_new)
{
    handshake();
    data(1000, "abc");
    data(1000, "abcdef");      /* repacketized retransmission */
    ck_assert_str_eq(rec.text, "abcdef");
    ck_assert_int_eq(rec.chunks, 2);
}
END_TEST

START_TEST(reasm_out_of_order_held_until_hole_fills)
{
    handshake();
    data(1006, "ghi");
    data(1003, "def");
    ck_assert_str_eq(rec.text, "");
    data(1000, "abc");
    ck_assert_str_eq(rec.text, "abcdefghi");
    ck_assert_int_eq(rec.chunks, 3);
    ck_assert_uint_eq(rec.own[0], 6);      /* each chunk keeps its own packet */
    ck_assert_uint_eq(rec.own[1], 5);
    ck_assert_uint_eq(rec.own[2], 4);
    ck_assert_int_eq(rec.reordered[0], 0);
    ck_assert_int_eq(rec.reordered[1], 1);
    ck_assert_uint_eq(ra.held, 0);
}
END_TEST

/* Overlapping copies: every byte comes from its first capture, whether the
 * later copy is queued too (lower sequence number) or arrives in order. */
START_TEST(reasm_overlap_first_capture_wins)
{
    handshake();
    data(1006, "ghi");         /* frame 4: first capture of 1006..1009 */
    data(1004, "EFGHIJ");      /* frame 5: later copy, other bytes, and 1009.. */
    data(1000, "abcD");        /* frame 6: fills the hole */
    ck_assert_str_eq(rec.text, "abcDEFghiJ");
    ck_assert_int_eq(rec.chunks, 4);
    ck_assert_uint_eq(rec.own[0], 6);
    ck_assert_uint_eq(rec.own[1], 5);      /* "EF" */
    ck_assert_uint_eq(rec.own[2], 4);      /* "ghi": not frame 5's "GHI" */
    ck_assert_uint_eq(rec.own[3], 5);      /* "J" */
    data(1014, "op");          /* frame 7, queued */
    data(1010, "klmnOPq");     /* frame 8, in order: the queued "op" wins */
    ck_assert_str_eq(rec.text, "abcDEFghiJklmnopq");
    ck_assert_uint_eq(rec.own[5], 7);
    ck_assert_int_eq(rec.reordered[5], 1);
    ck_assert_uint_eq(rec.own[6], 8);
    ck_assert_int_eq(rec.reordered[6], 0);
    ck_assert_uint_eq(ra.held, 0);
}
END_TEST

START_TEST(reasm_hole_acked_by_peer_becomes_gap)
{
    handshake();
    data(1000, "abc");
    data(1006, "ghi");         /* 1003..1005 never captured */
    ck_assert_str_eq(rec.text, "abc");
    send_seg(0, TCP_ACK, 1, 1009, NULL, 0, 0);   /* the receiver had them */
    ck_assert_str_eq(rec.text, "abc[gap 3]ghi");
    ck_assert_uint_eq(ra.stats.gaps, 1);
}
END_TEST

/* Behind a hole given up, nothing filled it: each chunk is completed by the
 * last captured of the packets from the hole on, and one captured before
 * bytes ahead of it waited for them: reordered, as behind a hole filled. */
START_TEST(reasm_after_gap_completed_by_last_captured)
{
    handshake();
    data(1003, "de");          /* frame 4; 1000..1002 never captured */
    data(1008, "ij");          /* frame 5: before 1005..1007 */
    data(1005, "fgh");         /* frame 6 */
    data(1010, "k");           /* frame 7 */
    send_seg(0, TCP_ACK, 1, 1011, NULL, 0, 0);   /* past the hole */
    ck_assert_str_eq(rec.text, "[gap 3]defghijk");
    ck_assert_int_eq(rec.chunks, 4);
    ck_assert_uint_eq(rec.own[0], 4);
    ck_assert_uint_eq(rec.cur[0], 4);
    ck_assert_int_eq(rec.reordered[0], 0);
    ck_assert_uint_eq(rec.cur[1], 6);
    ck_assert_int_eq(rec.reordered[1], 0);
    ck_assert_uint_eq(rec.own[2], 5);      /* "ij" waited for "fgh" */
    ck_assert_uint_eq(rec.cur[2], 6);
    ck_assert_int_eq(rec.reordered[2], 1);
    ck_assert_uint_eq(rec.cur[3], 7);
    ck_assert_int_eq(rec.reordered[3], 0);
}
END_TEST

START_TEST(reasm_ack_before_hole_keeps_waiting)
{
    handshake();
    data(1000, "abc");
    data(1006, "ghi");
    send_seg(0, TCP_ACK, 1, 1003, NULL, 0, 0);   /* acks only what we have */
    ck_assert_str_eq(rec.text, "abc");
    data(1003, "def");
    ck_assert_str_eq(rec.text, "abcdefghi");
}
END_TEST

START_TEST(reasm_hole_given_up_when_queue_bound_exceeded)
{
    handshake();
    char buf[8];
    /* byte 1000 missing; segments 1001.. queue up to the bound */
    for (int i = 0; i <= REASM_DIR_MAX_SEGS; i++) {
        snprintf(buf, sizeof buf, "%c", 'A' + i % 26);
        data(1001 + (uint32_t)i, buf);
    }
    ck_assert(strncmp(rec.text, "[gap 1]ABC", 10) == 0);
    ck_assert_uint_eq(ra.stats.over_budget, 1);
}
END_TEST

START_TEST(reasm_fin_flushes_queue_with_gap)
{
    handshake();
    data(1000, "abc");
    data(1005, "fg");
    send_seg(1, TCP_ACK | TCP_FIN, 1007, 1, NULL, 0, 0);
    ck_assert_str_eq(rec.text, "abc[gap 2]fg");
}
END_TEST

START_TEST(reasm_lost_first_segment_after_syn_is_gap)
{
    handshake();
    data(1003, "def");         /* 1000..1002 lost: known from the SYN */
    send_seg(0, TCP_ACK, 1, 1006, NULL, 0, 0);
    ck_assert_str_eq(rec.text, "[gap 3]def");
}
END_TEST

START_TEST(reasm_truncated_segment_tail_is_gap)
{
    handshake();
    send_seg(1, TCP_ACK, 1000, 1, "abcdef", 2, 6);   /* snaplen kept 2 of 6 */
    data(1006, "gh");
    ck_assert_str_eq(rec.text, "ab[gap 4]gh");
}
END_TEST

START_TEST(reasm_flow_end_frees_state_and_closes)
{
    handshake();
    data(1000, "abc");
    data(1010, "xyz");
    ck_assert(ra.held > 0);
    flow_table_reset(&ft);     /* end of input: every flow ends */
    ck_assert_str_eq(rec.text, "abc[gap 7]xyz");
    ck_assert_int_eq(rec.closes, 2);
    ck_assert_uint_eq(ra.held, 0);
}
END_TEST

START_TEST(reasm_budget_bounds_total_queued)
{
    reasm_init(&ra, &fr, 600);   /* room for about one queued segment */
    handshake();
    static char big[400];
    memset(big, 'x', sizeof big - 1);
    data(1001, big);           /* 1000 missing */
    ck_assert_str_eq(rec.text, "");
    size_t held = ra.held;
    ck_assert(held > 0 && held <= 600);
    data(1001 + 399, big);     /* no room: dropped; what is held stays */
    ck_assert_str_eq(rec.text, "");
    ck_assert_uint_eq(ra.held, held);
    data(1000, "y");           /* the hole fills: the bytes dropped are a gap */
    char want[1024];
    snprintf(want, sizeof want, "y%s[over_budget 399]", big);
    ck_assert_str_eq(rec.text, want);
    ck_assert_uint_eq(ra.held, 0);
    data(1799, "z");
    ck_assert_uint_eq(rec.len, strlen(want) + 1);
}
END_TEST

START_TEST(reasm_budget_drop_then_ack_or_copy)
{
    reasm_init(&ra, &fr, 600);
    handshake();
    static char big[400];
    memset(big, 'x', sizeof big - 1);
    data(1001, big);
    data(1001 + 399, big);     /* the second dropped */
    /* an ACK past the hole gives it up (bytes were captured after it):
     * the queued bytes, then the dropped range */
    send_seg(0, TCP_ACK, 1, 1900, NULL, 0, 0);
    char want[1024];
    snprintf(want, sizeof want, "[gap 1]%s[over_budget 399]", big);
    ck_assert_str_eq(rec.text, want);
    /* a later copy of bytes dropped, in order, is delivered: not lost */
    memset(&rec, 0, sizeof rec);
    data(2001, big);           /* 1799..2000 missing */
    data(2400, big);           /* no room: dropped */
    ck_assert_str_eq(rec.text, "");
    static char all[1101];
    memset(all, 'c', 1100);
    data(1799, all);           /* covers every byte dropped, and more */
    ck_assert_uint_eq(rec.len, strlen(all));
    ck_assert(strstr(rec.text, "[") == NULL);
    ck_assert_uint_eq(ra.held, 0);
}
END_TEST

START_TEST(reasm_budget_hull_interior_captured_later_is_delivered)
{
    /* The budget is used up: a segment arriving out of order is dropped,
     * what is held stays held (first come, first held). The range dropped
     * is remembered as its hull; bytes before it are never given up for
     * the budget, and a segment captured inside it before delivery gets
     * there (bytes first seen then, or a copy of bytes dropped) is queued
     * like any other once the budget has room: the over_budget gap stops
     * at it. */
    reasm_init(&ra, &fr, 600);
    handshake();
    static char a[400], b[400], m[101], n[101], c[101];
    memset(a, 'a', sizeof a - 1);
    memset(b, 'b', sizeof b - 1);
    memset(m, 'm', sizeof m - 1);
    memset(n, 'n', sizeof n - 1);
    memset(c, 'c', sizeof c - 1);
    data(1001, a);             /* [1001, 1400) queued, 1000 missing */
    size_t held = ra.held;
    data(1600, b);             /* no room: [1600, 1999) dropped */
    ck_assert_uint_eq(ra.held, held);
    data(1400, m);             /* [1400, 1500): room for it, queued */
    ck_assert(ra.held > held);
    data(1000, "y");           /* delivery stops at 1500: a hole, waiting */
    char want[2048];
    snprintf(want, sizeof want, "y%s%s", a, m);
    ck_assert_str_eq(rec.text, want);
    ck_assert_uint_eq(ra.held, 0);
    data(1899, c);             /* a copy of the last 100 bytes dropped */
    data(1500, n);             /* fills the hole: delivery reaches the range */
    snprintf(want, sizeof want, "y%s%s%s[over_budget 299]%s", a, m, n, c);
    ck_assert_str_eq(rec.text, want);
    data(1999, "z");
    ck_assert_uint_eq(rec.len, strlen(want) + 1);
    ck_assert_uint_eq(ra.held, 0);
    /* an in-order segment reaching into the range recovers what it holds */
    memset(&rec, 0, sizeof rec);
    data(2001, a);             /* [2001, 2400) queued, 2000 missing */
    data(2500, b);             /* no room: [2500, 2899) dropped */
    static char w[111];
    memset(w, 'w', sizeof w - 1);
    data(2000, "y");
    data(2400, w);             /* [2400, 2510): 10 bytes of the range */
    snprintf(want, sizeof want, "y%s%s[over_budget 389]", a, w);
    ck_assert_str_eq(rec.text, want);
}
END_TEST

START_TEST(reasm_far_ahead_segment_resynchronises)
{
    handshake();
    data(1000, "abc");
    data(1003 + (REASM_MAX_AHEAD + 10), "zz");
    ck_assert(strncmp(rec.text, "abc[gap ", 8) == 0);
    ck_assert(strstr(rec.text, "]zz") != NULL);
}
END_TEST

START_TEST(reasm_ack_gives_up_every_hole_below_it)
{
    handshake();
    data(1000, "a");
    data(1003, "d");           /* 1001..1002 lost */
    data(1006, "g");           /* 1004..1005 lost */
    send_seg(0, TCP_ACK, 1, 1007, NULL, 0, 0);
    ck_assert_str_eq(rec.text, "a[gap 2]d[gap 2]g");
}
END_TEST

START_TEST(reasm_span_counts_each_packet_once)
{
    /* Later copies around the queued parts of earlier ones (README: segs,
     * the packets a message spans): chunks of frames 8, 7, 6, 5, 6, 7, 8
     * are four packets. */
    handshake();
    data(1000, "a");           /* frame 4 */
    data(1010, "kl");          /* frame 5, queued */
    data(1008, "ijklmn");      /* frame 6: its parts around frame 5's queued */
    data(1006, "ghijklmnop");  /* frame 7: its parts around those */
    data(1001, "bcdefghijklmnopqr"); /* frame 8: fills the hole, around all */
    ck_assert_str_eq(rec.text, "abcdefghijklmnopqr");
    struct reasm_span sp;
    memset(&sp, 0, sizeof sp);
    reasm_span_start(&sp, rec.own[1]);
    for (int i = 2; i < rec.chunks; i++)
        reasm_span_add(&sp, rec.own[i]);
    ck_assert_int_eq(rec.chunks, 8);
    ck_assert_uint_eq(sp.segs, 4);
    reasm_span_free(&sp);
    /* in order, reversed, and one seen again after smaller ones */
    const uint64_t fr_[][6] = { { 1, 2, 3, 4, 5, 6 }, { 6, 5, 4, 3, 2, 1 },
                                { 9, 7, 8, 9, 10, 10 } };
    const uint32_t want[] = { 6, 6, 4 };
    for (int k = 0; k < 3; k++) {
        memset(&sp, 0, sizeof sp);
        reasm_span_start(&sp, fr_[k][0]);
        for (int i = 1; i < 6; i++)
            reasm_span_add(&sp, fr_[k][i]);
        ck_assert_uint_eq(sp.segs, want[k]);
        reasm_span_free(&sp);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reasm");
    TCase *tc = tcase_create("reasm");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reasm_in_order_delivers_each_byte_once);
    tcase_add_test(tc, reasm_duplicate_segment_delivered_once);
    tcase_add_test(tc, reasm_retransmission_with_new_bytes_delivers_only_new);
    tcase_add_test(tc, reasm_overlap_first_capture_wins);
    tcase_add_test(tc, reasm_out_of_order_held_until_hole_fills);
    tcase_add_test(tc, reasm_hole_acked_by_peer_becomes_gap);
    tcase_add_test(tc, reasm_after_gap_completed_by_last_captured);
    tcase_add_test(tc, reasm_ack_before_hole_keeps_waiting);
    tcase_add_test(tc, reasm_hole_given_up_when_queue_bound_exceeded);
    tcase_add_test(tc, reasm_fin_flushes_queue_with_gap);
    tcase_add_test(tc, reasm_lost_first_segment_after_syn_is_gap);
    tcase_add_test(tc, reasm_truncated_segment_tail_is_gap);
    tcase_add_test(tc, reasm_flow_end_frees_state_and_closes);
    tcase_add_test(tc, reasm_budget_bounds_total_queued);
    tcase_add_test(tc, reasm_budget_drop_then_ack_or_copy);
    tcase_add_test(tc, reasm_budget_hull_interior_captured_later_is_delivered);
    tcase_add_test(tc, reasm_far_ahead_segment_resynchronises);
    tcase_add_test(tc, reasm_span_counts_each_packet_once);
    tcase_add_test(tc, reasm_ack_gives_up_every_hole_below_it);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
