/* decode_link.c: link-layer decoders. Each finds the network-layer payload
 * and its type, then hands over to decode_ethertype. Unknown link types
 * leave the row with its record fields only. */
#include "decode.h"
#include "bytes.h"
#include "linktype.h"
#include "names.h"

/* IEEE8023_MAX_LEN (decode.h) and below is a length, from here a type.
 * As Wireshark's packet-eth.c reads an Ethernet header: 0 is a type (its
 * ETHERTYPE_UNK, Cisco MDS frames), and the values between are neither
 * (its "Invalid length/type": the payload is not dissected). */
#define ETHERTYPE_MIN 0x0600
#define ETHER_HEADER_LEN 14
#define VLAN_TAG_LEN 4
#define VLAN_ID_MASK 0x0FFF
#define LLC_SNAP_SAP 0xAA
#define LLC_STP_SAP 0x42
#define LLC_IP_SAP 0x06        /* IEEE-assigned to the Internet Protocol */
#define LLC_UI 0x03            /* the unnumbered-information control byte */
#define LLC_U_MASK 0x03        /* U frames: control's low bits 11, one byte */
#define LLC_I_MASK 0x01        /* I frames: control's low bit 0 */
#define SNAP_HEADER_LEN 5      /* OUI, then the protocol id */
#define OUI_RFC1042 0x000000   /* the protocol id is an Ethertype */
#define OUI_BRIDGE_TUNNEL 0x0000F8 /* IEEE 802.1H: an Ethertype too */
#define SLL_HEADER_LEN 16
#define SLL2_HEADER_LEN 20
/* Linux cooked captures: a 6-byte sender address is shown as a MAC whatever
 * the hardware type (loopback's is zeros), as Wireshark's sll.src.eth */
#define SLL_MAC_LEN 6
#define SLL_ADDR_OFFSET 6       /* SLL: the address, after its length at 4 */
#define SLL2_ADDR_OFFSET 12     /* SLL2: the address, after its length at 11 */
#define SLL_HATYPE_OFFSET 2
#define SLL2_HATYPE_OFFSET 8
/* Linux ARPHRD_NETLINK (an nlmon device): the protocol field holds a
 * netlink family, not an Ethertype */
#define ARPHRD_NETLINK 824
#define NLMSG_HEADER_LEN 16
#define NLMSG_MIN_TYPE 16       /* below: netlink's own control messages */
#define NETLINK_ROUTE 0
#define NETLINK_SOCK_DIAG 4
#define NETLINK_NETFILTER 12
#define NETLINK_GENERIC 16
#define SLL_PROTO_ETHERNET 0x0003 /* Linux ETH_P_ALL: a whole Ethernet frame follows */
#define SLL_PROTO_8022 0x0004 /* Linux ETH_P_802_2: an LLC header follows */
#define NULL_HEADER_LEN 4
#define MPLS_CONTROL_WORD_LEN 4   /* a pseudowire's (RFC 4385) */
/* its first 16 bits after the 0 nibble: reserved, sent as 0 (RFC 4448 4.6) */
#define MPLS_CONTROL_WORD_RESERVED 0x0FFF
#define ETHERTYPE_MACSEC 0x88E5
#define ETHERTYPE_JUMBO_LLC 0x8870 /* an 802.2 LLC header follows (jumbo frames) */
#define MACSEC_TCI_SC 0x20     /* an 8-byte SCI follows the packet number */
#define MACSEC_TCI_E 0x08      /* encrypted: the payload cannot be read */
#define MACSEC_ICV_LEN 16
#define ARC_IP_RFC1051 0xF0
#define ARC_ARP_RFC1051 0xF1
#define ARC_IP_RFC1201 0xD4
#define ARC_ARP_RFC1201 0xD5
#define ARC_IPV6_RFC1201 0xC4
#define NFULA_PAYLOAD 9
/* Linux IPoIB captures: destination and source hardware addresses (20
 * bytes each), then the RFC 4391 header: Ethertype and two reserved bytes. */
#define IPOIB_ADDRS_LEN 40
#define IPOIB_HEADER_LEN 44
#define ETHERTYPE_NSH 0x894F
#define MACSEC_SL_MASK 0x3F     /* short length: secure data bytes when < 48 */
#define NSH_NEXT_IPV4 1
#define NSH_NEXT_IPV6 2
#define NSH_NEXT_ETHERNET 3

