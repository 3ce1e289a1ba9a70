/*
 * test_kdb_framer.c - Check unit tests for src/kdb_framer.[ch]: the kdb+ IPC
 * framer driven directly through its reasm callbacks (data, gap, close) on
 * hand-made byte streams: handshake detection, mid-stream chain resync, a
 * message split over many segments, several messages in one segment, a gap
 * and a corrupt length.
 */
#include "kdb_framer.h"
#include "unit_main.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXROWS 96

struct grow {
    int c2s, has_hdr, status, msgtype, compressed;
        uint64_t len, ulen, frame, skipped;
        uint32_t segs;
        int64_t rows;
        int has_latency;
        int64_t latency;
    char user[128], func[128], table[128];
};

struct got {
    int n;
    struct grow r[MAXROWS];
};

static void on_msg(void *ctx, const struct kdb_message *m)
{
    struct got *g = ctx;
    ck_assert_int_lt(g->n, MAXROWS);
    struct grow *r = &g->r[g->n++];
    memset(r, 0, sizeof *r);
    r->c2s = m->c2s;
    r->has_hdr = m->has_hdr;
    r->status = m->status;
    r->msgtype = m->hdr.msgtype;
    r->compressed = m->hdr.compressed;
    r->len = m->has_hdr ? m->hdr.len : 0;
    r->ulen = m->ulen;
    r->frame = m->last->frame;
    r->skipped = m->skipped;
    r->segs = m->segs;
    r->has_latency = m->has_latency;
    r->latency = m->latency;
    r->rows = (m->sum->has & KDB_HAS_ROWS) ? m->sum->rows : -1;
    snprintf(r->user, sizeof r->user, "%s", m->user ? m->user : "");
    if (m->sum->has & KDB_HAS_FUNC)
        snprintf(r->func, sizeof r->func, "%.*s", (int)m->sum->func.n, (const char *)m->sum->func.p);
    if (m->sum->has & KDB_HAS_TABLE)
        snprintf(r->table, sizeof r->table, "%.*s", (int)m->sum->table.n, (const char *)m->sum->table.p);
}

/* One connection: client port 40000 (dir 0) to server port 5010 (dir 1). */
struct rig {
    struct got got;
    struct kdb_framer kf;
    struct reasm_framer fr;
    struct reasm ra;
    struct flow flow;
    void *st[2];
    uint64_t frame;
};

static void rig_init(struct rig *t, int syn)
{
    memset(t, 0, sizeof *t);
    t->kf.on_message = on_msg;
    t->kf.ctx = &t->got;
    ck_assert_int_eq(kdb_reasm_framer(&t->kf, &t->fr), 0);
    reasm_init(&t->ra, &t->fr, REASM_DEFAULT_BUDGET);
    t->flow.port[0] = 40000;
    t->flow.port[1] = 5010;
    t->flow.ipver = IPVER_4;
    t->flow.dir[0].saw_syn = (uint8_t)syn;
    t->flow.dir[1].saw_syn = (uint8_t)syn;
    t->st[0] = calloc(1, t->fr.state_size);
    t->st[1] = calloc(1, t->fr.state_size);
}

static void rig_free(struct rig *t)
{
    /* as reasm_flow_end: both directions closed, then their states freed */
    for (int d = 0; d < 2; d++) {
        struct reasm_stream s = { &t->flow, d, t->st[d], t->st[!d], 0, 0 };
        t->fr.close(&t->ra, &s);
    }
    free(t->st[0]);
    free(t->st[1]);
    kdb_framer_free(&t->kf);
    ck_assert_uint_eq(t->ra.held, 0);
}

/* One segment of n bytes from direction dir, in its own packet, captured
 * at second `frame` after 1700000000. */
static void seg(struct rig *t, int dir, const uint8_t *p, size_t n)
{
    t->frame++;
    struct reasm_pkt pkt = { t->frame, 1700000000 + (int64_t)t->frame, 0, 1 };
    struct reasm_stream s = { &t->flow, dir, t->st[dir], t->st[!dir], 0, 0 };
    struct reasm_chunk c = { p, n, &pkt, &pkt, 0 };
    t->fr.data(&t->ra, &s, &c);
}

