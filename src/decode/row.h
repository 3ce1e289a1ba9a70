/* row.h: one output row, filled by the decoders and the flow table, read by
 * the writers. One field per column, with a "present" bit for each field that
 * can be null, so that a writer prints an empty field (a q null) exactly when
 * the bytes were not there or the field does not apply. */
#ifndef PCAP2KDB_ROW_H
#define PCAP2KDB_ROW_H

#include <stdint.h>
#include <stddef.h>
#include "hwts.h"

enum row_present {
    HAS_TIME     = 1u << 0,
    HAS_IFACE    = 1u << 1,
    HAS_VLAN     = 1u << 2,
    HAS_SRC      = 1u << 3,
    HAS_DST      = 1u << 4,
    HAS_TTL      = 1u << 5,
    HAS_IPID     = 1u << 6,
    HAS_IPPROTO  = 1u << 7,  /* ipproto holds the transport protocol number */
    HAS_ETHTYPE  = 1u << 8,  /* non-IP link payload: ethertype names it     */
    HAS_SPORT    = 1u << 9,
    HAS_DPORT    = 1u << 10,
    HAS_TCPSEQ   = 1u << 22, /* seq: 16 TCP header bytes were captured         */
    HAS_TCPHDR   = 1u << 11, /* ack, flags, raw window: also a data offset >= 5 */
    HAS_WIN      = 1u << 12, /* scaled window, set by the flow table          */
    HAS_TSOPT    = 1u << 13, /* tsecr (and tsval) of the timestamp option     */
    HAS_TSVAL    = 1u << 23, /* tsval alone, when the option was cut short   */
    HAS_PAYLEN   = 1u << 14,
    HAS_MSS      = 1u << 15,
    HAS_WSOPT    = 1u << 16, /* the segment carries a window-scale option     */
    HAS_STREAM   = 1u << 17,
    HAS_RSEQ     = 1u << 18,
    HAS_RACK     = 1u << 19,
    HAS_WSCALE   = 1u << 20,
    HAS_LLCNAME  = 1u << 21, /* non-IP, non-Ethertype payload: link_proto names it */
    HAS_TCPNUM   = 1u << 24, /* #16: tcpnum says which TCP numbers are set */
    HAS_SACK     = 1u << 25, /* #16: nsack, sack_bytes of a SACK option */
    HAS_NO_DMAC  = 1u << 27, /* #18: mac holds a source address alone (SLL)   */
    HAS_FRAG     = 1u << 30, /* frag describes an IP fragment for ipfrag.c    */
    HAS_IPCOMP   = 1u << 26, /* #15: ipcomp is a DEFLATE payload for the driver */
    HAS_FINAL_DST = 1u << 28, /* final_dst: an unfinished source route's */
    HAS_QUOTE    = 1u << 29, /* quote: an ICMP error's quoted packet for the driver */
};
/* home_src: an IPv6 Home Address option's. Not in the enum: an enumerator
 * must fit an int (C11 6.7.2.2). */
#define HAS_HOME_SRC (1u << 31)

/* row.tcp_opts: how tshark read the TCP options (decode_tcp.c). Anything
 * beyond TCPOPTS_WHOLE asks the flow table to look (one test). */
enum {
    TCPOPTS_WHOLE = 1,     /* read without throwing: to their end, the whole
                            * header captured, or to a bad length, every
                            * byte tshark reads there captured; and no
                            * option's dissector read past its option */
    TCPOPTS_STATEFUL = 2,  /* what tshark makes of them depends on the connection:
                            * the flow table reads them again
                            * (tcp_options_reread) from tcp_header */
    TCPOPTS_SCPS = 4,      /* an SCPS capabilities option was read: the sender
                            * offers SCPS (Wireshark's flow->scps_capable) */
    TCPOPTS_WSOPT = 8,     /* a window-scale option was read (HAS_WSOPT) */
};

/* An IPv4 or IPv6 fragment whose payload was wholly captured, as the IP
 * decoder found it: the driver's fragment table (ipfrag.c) adds it to its
 * datagram and, when that completes, decodes the transport header on this
 * row (Wireshark's "reassembled in" frame). */
struct row_frag {
    uint8_t  ver;              /* IPVER_4 or IPVER_6 */
    uint8_t  proto;            /* protocol of the fragmented payload */
    uint8_t  more;             /* MF / M flag */
    uint8_t  depth;            /* tunnel depth of the fragmented header */
    uint32_t id;               /* reassembly id, as Wireshark's key has it */
    uint32_t offset;           /* byte offset of this fragment's payload */
    uint32_t len;              /* payload bytes, all captured */
    const uint8_t *data;
};

