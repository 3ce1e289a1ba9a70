/* unacked.c: the bounded list of unacknowledged segments (unacked.h). */
#include "unacked.h"
#include "row.h"
#include "seq_compare.h"
#include "qspan.h"

#include <stdlib.h>

/* Wireshark's bytes in flight is on relative numbers, compared unsigned. */
#define IN_FLIGHT_MAX 2000000000u

int ual_pool_init(struct ual_pool *p, uint32_t cap)
{
    p->cap = cap;
    p->used_hwm = 0;
    p->free_head = UAL_NIL;
    p->merged = p->unlisted = 0;
    /* calloc: only the entries in use get touched */
    p->e = calloc((size_t)cap + 1, sizeof *p->e);
    return p->e ? 0 : -1;
}

void ual_pool_free(struct ual_pool *p)
{
    free(p->e);
    p->e = NULL;
}

static uint32_t take(struct ual_pool *p)
{
    if (p->free_head != UAL_NIL) {
        uint32_t i = p->free_head;
        p->free_head = p->e[i].next;
        return i;
    }
    if (p->used_hwm < p->cap)
        return ++p->used_hwm;
    return UAL_NIL;
}

static void give(struct ual_pool *p, uint32_t i)
{
    p->e[i].next = p->free_head;
    p->free_head = i;
}

void ual_dir_clear(struct ual_pool *p, struct ual_dir *d)
{
    for (uint32_t i = d->head, next; i != UAL_NIL; i = next) {
        next = p->e[i].next;
        give(p, i);
    }
    d->head = d->tail = UAL_NIL;
    d->n = 0;
}

/* a becomes the union of a and b (relative to base); the frame and time of
 * the one whose end is kept stay. */
static void span(struct ual_entry *a, const struct ual_entry *b, uint32_t base)
{
    if (b->seq - base < a->seq - base)
        a->seq = b->seq;
    if (b->nextseq - base > a->nextseq - base) {
        a->nextseq = b->nextseq;
        a->frame = b->frame;
        a->ts = b->ts;
        a->ts_hi = b->ts_hi;
    }
}

/* Merges the two oldest entries into the second one; frees the first. */
static void merge_oldest(struct ual_pool *p, struct ual_dir *d, uint32_t base)
{
    uint32_t a = d->head, b = p->e[a].next;
    struct ual_entry merged = p->e[b];
    span(&merged, &p->e[a], base);
    merged.next = p->e[b].next;
    p->e[b] = merged;
    d->head = b;
    give(p, a);
    d->n--;
    p->merged++;
}

void ual_add(struct ual_pool *p, struct ual_dir *d, uint32_t base, uint32_t seq,
             uint32_t nextseq, uint64_t frame, uint64_t ts_ns, int32_t ts_hi)
{
    if (d->n >= UAL_PER_DIR)
        merge_oldest(p, d, base);
    uint32_t i = take(p);
    if (i == UAL_NIL && d->n >= 2) {
        merge_oldest(p, d, base);
        i = take(p);
    }
    struct ual_entry e = { seq, nextseq, UAL_NIL, ts_hi, frame, ts_ns };
    if (i == UAL_NIL) {
        if (d->n == 1) {       /* stretch the only entry over this one */
            e.next = UAL_NIL;
            span(&p->e[d->head], &e, base);
            p->merged++;
        } else {
            p->unlisted++;
        }
        return;
    }
    p->e[i] = e;
    if (d->tail != UAL_NIL)
        p->e[d->tail].next = i;
    else
        d->head = i;
    d->tail = i;
    d->n++;
}

int ual_ack(struct ual_pool *p, struct ual_dir *d, uint32_t ack, uint64_t *frame,
            uint64_t *ts_ns, int32_t *ts_hi)
{
    int matched = 0;
    uint32_t prev = UAL_NIL;
    for (uint32_t i = d->head; i != UAL_NIL;) {
        struct ual_entry *u = &p->e[i];
        if (ack == u->nextseq) {
            /* Wireshark walks newest first and the last match wins: the
             * oldest entry ending here, the first one walking oldest first */
            if (!matched) {
                matched = 1;
                *frame = u->frame;
                *ts_ns = u->ts;
                *ts_hi = u->ts_hi;
            }
        } else if (GT_SEQ(ack, u->seq) && LE_SEQ(ack, u->nextseq)) {
            u->seq = ack;      /* acknowledges a part of it */
            prev = i;
            i = u->next;
            continue;
        } else if (GT_SEQ(u->nextseq, ack)) {
            prev = i;          /* not acknowledged yet */
            i = u->next;
            continue;
        }
        uint32_t next = u->next;
        if (prev == UAL_NIL)
            d->head = next;
        else
            p->e[prev].next = next;
        if (d->tail == i)
            d->tail = prev;
        give(p, i);
        d->n--;
        i = next;
    }
    return matched;
}

void ual_segment(struct ual_pool *p, struct ual_dir *fwd, struct ual_dir *rev, uint32_t fwd_base,
                 uint32_t seq, uint32_t ack, uint32_t seglen, uint16_t flags, int listed,
                 uint32_t nextseq, int lost, uint64_t frame, uint64_t now_ns, int32_t now_hi,
                 struct ual_result *out)
{
    out->matched = out->bif_ran = 0;
    out->inflight = 0;
    if (flags & TCP_ACK)
        rev->bif_off = 0;      /* an ACK re-enables the peer's bytes in flight */
    if (lost)
        fwd->bif_off = 1;      /* until the peer ACKs again */
    if (listed)
        ual_add(p, fwd, fwd_base, seq, nextseq, frame, now_ns, now_hi);
    uint64_t ts = 0;
    int32_t ts_hi = 0;
    if (rev->head != UAL_NIL && ual_ack(p, rev, ack, &out->acked_frame, &ts, &ts_hi)) {
        out->matched = 1;
        out->rtt_ns = qspan_between(now_ns, now_hi, ts, ts_hi);
    }
    if (seglen == 0 || fwd->head == UAL_NIL || fwd->bif_off)
        return;
    const struct ual_entry *u = &p->e[fwd->head];
    uint32_t first = u->seq - fwd_base, last = u->nextseq - fwd_base;
    for (uint32_t i = u->next; i != UAL_NIL; i = p->e[i].next) {
        u = &p->e[i];
        if (u->nextseq - fwd_base > last)
            last = u->nextseq - fwd_base;
        if (u->seq - fwd_base < first)
            first = u->seq - fwd_base;
    }
    /* less what the peer's last SACK option says arrived (Wireshark keeps
     * the last blocks seen, even once a later ACK has none) */
    uint32_t in_flight = last - first - (rev->nsack ? rev->sack_bytes : 0);
    out->bif_ran = 1;
    if (in_flight > 0 && in_flight < IN_FLIGHT_MAX)
        out->inflight = in_flight - ((flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
    /* push_bytes_sent: bytes since the last PSH, this segment included */
    if (flags & TCP_PSH) {
        fwd->push_bytes = fwd->push_set_last ? seglen : fwd->push_bytes + seglen;
        fwd->push_set_last = 1;
    } else if (fwd->push_set_last) {
        fwd->push_bytes = seglen;
        fwd->push_set_last = 0;
    } else {
        fwd->push_bytes += seglen;
    }
    out->push_bytes = fwd->push_bytes;
}
