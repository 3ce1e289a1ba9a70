/* ipfrag.h: IPv4 and IPv6 fragment reassembly, as Wireshark 4.0 does it by
 * default (epan/reassemble.c, fragment_add_check): datagrams are keyed by
 * IP version, addresses and id (IPv4: protocol ^ IP ID, ^ row.frag_vlan,
 * Wireshark's pinfo->vlan_id, between private addresses; IPv6: the fragment
 * header's identification); a
 * datagram completes on the first fragment after which its bytes from 0 to
 * the end given by the first last fragment (MF clear) are all there; where
 * fragments overlap, the one with the lower offset wins, then the earlier.
 * A completed datagram leaves the table: a later fragment with its key
 * starts a new one.
 *
 * The table is the driver's state, like the flow table: one per converter,
 * emptied for each input. Its memory is bounded: at most max_datagrams
 * datagrams, max_bytes bytes (fragment bytes kept plus bookkeeping, each
 * allocation charged with the allocator's overhead; the hash index, fixed
 * at init, aside) and
 * IPFRAG_MAX_PIECES fragments per datagram; past a bound the least recently
 * touched datagram is forgotten. Fragments are kept whole, whatever the
 * columns: what a datagram holds decides its row (a tunnelled fragment in
 * it, headers of any length after an IPv6 fragment header), as in
 * Wireshark, so keeping less would make the rows depend on the columns. */
#ifndef PCAP2KDB_IPFRAG_H
#define PCAP2KDB_IPFRAG_H

#include <stddef.h>
#include <stdint.h>
#include "decode.h"
#include "row.h"

#define IPFRAG_MAX_PIECES 1024         /* fragments kept per datagram */
#define IPFRAG_DEFAULT_DATAGRAMS 4096
#define IPFRAG_DEFAULT_BYTES (8u << 20)
/* The datagrams one record can complete: ipfrag_row's levels, and again for
 * a fragment inside an IPComp payload. */
#define IPFRAG_OUT_BUFFERS (2 * (DECODE_MAX_TUNNELS + 1))

struct ipfrag_piece {
    uint32_t offset, len;              /* as in the fragment */
    uint8_t *bytes;                    /* its len bytes */
};

struct ipfrag_dgram {
    struct ipfrag_dgram *hnext;        /* hash chain */
    struct ipfrag_dgram *newer, *older;/* recency list */
    uint8_t ver;
    uint8_t datalen_set;
    uint8_t src[16], dst[16];
    uint32_t id, hash;
    uint32_t datalen;                  /* from the first last fragment */
    uint32_t npieces, cap;
    struct ipfrag_piece *pieces;       /* by offset, equal offsets in arrival order */
    size_t bytes;                      /* charged to the table */
};

struct ipfrag_table {
    struct ipfrag_dgram **buckets;
    uint32_t nbuckets;                 /* power of two */
    struct ipfrag_dgram *newest, *oldest;
    uint32_t count, max_datagrams;
    size_t bytes, max_bytes;
    /* The datagrams one record completes, each in a buffer of its own: a
     * datagram whose fragments came inside another reassembled one (a
     * fragmented tunnel's, to any depth) is built while the row still points
     * into that one's bytes (its inner Ethernet addresses, say). out_next
     * starts again at each record (out_frame). */
    uint8_t *out[IPFRAG_OUT_BUFFERS];
    size_t out_cap[IPFRAG_OUT_BUFFERS];
    unsigned out_next;
    uint64_t out_frame;
    uint64_t completed, evicted, dropped;
};

/* 0 on success, -1 out of memory. */
int ipfrag_init(struct ipfrag_table *t, uint32_t max_datagrams, size_t max_bytes);
void ipfrag_free(struct ipfrag_table *t);
/* Forgets every datagram (a new input). */
void ipfrag_reset(struct ipfrag_table *t);

/* Adds the fragment f (src, dst: 4 or 16 address bytes as in the row).
 * Returns the reassembled datagram's bytes when f completes it, NULL
 * otherwise: *len is the datagram's length, *caplen how many of its bytes
 * the returned buffer holds (all of them: fragments are kept whole). The
 * buffer is valid until the record's next ipfrag_row, or the
 * IPFRAG_OUT_BUFFERS-th completion after this one. */
const uint8_t *ipfrag_add(struct ipfrag_table *t, const struct row_frag *f, const uint8_t *src,
                          const uint8_t *dst, size_t *len, size_t *caplen);

/* The driver's step for a row with HAS_FRAG: adds the fragment and, when
 * it completes its datagram, decodes the datagram's headers into the row. */
void ipfrag_row(struct ipfrag_table *t, struct row *r);

#endif
