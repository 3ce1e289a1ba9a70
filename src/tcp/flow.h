/* flow.h: bounded per-connection TCP state: window scaling (RFC 7323), the
 * stream number and the bases of relative sequence numbers, following
 * Wireshark's packet-tcp.c so that values agree with tshark's.
 *
 * The table is set-associative with two choices: two hash functions give
 * a connection two sets of FLOW_WAYS slots, it lives in either (a new one
 * in its first set while that is lightly loaded, else in the less loaded
 * of the two), and only when both are full is the least recently used
 * connection of their 16 evicted. With random addresses that starts at
 * about three quarters of the slots in use (flow.c, FLOW_FIRST_FILL).
 * Memory is fixed at creation whatever the capture holds. An evicted
 * connection that comes back is a new one: it gets a new stream number,
 * and its window is unscaled (handshake not seen). */
#ifndef PCAP2KDB_FLOW_H
#define PCAP2KDB_FLOW_H

#include <stdint.h>
#include "analysis.h"
#include "unacked.h"
#include "row.h"

#define FLOW_WAYS 8
#define FLOW_DEFAULT_SLOTS (1u << 16)

/* Window-scale states, as Wireshark's win_scale. */
#define WSCALE_UNKNOWN (-1)   /* handshake not seen */
#define WSCALE_NOT_USED (-2)  /* one side did not offer the option */

/* What --flows reports for one direction (flows_summary.c). */
struct flow_dir_stats {
    uint64_t pkts, bytes, wire;  /* segments, TCP payload bytes, frame bytes */
    uint64_t minwin;             /* smallest (scaled) window advertised */
    /* a q timespan, QSPAN_NULL when it cannot hold it (qspan.h): */
    int64_t zw_ns;               /* time spent advertising a zero window */
    uint64_t zw_since;           /* ns when the window closed (at_zero), */
    uint32_t zerowin, retrans, dupack;
    int32_t zw_since_hi;         /* with qspan_hi of its seconds */
    uint16_t mss;
    uint8_t has_minwin, has_mss, at_zero, fin, rst;
    /* #16: this side's segments: largest bytes in flight, and the ACK RTT
     * samples of the peer's ACKs of them */
    uint64_t maxflight;
    int64_t rttmin, rttmax;
    __int128 rttsum;             /* exact: two samples may not fit int64_t */
    uint64_t rttn;
};

struct flow_dir {
    uint32_t base_seq;
    int8_t win_scale;
    uint8_t base_set;
    uint8_t saw_syn;
    uint8_t closed;            /* FIN or RST sent in this direction */
};

struct flow {
    uint8_t addr[2][16];
    uint16_t port[2];
    uint8_t ipver;
    uint8_t used;
    uint8_t scps;              /* bit dir: that side offered SCPS (Wireshark's
                                * scps_capable, decode_tcp.c) */
    uint64_t stream;
    uint64_t last_use;
    struct flow_dir dir[2];
    void *ext;                 /* per-flow state of a message mode, or NULL */
};

/* #16: the TCP numbers' state of one connection: the lists of
 * unacknowledged segments per direction, and what makes the handshake's
 * durations exact (qspan.h) beside the analysis' times modulo 2^64: the
 * high word of the last pure SYN's seconds, and whether its first RTT
 * (ta_conn.ts_first_rtt) is beyond a q timespan. */
struct flow_num {
    struct ual_dir dir[2];
    int32_t syn_hi;
    uint8_t irtt_null;
};

/* Sequence analysis state of one connection (analysis.h), kept in an array
 * beside the slots only when the table analyses (flow_table.analyze), so
 * that the other modes keep their small footprint. */
struct flow_ana {
    struct ta_dir dir[2];
    struct ta_conn conn;
};

/* --flows figures of one connection, in an array beside the slots only when
 * the table reports ends (on_end). */
struct flow_summary {
    struct flow_dir_stats dir[2];
    int64_t first_sec, last_sec;
    uint32_t first_nsec, last_nsec;
    /* The last packet's time (in file order, not the latest; no time
     * counts as 1970): ns modulo 2^64, with end_hi (qspan.h). */
    uint64_t end_ns;
    /* Differences of capture times, negative when the clock went back (as
     * the packet columns ackrtt and irtt show them), QSPAN_NULL when q
     * cannot hold them (qspan.h). */
    int64_t synack_rtt;        /* the last SYN (either side) to the first SYN-ACK after it, ns */
    /* the last SYN to the first segment with ACK and not SYN, either side
     * (Wireshark's ts_first_rtt, also when no frame shows it), ns */
    int64_t first_rtt;
    int32_t end_hi;
    uint8_t has_time;
    uint8_t has_synack_rtt;
    /* while queued: its place in the table's heap of closed connections */
    uint32_t closed_at;
    int8_t closer;             /* direction that sent the first FIN or RST, or -1 */
    uint8_t queued;            /* in the table's heap of closed connections */
    /* A row of this connection was written already (closed and quiet):
     * these figures count only the packets that came after it. */
    uint8_t continued;
};

/* Why a connection's record ends (the on_end callback). */
enum flow_end {
    FLOW_END_CLOSED,           /* closed (FIN both ways or RST), then quiet */
    FLOW_END_INPUT,            /* end of the input file */
    FLOW_END_EVICTED,          /* its two sets were full: least recently used */
    FLOW_END_REUSED,           /* a new connection on the same ports */
};

