/* decode.h: the layer decoders. Each is a pure function over a bounded byte
 * view that fills the row: p points at the layer's first byte, caplen is how
 * many bytes were captured from there, and reported how many were on the wire
 * (from the record's original length), which is what length fields are
 * clamped against, as Wireshark does. Every read is checked against caplen;
 * a field whose bytes are missing is left absent. */
#ifndef PCAP2KDB_DECODE_H
#define PCAP2KDB_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "row.h"

/* Nesting bounds, so that no recursion runs away (a frame of nothing but
 * VLAN tags, tunnels inside tunnels; tshark has none). A decoder's depth
 * counts each header it went through: a link header (VLAN tag, LLC,
 * PPPoE, PPP, MPLS, MACsec, Arista, NSH) adds 1; entering an encapsulated
 * packet (a tunnel's inner frame or packet, IP in IP) moves it on to the
 * next multiple of DECODE_LEVEL, so each of those has DECODE_LEVEL - 1
 * link headers of its own before they count as one more level. At most
 * DECODE_MAX_TUNNELS encapsulations are entered; past that the row is the
 * innermost packet reached (README "Tunnels"). The depth fits a row_frag's
 * uint8_t. */
#define DECODE_LEVEL 16
#define DECODE_MAX_TUNNELS 15
#define DECODE_MAX_DEPTH (DECODE_LEVEL * (DECODE_MAX_TUNNELS + 1) - 1)
/* The depth inside an encapsulation entered at depth; above
 * DECODE_MAX_DEPTH when that would be one too many. */
static inline int decode_tunnel_depth(int depth) { return (depth | (DECODE_LEVEL - 1)) + 1; }
/* The labels of one MPLS stack read at most (a loop, not a recursion). */
#define DECODE_MAX_MPLS_LABELS 32
#define MPLS_LABEL_LEN 4
/* Header sizes the decoders and the trailer search (hwts.c) share. */
#define IPV4_MIN_HEADER 20
#define IPV6_HEADER_LEN 40
/* IEEE 802.3 3.2.6: a length/type field up to 1500 is the length of the
 * MAC client data (an LLC PDU), from 0x0600 a type. */
#define IEEE8023_MAX_LEN 1500
/* packet-vlan.c's VLAN_MAX_NESTED_TAGS: the 802.1Q (and 0x9100) tags a
 * packet may have through all its encapsulations; the next one ends it
 * (decode_link.c, and hwts.c's search for a trailer). */
#define VLAN_MAX_TAGS 20

/* decode_link.c: the record's link layer, then the network layer. */
void decode_link(uint32_t linktype, const uint8_t *p, size_t caplen, size_t reported,
                 struct row *r);
/* decode_link_extra.c (#15): ipnet, ATM, Juniper; 0 when linktype is not one of them. */
int decode_link_extra(uint32_t linktype, const uint8_t *p, size_t caplen, size_t reported,
                      struct row *r);
/* decode_wpan.c (#15): IEEE 802.15.4 data frames with 6LoWPAN. */
void decode_wpan(uint32_t linktype, const uint8_t *p, size_t caplen, size_t reported,
                 struct row *r);
/* A network-layer payload named by an Ethertype (also used by SLL, PPP...). */
void decode_ethertype(uint16_t type, const uint8_t *p, size_t caplen, size_t reported,
                      struct row *r, int depth);

/* An MPLS label stack, then what its bottom carries; for links that name
 * MPLS by their own code rather than by an Ethertype. */
void decode_mpls(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth);
/* Behind the bottom label, at a first nibble of 0 (an Ethernet pseudowire,
 * RFC 4448): the control word's length, 4 or 0 (decode_link.c). */
size_t mpls_pw_control_word_len(const uint8_t *p, size_t caplen);

/* An Ethernet II or 802.3 frame without FCS (also inside tunnels). */
void decode_ethernet(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth);

