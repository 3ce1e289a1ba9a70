/* columns_number.h: the values of the packet table's optional columns
 * that are numbers (their q type I, J, N or P), for the batches
 * (columns_batch.c): inline, as the fill of a chosen column list calls it
 * for every value. field_is_null (columns.c) says the same of the text
 * columns. */
#ifndef PCAP2KDB_COLUMNS_NUMBER_H
#define PCAP2KDB_COLUMNS_NUMBER_H

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

/* The value of optional column c whose q type is a number (I, J; N in
 * nanoseconds; P in q's nanoseconds since 2000): 1 and *v, or 0 for a
 * null (or a column that is not a number). */
static inline int column_number(enum col_id c, const struct row *r, int64_t *v)
{
    uint32_t h = r->present;
    int ok = 1;
    switch (c) {
    case COL_FRAME: *v = (int64_t)r->frame; break;
    case COL_CAPLEN: *v = r->caplen; break;
    case COL_IFACE: ok = (h & HAS_IFACE) != 0; *v = r->iface; break;
    case COL_VLAN: ok = (h & HAS_VLAN) != 0; *v = r->vlan; break;
    case COL_TTL: ok = (h & HAS_TTL) != 0; *v = r->ttl; break;
    case COL_IPID: ok = (h & HAS_IPID) && r->ipver == IPVER_4; *v = r->ipid; break;
    case COL_STREAM: ok = (h & HAS_STREAM) != 0; *v = (int64_t)r->stream; break;
    case COL_RSEQ: ok = (h & HAS_RSEQ) != 0; *v = r->rseq; break;
    case COL_RACK: ok = (h & HAS_RACK) != 0; *v = r->rack; break;
    case COL_RAWWIN: ok = (h & HAS_TCPHDR) != 0; *v = r->rawwin; break;
    case COL_WSCALE: ok = (h & HAS_WSCALE) != 0; *v = r->wscale; break;
    case COL_MSS: ok = (h & HAS_MSS) != 0; *v = r->mss; break;
    /* #17 */
    case COL_HWTIME:
        ok = column_hwtime_shown(r);
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
