/* reasm.c: the generic TCP reassembler (see reasm.h). */
#include "reasm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A segment waiting in the out-of-order queue: its captured bytes, and how
 * many bytes after them the capture did not keep (snaplen). */
struct reasm_seg {
    struct reasm_seg *next;
    uint32_t seq;
    uint32_t len;              /* bytes on the wire */
    uint32_t caplen;           /* bytes held in data[] (<= len) */
    struct reasm_pkt pkt;
    uint8_t data[];
};

struct reasm_dir {
    struct reasm_seg *q;       /* sorted by seq, all ahead of next_seq */
    uint32_t next_seq;         /* the next byte to deliver */
    /* [lost_from, lost_to): segments dropped while the budget was used up
     * (ahead of next_seq; the hull of those dropped); lost says whether
     * there is such a range */
    uint32_t lost_from, lost_to;
    uint32_t qbytes;           /* <= REASM_DIR_MAX_BYTES */
    uint16_t qsegs;            /* <= REASM_DIR_MAX_SEGS */
    uint8_t synced;            /* next_seq is known */
    uint8_t lost;
};                             /* 32 bytes, as before the lost range */

struct reasm_flow {
    struct reasm_dir d[2];
    void *state[2];            /* framer states, in the same allocation */
};

void reasm_init(struct reasm *ra, const struct reasm_framer *fr, size_t budget)
{
    memset(ra, 0, sizeof *ra);
    ra->fr = fr;
    ra->budget = budget;
}

int reasm_budget_take(struct reasm *ra, size_t n)
{
    if (n > ra->budget - ra->held)
        return -1;
    ra->held += n;
    return 0;
}

void reasm_budget_give(struct reasm *ra, size_t n) { ra->held -= n < ra->held ? n : ra->held; }

void reasm_message_over_budget(struct reasm *ra)
{
    if (ra->stats.msgs_over_budget++ == 0)
        fprintf(stderr, "pcap2kdb: warning: the %zu MiB reassembly budget is used up: --%s "
                "cannot hold every message still arriving (--stats counts those not held: "
                "over_budget)\n", ra->budget >> 20, ra->fr->name);
}

void reasm_stats_print(const struct reasm *ra, FILE *f)
{
    if (ra->stats.msgs_over_budget)
        fprintf(f, "%-12s %llu messages not held (the %zu MiB reassembly budget was used up)\n",
                "over_budget", (unsigned long long)ra->stats.msgs_over_budget, ra->budget >> 20);
}

void reasm_span_add_slow(struct reasm_span *sp, uint64_t frame)
{
    if (frame > sp->top) {
        /* the top and every smaller frame under it are done with */
        while (sp->nbelow && sp->below[sp->nbelow - 1] < frame)
            sp->nbelow--;
        sp->top = frame;
        if (sp->nbelow && sp->below[sp->nbelow - 1] == frame) {
            sp->nbelow--;      /* its packet, seen before */
            return;
        }
        sp->segs++;
        return;
    }
    /* captured before the chunk above: keep the top under it */
    if (!sp->below) {
        sp->below = malloc(REASM_SPAN_DEPTH * sizeof *sp->below);
        sp->nbelow = 0;
    }
    if (sp->below) {
        if (sp->nbelow == REASM_SPAN_DEPTH) { /* not reached (see reasm.h) */
            memmove(sp->below, sp->below + 1, (REASM_SPAN_DEPTH - 1) * sizeof *sp->below);
            sp->nbelow--;
        }
        sp->below[sp->nbelow++] = sp->top;
    }
    sp->top = frame;
    sp->segs++;
}

static inline int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

/* n bytes from sequence number from on are missing: the capture lacks
 * them, or (over_budget) they were dropped for want of budget. */
static void call_gap_why(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                         uint32_t from, uint64_t n, const struct reasm_pkt *cur,
                         int over_budget)
{
    if (n == 0)
        return;
    ra->stats.gaps++;
    ra->stats.gap_bytes += n;
    struct reasm_stream s = { f, dir, rf->state[dir], rf->state[!dir], from,
                              (uint8_t)(over_budget != 0) };
    ra->fr->gap(ra, &s, n, cur);
}

static void call_gap(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                     uint32_t from, uint64_t n, const struct reasm_pkt *cur)
{
    call_gap_why(ra, f, rf, dir, from, n, cur, 0);
}