/* IEEE 802.2 LLC (SNAP carries an Ethertype), used by 802.3 and 802.11. */
void decode_llc(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth);
/* decode_ppp.c: PPP (with or without HDLC framing), Cisco HDLC, Frame Relay. */
/* The IP packet of a BSD address family (AF_INET 2, AF_INET6 24, 28, 30);
 * 0 when af is none of them. */
int decode_family(uint32_t af, const uint8_t *p, size_t caplen, size_t reported, struct row *r);
void decode_ppp(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth);
/* A PPPoE session frame (RFC 2516): the PPP frame within its LENGTH. */
void decode_pppoe_session(const uint8_t *p, size_t caplen, size_t reported, struct row *r,
                          int depth);
/* LINKTYPE_PPP, PPP_HDLC and PPP_WITH_DIR's frames: PPP, or Cisco HDLC by its address byte. */
void decode_ppp_hdlc(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth);
void decode_chdlc(const uint8_t *p, size_t caplen, size_t reported, struct row *r);
void decode_frelay(const uint8_t *p, size_t caplen, size_t reported, struct row *r);
/* decode_wlan.c: IEEE 802.11 data frames, behind radiotap or PPI or bare. */
void decode_ieee80211(const uint8_t *p, size_t caplen, size_t reported, struct row *r);
void decode_radiotap(const uint8_t *p, size_t caplen, size_t reported, struct row *r);
void decode_ppi(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth);

/* The row's ethertype column: the last Ethertype field read (innermost wins). */
static inline void decode_link_type(uint16_t type, struct row *r)
{
    r->l2type = type;
    r->has_l2type = 1;
}
/* Remaining bytes after n, never below zero. */
static inline size_t size_after(size_t total, size_t n) { return total > n ? total - n : 0; }
/* Whether the row's IP header gave its source address: an encapsulated
 * header cut before it does not replace the tunnel's own (tunnels). */
static inline int decode_has_address(const struct row *r)
{
    return r->ipver != IPVER_NONE && (r->present & HAS_SRC);
}

/* decode_ip.c */
void decode_ipv4(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth);
void decode_ipv6(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth);
/* The Jumbo Payload option (RFC 2675) of a hop-by-hop header right after
 * the IPv6 header at p whose payload length is 0: the payload's length, or
 * 0 when there is none (or it is not above 65535, which the RFC calls an
 * error and leaves to the frame's length here). */
size_t ipv6_jumbo_length(const uint8_t *p, size_t caplen);
/* The payload of a datagram reassembled from fragments (ipfrag.c): p holds
 * its first caplen bytes of len; f is the fragment that completed it. */
void decode_ip_reassembled(const struct row_frag *f, const uint8_t *p, size_t caplen,
                           size_t len, struct row *r);
/* #15: the inflated payload of an IPComp header (row.ipcomp, HAS_IPCOMP). */
void decode_ip_inflated(const struct row_frag *c, const uint8_t *p, size_t len, struct row *r);
/* Dispatches on the first nibble (4 or 6; any other: nothing), as
 * Wireshark's IPv4 dissector does, which hands a version-6 header to IPv6:
 * for raw-IP link types, MPLS, and every field that names IPv4 (Ethertype
 * 0x0800, AF_INET, PPP 0x0021, IP protocol 4...). A field that names IPv6
 * calls decode_ipv6, which takes version 6 only, as packet-ipv6.c does. */
void decode_ip_any(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth);

/* decode_icmp.c: an ICMP (proto 1) or ICMPv6 (58) message (any other
 * proto: nothing) of seglen bytes from the IP header (clamped to the wire);
 * an error that quotes a packet is described in the row (HAS_QUOTE,
 * row.quote). */
void decode_icmp(uint8_t proto, const uint8_t *p, size_t caplen, size_t seglen, struct row *r,
                 int depth);
/* The packet an ICMP error quotes (row.quote), decoded into q (reset
 * first) as Wireshark decodes it inside the error: q then holds its IP and
 * TCP fields, for the connection it names, or, when it is an ICMP error
 * too, that error's quote (HAS_QUOTE). flags: the ICMP row's decode_flags
 * (DECODE_IN_ERROR is added). */
