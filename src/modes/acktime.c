/* acktime.c: held message rows waiting for their ACK (acktime.h). */
#include "acktime.h"
#include "grow.h"
#include "qspan.h"
#include "seq_compare.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
/* Connections with messages waiting: at most one per held row, so a table of
 * twice that many never fills past half. */
#define MAP_SLOTS (2u * ACKT_MAX_ROWS)

/* One held row, in the ring in table order. Its values are at
 * arena[voff, voff + vlen), as bb_row_save() writes a batch's row. */
struct held {
    uint64_t stream;
    int64_t t, ack_ns;
    size_t voff;
    uint32_t vlen;
    uint32_t end_seq;
    uint32_t next;             /* the next waiting message of its direction */
    uint8_t dir, waiting, has_time, has_ack;
};

/* A connection's waiting messages per direction, oldest first: they end in
 * sequence order, so an ACK settles a prefix. */
struct conn {
    uint64_t stream;
    uint32_t head[2], tail[2], n[2];
    uint8_t used;
};

struct acktime {
    struct table_writer *w;
    int col;
    char *scratch;             /* the row being taken in (acktime_row) */
    size_t scratch_cap;
    struct held *ring;         /* ACKT_MAX_ROWS */
    uint32_t first, n;
    char *arena;
    size_t lo, hi, cap;        /* the live bytes are arena[lo, hi) */
    struct conn *map;          /* MAP_SLOTS, linear probing */
    uint32_t nconns;
    int64_t now;
    uint8_t has_now;
    struct acktime_stats st;
};

struct acktime *acktime_new(struct table_writer *w, int col)
{
    struct acktime *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->w = w;
    a->col = col;
    a->ring = malloc(ACKT_MAX_ROWS * sizeof *a->ring);
    a->map = calloc(MAP_SLOTS, sizeof *a->map);
    if (!a->ring || !a->map) {
        acktime_free(a);
        return NULL;
    }
    return a;
}

void acktime_free(struct acktime *a)
{
    if (!a)
        return;
    free(a->ring);
    free(a->map);
    free(a->arena);
    free(a->scratch);
    free(a);
}

const struct acktime_stats *acktime_stats(const struct acktime *a) { return &a->st; }

void acktime_stats_print(const struct acktime *a, FILE *f)
{
    const struct acktime_stats *s = &a->st;
    fprintf(f, "%-12s %llu rows, %llu acknowledged, given up: %llu ended, %llu timed out, "
            "%llu direction full, %llu held rows full\n", "acktime",
            (unsigned long long)s->rows, (unsigned long long)s->acked,
            (unsigned long long)s->ended, (unsigned long long)s->timed_out,
            (unsigned long long)s->dir_full, (unsigned long long)s->forced);
}

/* ------------------------------------------------------------ connections -- */

static uint32_t map_home(uint64_t stream)
{
    return (uint32_t)((stream * 0x9E3779B97F4A7C15ull) >> 40) & (MAP_SLOTS - 1);
}

static struct conn *conn_find(struct acktime *a, uint64_t stream)
{
    if (a->nconns == 0)
        return NULL;
    for (uint32_t i = map_home(stream);; i = (i + 1) & (MAP_SLOTS - 1)) {
        struct conn *c = &a->map[i];
        if (!c->used)
            return NULL;
        if (c->stream == stream)
            return c;
    }
}

static struct conn *conn_get(struct acktime *a, uint64_t stream)
{
    uint32_t i = map_home(stream);
    for (;; i = (i + 1) & (MAP_SLOTS - 1)) {
        struct conn *c = &a->map[i];
        if (!c->used)
            break;
        if (c->stream == stream)
            return c;
    }
    struct conn *c = &a->map[i];
    *c = (struct conn){ .stream = stream, .head = { NIL, NIL }, .tail = { NIL, NIL }, .used = 1 };
    a->nconns++;
    return c;
}

/* Removes c (no message waiting) by shifting later entries of its probe
 * run back, so that lookups need no tombstones. */
static void conn_remove(struct acktime *a, struct conn *c)
{
    uint32_t hole = (uint32_t)(c - a->map);
    a->map[hole].used = 0;
    a->nconns--;
    for (uint32_t i = (hole + 1) & (MAP_SLOTS - 1); a->map[i].used; i = (i + 1) & (MAP_SLOTS - 1)) {
        uint32_t home = map_home(a->map[i].stream);
        /* movable when its home is not within (hole, i] cyclically */
        if (((i - home) & (MAP_SLOTS - 1)) >= ((i - hole) & (MAP_SLOTS - 1))) {
            a->map[hole] = a->map[i];
            a->map[i].used = 0;
            hole = i;
        }
    }
}