/* Delivers the part of [seq, seq+len) from next_seq on; the segment must
 * start at or before next_seq and end after it. */
static void deliver(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                    uint32_t seq, const uint8_t *data, uint32_t caplen, uint32_t len,
                    const struct reasm_pkt *own, const struct reasm_pkt *cur, int reordered)
{
    struct reasm_dir *d = &rf->d[dir];
    uint32_t skip = d->next_seq - seq;
    if (skip < caplen) {
        struct reasm_stream s = { f, dir, rf->state[dir], rf->state[!dir], d->next_seq, 0 };
        struct reasm_chunk c = { data + skip, caplen - skip, own, cur, reordered };
        ra->fr->data(ra, &s, &c);
    }
    if (caplen < len) {
        uint32_t kept = skip > caplen ? skip : caplen;
        call_gap(ra, f, rf, dir, seq + kept, len - kept, cur);
    }
    d->next_seq = seq + len;
}

static void seg_free(struct reasm *ra, struct reasm_dir *d, struct reasm_seg *s)
{
    d->qsegs--;
    d->qbytes -= s->caplen;
    reasm_budget_give(ra, sizeof *s + s->caplen);
    free(s);
}

/* Delivery reached the bytes dropped for want of budget: a gap marked
 * over_budget, at once, since they will not come again; it runs up to the
 * next queued segment (bytes the range's hull takes in that were captured
 * later, or a later copy of bytes dropped: not lost, delivered next) or the
 * range's end. The range is done with once delivery has passed its end. */
static void give_up_lost(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                         const struct reasm_pkt *cur)
{
    struct reasm_dir *d = &rf->d[dir];
    uint32_t to = d->lost_to;
    if (d->q && seq_diff(d->q->seq, to) < 0)
        to = d->q->seq;
    if (seq_diff(to, d->next_seq) > 0) {
        uint32_t from = d->next_seq;
        d->next_seq = to;
        call_gap_why(ra, f, rf, dir, from, to - from, cur, 1);
    }
    if (seq_diff(d->next_seq, d->lost_to) >= 0)
        d->lost = 0;
}

static int lost_reached(const struct reasm_dir *d)
{
    return d->lost && seq_diff(d->next_seq, d->lost_from) >= 0;
}

/* Delivers queued segments that the next byte has reached: because cur
 * filled the hole before them (all reordered, completed by cur), or, with
 * cur NULL, because the hole was given up. Then nothing filled it, and the
 * bytes are completed as they would have been had the stream started after
 * the hole: by the last captured of the packets delivered so far in this
 * walk. That is each segment's own packet while they were captured in
 * sequence order; a segment captured before bytes ahead of it in the
 * stream waits for them, so it is completed by their packet and is
 * reordered, as behind a hole that filled (README: `reordered`, `frame`). */
static void drain(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                  const struct reasm_pkt *cur)
{
    struct reasm_dir *d = &rf->d[dir];
    struct reasm_pkt latest = { 0, 0, 0, 0 };  /* without cur: frame 0 is none */
    for (;;) {
        if (lost_reached(d))
            give_up_lost(ra, f, rf, dir, cur ? cur : latest.frame ? &latest : NULL);
        if (!d->q || seq_diff(d->q->seq, d->next_seq) > 0)
            break;
        struct reasm_seg *s = d->q;
        d->q = s->next;
        if (seq_diff(s->seq + s->len, d->next_seq) <= 0) {
            ra->stats.duplicates++;
        } else if (cur) {
            deliver(ra, f, rf, dir, s->seq, s->data, s->caplen, s->len, &s->pkt, cur, 1);
        } else {
            if (s->pkt.frame > latest.frame)
                latest = s->pkt;
            deliver(ra, f, rf, dir, s->seq, s->data, s->caplen, s->len, &s->pkt, &latest,
                    latest.frame != s->pkt.frame);
        }
        seg_free(ra, d, s);
    }
}

/* Where the first bytes after the hole at next_seq wait: the first queued
 * segment or the range dropped for want of budget, whichever comes first. */
static uint32_t after_hole(const struct reasm_dir *d)
{
    if (d->q && (!d->lost || seq_diff(d->q->seq, d->lost_from) < 0))
        return d->q->seq;
    return d->lost_from;
}