/* What the IP layer carried, for the protocol column. */
enum { IPVER_NONE = 0, IPVER_4 = 4, IPVER_6 = 6 };

/* TCP flag bits as in the 16-bit word at offset 12 of the header (low 9 bits). */
enum {
    TCP_FIN = 0x001, TCP_SYN = 0x002, TCP_RST = 0x004, TCP_PSH = 0x008,
    TCP_ACK = 0x010, TCP_URG = 0x020, TCP_ECE = 0x040, TCP_CWR = 0x080,
    TCP_NS  = 0x100,
};

#define ANALYSIS_MAX 160

/* #16: the TCP numbers a row has (row.tcpnum, with HAS_TCPNUM). */
enum { TN_INFLIGHT = 1, TN_ACKED = 2, TN_ACKRTT = 4, TN_IRTT = 8 };
/* Wireshark stores 3 SACK blocks (MAX_TCP_SACK_RANGES 4, index 0 unused). */
#define ROW_SACK_MAX 3

/* The fields are ordered by use, not by layer: what the decoders, the flow
 * table and the default columns touch for every packet comes first and fills
 * the first four cache lines (with the first byte of analysis); the rest is
 * touched only when a packet or a column needs it. With --threads each row
 * crosses from the decoding core to a formatting core, and every line it
 * touches is a transfer between caches (pipeline.c). */
struct row {
    uint32_t present;
    /* #18: the last Ethertype field read on the way to the network layer,
     * when has_l2type. Beside present, so that clearing them all is one
     * store. */
    uint16_t l2type;
    uint8_t  has_l2type;
    /* 802.1Q and 0x9100 tags read so far in the packet, through all its
     * encapsulations (decode_link.c: Wireshark reads at most 20); one more
     * than that at most. Cleared with the three above. */
    uint8_t  vlan_tags;

    /* record */
    uint64_t frame;            /* 1-based record number in this input */
    int64_t  ts_sec;           /* UTC seconds since 1970 */
    uint32_t ts_nsec;
    uint32_t caplen, origlen;
    uint32_t iface;
    uint32_t linktype;

    /* link */
    uint16_t vlan;             /* outermost VLAN id */
    uint16_t ethertype;        /* when HAS_ETHTYPE: the non-IP payload type */
    /* The VLAN id of the IPv4 reassembly key so far, 0 for none: Wireshark's
     * pinfo->vlan_id, set by the first 802.1Q/0x9100 tag with a non-zero id
     * (not by 802.1ad) and by ERSPAN headers (decode_tunnel.c). */
    uint16_t frag_vlan;

    /* network: the IP header that carries the transport header */
    uint8_t  ipver;
    uint8_t  ttl;
    uint8_t  ipproto;
    uint16_t ipid;
    uint8_t  src[16], dst[16];

    /* transport */
    uint16_t sport, dport;
    uint16_t tcpflags;
    uint32_t seq, ack;
    uint16_t rawwin;
    uint8_t  tcp_hlen;         /* data offset * 4, as on the wire */
    uint8_t  tcp_opts;         /* TCPOPTS_*, set with seq (0: no options read) */
    uint8_t  wsopt;            /* the segment's last window-scale option value */
    uint16_t mss;
    uint32_t tsval, tsecr;
    uint32_t paylen;           /* TCP/UDP payload length from the IP length */
    uint32_t payload_caplen;
    const uint8_t *payload;    /* payload bytes actually captured */
    /* when TCPOPTS_STATEFUL: the TCP header and its captured bytes (at most
     * tcp_hlen), valid while the row is */
    const uint8_t *tcp_header;
    uint16_t tcp_caplen;

    /* #18: the MAC addresses of the innermost Ethernet header: destination
     * at mac, source at mac + 6; NULL when none. Linux cooked captures have
     * the source alone (HAS_NO_DMAC). Plain stores here and in l2type, no
     * test: the decoders do not know whether the columns are chosen. */
    const uint8_t *mac;
    /* #17: the IP packet the network layer points at (valid when ipver is
     * set; the innermost one), for the hash column */
    const uint8_t *ip;
    size_t ip_caplen;

    /* flow-derived */
    uint64_t win;              /* scaled window */
    uint64_t stream;
    uint32_t rseq, rack;
    uint8_t  wscale;

    /* #15 tunnels: the outermost encapsulation followed (tunnel.h) */
    uint8_t  tunnel;           /* TUNNEL_* kind; TUNNEL_NONE when not tunnelled */
    uint8_t  decode_flags;     /* DECODE_*; set by the driver, kept by row_reset */
    /* #16: tcp.analysis numbers (unacked.h), when HAS_TCPNUM; pushbytes
     * goes with inflight */
    uint8_t  tcpnum;           /* TN_* */
    /* #16: SACK blocks of the options, when HAS_SACK */
    uint8_t  nsack;            /* blocks, at most ROW_SACK_MAX */
    uint32_t sack_bytes;       /* right minus left edge, summed, mod 2^32 */
    uint32_t inflight, pushbytes;
    uint64_t acked;
    int64_t  ackrtt;           /* ns */
    int64_t  irtt;             /* ns */
    char     analysis[ANALYSIS_MAX];