/* BSD address families seen in DLT_NULL/DLT_LOOP headers: AF_INET is 2
 * everywhere; AF_INET6 differs per system. Linux's AF_INET6 (10) is none
 * of them: tshark 4.0 (packet-null.c) and tcpdump show it as unknown. */
#define BSD_AF_INET 2
#define NETBSD_AF_INET6 24   /* also OpenBSD and BSD/OS */
#define FREEBSD_AF_INET6 28  /* also DragonFly */
#define DARWIN_AF_INET6 30
/* Linux NFLOG's family byte: netfilter's NFPROTO_ values */
#define NFPROTO_IPV4 2
#define NFPROTO_IPV6 10

/* IEEE 802.2 LLC, as Wireshark's packet-llc.c reads it: DSAP, SSAP, then
 * a control field of one byte (U frames) or two (I and S frames). Only an
 * information frame (I, or UI: control 0x03 exactly) hands its payload on:
 * behind SNAP (DSAP and SSAP 0xAA) whose OUI is RFC 1042's 00-00-00 or
 * the IEEE 802.1H bridge tunnel's 00-00-F8, the protocol id is an
 * Ethertype (other OUIs, Apple's 08-00-07 too, have their own protocol
 * ids); behind DSAP 0x06, whatever the SSAP, an IP packet, when any byte
 * follows. Other frames are named: STP (DSAP 0x42) or LLC. */
void decode_llc(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (caplen >= 3 && (!(p[2] & LLC_I_MASK) || p[2] == LLC_UI)) {
        size_t off = (p[2] & LLC_U_MASK) == LLC_U_MASK ? 3 : 4; /* DSAP, SSAP, control */
        if (p[0] == LLC_SNAP_SAP && p[1] == LLC_SNAP_SAP) {
            if (caplen >= off + SNAP_HEADER_LEN) {
                uint32_t oui = get_be16(p + off) << 8 | p[off + 2];
                size_t end = off + SNAP_HEADER_LEN;
                if (oui == OUI_RFC1042 || oui == OUI_BRIDGE_TUNNEL) {
                    decode_ethertype(get_be16(p + off + 3), p + end, caplen - end,
                                     size_after(reported, end), r, depth + 1);
                    return;
                }
            }
        } else if (p[0] == LLC_IP_SAP && caplen >= off && reported > off) {
            decode_ip_any(p + off, caplen - off, reported - off, r, depth + 1);
            return;
        }
    }
    r->present |= HAS_LLCNAME;
    r->link_proto = caplen >= 1 && p[0] == LLC_STP_SAP ? LINK_STP : LINK_LLC;
}

/* An 802.3 frame's MAC client data: its length field bounds the LLC PDU,
 * what follows is pad or a trailer (IEEE 802.3 3.2.6), whatever the IP
 * length inside says. A length past the frame stops at its end. As
 * Wireshark's dissect_802_3 (packet-ieee8023.c) bounds its buffer. */
static void decode_8023(size_t length, const uint8_t *p, size_t caplen, size_t reported,
                        struct row *r, int depth)
{
    if (reported > length)
        reported = length;
    if (caplen > reported)
        caplen = reported;
    decode_llc(p, caplen, reported, r, depth);
}

static int decode_macsec(const uint8_t *p, size_t caplen, size_t reported, struct row *r,
                         int depth);


/* Whether an Ethertype leads decode_ethertype to a network layer: the
 * types its switch follows (VLAN tags aside), and ARP, a network layer of
 * its own. Keep in step with decode_ethertype. */
static int ethertype_reaches_network(uint16_t type)
{
    switch (type) {
    case ETHERTYPE_IPV4:
    case ETHERTYPE_IPV6:
    case ETHERTYPE_ARP:
    case ETHERTYPE_ARISTA:
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MC:
    case ETHERTYPE_JUMBO_LLC:
    case ETHERTYPE_PPPOE_SESSION:
    case ETHERTYPE_NSH:
    case ETHERTYPE_MACSEC:
        return 1;
    default:
        return 0;
    }
}