/* Takes the oldest waiting message of c's direction dir off its list. */
static struct held *pop_waiting(struct acktime *a, struct conn *c, int dir)
{
    struct held *h = &a->ring[c->head[dir]];
    c->head[dir] = h->next;
    if (c->head[dir] == NIL)
        c->tail[dir] = NIL;
    c->n[dir]--;
    h->waiting = 0;
    return h;
}

static void drop_if_idle(struct acktime *a, struct conn *c)
{
    if (c->n[0] == 0 && c->n[1] == 0)
        conn_remove(a, c);
}

static void end_conn(struct acktime *a, struct conn *c)
{
    for (int d = 0; d < 2; d++)
        while (c->n[d]) {
            pop_waiting(a, c, d);
            a->st.ended++;
        }
    conn_remove(a, c);
}

/* ------------------------------------------------------------ rows -- */

/* Writes a row held as bb_row_save() wrote it, with its acktime (has_ack)
 * or an empty one. */
static void write_saved(struct acktime *a, const char *saved, int has_ack, int64_t ack_ns)
{
    struct batch_builder *bb = a->w->bb;
    int r = tw_row(a->w, bb_row_text(&bb->b, saved));
    if (r < 0)
        return;
    bb_row_load(bb, r, saved);
    if (has_ack)
        bb_set_num(bb, a->col, r, ack_ns, 0);
    else
        bb_set_null(bb, a->col, r);
    tw_row_done(a->w);
}

static void write_row(struct acktime *a, const struct held *h)
{
    write_saved(a, a->arena + h->voff, h->has_ack, h->ack_ns);
}

/* Writes the oldest row; if it still waits, it is given up and counted in
 * *why. */
static void write_first(struct acktime *a, uint64_t *why)
{
    struct held *h = &a->ring[a->first];
    if (h->waiting) {
        /* the oldest waiting message is the first of its direction */
        struct conn *c = conn_find(a, h->stream);
        pop_waiting(a, c, h->dir);
        drop_if_idle(a, c);
        (*why)++;
    }
    write_row(a, h);
    a->lo = h->voff + h->vlen;
    a->first = (a->first + 1) % ACKT_MAX_ROWS;
    if (--a->n == 0)
        a->lo = a->hi = 0;
}

/* Whether the clock is more than ACKT_WAIT_NS past h's message: it is
 * given up, whether or not an ACK comes with the packet now. */
static int wait_over(const struct acktime *a, const struct held *h)
{
    return a->has_now && h->has_time && qspan_exceeds(a->now, h->t, ACKT_WAIT_NS);
}

/* Writes the settled rows at the front; gives up a front row whose wait
 * is over. */
static void release(struct acktime *a)
{
    while (a->n) {
        struct held *h = &a->ring[a->first];
        if (h->waiting && !wait_over(a, h))
            return;
        write_first(a, &a->st.timed_out);
    }
}

/* Room for need more bytes of values: compacts, grows, or writes the
 * oldest rows. 0, or -1 when the bytes cannot be held at all. */
static int arena_room(struct acktime *a, size_t need)
{
    for (;;) {
        if (a->cap - a->hi >= need)
            return 0;
        size_t live = a->hi - a->lo;
        if (a->lo > 0 && a->cap - live >= need) {
            memmove(a->arena, a->arena + a->lo, live);
            for (uint32_t i = 0, k = a->first; i < a->n; i++, k = (k + 1) % ACKT_MAX_ROWS)
                a->ring[k].voff -= a->lo;
            a->hi = live;
            a->lo = 0;
            return 0;
        }
        if (live + need <= ACKT_MAX_BYTES) {
            size_t cap = grown_capacity(a->cap, 65536, live, need);
            if (cap > ACKT_MAX_BYTES)
                cap = ACKT_MAX_BYTES;
            char *b = realloc(a->arena, cap);
            if (b) {
                a->arena = b;
                a->cap = cap;
                continue;
            }
        }
        if (a->n == 0)
            return -1;
        write_first(a, &a->st.forced);
    }
}