void decode_quoted(const struct row_frag *quote, uint8_t flags, struct row *q);

/* decode_tcp.c / decode_udp.c: seglen is the transport segment's length from
 * the IP header (clamped to what was on the wire). */
void decode_tcp(const uint8_t *p, size_t caplen, size_t seglen, struct row *r);
/* What the TCP options' reading needs of the connection (TCPOPTS_STATEFUL):
 * whether the sender offered SCPS. tcp_options_reread reads the options of
 * a row so flagged again with it: the option fields and tcp_opts are set
 * anew. */
struct tcp_opt_state {
    uint8_t scps;
};
void tcp_options_reread(struct row *r, const struct tcp_opt_state *st);
void decode_udp(const uint8_t *p, size_t caplen, size_t seglen, struct row *r);
/* SCTP's ports, when its whole 12-byte common header was captured (and lies
 * in the datagram: caplen is clamped to it), as tshark shows them. */
void decode_sctp(const uint8_t *p, size_t caplen, struct row *r);

/* IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
enum {
    IPPROTO_NUM_HOPOPT = 0, IPPROTO_NUM_ICMP = 1, IPPROTO_NUM_IPV4 = 4, IPPROTO_NUM_TCP = 6,
    IPPROTO_NUM_UDP = 17, IPPROTO_NUM_IPV6 = 41, IPPROTO_NUM_ROUTING = 43,
    IPPROTO_NUM_FRAGMENT = 44, IPPROTO_NUM_GRE = 47, IPPROTO_NUM_ESP = 50, IPPROTO_NUM_AH = 51,
    IPPROTO_NUM_ICMPV6 = 58, IPPROTO_NUM_NONE = 59, IPPROTO_NUM_DSTOPTS = 60,
    IPPROTO_NUM_IPCOMP = 108, IPPROTO_NUM_SCTP = 132, IPPROTO_NUM_MOBILITY = 135, IPPROTO_NUM_HIP = 139,
    IPPROTO_NUM_SHIM6 = 140,
};

/* Ethertypes (IEEE registry). */
enum {
    ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806, ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_IPV6 = 0x86DD, ETHERTYPE_QINQ = 0x88A8, ETHERTYPE_QINQ_OLD = 0x9100,
    ETHERTYPE_MPLS = 0x8847, ETHERTYPE_MPLS_MC = 0x8848, ETHERTYPE_PPPOE_SESSION = 0x8864,
    ETHERTYPE_ARISTA = 0xD28B,
};

/* Arista's vendor Ethertype, subtype 1: the timestamp header (#17), read by
 * the link decoder and by hwts. Its version word, as tcpdump's
 * print-arista.c splits it: the timescale (high byte: 0 TAI, 1 UTC), the
 * timestamp format (bits 4-7: 1 64-bit, 2 48-bit) and the hardware
 * generation (bits 0-3: 0 R/R2, 1 R3; the layout does not depend on it).
 * Wireshark 4.0 knows only the R/R2 versions 0x0010, 0x0110, 0x0020 and
 * 0x0120 and stops at the others. */
#define ARISTA_SUBTYPE_TIMESTAMP 0x0001
#define ARISTA_FORMAT_64BIT 1 /* seconds u32, nanoseconds u32 */
#define ARISTA_FORMAT_48BIT 2 /* the low 16 bits of the seconds, nanoseconds u32 */
static inline unsigned arista_format(uint16_t version) { return (version >> 4) & 0x0F; }
/* The timestamp's length after the version word; 0 for an unknown format. */
static inline size_t arista_timestamp_len(uint16_t version)
{
    switch (arista_format(version)) {
    case ARISTA_FORMAT_64BIT: return 8;
    case ARISTA_FORMAT_48BIT: return 6;
    default: return 0;
    }
}

#endif