static int is_vlan_ethertype(uint16_t type)
{
    return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD;
}

/* Whether the bytes at p read as an Ethernet frame carrying a network
 * layer: past its VLAN tags (at most VLAN_MAX_TAGS, beyond which the
 * decoders stop), an Ethertype that reaches one, and for IPv4 and IPv6 a
 * header of that version (the bytes after a wrong reading hold no such
 * header but by chance). */
static int reads_as_network_frame(const uint8_t *p, size_t caplen)
{
    size_t off = ETHER_HEADER_LEN - 2;
    for (int tags = 0; caplen >= off + 2 && is_vlan_ethertype(get_be16(p + off)); tags++) {
        if (tags == VLAN_MAX_TAGS)
            return 0;
        off += VLAN_TAG_LEN;
    }
    if (caplen < off + 2)
        return 0;
    uint16_t type = get_be16(p + off);
    off += 2;
    if (type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6)
        return caplen > off && p[off] >> 4 == (type == ETHERTYPE_IPV4 ? 4 : 6);
    return ethertype_reaches_network(type);
}

/* An Ethernet pseudowire (RFC 4448), p at what follows the bottom label,
 * whose first nibble is 0: the length of its control word, 4 or 0. RFC
 * 4385's first-nibble rule says a control word; RFC 4448 leaves the
 * control word optional, and without one the frame's destination address
 * begins there, often with a 0 nibble (00:1b:21:..., any locally
 * administered 02:...). So the frame is read without a control word when
 * only that reading finds a network layer (reads_as_network_frame: its
 * Ethertype at bytes 12-13, past VLAN tags, against the one at bytes
 * 16-17 after a control word), after one when only that one does or
 * neither does. Both do when a frame without a control word carries a
 * VLAN tag (a tag is as long as a control word: after one, the next
 * Ethertype falls where the first reading's does) or by chance; then the
 * bits a control word would have reserved (4-15: sent as 0, RFC 4448
 * section 4.6) decide: a destination 00:1b:21:... sets them (no control
 * word), 00:00:5e:... does not (misread, the IP packet the same).
 * Wireshark 4.0 decides by its manufacturer database instead
 * (packet-pw-eth.c, dissect_pw_eth_heuristic()); README, "Compared with
 * tshark". Shared with hwts.c's search for a trailer. */
size_t mpls_pw_control_word_len(const uint8_t *p, size_t caplen)
{
    if (caplen <= MPLS_CONTROL_WORD_LEN || !reads_as_network_frame(p, caplen))
        return MPLS_CONTROL_WORD_LEN;
    if (!reads_as_network_frame(p + MPLS_CONTROL_WORD_LEN, caplen - MPLS_CONTROL_WORD_LEN))
        return 0;
    return get_be16(p) & MPLS_CONTROL_WORD_RESERVED ? 0 : MPLS_CONTROL_WORD_LEN;
}

/* MPLS labels (RFC 3032) until the bottom-of-stack bit; what follows is
 * told by its first nibble, as RFC 4385 and RFC 4928 lay out and
 * packet-mpls.c reads it: 4 or 6 an IP packet; 0 an Ethernet pseudowire
 * (RFC 4448), with or without a control word as
 * mpls_pw_control_word_len() decides; any other (1: RFC 5586's associated
 * channel) no IP. */
void decode_mpls(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    size_t off = 0;
    for (int n = 0; n < DECODE_MAX_MPLS_LABELS; n++) {
        if (caplen < off + MPLS_LABEL_LEN)
            return;
        int bottom = p[off + 2] & 1;
        off += MPLS_LABEL_LEN;
        if (bottom) {
            if (caplen > off && p[off] >> 4 == 0) {
                off += mpls_pw_control_word_len(p + off, caplen - off);
                if (caplen >= off)
                    decode_ethernet(p + off, caplen - off, size_after(reported, off), r, depth + 1);
                return;
            }
            decode_ip_any(p + off, caplen - off, size_after(reported, off), r, depth + 1);
            return;
        }
    }
}