/* Gives up the hole at next_seq up to to (at most after_hole): a gap, then
 * delivery of what waits there. */
static void give_up_to(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                       uint32_t to, const struct reasm_pkt *cur)
{
    struct reasm_dir *d = &rf->d[dir];
    call_gap(ra, f, rf, dir, d->next_seq, to - d->next_seq, cur);
    d->next_seq = to;
    drain(ra, f, rf, dir, NULL);
}

/* Gives up the hole before the first queued segment (or dropped range). */
static void skip_hole(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                      const struct reasm_pkt *cur)
{
    struct reasm_dir *d = &rf->d[dir];
    if (!d->q && !d->lost)
        return;
    give_up_to(ra, f, rf, dir, after_hole(d), cur);
}

static void flush_dir(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                      const struct reasm_pkt *cur)
{
    while (rf->d[dir].q || rf->d[dir].lost)
        skip_hole(ra, f, rf, dir, cur);
}

/* Widens the dropped range of d to cover [seq, seq + len). */
static void lose(struct reasm_dir *d, uint32_t seq, uint32_t len)
{
    if (!d->lost) {
        d->lost = 1;
        d->lost_from = seq;
        d->lost_to = seq + len;
        return;
    }
    if (seq_diff(seq, d->lost_from) < 0)
        d->lost_from = seq;
    if (seq_diff(seq + len, d->lost_to) > 0)
        d->lost_to = seq + len;
}

/* The budget is used up: the segment [seq, seq + len) arriving out of order
 * is dropped and remembered as lost; what is held stays held (first come,
 * first held: it is given back as its holes fill or are given up), and the
 * bytes still missing before the segment keep waiting. */
static void drop_for_budget(struct reasm *ra, struct reasm_dir *d, uint32_t seq, uint32_t len)
{
    ra->stats.over_budget++;
    lose(d, seq, len);
}

/* Queues a segment that lies ahead of next_seq; 0 (also when it is dropped
 * for want of budget), or -1 when it cannot be held within its direction's
 * bounds even after giving up the holes before it. */
static int enqueue(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                   uint32_t seq, const uint8_t *data, uint32_t caplen, uint32_t len,
                   const struct reasm_pkt *pkt)
{
    struct reasm_dir *d = &rf->d[dir];
    size_t need = sizeof(struct reasm_seg) + caplen;
    for (;;) {
        if (d->qsegs < REASM_DIR_MAX_SEGS && d->qbytes + caplen <= REASM_DIR_MAX_BYTES) {
            if (reasm_budget_take(ra, need) == 0)
                break;
            drop_for_budget(ra, d, seq, len);
            return 0;
        }
        if (!d->q)
            return -1;
        ra->stats.over_budget++;
        skip_hole(ra, f, rf, dir, pkt);
        if (seq_diff(seq, d->next_seq) <= 0)
            return -1;         /* the holes before it are gone: deliver it now */
    }
    struct reasm_seg *s = malloc(need);
    if (!s) {
        reasm_budget_give(ra, need);
        return -1;
    }
    s->seq = seq;
    s->len = len;
    s->caplen = caplen;
    s->pkt = *pkt;
    if (caplen) /* a segment whose payload was not captured has no data (NULL) */
        memcpy(s->data, data, caplen);
    struct reasm_seg **pp = &d->q;
    while (*pp && seq_diff((*pp)->seq, seq) <= 0)
        pp = &(*pp)->next;
    s->next = *pp;
    *pp = s;
    d->qsegs++;
    d->qbytes += caplen;
    return 0;
}

/* Delivers a segment that reaches next_seq and overlaps the queue: up to
 * the first queued segment, then what the queue holds, then the rest of
 * it, and so on: bytes a queued segment holds were captured first and win
 * over this later copy. */
static void deliver_around_queue(struct reasm *ra, struct flow *f, struct reasm_flow *rf,
                                 int dir, uint32_t seq, const uint8_t *data, uint32_t caplen,
                                 uint32_t len, const struct reasm_pkt *pkt)
{
    struct reasm_dir *d = &rf->d[dir];
    uint32_t end = seq + len;
    while (d->q && seq_diff(d->q->seq, end) < 0) {
        uint32_t lim = d->q->seq - seq;      /* deliver [seq, seq + lim) */
        deliver(ra, f, rf, dir, seq, data, caplen < lim ? caplen : lim, lim, pkt, pkt, 0);
        drain(ra, f, rf, dir, pkt);
        if (seq_diff(end, d->next_seq) <= 0)
            return;
    }
    deliver(ra, f, rf, dir, seq, data, caplen, len, pkt, pkt, 0);
    drain(ra, f, rf, dir, pkt);
}

