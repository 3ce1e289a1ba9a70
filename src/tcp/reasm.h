/* reasm.h: one generic TCP reassembler for the message modes (--fix and
 * --kdb), with the protocol left to a per-protocol framer.
 *
 * For each direction of each connection the reassembler hands the framer the
 * payload bytes in sequence order, each byte exactly once:
 *   - duplicated and retransmitted segments (a capture on `any` can hold
 *     every packet twice) are delivered once; a retransmission that also
 *     carries new bytes delivers only the new ones; every byte comes from
 *     its first capture, also when an earlier copy still waits in the
 *     queue (a later copy, queued or in order, fills only the rest);
 *   - a segment ahead of the next expected byte is copied into a bounded
 *     out-of-order queue and delivered when the hole before it fills;
 *   - a hole that will not fill becomes a gap: the framer is told how many
 *     bytes are missing and delivery goes on after it. A hole is given up
 *     when the peer acknowledges bytes past it while bytes after it are
 *     queued (the receiver has them, so they will never be resent: the
 *     capture lost them; one ACK gives up every such hole below it; with
 *     nothing queued the ACK may merely have been captured before its
 *     data, so the hole waits), when the queue
 *     would exceed its bounds, when a segment lies implausibly far ahead,
 *     when the direction closes (FIN, RST) and when the flow ends (evicted,
 *     restarted by a new SYN, end of input);
 *   - a segment that arrives out of order when the budget is used up is
 *     not held: it is dropped (what is held stays held) and its range
 *     remembered, as the hull of all a direction dropped; when delivery
 *     reaches that range it is a gap marked over_budget, up to the next
 *     queued segment: one captured inside the range before delivery
 *     reached it (bytes first seen then, or another copy of bytes
 *     dropped) is queued like any other when the budget has room, and
 *     delivered in its place; bytes inside the range still missing then
 *     are given up with it. Bytes not yet seen before the range are never
 *     given up for the budget, so the message the dropped bytes belong to
 *     is usually known (its header came in order) and its row can say
 *     over_budget;
 *   - bytes a truncated capture (snaplen) did not keep are a gap too.
 *
 * Bounds: per direction at most REASM_DIR_MAX_SEGS queued segments and
 * REASM_DIR_MAX_BYTES queued bytes; over all connections at most the
 * budget given to reasm_init (queued bytes plus whatever the framers
 * account through reasm_budget_take, e.g. a partly received message).
 * Per-connection state lives behind struct flow's `ext` pointer, is
 * allocated when a connection first carries payload and freed when the
 * flow table evicts it (reasm_flow_end from the table's on_evict hook), so
 * the number of connections is bounded by the flow table.
 *
 * A framer sees each in-order chunk with the packet that carried it (`own`)
 * and the packet that completed it (`cur`, never NULL): the packet itself
 * in order, the packet that filled the hole for reordered bytes. When the
 * bytes come out because a hole was given up (a gap) or the flow ends,
 * nothing filled the hole: cur is the last captured of the queued packets
 * delivered from the hole on up to these bytes -- their own packet, unless
 * they were captured before bytes ahead of them in the stream. `reordered`
 * is set when cur is not own: the chunk was captured before some bytes
 * ahead of it and waited for them in the out-of-order queue. */
#ifndef PCAP2KDB_REASM_H
#define PCAP2KDB_REASM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "flow.h"
#include "qspan.h"
#include "row.h"

#define REASM_DIR_MAX_SEGS 64
#define REASM_DIR_MAX_BYTES (1u << 20)
/* A segment further ahead than this is not waiting for a hole: the
 * sequence space moved (a missed SYN, a broken stack); resynchronise. */
#define REASM_MAX_AHEAD (16u << 20)
#define REASM_DEFAULT_BUDGET ((size_t)64 << 20)

/* The packet a chunk of bytes came from. */
struct reasm_pkt {
    uint64_t frame;            /* 1-based record number in the input */
    int64_t ts_sec;
    uint32_t ts_nsec;
    uint8_t has_time;
};

/* The packet's time as a q timestamp (qspan_time: meaningful only with
 * has_time, which a time outside q's range does not have). */
static inline int64_t reasm_pkt_qtime(const struct reasm_pkt *p)
{
    return qspan_time(p->ts_sec, p->ts_nsec);
}

/* One direction of one connection, as a framer sees it. */
struct reasm_stream {
    const struct flow *flow;   /* valid during the callback only */
    int dir;                   /* 0 or 1: addresses flow->addr[dir] -> [!dir] */
    void *state;               /* the framer's per-direction state */
    void *peer;                /* the other direction's state (connection-wide
                                * facts such as a handshake, request/response
                                * pairing); valid during the callback only */
    uint32_t seq;              /* TCP sequence number of the first byte the
                                * callback is about: the chunk's first byte, the
                                * first missing one, the next one (close); for
                                * acktime (issue 16) */
    uint8_t over_budget;       /* gap: bytes captured but not held, dropped
                                * while waiting out of order because the
                                * budget was used up (README "Memory and
                                * speed"); 0 for bytes the capture lacks */
};

