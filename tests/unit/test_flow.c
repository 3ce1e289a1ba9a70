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
        r.tcp_opts |= TCPOPTS_WSOPT; /* as decode_tcp flags it */
    }
    return r;
}

static struct row track(struct row r)
{
    int dir;
    flow_table_sweep(&ft, r.ts_sec, r.ts_nsec);   /* as the converter does */
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

START_TEST(tcp_stream_keyed_on_final_destination)
{
    /* The client's segments carry a routing header: their dest is the next
     * hop 10.0.0.9, their final destination the server (HAS_FINAL_DST). */
    struct row c = seg(1, TCP_SYN, 1000, 0, 100, -1, 0);
    uint8_t hop[4] = { 10, 0, 0, 9 };
    memcpy(c.final_dst, c.dst, 16);
    memset(c.dst, 0, 16);
    memcpy(c.dst, hop, 4);
    c.present |= HAS_FINAL_DST;
    struct row r = track(c);
    ck_assert_uint_eq(r.stream, 0);
    r = track(seg(0, TCP_SYN | TCP_ACK, 5000, 1001, 100, -1, 0));
    ck_assert_uint_eq(r.stream, 0);
    ck_assert_uint_eq(r.rack, 1);
    /* the same header address without the routing header is another one */
    c.present &= ~(uint32_t)HAS_FINAL_DST;
    r = track(c);
    ck_assert_uint_eq(r.stream, 1);
}
END_TEST

START_TEST(tcp_stream_keyed_on_home_address)
{
    /* The client's segments come from a care-of address 10.0.0.7 with a
     * Home Address option naming its own (HAS_HOME_SRC); the server's go to
     * the care-of address with a routing header naming it (HAS_FINAL_DST). */
    uint8_t coa[4] = { 10, 0, 0, 7 };
    struct row c = seg(1, TCP_SYN, 1000, 0, 100, -1, 0);
    memcpy(c.home_src, c.src, 16);
    memset(c.src, 0, 16);
    memcpy(c.src, coa, 4);
    c.present |= HAS_HOME_SRC;
    struct row r = track(c);
    ck_assert_uint_eq(r.stream, 0);
    struct row s = seg(0, TCP_SYN | TCP_ACK, 5000, 1001, 100, -1, 0);
    memcpy(s.final_dst, s.dst, 16);
    memset(s.dst, 0, 16);
    memcpy(s.dst, coa, 4);
    s.present |= HAS_FINAL_DST;
    r = track(s);
    ck_assert_uint_eq(r.stream, 0);
    ck_assert_uint_eq(r.rack, 1);
    /* the care-of address without the option is another connection */
    c.present &= ~(uint32_t)HAS_HOME_SRC;
    r = track(c);
    ck_assert_uint_eq(r.stream, 1);
}
END_TEST

/* A TCP header quoted in an ICMP error, as decode_quoted leaves it. */
static struct row quoted(int from_client, uint16_t flags, uint32_t seq, uint16_t sport)
{
    struct row q = seg(from_client, flags, seq, 0, 100, -1, 0);
    if (from_client)
        q.sport = sport;
    else
        q.dport = sport;
    return q;
}

START_TEST(icmp_quote_of_unseen_connection_takes_next_stream)
{
    struct row r = track(seg(1, TCP_SYN, 1000, 0, 100, -1, 0));
    ck_assert_uint_eq(r.stream, 0);
    struct row q = quoted(1, TCP_ACK | TCP_PSH, 5, 2000);
    ck_assert_ptr_nonnull(flow_track_quoted(&ft, &q));
    ck_assert_uint_eq(ft.next_stream, 2);          /* number 1 is taken */
    q = quoted(1, TCP_ACK, 77, 1000);              /* the known connection */
    flow_track_quoted(&ft, &q);
    ck_assert_uint_eq(ft.next_stream, 2);
    r = track(quoted(1, TCP_SYN, 1, 3000));        /* a new one: 2 */
    ck_assert_uint_eq(r.stream, 2);
    /* the quoted connection's segments keep its number; the quote set no
     * base, so their relative numbers start from their own first */
    r = track(quoted(1, TCP_ACK, 999, 2000));
    ck_assert_uint_eq(r.stream, 1);
    ck_assert_uint_eq(r.rseq, 1);
}
END_TEST

START_TEST(icmp_quoted_syn_with_other_isn_starts_new_stream)
{
    track(seg(1, TCP_SYN, 1000, 0, 100, -1, 0));
    struct row q = quoted(1, TCP_SYN, 555, 1000);  /* Wireshark: ports reused */
    flow_track_quoted(&ft, &q);
    ck_assert_uint_eq(ft.next_stream, 2);
    struct row r = track(seg(1, TCP_ACK, 1001, 1, 100, -1, 0));
    ck_assert_uint_eq(r.stream, 1);
}
END_TEST

static int ended;
static void count_quoted_end(void *ctx, const struct flow *f, const struct flow_summary *s,
                      enum flow_end why)
{
    (void)ctx, (void)f, (void)why;
    ck_assert(s->dir[0].pkts || s->dir[1].pkts);
    ended++;
}

START_TEST(icmp_quote_flood_stays_bounded_and_gives_no_flows_rows)
{
    flow_table_free(&ft);
    ck_assert_int_eq(flow_table_init(&ft, 64), 0);
    ft.on_end = count_quoted_end;
    ended = 0;
    track(seg(1, TCP_SYN, 1000, 0, 100, -1, 0));
    for (int i = 0; i < 100000; i++) {
        struct row q = quoted(1, TCP_ACK, (uint32_t)i, (uint16_t)(2000 + i));
        q.src[2] = (uint8_t)(i >> 16);
        flow_track_quoted(&ft, &q);
    }
    ck_assert_uint_eq(ft.next_stream, 100001);
    ck_assert_uint_ge(ft.evictions, 100000 - 64);
    ck_assert_int_eq(ended, 1);                    /* the real connection only */
    /* a connection a quote named first, from its server's side: its row's
     * side s is the sender of its first segment */
    struct row q = quoted(0, TCP_ACK, 5, 7000);
    flow_track_quoted(&ft, &q);
    struct row c = seg(1, TCP_ACK, 1, 6, 100, -1, 10);
    c.sport = 7000;
    int dir;
    struct flow *f = flow_track_tcp(&ft, &c, &dir);
    ck_assert_int_eq(dir, 0);
    ck_assert_uint_eq(f->port[0], 7000);
    ck_assert_uint_eq(ft.sum[f - ft.slots].dir[0].pkts, 1);
    flow_table_reset(&ft);
    ck_assert_int_eq(ended, 2);
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

/* --flows: the rows the table tells (on_end), counted per stream. */
struct ends {
    uint64_t rows, pkts, continued;
    uint32_t per_stream[8192];
    uint16_t continued_sport;   /* side s's port in the last further row */
};

static void count_end(void *ctx, const struct flow *f, const struct flow_summary *s,
                      enum flow_end why)
{
    struct ends *e = ctx;
    (void)why;
    e->rows++;
    e->pkts += s->dir[0].pkts + s->dir[1].pkts;
    e->continued += s->continued;
    if (s->continued)
        e->continued_sport = f->port[0];
    if (f->stream < 8192)
        e->per_stream[f->stream]++;
}

static void report_to(struct flow_table *t, struct ends *e)
{
    memset(e, 0, sizeof *e);
    t->on_end = count_end;
    t->on_end_ctx = e;
}

/* A segment of connection k (client port 10000 + k) at t_us of capture time. */
static struct row conn_seg(int k, int from_client, uint16_t flags, uint32_t seq, uint32_t ack,
                           uint64_t t_us)
{
    struct row r = seg(from_client, flags, seq, ack, 1000, -1, 0);
    if (from_client)
        r.sport = (uint16_t)(10000 + k);
    else
        r.dport = (uint16_t)(10000 + k);
    r.ts_sec = 1700000000 + (int64_t)(t_us / 1000000);
    r.ts_nsec = (uint32_t)(t_us % 1000000) * 1000;
    return r;
}

static uint64_t track_in(struct flow_table *t, struct row r)
{
    int dir;
    flow_table_sweep(t, r.ts_sec, r.ts_nsec);   /* as the converter does */
    flow_track_tcp(t, &r, &dir);
    return r.stream;
}

/* Connection i of a many-connection test: a client of random-looking
 * address and port (a fixed xorshift sequence; the address's low 24 bits
 * are i's, so no two are one connection) to a server's port 443. */
static struct row client_seg(uint32_t i, uint64_t *rng)
{
    uint64_t x = *rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *rng = x;
    struct row r = seg(1, TCP_ACK, 1, 1, 1, -1, 0);
    r.src[0] = (uint8_t)(x >> 8);
    r.src[1] = (uint8_t)(i >> 16);
    r.src[2] = (uint8_t)(i >> 8);
    r.src[3] = (uint8_t)i;
    r.sport = (uint16_t)(1024 + (x >> 32) % 64000);
    r.dport = 443;
    return r;
}

/* What a mode's on_evict saw: the streams, in order. */
struct evicted_order {
    uint64_t stream[256];
    int n;
};

static void note_evicted(void *ctx, struct flow *f)
{
    struct evicted_order *o = ctx;
    if (o->n < 256)
        o->stream[o->n++] = f->stream;
}

/* At the end of the input a mode (--fix, --kdb) is told of its open
 * connections in stream order, whatever sets the hashes put them in: the
 * messages it then releases come connection by connection in that order. */
START_TEST(modes_told_of_open_connections_in_stream_order)
{
    struct flow_table t;
    ck_assert_int_eq(flow_table_init(&t, FLOW_DEFAULT_SLOTS), 0);
    struct evicted_order o = {.n = 0};
    t.on_evict = note_evicted;
    t.on_evict_ctx = &o;
    uint64_t rng = 88172645463325252ull;
    for (uint32_t i = 0; i < 200; i++)
        ck_assert_uint_eq(track_in(&t, client_seg(i, &rng)), i);
    flow_table_reset(&t);
    ck_assert_int_eq(o.n, 200);
    for (int i = 0; i < o.n; i++)
        ck_assert_uint_eq(o.stream[i], (uint64_t)i);
    flow_table_free(&t);
}
END_TEST

/* The default table holds 70% of its 65,536 slots of random connections
 * without evicting one (one set of 8 per connection used to evict from
 * about 20% on: flow.c, FLOW_FIRST_FILL), each keeps its stream when it
 * comes back; past its size it evicts the least recently used, one per new
 * connection, and counts them. */
START_TEST(table_fills_to_capacity_before_evicting)
{
    struct flow_table t;
    ck_assert_int_eq(flow_table_init(&t, FLOW_DEFAULT_SLOTS), 0);
    const uint32_t fill = FLOW_DEFAULT_SLOTS / 10 * 7, over = FLOW_DEFAULT_SLOTS + 1000;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    for (uint32_t i = 0; i < fill; i++)
        ck_assert_uint_eq(track_in(&t, client_seg(i, &rng)), i);
    ck_assert_uint_eq(t.evictions, 0);
    rng = 0x9E3779B97F4A7C15ull;
    for (uint32_t i = 0; i < fill; i++)
        ck_assert_uint_eq(track_in(&t, client_seg(i, &rng)), i);
    ck_assert_uint_eq(t.next_stream, fill);
    ck_assert_uint_eq(t.evictions, 0);
    /* over the table's size: every connection past it evicts one */
    for (uint32_t i = fill; i < over; i++)
        ck_assert_uint_eq(track_in(&t, client_seg(i, &rng)), i);
    ck_assert_uint_ge(t.evictions, over - FLOW_DEFAULT_SLOTS);
    uint64_t used = 0;
    for (size_t k = 0; k < FLOW_DEFAULT_SLOTS; k++)
        used += t.slots[k].used;
    ck_assert_uint_eq(used + t.evictions, over);
    /* the most recent ones are known still (the least recent went) */
    rng = 0x9E3779B97F4A7C15ull;
    struct row last[100];
    for (uint32_t i = 0; i < over; i++) {
        struct row r = client_seg(i, &rng);
        if (i >= over - 100)
            last[i - (over - 100)] = r;
    }
    for (uint32_t k = 0; k < 100; k++)
        ck_assert_uint_eq(track_in(&t, last[k]), over - 100 + k);
    ck_assert_uint_eq(t.next_stream, over);
    flow_table_free(&t);
}
END_TEST

/* Handshake and FIN both ways of connection k from t_us, 100 us apart. */
static void open_and_close(struct flow_table *t, int k, uint64_t t_us, uint64_t *streams)
{
    struct row s[5] = {
        conn_seg(k, 1, TCP_SYN, 1000, 0, t_us),
        conn_seg(k, 0, TCP_SYN | TCP_ACK, 5000, 1001, t_us + 100),
        conn_seg(k, 1, TCP_ACK, 1001, 5001, t_us + 200),
        conn_seg(k, 1, TCP_FIN | TCP_ACK, 1001, 5001, t_us + 300),
        conn_seg(k, 0, TCP_FIN | TCP_ACK, 5001, 1002, t_us + 400),
    };
    for (int i = 0; i < 5; i++)
        streams[i] = track_in(t, s[i]);
}

/* Audit B finding 1: 5000 connections closed within a second (more than
 * the 4096 closed ones --flows used to hold), then their last ACKs: each
 * ACK keeps its connection's stream, and each connection gives one row. */
START_TEST(flows_last_acks_after_many_closes_keep_streams)
{
    static struct ends e;
    struct flow_table t;
    ck_assert_int_eq(flow_table_init(&t, FLOW_DEFAULT_SLOTS), 0);
    report_to(&t, &e);
    uint64_t st[5];
    for (int k = 0; k < 5000; k++) {
        open_and_close(&t, k, (uint64_t)k * 100, st);
        for (int i = 0; i < 5; i++)
            ck_assert_uint_eq(st[i], (uint64_t)k);
    }
    for (int k = 0; k < 5000; k++)
        ck_assert_uint_eq(track_in(&t, conn_seg(k, 1, TCP_ACK, 1002, 5002, 600000 + k)),
                          (uint64_t)k);
    ck_assert_uint_eq(t.next_stream, 5000);
    flow_table_reset(&t);
    ck_assert_uint_eq(e.rows, 5000);
    ck_assert_uint_eq(e.pkts, 30000);
    for (int k = 0; k < 5000; k++)
        ck_assert_uint_eq(e.per_stream[k], 1);
    flow_table_free(&t);
}
END_TEST

/* A packet after a closed connection's row was written (10 s quiet): same
 * stream, a further row of its own; the connection's slot, at the end of
 * input, gives no third row. */
START_TEST(flows_late_packet_keeps_stream_in_a_further_row)
{
    static struct ends e;
    report_to(&ft, &e);
    uint64_t st[5];
    open_and_close(&ft, 0, 0, st);
    ck_assert_uint_eq(track_in(&ft, conn_seg(0, 1, TCP_RST, 1002, 0, 30000000)), 0);
    ck_assert_uint_eq(e.rows, 1); /* written before the late packet counted */
    ck_assert_uint_eq(e.pkts, 5);
    ck_assert_uint_eq(track_in(&ft, conn_seg(1, 1, TCP_SYN, 7, 0, 45000000)), 1);
    ck_assert_uint_eq(e.rows, 2);
    ck_assert_uint_eq(e.per_stream[0], 2);
    ck_assert_uint_eq(e.continued, 1);
    ck_assert_uint_eq(e.pkts, 6);
    flow_table_reset(&ft);
    ck_assert_uint_eq(e.rows, 3);
    ck_assert_uint_eq(e.per_stream[0], 2);
    ck_assert_uint_eq(e.per_stream[1], 1);
}
END_TEST

/* A further row keeps the connection's sides when its first late packet
 * comes from side d (only a connection first named by an ICMP quote is
 * turned round at its first segment). */
START_TEST(flows_further_row_keeps_sides)
{
    static struct ends e;
    report_to(&ft, &e);
    uint64_t st[5];
    open_and_close(&ft, 0, 0, st);
    ck_assert_uint_eq(track_in(&ft, conn_seg(0, 0, TCP_ACK, 7, 1002, 30000000)), 0);
    ck_assert_uint_eq(e.rows, 1);
    flow_table_reset(&ft);
    ck_assert_uint_eq(e.rows, 2);
    ck_assert_uint_eq(e.continued, 1);
    ck_assert_uint_eq(e.continued_sport, 10000); /* the client's, as in the first row */
}
END_TEST

/* Every segment gets the same stream whether the table writes connection
 * rows or not, also in a table too small for the 200 connections (128
 * slots), whose closed ones come back 20 s after their rows were
 * written; every segment is in one row. */
START_TEST(flows_streams_equal_packet_mode_in_small_table)
{
    static struct ends e;
    struct flow_table pk, fl;
    ck_assert_int_eq(flow_table_init(&pk, 128), 0);
    ck_assert_int_eq(flow_table_init(&fl, 128), 0);
    report_to(&fl, &e);
    uint64_t a[5], b[5], n = 0;
    for (int round = 0; round < 3; round++)
        for (int k = 0; k < 200; k++) {
            uint64_t t_us = (uint64_t)round * 20000000 + (uint64_t)k * 1000;
            if (k % 3 == round) {
                open_and_close(&pk, k, t_us, a);
                open_and_close(&fl, k, t_us, b);
                for (int i = 0; i < 5; i++)
                    ck_assert_uint_eq(a[i], b[i]);
                n += 5;
            } else {
                struct row r = conn_seg(k, 1, TCP_ACK, 1002, 5002, t_us);
                ck_assert_uint_eq(track_in(&pk, r), track_in(&fl, r));
                n++;
            }
        }
    ck_assert_uint_eq(pk.next_stream, fl.next_stream);
    ck_assert_uint_gt(pk.evictions, 0);
    flow_table_reset(&fl);
    ck_assert_uint_eq(e.pkts, n);
    flow_table_free(&pk);
    flow_table_free(&fl);
}
END_TEST

/* The rows the table tells, in order: stream and whether a further row. */
struct row_log {
    uint32_t n;
    uint32_t stream[40000];
    uint8_t continued[40000];
};

static void log_end(void *ctx, const struct flow *f, const struct flow_summary *s,
                    enum flow_end why)
{
    struct row_log *l = ctx;
    (void)why;
    if (l->n < 40000) {
        l->stream[l->n] = (uint32_t)f->stream;
        l->continued[l->n] = s->continued;
    }
    l->n++;
}

/* A model of one closed connection, for the test below. */
struct closed_model {
    uint64_t last_us;
    int queued, continued;
};

/* Appends to l the rows a packet at now_us writes in the model: every
 * closed connection quiet for 10 s on its own, the longest quiet first,
 * equal last times in stream order (README, "Connection rows"). */
static void model_sweep(struct closed_model *m, int n, uint64_t now_us, struct row_log *l)
{
    for (;;) {
        int best = -1;
        for (int k = 0; k < n; k++)
            if (m[k].queued && now_us - m[k].last_us >= 10000000 &&
                (best < 0 || m[k].last_us < m[best].last_us))
                best = k;
        if (best < 0)
            return;
        l->stream[l->n] = (uint32_t)best;
        l->continued[l->n++] = (uint8_t)m[best].continued;
        m[best].queued = 0;
        m[best].continued = 1;
    }
}

/* Flows finding 1 of the audit: 1500 connections closed over 7.5 s, then
 * 9000 late ACKs of random ones (some 1 us apart, so last times tie) over
 * about 45 s: each closed connection is written once quiet for 10 s,
 * whatever the others do, in the order of the model above, and its late
 * packets after that make further rows. */
START_TEST(flows_closed_rows_each_on_their_quiet_time)
{
    enum { N = 1500, LATE = 9000 };
    static struct row_log got, want;
    static struct closed_model m[N];
    struct flow_table t;
    memset(m, 0, sizeof m);
    got.n = want.n = 0;
    ck_assert_int_eq(flow_table_init(&t, FLOW_DEFAULT_SLOTS), 0);
    t.on_end = log_end;
    t.on_end_ctx = &got;
    uint64_t st[5];
    for (int k = 0; k < N; k++) {
        uint64_t t_us = (uint64_t)k * 5000;
        /* the rows due at its first packet, then its five (the last 400 us on) */
        model_sweep(m, k, t_us, &want);
        open_and_close(&t, k, t_us, st);
        m[k].last_us = t_us + 400;
        m[k].queued = 1;
    }
    uint32_t rnd = 12345;
    uint64_t t_us = (uint64_t)N * 5000;
    for (int i = 0; i < LATE; i++) {
        rnd = rnd * 1103515245u + 12345u;
        t_us += (rnd >> 16) % 4 == 0 ? 1 : (rnd >> 8) % 10000;
        int k = (int)((rnd >> 4) % N);
        model_sweep(m, N, t_us, &want);
        ck_assert_uint_eq(track_in(&t, conn_seg(k, 1, TCP_ACK, 1002, 5002, t_us)), (uint64_t)k);
        m[k].last_us = t_us;
        m[k].queued = 1;
        ck_assert_uint_eq(got.n, want.n);
    }
    flow_table_reset(&t);
    for (int k = 0; k < N; k++)
        if (m[k].queued) {
            want.stream[want.n] = (uint32_t)k;
            want.continued[want.n++] = (uint8_t)m[k].continued;
        }
    ck_assert_uint_eq(got.n, want.n);
    ck_assert_uint_gt(got.n, N + 1000); /* further rows among them */
    for (uint32_t i = 0; i < got.n; i++) {
        ck_assert_uint_eq(got.stream[i], want.stream[i]);
        ck_assert_uint_eq(got.continued[i], want.continued[i]);
    }
    flow_table_free(&t);
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
    tcase_add_test(tc, table_fills_to_capacity_before_evicting);
    tcase_add_test(tc, modes_told_of_open_connections_in_stream_order);
    tcase_add_test(tc, flows_last_acks_after_many_closes_keep_streams);
    tcase_add_test(tc, flows_late_packet_keeps_stream_in_a_further_row);
    tcase_add_test(tc, flows_streams_equal_packet_mode_in_small_table);
    tcase_add_test(tc, flows_further_row_keeps_sides);
    tcase_add_test(tc, flows_closed_rows_each_on_their_quiet_time);
    tcase_add_test(tc, tcp_stream_keyed_on_final_destination);
    tcase_add_test(tc, tcp_stream_keyed_on_home_address);
    tcase_add_test(tc, icmp_quote_of_unseen_connection_takes_next_stream);
    tcase_add_test(tc, icmp_quoted_syn_with_other_isn_starts_new_stream);
    tcase_add_test(tc, icmp_quote_flood_stays_bounded_and_gives_no_flows_rows);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