static void gap(struct rig *t, int dir, uint64_t n)
{
    struct reasm_pkt pkt = { ++t->frame, 1700000000, 0, 1 };
    struct reasm_stream s = { &t->flow, dir, t->st[dir], t->st[!dir], 0, 0 };
    t->fr.gap(&t->ra, &s, n, &pkt);
}

/* The client's handshake "user:pass" (with capability 3 and the NUL) and
 * the server's answer. */
static void handshake(struct rig *t, const char *user_pass)
{
    char h[KDB_HELLO_MAX];
    int n = snprintf(h, sizeof h, "%s\x03", user_pass);
    seg(t, 0, (const uint8_t *)h, (size_t)n + 1);
    seg(t, 1, (const uint8_t *)"\x03", 1);
}

/* (`upd;`trade;(syms;longs)) with k rows, as an async message. */
static size_t upd(uint8_t *m, int k)
{
    size_t n = 8;
    static const uint8_t head[] = { 0, 0, 3, 0, 0, 0, 0xf5, 'u', 'p', 'd', 0, 0xf5,
                                    't', 'r', 'a', 'd', 'e', 0, 0, 0, 2, 0, 0, 0 };
    memcpy(m + n, head, sizeof head);
    n += sizeof head;
    m[n++] = 11;
    m[n++] = 0;
    m[n++] = (uint8_t)k, m[n++] = 0, m[n++] = 0, m[n++] = 0;
    for (int i = 0; i < k; i++) {
        memcpy(m + n, "IBM", 4);
        n += 4;
    }
    m[n++] = 7;
    m[n++] = 0;
    m[n++] = (uint8_t)k, m[n++] = 0, m[n++] = 0, m[n++] = 0;
    for (int i = 0; i < k; i++) {
        memset(m + n, 0, 8);
        m[n] = (uint8_t)(i + 1);
        n += 8;
    }
    m[0] = 1, m[1] = 0, m[2] = 0, m[3] = 0;
    m[4] = (uint8_t)n, m[5] = (uint8_t)(n >> 8), m[6] = 0, m[7] = 0;
    return n;
}

START_TEST(handshake_detected_user_and_direction)
{
    struct rig t;
    rig_init(&t, 1);
    handshake(&t, "feed:secret");
    uint8_t m[256];
    size_t n = upd(m, 2);
    seg(&t, 0, m, n);
    ck_assert_int_eq(t.got.n, 1);
    ck_assert_str_eq(t.got.r[0].user, "feed");
    ck_assert_int_eq(t.got.r[0].c2s, 1);
    ck_assert_int_eq(t.got.r[0].status, KDB_OK);
    ck_assert_str_eq(t.got.r[0].func, "upd");
    ck_assert_str_eq(t.got.r[0].table, "trade");
    ck_assert_int_eq(t.got.r[0].rows, 2);
    ck_assert_uint_eq(t.kf.handshakes, 1);
    rig_free(&t);
}
END_TEST

START_TEST(handshake_refused_for_other_protocols)
{
    struct rig t;
    rig_init(&t, 1);
    /* DNS over TCP: a NUL first, but not at the end of the segment */
    static const uint8_t dns[] = { 0, 0x1c, 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0 };
    seg(&t, 0, dns, sizeof dns);
    uint8_t m[256];
    size_t n = upd(m, 2);
    seg(&t, 0, m, n);
    seg(&t, 1, m, n);
    ck_assert_int_eq(t.got.n, 0);
    rig_free(&t);
}
END_TEST

START_TEST(midstream_chain_resync)
{
    struct rig t;
    rig_init(&t, 0);
    uint8_t b[1024];
    size_t n = 0;
    memcpy(b, "ABCDEFGH\0IJKLMNOP\0", 18);   /* the end of an unseen message */
    n = 18;
    for (int k = 1; k <= 3; k++)
        n += upd(b + n, k);
    seg(&t, 1, b, n);
    ck_assert_int_eq(t.got.n, 3);
    ck_assert_uint_eq(t.got.r[0].skipped, 18);
    ck_assert_int_eq(t.got.r[2].rows, 3);
    ck_assert_int_eq(t.got.r[0].c2s, 0);     /* port 5010 -> 40000: server */
    ck_assert_uint_eq(t.kf.resyncs, 1);
    rig_free(&t);
}
END_TEST