struct reasm_chunk {
    const uint8_t *p;
    size_t n;
    const struct reasm_pkt *own;  /* the packet that carried these bytes */
    const struct reasm_pkt *cur;  /* the packet that completed them */
    int reordered;             /* waited for bytes ahead of them in the
                                * out-of-order queue (cur is not own) */
};

/* The packets a message spans (README: `segs`), counted once each. Its
 * chunks come in sequence order; one packet shows up again after others
 * only when it surrounds them (a later copy around queued segments, or its
 * parts queued around them), and then all of those were captured before it.
 * So the frames seen form a decreasing stack: a frame above the top pops
 * every smaller one (those can never show up again) and is a packet seen
 * before when it then meets its own frame. The stack is at most the queue
 * deep (REASM_DIR_MAX_SEGS) plus one; below the top it is allocated when
 * first needed (rare: bytes captured before bytes ahead of them). */
struct reasm_span {
    uint64_t top;              /* the frame of the last chunk */
    uint64_t *below;           /* frames under it, decreasing upward */
    uint32_t nbelow;
    uint32_t segs;
};

#define REASM_SPAN_DEPTH (REASM_DIR_MAX_SEGS + 2)

/* A new message whose first chunk came with frame. */
static inline void reasm_span_start(struct reasm_span *sp, uint64_t frame)
{
    sp->top = frame;
    sp->nbelow = 0;
    sp->segs = 1;
}

void reasm_span_add_slow(struct reasm_span *sp, uint64_t frame);

/* Another chunk of the message, with frame. */
static inline void reasm_span_add(struct reasm_span *sp, uint64_t frame)
{
    if (frame == sp->top)
        return;
    if (frame > sp->top && sp->nbelow == 0) {
        sp->top = frame;
        sp->segs++;
        return;
    }
    reasm_span_add_slow(sp, frame);
}

static inline void reasm_span_free(struct reasm_span *sp)
{
    free(sp->below);
    sp->below = NULL;
    sp->nbelow = 0;
}

struct reasm;

struct reasm_framer {
    const char *name;
    size_t state_size;         /* per direction; zeroed when created */
    void (*data)(struct reasm *ra, struct reasm_stream *s, const struct reasm_chunk *c);
    /* nbytes are missing before whatever comes next. */
    void (*gap)(struct reasm *ra, struct reasm_stream *s, uint64_t nbytes,
                const struct reasm_pkt *cur);
    /* The direction ends: no more bytes. Free what the state holds. Both
     * directions of a flow are closed (0 then 1) before either state is
     * freed, so the first may keep what the other's last callback reads. */
    void (*close)(struct reasm *ra, struct reasm_stream *s);
    void *ctx;                 /* the framer's own context, for its callbacks */
};

struct reasm_stats {
    uint64_t segments;         /* payload-carrying segments seen */
    uint64_t duplicates;       /* wholly already delivered (retransmissions, copies) */
    uint64_t reordered;        /* queued out of order */
    uint64_t gaps, gap_bytes;
    uint64_t over_budget;      /* holes given up early (a direction's queue
                                * full) and drops for want of budget */
    uint64_t msgs_over_budget; /* messages a framer could not hold: the budget
                                * was used up (reasm_message_over_budget) */
};

struct reasm {
    const struct reasm_framer *fr;
    size_t budget, held;       /* bytes allowed / held over all connections */
    struct reasm_stats stats;
};

void reasm_init(struct reasm *ra, const struct reasm_framer *fr, size_t budget);

/* A decoded TCP segment of flow f travelling in direction dir (from
 * flow_track_tcp); pure ACKs count too (their acknowledgment numbers close
 * holes in the other direction). */
void reasm_packet(struct reasm *ra, struct flow *f, int dir, const struct row *r,
                  const struct reasm_pkt *pkt);

/* The flow ends: deliver what is queued (with gaps), close both directions,
 * free the state and clear f->ext. For the flow table's on_evict hook. */
void reasm_flow_end(struct reasm *ra, struct flow *f);

/* Memory accounting for framers: take n bytes of the budget (0) or fail (-1). */
int reasm_budget_take(struct reasm *ra, size_t n);
void reasm_budget_give(struct reasm *ra, size_t n);

/* A framer could not hold a message still arriving because the budget is
 * used up (hostile traffic: hundreds of connections each holding a big
 * partial message): counts it, and says so on stderr the first time, so
 * that no message is lost silently. The framer marks the row itself. */
void reasm_message_over_budget(struct reasm *ra);
/* --stats: the line counting those messages, when there are any. */
void reasm_stats_print(const struct reasm *ra, FILE *f);

#endif