/* A segment that reaches next_seq; usually nothing queued lies within it. */
static inline void deliver_in_order(struct reasm *ra, struct flow *f, struct reasm_flow *rf,
                                    int dir, uint32_t seq, const uint8_t *data, uint32_t caplen,
                                    uint32_t len, const struct reasm_pkt *pkt)
{
    struct reasm_dir *d = &rf->d[dir];
    if (d->lost && seq_diff(seq + len, d->lost_from) > 0) {
        /* It reaches into the range dropped for want of budget (which lies
         * ahead of next_seq): its bytes there are not lost. */
        if (seq_diff(seq + len, d->lost_to) >= 0)
            d->lost = 0;
        else
            d->lost_from = seq + len;
    }
    const struct reasm_seg *q = d->q;
    if (q && seq_diff(q->seq, seq + len) < 0) {
        deliver_around_queue(ra, f, rf, dir, seq, data, caplen, len, pkt);
        return;
    }
    deliver(ra, f, rf, dir, seq, data, caplen, len, pkt, pkt, 0);
    drain(ra, f, rf, dir, pkt);
}

/* Places [seq, seq + len) of a segment: queued while ahead of next_seq,
 * delivered once it reaches it (the hole before it given up when it
 * cannot be queued). */
static void place(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                  uint32_t seq, const uint8_t *data, uint32_t caplen, uint32_t len,
                  const struct reasm_pkt *pkt)
{
    struct reasm_dir *d = &rf->d[dir];
    int32_t off = seq_diff(seq, d->next_seq);
    if (off > 0 && enqueue(ra, f, rf, dir, seq, data, caplen, len, pkt) == 0)
        return;
    off = seq_diff(seq, d->next_seq);
    if (off > 0) {             /* could not be queued: give up the hole */
        call_gap(ra, f, rf, dir, d->next_seq, (uint32_t)off, pkt);
        d->next_seq = seq;
    } else if ((int64_t)off + len <= 0) {
        return;
    }
    deliver_in_order(ra, f, rf, dir, seq, data, caplen, len, pkt);
}

/* Queues the parts of a segment ahead of next_seq that no queued segment
 * holds: those were captured first and keep their bytes, their packet
 * and their time (README: every byte is taken once, at its first capture). */
static void enqueue_new_parts(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                              uint32_t seq, const uint8_t *data, uint32_t caplen, uint32_t len,
                              const struct reasm_pkt *pkt)
{
    struct part { uint32_t from, to; } part[REASM_DIR_MAX_SEGS + 1];
    int nparts = 0;
    uint32_t at = seq, end = seq + len;
    for (const struct reasm_seg *q = rf->d[dir].q; q && seq_diff(q->seq, end) < 0; q = q->next) {
        uint32_t qend = q->seq + q->len;
        if (seq_diff(qend, at) <= 0)
            continue;
        if (seq_diff(q->seq, at) > 0)
            part[nparts++] = (struct part){ at, q->seq };
        at = qend;
        if (seq_diff(at, end) >= 0)
            break;
    }
    if (seq_diff(end, at) > 0)
        part[nparts++] = (struct part){ at, end };
    if (nparts == 0) {
        ra->stats.duplicates++;
        return;
    }
    ra->stats.reordered++;
    for (int i = 0; i < nparts; i++) {
        uint32_t o = part[i].from - seq, n = part[i].to - part[i].from;
        uint32_t held = caplen > o ? caplen - o : 0;
        place(ra, f, rf, dir, part[i].from, held ? data + o : data, held < n ? held : n, n, pkt);
    }
}