/* The captured bytes (from its TCI at p) tshark needs before it shows a
 * tag's id: the TCI; for an 802.1ad tag, whose dissector
 * (packet-ieee8021ah.c) reads the tag's type first, the type too and, when
 * that is 802.1ad again (read as one with it, the outer id shown as its
 * S-VID), the next tag's TCI. */
static size_t vlan_id_needs(uint16_t type, const uint8_t *p, size_t caplen)
{
    if (type != ETHERTYPE_QINQ)
        return 2;
    if (caplen >= VLAN_TAG_LEN && get_be16(p + 2) == ETHERTYPE_QINQ)
        return VLAN_TAG_LEN + 2;
    return VLAN_TAG_LEN;
}

/* 802.1Q, 802.1ad and pre-standard 0x9100 tags, stacked; the outermost
 * VLAN id is the one reported. Wireshark 4.0 gives 0x8100 and 0x9100 one
 * dissector (packet-vlan.c), which reads at most VLAN_MAX_TAGS of them in a
 * packet, counting every encapsulation (its per-packet proto depth): the
 * next one ends the dissection there ("Too many nested VLAN tags"). Such a
 * tag returns 0: the row is the non-IP payload of type 0x8100/0x9100, as
 * tshark shows it (Protocol VLAN, no IP). 802.1ad tags have a dissector of
 * their own (packet-ieee8021ah.c) without that count. */
static int decode_vlan_tag(uint16_t type, const uint8_t *p, size_t caplen, size_t reported,
                           struct row *r, int depth)
{
    if (type != ETHERTYPE_QINQ) {
        if (r->vlan_tags == VLAN_MAX_TAGS)
            return 0;
        r->vlan_tags++;
    }
    if (caplen < 2)
        return 1;
    uint16_t id = get_be16(p) & VLAN_ID_MASK;
    if (!(r->present & HAS_VLAN) && caplen >= vlan_id_needs(type, p, caplen)) {
        r->present |= HAS_VLAN;
        r->vlan = id;
    }
    /* The reassembly key's VLAN is packet-vlan.c's pinfo->vlan_id: the
     * first non-zero id of a tag this dissector reads, so neither an
     * 802.1ad tag's nor a priority tag's (id 0). */
    if (type != ETHERTYPE_QINQ && !r->frag_vlan)
        r->frag_vlan = id;
    if (caplen < VLAN_TAG_LEN)
        return 1;
    /* packet-vlan.c takes a length up to 1500 (0 too) for an 802.3 one;
     * packet-ieee8021ah.c hands any value to the Ethertype table. */
    uint16_t inner = get_be16(p + 2);
    if (inner <= IEEE8023_MAX_LEN && type != ETHERTYPE_QINQ)
        decode_8023(inner, p + VLAN_TAG_LEN, caplen - VLAN_TAG_LEN,
                    size_after(reported, VLAN_TAG_LEN), r, depth + 1);
    else
        decode_ethertype(inner, p + VLAN_TAG_LEN, caplen - VLAN_TAG_LEN,
                         size_after(reported, VLAN_TAG_LEN), r, depth + 1);
    return 1;
}

