/* unacked.h: the TCP numbers of issue 16 (Wireshark 4.0 packet-tcp.c,
 * tcp_analyze_sequence_number(): the list of unacknowledged segments, and
 * from it tcp.analysis.bytes_in_flight, push_bytes_sent, acks_frame and
 * ack_rtt), with bounded memory.
 *
 * Wireshark keeps up to 10000 unacknowledged segments per direction, each
 * allocated for the life of the file. Here every direction holds at most
 * UAL_PER_DIR entries, taken from one pool of UAL_POOL_PER_SLOT entries per
 * flow-table slot, allocated on first use: memory is fixed whatever the
 * capture holds. When a direction is at its bound, or the pool is empty,
 * its two oldest entries are merged into one that spans both (the newer
 * one's frame and time stay): bytes in flight stays exact (it only needs the
 * lowest and highest sequence number listed), but an ACK of exactly the
 * older one's end no longer finds it, so that ACK shows no acks_frame and
 * no ack_rtt. A direction with one entry and an empty pool stretches that
 * entry; with none, the segment is not listed. Each case is counted
 * (struct ual_pool) and --stats prints the counts. */
#ifndef PCAP2KDB_UNACKED_H
#define PCAP2KDB_UNACKED_H

#include <stdint.h>

#define UAL_PER_DIR 128u
#define UAL_POOL_PER_SLOT 2u
#define UAL_NIL 0u

/* One listed segment: [seq, nextseq) (a SYN or FIN counts one), the frame
 * that sent it and when (ts, ts_hi: qspan.h). next links a direction's
 * entries oldest first. */
struct ual_entry {
    uint32_t seq, nextseq;
    uint32_t next;
    int32_t ts_hi;
    uint64_t frame;
    uint64_t ts;
};

/* Per direction: the list, and Wireshark's valid_bif and push counters. */
struct ual_dir {
    uint32_t head, tail;       /* pool indexes, UAL_NIL when empty */
    uint32_t push_bytes;       /* push_bytes_sent */
    uint16_t n;
    uint8_t bif_off;           /* !valid_bif: a segment was lost, no ACK since */
    uint8_t push_set_last;
    uint8_t nsack;             /* SACK blocks of this side's last SACK option */
    uint32_t sack_bytes;       /* the bytes they cover (the peer's in flight) */
};

struct ual_pool {
    struct ual_entry *e;       /* e[1..cap]; e[0] unused (UAL_NIL) */
    uint32_t cap, used_hwm, free_head;
    uint64_t merged;           /* entries merged (ACK samples possibly lost) */
    uint64_t unlisted;         /* segments not listed: pool empty */
};

/* What one segment yields (fields Wireshark would compute). */
struct ual_result {
    uint64_t acked_frame;      /* acks_frame, when matched */
    int64_t rtt_ns;            /* ack_rtt, when matched: QSPAN_NULL when q
                                * cannot hold it (qspan.h) */
    uint32_t inflight;         /* bytes_in_flight, 0: none */
    uint32_t push_bytes;       /* push_bytes_sent, with inflight */
    uint8_t matched;           /* the ack ends a listed segment of the peer */
    uint8_t bif_ran;           /* the bytes-in-flight step ran (makes ta) */
};

int ual_pool_init(struct ual_pool *p, uint32_t cap);
void ual_pool_free(struct ual_pool *p);
/* Returns a direction's entries to the pool (connection forgotten). */
void ual_dir_clear(struct ual_pool *p, struct ual_dir *d);

/* Appends [seq, nextseq) sent in frame at time (ts_ns, ts_hi) (qspan.h).
 * base is the direction's base sequence number (merges keep the relative
 * lowest and highest). */
void ual_add(struct ual_pool *p, struct ual_dir *d, uint32_t base, uint32_t seq,
             uint32_t nextseq, uint64_t frame, uint64_t ts_ns, int32_t ts_hi);

/* Removes what ack acknowledges from d (the peer's list), Wireshark's way:
 * an entry ending exactly at ack is a sample (the oldest such one is
 * reported), entries before it go, an entry it cuts is shortened. Returns
 * 1 and sets *frame and the entry's time (*ts_ns, *ts_hi) on a sample. */
int ual_ack(struct ual_pool *p, struct ual_dir *d, uint32_t ack, uint64_t *frame,
            uint64_t *ts_ns, int32_t *ts_hi);

/* One segment of a connection: fwd is the sender's state, rev the peer's.
 * listed: Wireshark adds this segment to its list (data, SYN or FIN, and
 * fewer than 10000 listed); nextseq its end (SYN/FIN counted). lost: the
 * segment was flagged lost_segment. */
void ual_segment(struct ual_pool *p, struct ual_dir *fwd, struct ual_dir *rev, uint32_t fwd_base,
                 uint32_t seq, uint32_t ack, uint32_t seglen, uint16_t flags, int listed,
                 uint32_t nextseq, int lost, uint64_t frame, uint64_t now_ns, int32_t now_hi,
                 struct ual_result *out);

#endif
