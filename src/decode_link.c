/* decode_link.c: link-layer decoders. Each finds the network-layer payload
 * and its type, then hands over to decode_ethertype. Unknown link types
 * leave the row with its record fields only. */
#include "decode.h"
#include "bytes.h"
#include "linktype.h"

/* 802.3 frames carry a length, not a type, below this value (IEEE 802.3 3.2.6). */
#define ETHERTYPE_MIN 0x0600
#define ETHER_HEADER_LEN 14
#define VLAN_TAG_LEN 4
#define VLAN_ID_MASK 0x0FFF
#define LLC_SNAP_SAP 0xAA
#define LLC_STP_SAP 0x42
#define SLL_HEADER_LEN 16
#define SLL2_HEADER_LEN 20
#define SLL_PROTO_8022 0x0004 /* Linux ETH_P_802_2: an LLC header follows */
#define NULL_HEADER_LEN 4
#define PPP_PROTO_IPV4 0x0021
#define PPP_PROTO_IPV6 0x0057
#define MPLS_LABEL_LEN 4

/* BSD address families seen in DLT_NULL/DLT_LOOP headers: AF_INET is 2
 * everywhere; AF_INET6 differs per system. */
#define BSD_AF_INET 2
#define LINUX_AF_INET6 10
#define NETBSD_AF_INET6 24   /* also OpenBSD and BSD/OS */
#define FREEBSD_AF_INET6 28  /* also DragonFly */
#define DARWIN_AF_INET6 30

static inline size_t sub(size_t a, size_t b) { return a > b ? a - b : 0; }

/* IEEE 802.2 LLC: SNAP carries an Ethertype; other SAPs are named. */
static void decode_llc(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (caplen >= 8 && p[0] == LLC_SNAP_SAP && p[1] == LLC_SNAP_SAP && p[2] == 0x03 &&
        p[3] == 0 && p[4] == 0 && p[5] == 0) {
        decode_ethertype(get_be16(p + 6), p + 8, caplen - 8, sub(reported, 8), r, depth + 1);
        return;
    }
    r->present |= HAS_LLCNAME;
    r->link_name = caplen >= 1 && p[0] == LLC_STP_SAP ? "STP" : "LLC";
}

static void decode_mpls(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    /* Labels until the bottom-of-stack bit, then IP guessed by its version
     * nibble (as Wireshark does without a pseudowire control word). */
    size_t off = 0;
    for (int n = 0; n < DECODE_MAX_DEPTH * 4; n++) {
        if (caplen < off + MPLS_LABEL_LEN)
            return;
        int bottom = p[off + 2] & 1;
        off += MPLS_LABEL_LEN;
        if (bottom) {
            decode_ip_any(p + off, caplen - off, sub(reported, off), r, depth + 1);
            return;
        }
    }
}

void decode_ethertype(uint16_t type, const uint8_t *p, size_t caplen, size_t reported,
                      struct row *r, int depth)
{
    if (depth > DECODE_MAX_DEPTH)
        return;
    switch (type) {
    case ETHERTYPE_IPV4:
        decode_ipv4(p, caplen, reported, r, depth);
        return;
    case ETHERTYPE_IPV6:
        decode_ipv6(p, caplen, reported, r, depth);
        return;
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MC:
        decode_mpls(p, caplen, reported, r, depth);
        return;
    case ETHERTYPE_PPPOE_SESSION:
        /* RFC 2516: 6-byte PPPoE header, then the PPP protocol field. */
        if (caplen >= 8) {
            uint16_t ppp = get_be16(p + 6);
            if (ppp == PPP_PROTO_IPV4 || ppp == PPP_PROTO_IPV6) {
                decode_ip_any(p + 8, caplen - 8, sub(reported, 8), r, depth + 1);
                return;
            }
        }
        break;
    default:
        break;
    }
    r->present |= HAS_ETHTYPE;
    r->ethertype = type;
}

static void decode_ethernet(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < ETHER_HEADER_LEN)
        return;
    size_t off = 12;
    uint16_t type = get_be16(p + off);
    /* Stacked 802.1Q / 802.1ad / pre-standard 0x9100 tags; the outermost
     * VLAN id is the one reported. */
    for (int n = 0; n < DECODE_MAX_DEPTH; n++) {
        if (type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ && type != ETHERTYPE_QINQ_OLD)
            break;
        if (caplen < off + 2 + VLAN_TAG_LEN)
            return;
        if (!(r->present & HAS_VLAN)) {
            r->present |= HAS_VLAN;
            r->vlan = get_be16(p + off + 2) & VLAN_ID_MASK;
        }
        off += VLAN_TAG_LEN;
        type = get_be16(p + off);
    }
    off += 2;
    if (type < ETHERTYPE_MIN)
        decode_llc(p + off, caplen - off, sub(reported, off), r, 0);
    else
        decode_ethertype(type, p + off, caplen - off, sub(reported, off), r, 0);
}

static void decode_sll_payload(uint16_t proto, const uint8_t *p, size_t caplen, size_t reported,
                               struct row *r)
{
    if (proto >= ETHERTYPE_MIN)
        decode_ethertype(proto, p, caplen, reported, r, 0);
    else if (proto == SLL_PROTO_8022)
        decode_llc(p, caplen, reported, r, 0);
}

static void decode_null(const uint8_t *p, size_t caplen, size_t reported, struct row *r,
                        int network_order)
{
    if (caplen < NULL_HEADER_LEN)
        return;
    /* DLT_NULL's family is in the capturing host's byte order: a value that
     * only makes sense swapped was written big-endian. */
    uint32_t af = network_order ? get_be32(p) : get_le32(p);
    if (!network_order && (af & 0xFFFF0000u))
        af = get_be32(p);
    p += NULL_HEADER_LEN;
    caplen -= NULL_HEADER_LEN;
    reported = sub(reported, NULL_HEADER_LEN);
    switch (af) {
    case BSD_AF_INET:
        decode_ipv4(p, caplen, reported, r, 0);
        break;
    case LINUX_AF_INET6:
    case NETBSD_AF_INET6:
    case FREEBSD_AF_INET6:
    case DARWIN_AF_INET6:
        decode_ipv6(p, caplen, reported, r, 0);
        break;
    default:
        break;
    }
}

void decode_link(uint32_t linktype, const uint8_t *p, size_t caplen, size_t reported,
                 struct row *r)
{
    switch (linktype) {
    case LINKTYPE_ETHERNET:
        decode_ethernet(p, caplen, reported, r);
        break;
    case LINKTYPE_LINUX_SLL:
        if (caplen >= SLL_HEADER_LEN)
            decode_sll_payload(get_be16(p + 14), p + SLL_HEADER_LEN, caplen - SLL_HEADER_LEN,
                               sub(reported, SLL_HEADER_LEN), r);
        break;
    case LINKTYPE_LINUX_SLL2:
        if (caplen >= SLL2_HEADER_LEN)
            decode_sll_payload(get_be16(p), p + SLL2_HEADER_LEN, caplen - SLL2_HEADER_LEN,
                               sub(reported, SLL2_HEADER_LEN), r);
        break;
    case LINKTYPE_RAW:
    case DLT_RAW_BSD:
    case DLT_RAW_OPENBSD:
        decode_ip_any(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_IPV4:
        decode_ipv4(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_IPV6:
        decode_ipv6(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_NULL:
        decode_null(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_LOOP:
        decode_null(p, caplen, reported, r, 1);
        break;
    default:
        break;
    }
}