void decode_ethertype(uint16_t type, const uint8_t *p, size_t caplen, size_t reported,
                      struct row *r, int depth)
{
    if (depth > DECODE_MAX_DEPTH)
        return;
    decode_link_type(type, r);
    switch (type) {
    case ETHERTYPE_IPV4:
        /* By the version nibble, as tshark's IPv4 dissector does: an IPv6
         * packet behind Ethertype 0x0800 is decoded as IPv6. */
        decode_ip_any(p, caplen, reported, r, depth);
        return;
    case ETHERTYPE_IPV6:
        /* packet-ipv6.c declines a header of another version (RFC 8200
         * says 6): the payload is then the Ethertype's data, as tshark
         * shows it */
        if (caplen >= 1 && p[0] >> 4 != 6)
            break;
        decode_ipv6(p, caplen, reported, r, depth);
        return;
    case ETHERTYPE_VLAN:
    case ETHERTYPE_QINQ:
    case ETHERTYPE_QINQ_OLD:
        if (decode_vlan_tag(type, p, caplen, reported, r, depth))
            return;
        break;
    case ETHERTYPE_ARISTA:
        /* Arista's vendor header: subtype, version, then a 64-bit or 48-bit
         * timestamp by the version's format, then the Ethertype. Every
         * timescale and hardware generation (R3's 0x0011...), as tcpdump;
         * tshark 4.0 stops at the versions it does not list. */
        if (caplen >= 4 && get_be16(p) == ARISTA_SUBTYPE_TIMESTAMP) {
            size_t ts = arista_timestamp_len(get_be16(p + 2));
            if (!ts)
                break; /* an unknown format: tcpdump stops here too */
            size_t off = 4 + ts;
            if (caplen < off + 2)
                return;
            decode_ethertype(get_be16(p + off), p + off + 2, caplen - off - 2,
                             size_after(reported, off + 2), r, depth + 1);
            return;
        }
        break;
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MC:
        decode_mpls(p, caplen, reported, r, depth);
        return;
    case ETHERTYPE_JUMBO_LLC:
        decode_llc(p, caplen, reported, r, depth + 1);
        return;
    case ETHERTYPE_PPPOE_SESSION:
        if (caplen >= 6) {
            decode_pppoe_session(p, caplen, reported, r, depth + 1);
            return;
        }
        break;
    case ETHERTYPE_NSH:
        /* RFC 8300: length in 4-byte words in the low 6 bits of byte 1,
         * next protocol in byte 3 */
        if (caplen >= 4) {
            size_t len = (size_t)(p[1] & 0x3F) * 4;
            if (len >= 8 && caplen >= len) {
                if (p[3] == NSH_NEXT_IPV4) {
                    decode_ip_any(p + len, caplen - len, size_after(reported, len), r, depth + 1);
                    return;
                }
                if (p[3] == NSH_NEXT_IPV6) {
                    decode_ipv6(p + len, caplen - len, size_after(reported, len), r, depth + 1);
                    return;
                }
                if (p[3] == NSH_NEXT_ETHERNET) {
                    decode_ethernet(p + len, caplen - len, size_after(reported, len), r, depth + 1);
                    return;
                }
            }
        }
        break;
    case ETHERTYPE_MACSEC:
        if (decode_macsec(p, caplen, reported, r, depth))
            return;
        break;
    default:
        break;
    }
    r->present |= HAS_ETHTYPE;
    r->ethertype = type;
}

/* IEEE 802.1AE: the SecTAG (8 bytes, 16 with an SCI), then, when the frame
 * is not encrypted, the protected frame's Ethertype. Returns 0 when the
 * payload cannot be seen. */
static int decode_macsec(const uint8_t *p, size_t caplen, size_t reported, struct row *r,
                         int depth)
{
    if (caplen < 1)
        return 0;
    uint8_t tci = p[0];
    if (tci & MACSEC_TCI_E)
        return 0;
    /* TCI/AN, short length, packet number, then the SCI when present */
    size_t off = (tci & MACSEC_TCI_SC) ? 14 : 6;
    if (caplen < off + 2)
        return 0;
    /* the 16-byte ICV at the end is not part of the payload; a nonzero
     * short length gives the secure data's length exactly */
    size_t rep = size_after(reported, off + 2);
    size_t sl = caplen >= 2 ? (p[1] & MACSEC_SL_MASK) : 0;
    if (sl >= 2)
        rep = sl - 2 < rep ? sl - 2 : rep;
    else
        rep = size_after(rep, MACSEC_ICV_LEN);
    size_t cap = caplen - off - 2;
    decode_ethertype(get_be16(p + off), p + off + 2, cap < rep ? cap : rep, rep, r, depth + 1);
    return 1;
}

/* ARCNET (RFC 1051 and RFC 1201 framing; Linux captures add two bytes of
 * offset after the addresses). */