int acktime_row_begin(struct acktime *a, size_t text_max)
{
    /* -c: rows are written in the order they come here, so the first
     * max_rows are the table; later ones would be held, counted in --stats
     * and never written */
    if (a->st.rows >= a->w->out->max_rows)
        return -1;
    return tw_row_staged(a->w, text_max);
}

void acktime_row(struct acktime *a, int r, uint64_t stream, int dir, uint32_t end_seq,
                 int64_t t_q, int has_time)
{
    /* Out of the builder first: writing older rows (below) begins rows
     * there, at this one's index. */
    struct batch_builder *bb = a->w->bb;
    size_t need = bb_row_size(&bb->b, r);
    if (need > a->scratch_cap) {
        char *p = realloc(a->scratch, need);
        if (!p) {
            bb_row_cancel(bb);
            out_no_memory(a->w->out);
            return;
        }
        a->scratch = p;
        a->scratch_cap = need;
    }
    bb_row_save(&bb->b, r, a->scratch);
    bb_row_cancel(bb);
    if (a->n == ACKT_MAX_ROWS)
        write_first(a, &a->st.forced);
    a->st.rows++;
    if (arena_room(a, need) != 0) {
        /* cannot be held: written now, without its acktime */
        a->st.forced++;
        write_saved(a, a->scratch, 0, 0);
        return;
    }
    uint32_t k = (a->first + a->n) % ACKT_MAX_ROWS;
    struct held *h = &a->ring[k];
    *h = (struct held){ .stream = stream, .t = t_q, .voff = a->hi, .vlen = (uint32_t)need,
                        .end_seq = end_seq, .next = NIL, .dir = (uint8_t)dir, .waiting = 1,
                        .has_time = (uint8_t)(has_time != 0) };
    memcpy(a->arena + a->hi, a->scratch, need);
    a->hi += need;
    a->n++;
    struct conn *c = conn_get(a, stream);
    if (c->n[dir] == ACKT_PER_DIR) {
        pop_waiting(a, c, dir);
        a->st.dir_full++;
    }
    if (c->tail[dir] == NIL)
        c->head[dir] = k;
    else
        a->ring[c->tail[dir]].next = k;
    c->tail[dir] = k;
    c->n[dir]++;
}

void acktime_clock(struct acktime *a, const struct row *r)
{
    if (r->present & HAS_TIME) {
        a->now = qspan_time(r->ts_sec, r->ts_nsec);
        a->has_now = 1;
    }
    release(a);
}

void acktime_packet(struct acktime *a, const struct row *r, int has_flow, uint64_t stream,
                    int dir)
{
    int has_time = (r->present & HAS_TIME) != 0;
    acktime_clock(a, r);       /* waits over are given up before this ACK counts */
    struct conn *c;
    if (has_flow && (r->present & HAS_TCPHDR) && (c = conn_find(a, stream)) != NULL) {
        int peer = !dir;
        if (r->tcpflags & TCP_ACK) {
            while (c->n[peer] && GE_SEQ(r->ack, a->ring[c->head[peer]].end_seq)) {
                struct held *h = pop_waiting(a, c, peer);
                /* a message behind the first row (times that go back) is
                 * not given up by release: the bound holds here */
                if (wait_over(a, h)) {
                    a->st.timed_out++;
                    continue;
                }
                a->st.acked++;
                if (has_time && h->has_time) {
                    /* null when too far apart for a timespan (qspan.h): times
                     * that went back centuries; forward, the bound holds */
                    h->ack_ns = qspan_diff(a->now, h->t);
                    h->has_ack = h->ack_ns != QSPAN_NULL;
                }
            }
        }
        if (r->tcpflags & TCP_RST)
            end_conn(a, c);
        else
            drop_if_idle(a, c);
    }
    release(a);
}

void acktime_stream_end(struct acktime *a, uint64_t stream)
{
    struct conn *c = conn_find(a, stream);
    if (c)
        end_conn(a, c);
    release(a);
}

void acktime_flush(struct acktime *a)
{
    /* Every slot before i is empty, so removals only move later entries
     * back into i or after it. */
    for (uint32_t i = 0; i < MAP_SLOTS && a->nconns; i++)
        while (a->map[i].used)
            end_conn(a, &a->map[i]);
    release(a);
    while (a->n)
        write_first(a, &a->st.ended);
}