static void segment(struct reasm *ra, struct flow *f, struct reasm_flow *rf, int dir,
                    uint32_t seq, const uint8_t *data, uint32_t caplen, uint32_t len,
                    const struct reasm_pkt *pkt)
{
    struct reasm_dir *d = &rf->d[dir];
    ra->stats.segments++;
    if (!d->synced) {
        d->next_seq = seq;
        d->synced = 1;
    }
    int32_t off = seq_diff(seq, d->next_seq);
    if (off < 0 && (int64_t)off + len <= 0) {
        ra->stats.duplicates++;
        return;
    }
    if (off > 0 && (uint32_t)off > REASM_MAX_AHEAD) {
        /* The sequence space moved: nothing queued will ever connect. */
        flush_dir(ra, f, rf, dir, pkt);
        off = seq_diff(seq, d->next_seq);
        if (off > 0) {
            call_gap(ra, f, rf, dir, d->next_seq, (uint32_t)off, pkt);
            d->next_seq = seq;
            off = 0;
        }
    }
    if (off > 0)
        enqueue_new_parts(ra, f, rf, dir, seq, data, caplen, len, pkt);
    else
        deliver_in_order(ra, f, rf, dir, seq, data, caplen, len, pkt);
}

static struct reasm_flow *flow_state(struct reasm *ra, struct flow *f)
{
    if (f->ext)
        return f->ext;
    size_t st = (ra->fr->state_size + 15) & ~(size_t)15;
    size_t head = (sizeof(struct reasm_flow) + 15) & ~(size_t)15;
    struct reasm_flow *rf = calloc(1, head + 2 * st);
    if (!rf)
        return NULL;
    rf->state[0] = (char *)rf + head;
    rf->state[1] = (char *)rf + head + st;
    /* A handshake the flow table saw fixes where each direction's data starts,
     * so that a lost first segment is a gap, not a silent new start. */
    for (int i = 0; i < 2; i++)
        if (f->dir[i].saw_syn) {
            rf->d[i].next_seq = f->dir[i].base_seq + 1;
            rf->d[i].synced = 1;
        }
    f->ext = rf;
    return rf;
}

void reasm_packet(struct reasm *ra, struct flow *f, int dir, const struct row *r,
                  const struct reasm_pkt *pkt)
{
    uint32_t len = (r->present & HAS_PAYLEN) ? r->paylen : 0;
    uint16_t flags = (r->present & HAS_TCPHDR) ? r->tcpflags : 0;
    struct reasm_flow *rf = f->ext;
    if (!rf) {
        if (len == 0)
            return;            /* nothing to reassemble yet */
        rf = flow_state(ra, f);
        if (!rf)
            return;
    }
    /* The peer acknowledges bytes past holes in the other direction with
     * bytes queued behind them: they reached it, so they will never be sent
     * again; the capture missed them. Every such hole below the ACK is given
     * up. Missing bytes with nothing queued (or dropped for want of budget)
     * behind them wait (README: an ACK may be captured before its data). */
    struct reasm_dir *o = &rf->d[!dir];
    while ((flags & TCP_ACK) && (o->q || o->lost) && o->synced &&
           seq_diff(r->ack, o->next_seq) > 0) {
        uint32_t next = after_hole(o);
        give_up_to(ra, f, rf, !dir, seq_diff(r->ack, next) < 0 ? r->ack : next, pkt);
    }

    uint32_t seq = r->seq;
    struct reasm_dir *d = &rf->d[dir];
    if (flags & TCP_SYN) {
        if (!d->synced) {
            d->next_seq = seq + 1;
            d->synced = 1;
        }
        seq += 1;              /* data on a SYN follows the SYN's number */
    }
    if (len > 0) {
        uint32_t caplen = r->payload_caplen < len ? r->payload_caplen : len;
        segment(ra, f, rf, dir, seq, r->payload, caplen, len, pkt);
    }
    if (flags & (TCP_FIN | TCP_RST))
        flush_dir(ra, f, rf, dir, pkt);
    if (flags & TCP_RST)
        flush_dir(ra, f, rf, !dir, pkt);
}

void reasm_flow_end(struct reasm *ra, struct flow *f)
{
    struct reasm_flow *rf = f->ext;
    if (!rf)
        return;
    for (int dir = 0; dir < 2; dir++) {
        flush_dir(ra, f, rf, dir, NULL);
        struct reasm_stream s = { f, dir, rf->state[dir], rf->state[!dir], rf->d[dir].next_seq, 0 };
        ra->fr->close(ra, &s);
    }
    free(rf);
    f->ext = NULL;
}