static void decode_arcnet(const uint8_t *p, size_t caplen, size_t reported, struct row *r,
                          int linux_header)
{
    size_t off = linux_header ? 4 : 2;
    if (caplen < off + 1)
        return;
    uint8_t id = p[off++];
    int rfc1201 = 0;
    switch (id) {
    case ARC_IP_RFC1051:
    case ARC_ARP_RFC1051:
        break;
    default:
        rfc1201 = 1;
        break;
    }
    if (rfc1201) {
        /* split flag, then a 2-byte sequence; an exception packet (split flag
         * 0xff) repeats the header after 4 bytes of padding */
        if (caplen < off + 1)
            return;
        if (p[off] == 0xFF) {
            off += 4;
            if (caplen < off + 1)
                return;
            id = p[off++];
        }
        off += 3;
    }
    if (caplen < off)
        return;
    switch (id) {
    case ARC_IP_RFC1051:
    case ARC_IP_RFC1201:
        decode_ip_any(p + off, caplen - off, size_after(reported, off), r, 0);
        break;
    case ARC_IPV6_RFC1201:
        decode_ipv6(p + off, caplen - off, size_after(reported, off), r, 0);
        break;
    case ARC_ARP_RFC1051:
    case ARC_ARP_RFC1201:
        r->present |= HAS_ETHTYPE;
        r->ethertype = ETHERTYPE_ARP;
        break;
    default:
        break;
    }
}

/* Linux NFLOG: a 4-byte header (netfilter family first), then TLVs in
 * host byte order (little-endian on every capture seen); type 9 holds the
 * packet. */
static void decode_nflog(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < 4)
        return;
    uint8_t family = p[0];
    size_t off = 4;
    for (int n = 0; n < 256 && caplen >= off + 4; n++) {
        size_t len = get_le16(p + off);
        uint16_t type = get_le16(p + off + 2) & 0x7FFF;
        if (len < 4)
            return;
        if (type == NFULA_PAYLOAD) {
            size_t cap = caplen - off - 4, rep = size_after(reported, off + 4);
            size_t plen = len - 4;
            if (cap > plen)
                cap = plen;
            if (rep > plen)
                rep = plen;
            if (family == NFPROTO_IPV4)
                decode_ip_any(p + off + 4, cap, rep, r, 0);
            else if (family == NFPROTO_IPV6)
                decode_ipv6(p + off + 4, cap, rep, r, 0);
            return;
        }
        off += (len + 3) & ~(size_t)3;
    }
}

void decode_ethernet(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (depth > DECODE_MAX_DEPTH || caplen < ETHER_HEADER_LEN)
        return;
    r->mac = p;
    uint16_t type = get_be16(p + 12);
    if (type >= ETHERTYPE_MIN || type == 0)
        decode_ethertype(type, p + ETHER_HEADER_LEN, caplen - ETHER_HEADER_LEN,
                         size_after(reported, ETHER_HEADER_LEN), r, depth);
    else if (type <= IEEE8023_MAX_LEN)
        decode_8023(type, p + ETHER_HEADER_LEN, caplen - ETHER_HEADER_LEN,
                    size_after(reported, ETHER_HEADER_LEN), r, depth);
}

static void decode_sll_payload(uint16_t proto, const uint8_t *p, size_t caplen, size_t reported,
                               struct row *r)
{
    if (proto >= ETHERTYPE_MIN)
        decode_ethertype(proto, p, caplen, reported, r, 0);
    else if (proto == SLL_PROTO_8022)
        decode_llc(p, caplen, reported, r, 0);
    else if (proto == SLL_PROTO_ETHERNET && caplen >= ETHER_HEADER_LEN) {
        r->present &= ~HAS_NO_DMAC; /* the frame's own addresses, both */
        decode_ethernet(p, caplen, reported, r, 1);
    }
}

/* The protocol column of a netlink frame (caplen >= SLL_HEADER_LEN), as
 * tshark 4.0 fills it: its netlink dissector (packet-netlink.c) names the
 * frame "Netlink", then walks the messages while 16 bytes of the frame
 * remain (a length under 16, or a header not wholly captured, ends the
 * walk) and hands a message of a non-control type (NLMSG_MIN_TYPE on)
 * longer than its header to the dissector of its family (a length that is
 * negative as an int, but -1, "to the end", throws first), which names it:
 * route, sock_diag, netfilter and generic netlink have one in 4.0 (generic
 * netlink's may name a family further once it has seen the controller's
 * reply, which is not modelled). The lengths are in the capturing host's
 * byte order, guessed as Wireshark does: the one nearer the bytes left. */