/* Closed connections wait this long (capture time) for stray segments
 * before they are reported, when the table reports ends. A reported
 * connection keeps its slot, as in a table that does not report, so that a
 * later packet gets the same stream number in every mode; the packets after
 * the report make a row of their own (flow_summary.continued). */
#define FLOW_LINGER_NS 10000000000ull

struct flow_table {
    struct flow *slots;
    uint32_t n_sets;           /* power of two */
    uint64_t *touched;         /* a bit per set that took a connection since the last reset */
    uint64_t *spilled;         /* a bit per set: a connection whose first set it is went
                                * to its second set since the last reset (flow.c) */
    uint64_t clock;
    uint64_t next_stream;
    uint64_t evictions;        /* connections evicted to make room, since init */
    /* Told when a flow is evicted, so a message mode can free its state. */
    void (*on_evict)(void *ctx, struct flow *f);
    void *on_evict_ctx;
    /* When set (--flows), told when a connection's record is complete:
     * before it is forgotten (evicted, its ports reused), when it is closed
     * and FLOW_LINGER_NS quiet, checked before each record, TCP or not
     * (flow_table_sweep) (it stays in the table: packets after that are told as a
     * further record; those a record finds quiet go the longest quiet
     * first, equal times in stream order), and at the end of an input
     * (flow_table_reset) for the remaining ones, in stream order. A
     * record without packets is not told. */
    void (*on_end)(void *ctx, const struct flow *f, const struct flow_summary *s,
                   enum flow_end why);
    void *on_end_ctx;
    /* Set to make the analysis (the analysis column); on_end implies it. */
    int analyze;
    struct flow_ana *ana;       /* per slot, allocated on first use */
    struct flow_summary *sum;   /* per slot, allocated on first use */
    /* The closed connections waiting to be reported, each on its own
     * quiet time: a binary heap of their slots, the one whose last packet
     * is the oldest (equal times: the lowest stream) on top, so that a
     * packet finds the quiet ones without a walk and one still getting
     * packets holds back none. A place per slot, allocated on use; a slot
     * leaves it when its row is written or its slot is taken (clear_side),
     * so it never fills. */
    uint32_t *closed;
    /* #16: set (with analyze) for the TCP number columns; on_end implies
     * it. Per slot (struct flow_num), and their pool. */
    int numbers;
    struct flow_num *num;
    struct ual_pool ual;
    uint32_t closed_n;
};

int flow_table_init(struct flow_table *t, uint32_t slots);
void flow_table_free(struct flow_table *t);
/* Forgets every connection (a new input file starts afresh). */
void flow_table_reset(struct flow_table *t);

/* --flows: a record was read at this time (ts_sec INT64_MIN: it has none),
 * a TCP segment or not: the closed connections it finds quiet are reported
 * (on_end) before it counts, so that their rows wait for no segment (on
 * a live pipe, however much other traffic passes). Call it for every
 * record, before flow_track_tcp: that looks for none. A record without a
 * time finds none quiet. */
void flow_table_sweep(struct flow_table *t, int64_t ts_sec, uint32_t ts_nsec);

/* For a row with a TCP header: finds or creates its connection, updates it,
 * and fills win, stream, rseq, rack, wscale and analysis (Wireshark's
 * tcp.analysis findings, analysis.h). Returns the flow and the direction of
 * the segment (0 or 1), or NULL. */
struct flow *flow_track_tcp(struct flow_table *t, struct row *r, int *dir);

/* A TCP header quoted in an ICMP error (decode_quoted), with its first 16
 * bytes: finds or creates its connection, as Wireshark 4.0 does, so that a
 * connection first seen in a quote takes the next stream number and keeps
 * it when its segments follow. The quote is no segment: it counts in no
 * --flows figure, sets no base sequence number, makes no analysis, and a
 * connection that had nothing else has no --flows row. r is the quote's
 * own row (its fields are overwritten), never the ICMP packet's. */
struct flow *flow_track_quoted(struct flow_table *t, struct row *r);

/* #16: the SACK blocks of a segment from side d: they count in the peer's
 * bytes in flight from the peer's next segment on. tshark clears a side's
 * blocks on each of its segments and its SACK option refills them, also
 * when the segment has no length (a header past the IP payload) or a bogus
 * data offset (no options: none), or its options were cut or threw after
 * them (4.0 keeps each block as it reads it). */
static inline void flow_take_sack(struct ual_dir *d, const struct row *r)
{
    d->nsack = (r->present & HAS_SACK) ? r->nsack : 0;
    d->sack_bytes = r->sack_bytes;
}

/* #16, called by flow_track_tcp when t->num is set: the segment's TCP
 * numbers (row columns, as tshark shows them only on a frame with a
 * tcp.analysis tree) and the --flows figures; for a segment without a
 * length only its SACK blocks. listed: Wireshark lists the
 * segment; findings: its analysis findings. */
void flow_numbers(struct flow_table *t, struct flow *f, int dir, struct row *r, int listed,
                  uint32_t findings, uint64_t now, int32_t now_hi);

#endif
