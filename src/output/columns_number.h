/* columns_number.h: the values of the packet table's optional columns
 * that are numbers (their q type I, J, N or P), for the batches
 * (columns_batch.c): inline, as the fill of a chosen column list calls it
 * for every value. field_is_null (columns.c) says the same of the text
 * columns. */
#ifndef PCAP2KDB_COLUMNS_NUMBER_H
#define PCAP2KDB_COLUMNS_NUMBER_H

#include <stddef.h>
#include "batch.h"
#include "columns.h"
#include "fingerprint.h"
#include "tunnel.h"

/* #17: the stamp's time, when q can hold it. */
static inline int column_hwtime_shown(const struct row *r)
{
    return r->hw.has_time && fmt_time_in_q_range(r->hw.sec, r->hw.nsec);
}

/* #17: the hash is of the IP packet the row's addresses come from, so a
 * row without them has none: decode_ipv4 marks the packet as IP before it
 * finds a header length above the total length (tshark's "bogus IP
 * length"), and then shows no field of it, as for a header length below 5. */
static inline int column_hash_source(const struct row *r)
{
    return r->ipver != IPVER_NONE && (r->present & HAS_SRC);
}

/* #16: whether row r has TCP number bit tn */
static inline int column_has_tn(const struct row *r, unsigned tn)
{
    return (r->present & HAS_TCPNUM) && (r->tcpnum & tn);
}

/* An optional column that is a row field as it is, valid by present bits
 * (0: always): a batch holds a copy in the field's own width (batch.h's
 * BENC_U8..U64). */
struct column_copy {
    uint16_t offset;           /* in struct row */
    uint8_t enc;
    uint32_t valid_mask;
};
static inline int column_copy(enum col_id c, struct column_copy *k)
{
#define COPY(field, e, mask) *k = (struct column_copy){ offsetof(struct row, field), e, mask }
    switch (c) {
    case COL_FRAME: COPY(frame, BENC_U64, 0); break;
    case COL_CAPLEN: COPY(caplen, BENC_U32, 0); break;
    case COL_IFACE: COPY(iface, BENC_U32, HAS_IFACE); break;
    case COL_VLAN: COPY(vlan, BENC_U16, HAS_VLAN); break;
    case COL_TTL: COPY(ttl, BENC_U8, HAS_TTL); break;
    case COL_STREAM: COPY(stream, BENC_U64, HAS_STREAM); break;
    case COL_RSEQ: COPY(rseq, BENC_U32, HAS_RSEQ); break;
    case COL_RACK: COPY(rack, BENC_U32, HAS_RACK); break;
    case COL_RAWWIN: COPY(rawwin, BENC_U16, HAS_TCPHDR); break;
    case COL_WSCALE: COPY(wscale, BENC_U8, HAS_WSCALE); break;
    case COL_MSS: COPY(mss, BENC_U16, HAS_MSS); break;
    default: return 0;
    }
#undef COPY
    return 1;
}

/* The value of any other optional column whose q type is a number (I, J;
 * N in nanoseconds; P in q's nanoseconds since 2000): 1 and *v, or 0 for a
 * null (or a column that is not such a number). */
static inline int column_number(enum col_id c, const struct row *r, int64_t *v)
{
    uint32_t h = r->present;
    int ok = 1;
    switch (c) {
    case COL_IPID: ok = (h & HAS_IPID) && r->ipver == IPVER_4; *v = r->ipid; break;
    /* #17 */
    case COL_HWTIME:
        ok = column_hwtime_shown(r); /* then q's nanoseconds hold it */
        if (ok)
            *v = (r->hw.sec - 946684800) * 1000000000 + (int64_t)r->hw.nsec;
        break;
    case COL_HWDEV: ok = r->hw.has_dev; *v = r->hw.dev; break;
    case COL_HWPORT: ok = r->hw.has_port; *v = r->hw.port; break;
    case COL_HASH: ok = column_hash_source(r) && ip_fingerprint(r->ip, r->ip_caplen, v); break;
    case COL_TID: ok = r->tunnel != TUNNEL_NONE && r->tunnel_has_id; *v = r->tunnel_id; break;
    /* #16 */
    case COL_INFLIGHT: ok = column_has_tn(r, TN_INFLIGHT); *v = r->inflight; break;
    case COL_PUSHBYTES: ok = column_has_tn(r, TN_INFLIGHT); *v = r->pushbytes; break;
    case COL_ACKRTT: ok = column_has_tn(r, TN_ACKRTT); *v = r->ackrtt; break;
    case COL_ACKED: ok = column_has_tn(r, TN_ACKED); *v = (int64_t)r->acked; break;
    case COL_IRTT: ok = column_has_tn(r, TN_IRTT); *v = r->irtt; break;
    default: ok = 0; break;
    }
    return ok;
}

#endif