static enum link_proto netlink_protocol(const uint8_t *p, size_t caplen, size_t reported)
{
    enum link_proto family;
    switch (get_be16(p + 14)) {
    case NETLINK_ROUTE: family = LINK_NETLINK_ROUTE; break;
    case NETLINK_SOCK_DIAG: family = LINK_NETLINK_SOCK_DIAG; break;
    case NETLINK_NETFILTER: family = LINK_NETLINK_NETFILTER; break;
    case NETLINK_GENERIC: family = LINK_NETLINK_GENERIC; break;
    default: return LINK_NETLINK;
    }
    size_t off = SLL_HEADER_LEN;
    if (caplen < off + 4)
        return LINK_NETLINK;
    size_t left = size_after(reported, off);
    uint32_t le = get_le32(p + off), be = get_be32(p + off);
    int big = (be > left ? be - left : left - be) < (le > left ? le - left : left - le);
    /* each message is 16 bytes at least: off grows */
    while (size_after(reported, off) >= NLMSG_HEADER_LEN && caplen >= off + NLMSG_HEADER_LEN) {
        uint32_t len = get_32(p + off, big);
        if (len < NLMSG_HEADER_LEN)
            break;
        if (get_16(p + off + 4, big) >= NLMSG_MIN_TYPE && len > NLMSG_HEADER_LEN)
            return len <= INT32_MAX || len == UINT32_MAX ? family : LINK_NETLINK;
        if (len > size_after(reported, off))
            break;
        off += len;
    }
    return LINK_NETLINK;
}

/* A netlink frame: a cooked header of hardware type ARPHRD_NETLINK (caplen
 * >= SLL_HATYPE_OFFSET + 2), then netlink messages. Wireshark's netlink
 * dissector reads it whole: no address, no Ethertype, no IP. */
static void decode_netlink_frame(const uint8_t *p, size_t caplen, size_t reported,
                                 struct row *r)
{
    r->present |= HAS_LLCNAME;
    r->link_proto = caplen >= SLL_HEADER_LEN ? netlink_protocol(p, caplen, reported)
                                             : LINK_NETLINK;
}

/* LINKTYPE_NETLINK, what libpcap writes for an nlmon device: the same
 * cooked header as SLL's netlink frames. Wireshark gives it to its netlink
 * dissector alone, which declines another hardware type (and a header cut
 * before it): no SLL decoding then, and an empty protocol column. */
static void decode_netlink(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen >= SLL_HATYPE_OFFSET + 2 && get_be16(p + SLL_HATYPE_OFFSET) == ARPHRD_NETLINK)
        decode_netlink_frame(p, caplen, reported, r);
}

/* Linux cooked capture (SLL): packet type, hardware type, address length,
 * 8 address bytes, protocol. Each field as far as the bytes go, as
 * packet-sll.c reads them: the sender's address before the protocol. */
static void decode_sll(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < SLL_HATYPE_OFFSET + 2)
        return;
    if (get_be16(p + SLL_HATYPE_OFFSET) == ARPHRD_NETLINK) {
        /* packet-sll.c hands the whole frame to its netlink dissector */
        decode_netlink_frame(p, caplen, reported, r);
        return;
    }
    if (caplen >= SLL_ADDR_OFFSET + SLL_MAC_LEN && get_be16(p + 4) == SLL_MAC_LEN)
        r->present |= HAS_NO_DMAC, r->mac = p + SLL_ADDR_OFFSET - SLL_MAC_LEN; /* smac: mac + 6 */
    if (caplen >= SLL_HEADER_LEN)
        decode_sll_payload(get_be16(p + 14), p + SLL_HEADER_LEN, caplen - SLL_HEADER_LEN,
                           size_after(reported, SLL_HEADER_LEN), r);
}

/* SLL2: protocol, reserved, interface index, hardware type, packet type,
 * address length, 8 address bytes. */
