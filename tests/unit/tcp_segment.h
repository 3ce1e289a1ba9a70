/* tcp_segment.h: the decoded TCP segment the flow-table, analysis and
 * reassembly tests feed in, between 10.0.0.1:1000 (the client) and
 * 10.0.0.2:80, as decode_tcp would leave it for a full 20-byte header. */
#ifndef PCAP2KDB_TCP_SEGMENT_H
#define PCAP2KDB_TCP_SEGMENT_H

#include <string.h>
#include "row.h"

static inline struct row tcp_segment(int from_client, uint16_t flags, uint32_t seq,
                                     uint32_t ack, uint16_t win, uint32_t paylen)
{
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_SRC | HAS_DST | HAS_SPORT | HAS_DPORT | HAS_TCPSEQ | HAS_TCPHDR | HAS_PAYLEN;
    r.ipver = IPVER_4;
    uint8_t c[4] = { 10, 0, 0, 1 }, s[4] = { 10, 0, 0, 2 };
    memcpy(r.src, from_client ? c : s, 4);
    memcpy(r.dst, from_client ? s : c, 4);
    r.sport = from_client ? 1000 : 80;
    r.dport = from_client ? 80 : 1000;
    r.tcpflags = flags;
    r.seq = seq;
    r.ack = ack;
    r.rawwin = win;
    r.paylen = paylen;
    r.tcp_hlen = 20;
    r.tcp_opts = TCPOPTS_WHOLE;
    return r;
}

#endif