/* Mid-stream bytes that look like headers now and then, in many small
 * segments: the search window holds the marks of where its bytes came
 * from, drops the front of them as candidates fail, and every byte of
 * budget they took is given back (rig_free: nothing held). */
START_TEST(resync_marks_give_back_their_budget)
{
    struct rig t;
    rig_init(&t, 0);
    uint32_t x = 12345;
    uint8_t b[64];
    for (int k = 0; k < 3000; k++) {
        x = x * 1103515245u + 12345u;
        size_t n = 1 + (x >> 16) % 60;
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            b[i] = (uint8_t)(x >> 16);
        }
        if ((x >> 8) % 3 == 0 && n >= 10) {
            /* a plausible header: little-endian async, length 20..200,
             * a general list of a few items */
            static const uint8_t h[] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
            memcpy(b, h, sizeof h);
            b[4] = (uint8_t)(20 + (x >> 20) % 180);
            b[9] = (uint8_t)((x >> 12) % 4);
        }
        seg(&t, 1, b, n);
    }
    rig_free(&t);
}
END_TEST

START_TEST(message_split_over_many_segments)
{
    struct rig t;
    rig_init(&t, 0);
    uint8_t b[2048];
    size_t n = 0;
    for (int k = 1; k <= 3; k++)              /* a chain to sync on */
        n += upd(b + n, k);
    seg(&t, 0, b, n);
    ck_assert_int_eq(t.got.n, 3);
    n = upd(b, 40);
    for (size_t i = 0; i < n; i++)            /* one byte per segment */
        seg(&t, 0, b + i, 1);
    ck_assert_int_eq(t.got.n, 4);
    ck_assert_uint_eq(t.got.r[3].segs, n);
    ck_assert_uint_eq(t.got.r[3].len, n);
    ck_assert_int_eq(t.got.r[3].rows, 40);
    ck_assert_int_eq(t.got.r[3].status, KDB_OK);
    rig_free(&t);
}
END_TEST

START_TEST(several_messages_in_one_segment)
{
    struct rig t;
    rig_init(&t, 1);
    handshake(&t, "");
    uint8_t b[2048];
    size_t n = 0;
    for (int k = 1; k <= 5; k++)
        n += upd(b + n, k);
    seg(&t, 0, b, n);
    ck_assert_int_eq(t.got.n, 5);
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_eq(t.got.r[i].frame, t.frame);
        ck_assert_int_eq(t.got.r[i].rows, i + 1);
        ck_assert_str_eq(t.got.r[i].user, "");
    }
    rig_free(&t);
}
END_TEST

START_TEST(gap_inside_then_across_boundary)
{
    struct rig t;
    rig_init(&t, 0);
    uint8_t b[4096];
    size_t n = 0;
    for (int k = 1; k <= 3; k++)
        n += upd(b + n, k);
    seg(&t, 0, b, n);
    /* a gap inside a message: truncated, framing goes on */
    n = upd(b, 20);
    seg(&t, 0, b, 60);
    gap(&t, 0, 20);
    seg(&t, 0, b + 80, n - 80);
    ck_assert_int_eq(t.got.n, 4);
    ck_assert_int_eq(t.got.r[3].status, KDB_TRUNCATED);
    ck_assert_int_eq(t.got.r[3].rows, 20);
    size_t m = upd(b, 2);
    seg(&t, 0, b, m);
    ck_assert_int_eq(t.got.n, 5);
    ck_assert_int_eq(t.got.r[4].status, KDB_OK);
    /* a gap past the end of a message: truncated row, then a resync */
    seg(&t, 0, b, 20);
    gap(&t, 0, m - 20 + 10);
    n = 0;
    memcpy(b + 2000, b + 10, m - 10);         /* the rest of a lost message */
    size_t tail = m - 10;
    for (int k = 1; k <= 3; k++)
        n += upd(b + 2000 + tail + n, k);
    seg(&t, 0, b + 2000, tail + n);
    ck_assert_int_eq(t.got.n, 9);
    ck_assert_int_eq(t.got.r[5].status, KDB_TRUNCATED);
    ck_assert_int_eq(t.got.r[6].status, KDB_OK);
    ck_assert_uint_eq(t.got.r[6].skipped, 10 + tail);
    rig_free(&t);
}
END_TEST