static void decode_sll2(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    /* packet-sll.c reads the packet type (as 2 bytes at 10) and the
     * hardware type first. Its netlink dissector reads an SLL header and
     * declines SLL2's: tshark 4.0 shows such a frame as data alone. */
    if (caplen < SLL2_HATYPE_OFFSET + 4 || get_be16(p + SLL2_HATYPE_OFFSET) == ARPHRD_NETLINK)
        return;
    if (caplen >= SLL2_ADDR_OFFSET + SLL_MAC_LEN && p[11] == SLL_MAC_LEN)
        r->present |= HAS_NO_DMAC, r->mac = p + SLL2_ADDR_OFFSET - SLL_MAC_LEN; /* smac: mac + 6 */
    uint16_t proto = get_be16(p);
    if (caplen >= SLL2_HEADER_LEN) {
        decode_sll_payload(proto, p + SLL2_HEADER_LEN, caplen - SLL2_HEADER_LEN,
                           size_after(reported, SLL2_HEADER_LEN), r);
    } else if (proto >= ETHERTYPE_MIN) {
        decode_link_type(proto, r); /* read first, shown though the header is cut */
    }
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
    reported = size_after(reported, NULL_HEADER_LEN);
    /* Some captures put an Ethertype in the low bytes instead of an address
     * family (Wireshark accepts that too). */
    if (!decode_family(af, p, caplen, reported, r) && get_be16(p - 2) >= ETHERTYPE_MIN)
        decode_ethertype(get_be16(p - 2), p, caplen, reported, r, 0);
}

int decode_family(uint32_t af, const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    switch (af) {
    case BSD_AF_INET:
        decode_ip_any(p, caplen, reported, r, 0);
        return 1;
    case NETBSD_AF_INET6:
    case FREEBSD_AF_INET6:
    case DARWIN_AF_INET6:
        decode_ipv6(p, caplen, reported, r, 0);
        return 1;
    default:
        return 0;
    }
}

void decode_link(uint32_t linktype, const uint8_t *p, size_t caplen, size_t reported,
                 struct row *r)
{
    switch (linktype) {
    case LINKTYPE_ETHERNET:
        decode_ethernet(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_LINUX_SLL:
        decode_sll(p, caplen, reported, r);
        break;
    case LINKTYPE_LINUX_SLL2:
        decode_sll2(p, caplen, reported, r);
        break;
    case LINKTYPE_NETLINK:
        decode_netlink(p, caplen, reported, r);
        break;
    case LINKTYPE_RAW:
    case DLT_RAW_BSD:
    case DLT_RAW_OPENBSD:
        decode_ip_any(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
        /* tshark goes by the version nibble here too */
        decode_ip_any(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_NULL:
        decode_null(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_LOOP:
        decode_null(p, caplen, reported, r, 1);
        break;
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
        decode_ppp_hdlc(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_C_HDLC:
        decode_chdlc(p, caplen, reported, r);
        break;
    case LINKTYPE_FRELAY:
        decode_frelay(p, caplen, reported, r);
        break;
    case LINKTYPE_IEEE802_11:
        decode_ieee80211(p, caplen, reported, r);
        break;
    case LINKTYPE_IEEE802_11_RADIOTAP:
        decode_radiotap(p, caplen, reported, r);
        break;
    case LINKTYPE_PPI:
        decode_ppi(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_ARCNET_BSD:
        decode_arcnet(p, caplen, reported, r, 0);
        break;
    case LINKTYPE_ARCNET_LINUX:
        decode_arcnet(p, caplen, reported, r, 1);
        break;
    case LINKTYPE_NFLOG:
        decode_nflog(p, caplen, reported, r);
        break;
    case LINKTYPE_IPOIB:
        if (caplen >= IPOIB_HEADER_LEN)
            decode_ethertype(get_be16(p + IPOIB_ADDRS_LEN), p + IPOIB_HEADER_LEN,
                             caplen - IPOIB_HEADER_LEN,
                             size_after(reported, IPOIB_HEADER_LEN), r, 0);
        break;
    case LINKTYPE_USER2_DARWIN_PKTAP:
    case LINKTYPE_PKTAP:
        /* Apple's PKTAP: a little-endian header length and link type, then
         * the packet with that link type. */
        if (caplen >= 8) {
            size_t hlen = get_le32(p);
            uint32_t inner = get_le32(p + 4);
            if (hlen >= 8 && hlen <= caplen && inner != LINKTYPE_PKTAP)
                decode_link(inner, p + hlen, caplen - hlen, size_after(reported, hlen), r);
        }
        break;
    default:
        decode_link_extra(linktype, p, caplen, reported, r); /* #15 */
        break;
    }
}
