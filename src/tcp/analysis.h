/* analysis.h: Wireshark's TCP sequence analysis (the tcp.analysis.* flags
 * of packet-tcp.c, tcp_analyze_sequence_number() in Wireshark 4.0), single
 * pass, with O(1) state per direction: the list of unacknowledged segments
 * that Wireshark also keeps only feeds its RTO and "acks frame" fields,
 * never a flag, so it is not kept here.
 *
 * All sequence arithmetic is on raw (absolute) 32-bit numbers, modulo 2^32;
 * times are nanoseconds modulo 2^64, compared as unsigned like Wireshark's
 * guint64 deltas (a clock that goes backwards never meets a threshold). */
#ifndef PCAP2KDB_ANALYSIS_H
#define PCAP2KDB_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

/* Findings, as bits; the order of the bits is the order of the names in
 * the analysis column (README "TCP analysis"). */
enum tcp_finding {
    TA_RETRANSMISSION = 1u << 0,
    TA_FAST_RETRANSMISSION = 1u << 1,
    TA_SPURIOUS_RETRANSMISSION = 1u << 2,
    TA_OUT_OF_ORDER = 1u << 3,
    TA_LOST_SEGMENT = 1u << 4,
    TA_ACK_LOST_SEGMENT = 1u << 5,
    TA_DUP_ACK = 1u << 6,
    TA_ZERO_WINDOW = 1u << 7,
    TA_ZERO_WINDOW_PROBE = 1u << 8,
    TA_ZERO_WINDOW_PROBE_ACK = 1u << 9,
    TA_KEEP_ALIVE = 1u << 10,
    TA_KEEP_ALIVE_ACK = 1u << 11,
    TA_WINDOW_FULL = 1u << 12,
    TA_WINDOW_UPDATE = 1u << 13,
    TA_REUSED_PORTS = 1u << 14,
};
#define TA_COUNT 15
/* Not a finding (no name, never counted): tshark made its tcp.analysis tree
 * for the segment without one, so the tree shows the TCP numbers it has
 * (the ACK of unseen data that is not flagged: tcp_analyze_get_acked_struct
 * comes before that decision). */
#define TA_TREE (1u << 15)
#define TA_ANY_RETRANSMISSION \
    (TA_RETRANSMISSION | TA_FAST_RETRANSMISSION | TA_SPURIOUS_RETRANSMISSION)

/* Wireshark's thresholds (packet-tcp.c): a fast retransmission comes within
 * 20 ms of the last duplicate ACK; an out-of-order segment within the first
 * RTT (3 ms when the handshake was not seen) of the highest segment. */
#define TA_FAST_RETRANS_NS 20000000u
#define TA_OOO_DEFAULT_NS 3000000u
/* Wireshark lists at most this many unacknowledged segments per direction;
 * a SYN or FIN that does not fit counts no sequence number. Only the count
 * is kept here: it drops to 0 when the peer acknowledges everything, and is
 * not lowered by partial acknowledgments (so it may run high). */
#define TA_MAX_UNACKED 10000u

/* One direction's state (Wireshark's tcp_analyze_seq_info, window,
 * lastsegmentflags and is_first_ack). */
struct ta_dir {
    uint64_t nextseqtime;      /* ns, when nextseq last advanced */
    uint64_t lastacktime;      /* ns, this side's last segment */
    uint32_t nextseq;          /* highest sequence number seen + 1 (0: none) */
    uint32_t maxseqtobeacked;
    uint32_t lastack;          /* ack field of this side's last segment */
    uint32_t window;           /* raw window of this side's last segment */
    uint32_t dupacknum;        /* 0xFFFFFFFF after an "ACKed unseen segment" */
    uint16_t lastflags;        /* findings of this side's last segment */
    uint16_t unacked : 15;     /* segments Wireshark would hold in its list */
    uint16_t is_first_ack : 1; /* SYN sent, no pure ACK yet (window not scaled) */
};

/* Per connection: handshake times for the out-of-order threshold. */
struct ta_conn {
    uint64_t ts_mru_syn;       /* ns of the last pure SYN (0: none) */
    uint64_t ts_first_rtt;     /* first pure ACK minus ts_mru_syn (0: unknown) */
};

/* The state a new connection starts with. */
void ta_dir_init(struct ta_dir *d);

/* One segment, sent by the side whose state is fwd. seglen is the TCP
 * payload length from the IP length; flags the TCP flags; window the raw
 * 16-bit window; now_ns the capture time. rev_win_scale is the peer's
 * window-scale state (-1 unknown, -2 not used, else the shift) as the flow
 * table keeps it. preflags are findings already made (reused_ports).
 * Returns the findings and updates both directions. */
uint32_t ta_segment(struct ta_conn *c, struct ta_dir *fwd, struct ta_dir *rev,
                    int rev_win_scale, uint32_t seq, uint32_t ack, uint32_t seglen,
                    uint16_t flags, uint32_t window, uint64_t now_ns, uint32_t preflags);

/* A pure SYN with the same initial sequence number as before: Wireshark
 * rewinds nextseq so the SYN shows as a retransmission (issue 17616). */
void ta_same_isn_syn(struct ta_dir *fwd);

/* The handshake bookkeeping of dissect_tcp(), done after the analysis for
 * every segment with a valid header (data offset >= 5). */
void ta_after_header(struct ta_conn *c, struct ta_dir *fwd, uint16_t flags, uint64_t now_ns);

/* Writes the names of the findings, '|'-joined, NUL-terminated, into buf
 * (at most cap bytes); returns the length. */
size_t ta_format(char *buf, size_t cap, uint32_t findings);

/* The name of finding bit i (0 <= i < TA_COUNT). */
const char *ta_name(int i);

#endif