START_TEST(corrupt_length_gives_bad_row_and_resync)
{
    struct rig t;
    rig_init(&t, 0);
    uint8_t b[4096];
    size_t n = 0;
    for (int k = 1; k <= 3; k++)
        n += upd(b + n, k);
    seg(&t, 0, b, n);
    /* length 5: impossible header */
    n = upd(b, 4);
    b[4] = 5;
    size_t m = n;
    for (int k = 1; k <= 3; k++)
        m += upd(b + m, k);
    seg(&t, 0, b, m);
    ck_assert_int_eq(t.got.n, 7);
    ck_assert_int_eq(t.got.r[3].status, KDB_BAD);
    ck_assert_int_eq(t.got.r[3].has_hdr, 0);
    ck_assert_int_eq(t.got.r[4].status, KDB_OK);
    ck_assert_uint_eq(t.got.r[4].skipped, n - 1);
    /* a length too large, message split: the object ends first; resync */
    n = upd(b, 4);
    b[4] = (uint8_t)(n + 60);
    m = n;
    for (int k = 1; k <= 3; k++)
        m += upd(b + m, k);
    seg(&t, 0, b, 20);
    seg(&t, 0, b + 20, m - 20);
    ck_assert_int_eq(t.got.n, 11);
    ck_assert_int_eq(t.got.r[7].status, KDB_BAD);
    ck_assert_int_eq(t.got.r[7].rows, 4);
    ck_assert_int_eq(t.got.r[8].status, KDB_OK);
    ck_assert_int_eq(t.got.r[10].rows, 3);
    rig_free(&t);
}
END_TEST

START_TEST(connection_ends_inside_message)
{
    struct rig t;
    rig_init(&t, 0);
    uint8_t b[2048];
    size_t n = 0;
    for (int k = 1; k <= 3; k++)
        n += upd(b + n, k);
    seg(&t, 0, b, n);
    n = upd(b, 30);
    seg(&t, 0, b, n / 2);
    rig_free(&t);
    ck_assert_int_eq(t.got.n, 4);
    ck_assert_int_eq(t.got.r[3].status, KDB_TRUNCATED);
    ck_assert_int_eq(t.got.r[3].rows, 30);
}
END_TEST

/* Issue: a direction's buffer (payload prefix, resync window) stayed charged
 * to the budget until the connection ended, so ordinary connections used it
 * up. Now only what is still arriving is held. */
START_TEST(budget_counts_only_messages_arriving)
{
    struct rig t;
    rig_init(&t, 0);
    uint8_t b[4096];
    size_t n = 0;
    for (int k = 1; k <= 3; k++)              /* a chain to sync on */
        n += upd(b + n, k);
    seg(&t, 0, b, n);
    ck_assert_uint_eq(t.ra.held, 0);
    for (int i = 0; i < 10; i++) {
        n = upd(b, 40);
        seg(&t, 0, b, 100);
        ck_assert_uint_gt(t.ra.held, 0);
        seg(&t, 0, b + 100, n - 100);
        ck_assert_uint_eq(t.ra.held, 0);
    }
    /* a connection that is no kdb+: its search window is not kept */
    memset(b, 'x', 3000);
    seg(&t, 1, b, 3000);
    ck_assert_uint_eq(t.ra.held, 0);
    ck_assert_int_eq(t.got.n, 13);
    for (int i = 3; i < 13; i++) {
        ck_assert_int_eq(t.got.r[i].status, KDB_OK);
        ck_assert_int_eq(t.got.r[i].rows, 40);
    }
    rig_free(&t);
}
END_TEST

/* When the budget is used up, a message whose payload cannot be held gets
 * the status over_budget, with its header's facts (len, ulen) and no field,
 * never a verdict made up from bytes that were not held. */
