/* decode_ppp.c: serial-line link layers: PPP (RFC 1661, with the RFC 1662
 * HDLC address and control bytes or without them), Cisco HDLC, and Frame
 * Relay with RFC 2427 multiprotocol encapsulation. */
#include "decode.h"
#include "bytes.h"
#include "names.h"

#define HDLC_ALL_STATIONS 0xFF
#define HDLC_UI 0x03
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define PPP_MPLS 0x0281
#define PPP_MPLS_MC 0x0283
#define CHDLC_HEADER_LEN 4
#define CHDLC_UNICAST 0x0F     /* Cisco HDLC's address byte */
#define CHDLC_MULTICAST 0x8F
#define CHDLC_SLARP 0x8035     /* Cisco's keepalives, not RARP, on this link */
#define CHDLC_ETHERNET 0x6558  /* transparent Ethernet bridging */
#define NLPID_IPV4 0xCC
#define NLPID_IPV6 0x8E
#define NLPID_SNAP 0x80
#define NLPID_PAD 0x00
#define Q922_MAX_ADDRESS 4
#define PPPOE_HEADER_LEN 6
#define PPPOE_TAG_CREDITS 0x0106 /* RFC 5578 */
#define PPPOE_CREDITS_LEN 8

void decode_ppp(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    size_t off = 0;
    if (caplen >= 2 && p[0] == HDLC_ALL_STATIONS && p[1] == HDLC_UI)
        off = 2;
    if (caplen < off + 1)
        return;
    uint16_t proto;
    if (p[off] & 1) {
        proto = p[off]; /* protocol field compression (RFC 1661 6.5) */
        off += 1;
    } else {
        if (caplen < off + 2)
            return;
        proto = get_be16(p + off);
        off += 2;
    }
    const uint8_t *q = p + off;
    size_t cap = caplen - off, rep = size_after(reported, off);
    switch (proto) {
    case PPP_IPV4:
        decode_ip_any(q, cap, rep, r, depth + 1);
        return;
    case PPP_IPV6:
        decode_ipv6(q, cap, rep, r, depth + 1);
        return;
    case PPP_MPLS:
    case PPP_MPLS_MC:
        decode_mpls(q, cap, rep, r, depth + 1);
        return;
    default:
        if (!(r->link_proto = ppp_control_proto(proto)))
            return;
    }
    r->present |= HAS_LLCNAME;
}

void decode_pppoe_session(const uint8_t *p, size_t caplen, size_t reported, struct row *r,
                          int depth)
{
    if (caplen < PPPOE_HEADER_LEN)
        return;
    /* RFC 2516 section 4: LENGTH is the PPPoE payload's; what follows it
     * in the frame (padding, a trailer, an FCS) is not the PPP frame's,
     * whatever the IP length inside says (packet-pppoe.c bounds its PPP
     * buffer so). */
    size_t len = get_be16(p + 4);
    size_t cap = caplen - PPPOE_HEADER_LEN, rep = size_after(reported, PPPOE_HEADER_LEN);
    if (cap > len)
        cap = len;
    if (rep > len)
        rep = len;
    size_t off = PPPOE_HEADER_LEN;
    /* A Credits tag before the PPP frame (RFC 5578), which Wireshark 4.0
     * skips; a payload too short for it decodes nothing there. */
    if (cap >= 2 && get_be16(p + off) == PPPOE_TAG_CREDITS) {
        if (cap < PPPOE_CREDITS_LEN || rep < PPPOE_CREDITS_LEN)
            return;
        off += PPPOE_CREDITS_LEN;
        cap -= PPPOE_CREDITS_LEN;
        rep -= PPPOE_CREDITS_LEN;
    }
    decode_ppp(p + off, cap, rep, r, depth);
}

/* The link types of PPP frames (9, 50, and 204 after its direction byte)
 * hold PPP in HDLC-like framing (RFC 1662) or Cisco HDLC, whose first
 * byte, its address, is 0x0F or 0x8F (the tcpdump.org link-type list for
 * LINKTYPE_PPP_HDLC; Wireshark's dissect_ppp_hdlc tells them apart so for
 * every PPP link type). */
void decode_ppp_hdlc(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (caplen >= 1 && (p[0] == CHDLC_UNICAST || p[0] == CHDLC_MULTICAST))
        decode_chdlc(p, caplen, reported, r);
    else
        decode_ppp(p, caplen, reported, r, depth);
}

/* Cisco HDLC: address, control, then a protocol field of Ethertype
 * values. Wireshark's packet-chdlc.c looks it up in a table of its own
 * (chdlc.protocol), so of the types pcap2kdb follows it follows IPv4,
 * IPv6, MPLS and bridged Ethernet only: another (802.1Q, PPPoE...) names
 * a payload that is not decoded, and 0x8035 is SLARP. */
void decode_chdlc(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < CHDLC_HEADER_LEN)
        return;
    uint16_t type = get_be16(p + 2);
    const uint8_t *q = p + CHDLC_HEADER_LEN;
    size_t cap = caplen - CHDLC_HEADER_LEN, rep = size_after(reported, CHDLC_HEADER_LEN);
    switch (type) {
    case ETHERTYPE_IPV4:
    case ETHERTYPE_IPV6:
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MC:
        decode_ethertype(type, q, cap, rep, r, 0);
        return;
    case CHDLC_ETHERNET:
        decode_link_type(type, r); /* the bridged frame's own when it has one */
        decode_ethernet(q, cap, rep, r, 1);
        return;
    case CHDLC_SLARP:
        decode_link_type(type, r);
        r->present |= HAS_LLCNAME;
        r->link_proto = LINK_SLARP;
        return;
    default:
        decode_link_type(type, r);
        r->present |= HAS_ETHTYPE;
        r->ethertype = type;
        return;
    }
}

void decode_frelay(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    /* Q.922 address: 2 to 4 bytes, the last with its EA bit set. */
    size_t off = 0;
    while (off < caplen && off < Q922_MAX_ADDRESS && !(p[off++] & 1))
        ;
    if (off < 2 || caplen < off + 2)
        return;
    if (p[off] != HDLC_UI) {
        /* Cisco's encapsulation: an Ethertype right after the address */
        decode_ethertype(get_be16(p + off), p + off + 2, caplen - off - 2,
                         size_after(reported, off + 2), r, 0);
        return;
    }
    off++;
    if (p[off] == NLPID_PAD && caplen > off + 1)
        off++;
    uint8_t nlpid = p[off++];
    const uint8_t *q = p + off;
    size_t cap = caplen - off, rep = size_after(reported, off);
    if (nlpid == NLPID_IPV4)
        decode_ip_any(q, cap, rep, r, 0);
    else if (nlpid == NLPID_IPV6)
        decode_ipv6(q, cap, rep, r, 0);
    else if (nlpid == NLPID_SNAP && cap >= 5 && q[0] == 0 && q[1] == 0 && q[2] == 0)
        decode_ethertype(get_be16(q + 3), q + 5, cap - 5, size_after(rep, 5), r, 0);
}