    /* Touched only when a packet or a column needs them: */
    uint8_t  link_proto;       /* when HAS_LLCNAME: enum link_proto (names.h) */
    /* the hardware stamp, set by the driver only when a column shows it */
    struct hw_stamp hw;
    struct row_frag frag;      /* when HAS_FRAG */
    uint8_t  tunnel_ipver;     /* of tsrc/tdst */
    uint8_t  tunnel_addrs;     /* TUNNEL_HAS_SRC | TUNNEL_HAS_DST */
    uint8_t  tunnel_has_id;
    uint32_t tunnel_id;        /* GRE key, ERSPAN session, VXLAN/GENEVE VNI */
    uint8_t  tsrc[16], tdst[16];
    /* #15: an IPComp (RFC 3173) DEFLATE payload, wholly captured, when
     * HAS_IPCOMP: the driver inflates it and decodes what it carries */
    struct row_frag ipcomp;    /* proto: the next header; data, len: compressed */
    /* When HAS_FINAL_DST: the final destination named by an IPv6 routing
     * header whose Segments Left is not 0 (RFC 8200 section 4.4). dst keeps
     * the header's address, as tshark's ipv6.dst does; Wireshark keys
     * conversations (tcp.stream) and IPv6 reassembly on this one, its
     * pinfo->dst. (An IPv4 source route replaces dst itself: tshark's ip.dst
     * shows the final destination; but one whose length is no 3 + 4n, which
     * tshark shows no ip.dst for, sets final_dst without HAS_DST, and one
     * after it that does show can leave dst another: decode_ip.c.) */
    uint8_t  final_dst[16];
    /* When HAS_HOME_SRC: the home address of a Home Address option (RFC
     * 6275 section 6.3) in a Destination Options header, the mirror of
     * final_dst: src keeps the header's (care-of) address, as tshark's
     * ipv6.src does; Wireshark keys conversations and IPv6 reassembly on
     * this one, its pinfo->src. */
    uint8_t  home_src[16];
    /* When HAS_QUOTE: the packet an ICMP or ICMPv6 error quotes (proto: 1
     * or 58; data, len: its captured bytes from the IP header on). Its row
     * stays the ICMP packet's; the driver decodes the quote apart
     * (decode_quoted) for the connection it names (flow_track_quoted). */
    struct row_frag quote;
};

/* How the decoders go about a packet (row.decode_flags). */
enum decode_flag {
    /* --no-tunnels: outer packets only (the driver stores the option's 0 or
     * 1 as it is, one store per packet) */
    DECODE_NO_TUNNELS = 1,
    /* The packet an ICMP error quotes (decode_quoted): Wireshark's
     * pinfo->flags.in_error_pkt, under which every dissector it calls keeps
     * the addresses it had and survives the called one reading past its
     * data (epan/packet.c call_dissector_work_error) */
    DECODE_IN_ERROR = 2,
};

enum tunnel_kind {
    TUNNEL_NONE = 0, TUNNEL_IPIP, TUNNEL_GRE, TUNNEL_ERSPAN, TUNNEL_VXLAN, TUNNEL_GENEVE,
    TUNNEL_GTP, TUNNEL_MPLS,
};
enum { TUNNEL_HAS_SRC = 1, TUNNEL_HAS_DST = 2 };

/* The destination connections and fragment reassembly are keyed on:
 * Wireshark's pinfo->dst (see final_dst). */
static inline const uint8_t *row_key_dst(const struct row *r)
{
    return (r->present & HAS_FINAL_DST) ? r->final_dst : r->dst;
}

/* The source connections and fragment reassembly are keyed on:
 * Wireshark's pinfo->src (see home_src). */
static inline const uint8_t *row_key_src(const struct row *r)
{
    return (r->present & HAS_HOME_SRC) ? r->home_src : r->src;
}

/* Clears what the decoders fill; the record fields are set by the driver. */
static inline void row_reset(struct row *r)
{
    r->present = 0;
    r->l2type = 0;
    r->has_l2type = 0;
    r->vlan_tags = 0;
    r->frag_vlan = 0;
    r->mac = NULL;
    r->ipver = IPVER_NONE;
    r->payload = NULL;
    r->payload_caplen = 0;
    r->analysis[0] = '\0';
    r->tunnel = TUNNEL_NONE;
}

#endif