START_TEST(over_budget_message_gets_its_own_status)
{
    struct rig t;
    rig_init(&t, 0);
    reasm_init(&t.ra, &t.fr, 2048);
    uint8_t b[4096];
    size_t n = 0;
    for (int k = 1; k <= 3; k++)
        n += upd(b + n, k);
    seg(&t, 0, b, n);
    n = upd(b, 255);                          /* a 3,096-byte payload */
    seg(&t, 0, b, 100);
    seg(&t, 0, b + 100, n - 100);
    size_t m = upd(b, 2);                     /* fits: held, then released */
    seg(&t, 0, b, 20);
    seg(&t, 0, b + 20, m - 20);
    ck_assert_int_eq(t.got.n, 5);
    ck_assert_int_eq(t.got.r[3].status, KDB_OVER_BUDGET);
    ck_assert_int_eq(t.got.r[3].has_hdr, 1);
    ck_assert_uint_eq(t.got.r[3].len, n);
    ck_assert_uint_eq(t.got.r[3].ulen, n);
    ck_assert_str_eq(t.got.r[3].func, "");
    ck_assert_int_eq(t.got.r[3].rows, -1);
    ck_assert_int_eq(t.got.r[4].status, KDB_OK);
    ck_assert_int_eq(t.got.r[4].rows, 2);
    ck_assert_uint_eq(t.ra.stats.msgs_over_budget, 1);
    rig_free(&t);
}
END_TEST

/* Issue: with more than KDB_FRAMER_PENDING (32) sync requests outstanding,
 * the oldest were overwritten and every response was paired with a later
 * request (40 outstanding: each latency 8 requests short, the last 8
 * responses none). Now the responses to the dropped requests have none and
 * every other one is right. */
START_TEST(latency_with_more_requests_outstanding_than_remembered)
{
    struct rig t;
    rig_init(&t, 1);
    handshake(&t, "u:p");
    uint64_t asked[40];
    for (int i = 0; i < 40; i++) {       /* sync "q" + i: a char vector */
        uint8_t m[16] = { 1, 1, 0, 0, 16, 0, 0, 0, 10, 0, 2, 0, 0, 0, 'q', (uint8_t)('0' + i) };
        seg(&t, 0, m, sizeof m);
        asked[i] = t.frame;
    }
    for (int i = 0; i < 40; i++) {       /* response: the long i */
        uint8_t m[17] = { 1, 2, 0, 0, 17, 0, 0, 0, 0xf9, (uint8_t)i };
        seg(&t, 1, m, sizeof m);
    }
    ck_assert_int_eq(t.got.n, 80);
    for (int i = 0; i < 40; i++) {
        const struct grow *r = &t.got.r[40 + i];
        ck_assert_int_eq(r->msgtype, KDB_RESPONSE);
        ck_assert_int_eq(r->status, KDB_OK);
        if (i < 8) {
            ck_assert_int_eq(r->has_latency, 0);
        } else {
            ck_assert_int_eq(r->has_latency, 1);
            ck_assert_int_eq(r->latency, (int64_t)(r->frame - asked[i]) * 1000000000);
        }
    }
    rig_free(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("kdb_framer");
    TCase *tc = tcase_create("framer");
    tcase_add_test(tc, handshake_detected_user_and_direction);
    tcase_add_test(tc, handshake_refused_for_other_protocols);
    tcase_add_test(tc, midstream_chain_resync);
    tcase_add_test(tc, resync_marks_give_back_their_budget);
    tcase_add_test(tc, message_split_over_many_segments);
    tcase_add_test(tc, several_messages_in_one_segment);
    tcase_add_test(tc, gap_inside_then_across_boundary);
    tcase_add_test(tc, corrupt_length_gives_bad_row_and_resync);
    tcase_add_test(tc, connection_ends_inside_message);
    tcase_add_test(tc, budget_counts_only_messages_arriving);
    tcase_add_test(tc, over_budget_message_gets_its_own_status);
    tcase_add_test(tc, latency_with_more_requests_outstanding_than_remembered);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
