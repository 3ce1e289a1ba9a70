/* kdb_framer.h: kdb+ IPC over TCP: the framer that cuts each reassembled
 * direction of a connection (reasm.h) into messages and summarises each one
 * with kdb_ipc.h, holding a bounded number of bytes per message.
 *
 * Recognition (README "kdb+ IPC messages"), on any port:
 *   - a direction whose first byte after the SYN is delivered while the other
 *     direction has sent nothing is a client: its first bytes must be a
 *     handshake ("user:pass" + capability + NUL, kdb_hello_parse), else the
 *     connection is no kdb+ (HTTP on the same port, another protocol) and is
 *     ignored; the other direction then starts with the 1-byte reply;
 *   - a direction picked up mid-connection (no SYN seen, or bytes lost at the
 *     start) is searched for a chain of KDB_FRAMER_CHAIN plausible headers
 *     (kdb_find_chain) in a window of at most KDB_FRAMER_WINDOW bytes; when
 *     the window fills while the first candidate's message still runs past
 *     it (a big message), that candidate is taken unconfirmed: the next
 *     header checks it.
 *
 * Framing: read 8 header bytes (and up to 6 more: kdb_hdr_consistent, or
 * kdb_hdr_plausible for an unconfirmed resync candidate and the header
 * after it), then
 * count the message's length. Only the first KDB_FRAMER_PREFIX payload bytes
 * are kept (decompressed, for a compressed message, by the streaming
 * decompressor, which stops there); the rest is counted, never stored, so a
 * 100 MB message costs the same memory as a 1 kB one. A message that lies
 * whole inside one delivered chunk is summarised in place, without a copy.
 * What a direction holds (a spanning message's prefix, grown as its bytes
 * arrive, or for a compressed one sized by its uncompressed length; a split
 * handshake; a resync window while a candidate is undecided) is charged to the reassembler's budget and
 * released as soon as it is done with; a message whose prefix cannot be held
 * (the budget used up), or whose bytes the reassembler dropped while they
 * waited out of order (a gap marked over_budget), is counted once
 * (reasm_message_over_budget) and given the status KDB_OVER_BUDGET, never a
 * verdict from bytes that were not held, nor truncated.
 *
 * Damage: every message that was started gives exactly one row:
 *   - a header that is impossible (kdb_hdr_parse KDB_BAD) or whose payload
 *     start contradicts it (not kdb_hdr_consistent) gives a `bad` row and a
 *     resync from the byte after it;
 *   - a message of at most KDB_FRAMER_PREFIX payload bytes is walked whole
 *     (kdb_obj_size): an object shorter than the header's length means a
 *     corrupt length: `bad` row, framing goes on in sync where the object
 *     ends (the last packet's bytes with their own packet); an
 *     object longer (or malformed) is a `bad` row, framing goes on at the
 *     header's length (the next header checks it);
 *   - a gap (bytes the capture lost) inside a message makes it `truncated`;
 *     when the gap ends exactly where the message ends framing continues,
 *     when it runs past the end the direction resyncs;
 *   - a connection that ends inside a message gives that message as
 *     `truncated` (after its 8-byte header, before the 6 payload bytes the
 *     header is checked with, too: checked with those that came); the
 *     >2 GB forms are `unsupported` rows, skipped by their length.
 *
 * Pairing: a response's latency is the time from the oldest unanswered sync
 * request the other direction sent (at most KDB_FRAMER_PENDING remembered
 * per direction; more are dropped, oldest first, and counted: the responses
 * that answer dropped requests get no latency, the later ones the right
 * one) to the response, both taken at the packet that completed the
 * message. */
#ifndef PCAP2KDB_KDB_FRAMER_H
#define PCAP2KDB_KDB_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kdb_ipc.h"
#include "reasm.h"

/* Payload bytes kept (and decompressed) per message. */
#define KDB_FRAMER_PREFIX (64u << 10)
/* Resync: bytes searched for a chain before the first candidate is taken. */
#define KDB_FRAMER_WINDOW (256u << 10)
#define KDB_FRAMER_CHAIN 3u
/* Resync: packets whose bytes in the window are told apart (where each
 * one's bytes begin, its packet and sequence number), so that the messages
 * framed from the window get the segs, ftime and end they would get in
 * sync. Bytes past the bound (a window of many small segments) take the
 * packet that completes the chain and the end of what was read. */
#define KDB_FRAMER_MARKS 64u
/* Unanswered sync requests remembered per direction. */
#define KDB_FRAMER_PENDING 32u

/* Who sent a message. */
enum kdb_role { KDB_ROLE_UNKNOWN = 0, KDB_ROLE_CLIENT, KDB_ROLE_SERVER };

struct kdb_message {
    const struct flow *flow;
    int dir;                         /* flow->addr[dir] sent it */
    int c2s;                         /* 1 client to server, 0 server to client */
    const char *user;                /* the connection's handshake user, or NULL */
    int has_hdr;                     /* the 8 header bytes were read */
    struct kdb_hdr hdr;              /* when has_hdr */
    uint64_t ulen;                   /* uncompressed total incl. header; 0 unknown */
    const struct kdb_summary *sum;   /* ptype, func, table, rows, query, error */
    enum kdb_status status;
    const char *reason;              /* "" for KDB_OK */
    const struct reasm_pkt *first;   /* packet holding its first byte */
    const struct reasm_pkt *last;    /* packet that completed it */
    uint32_t segs;                   /* packets it spans */
    uint64_t skipped;                /* bytes lost or skipped just before it */
    int has_latency;
    int64_t latency;                 /* ns, responses only */
    uint32_t end_seq;                /* TCP sequence number after its last byte */
};

struct kdb_framer {
    void (*on_message)(void *ctx, const struct kdb_message *m);
    void *ctx;
    uint64_t messages, resyncs, handshakes;
    uint8_t *scratch;                /* KDB_FRAMER_PREFIX bytes, allocated by kdb_reasm_framer */
    /* Where the bytes being framed lie in the sequence space (acktime): the
     * step's input at_p[0..at_n) starts at at_seq; at_p is NULL for bytes
     * handed back for framing again whose origin is not known, which lie
     * before at_seq. end_seq is the next message's end. */
    const uint8_t *at_p;
    size_t at_n;
    uint32_t at_seq, end_seq;
};

/* Fills a reasm framer whose ctx is kf; -1 when out of memory. Free with
 * kdb_framer_free. */
int kdb_reasm_framer(struct kdb_framer *kf, struct reasm_framer *fr);
void kdb_framer_free(struct kdb_framer *kf);

#endif
