/* decode_tunnel.c: GRE (RFC 2784, RFC 2890 key and sequence, RFC 2637
 * enhanced GRE of PPTP), ERSPAN types I, II and III, VXLAN (RFC 7348) and
 * VXLAN-GPE, GENEVE (RFC 8926), followed to the innermost packet as
 * Wireshark 4.0 does (packet-gre.c, packet-erspan.c, packet-vxlan.c,
 * packet-geneve.c). The inner packet replaces the outer one in the row when
 * it carries IP; when it does not (ARP, STP...), the row keeps the tunnel's
 * own IP header and transport fields. */
#include "tunnel.h"
#include "bytes.h"
#include "decode.h"

#include <string.h>

/* GRE flags and version (RFC 2784 section 2, RFC 2890, RFC 2637 4.1) */
#define GRE_CHECKSUM 0x8000
#define GRE_ROUTING 0x4000
#define GRE_KEY 0x2000
#define GRE_SEQUENCE 0x1000
#define GRE_ACK 0x0080
#define GRE_VERSION 0x0007
#define GRE_HEADER_LEN 4
/* GRE protocol types that Wireshark 4.0's gre.proto table sends to a
 * decoder that reaches IP (tshark -G decodes) */
#define GRE_ETHERNET 0x6558      /* transparent Ethernet bridging */
#define GRE_ETHERNET_OLD 0x6400  /* Wireshark: "eth" as well */
#define GRE_ERSPAN_I_II 0x88BE
#define GRE_ERSPAN_III 0x22EB
#define GRE_PPP 0x880B
#define GRE_PPP_HDLC 0x8881
#define GRE_PPP_HDLC2 0x88D2
#define GRE_WCCP 0x883E
#define GRE_NSH 0x894F
#define GRE_CISCO_METADATA 0x8909
/* Cisco MetaData behind GRE: Ethertype, version, length, options, SGT */
#define CMD_GRE_HEADER_LEN 8
#define ERSPAN_II_HEADER_LEN 8
#define ERSPAN_III_HEADER_LEN 12
#define ERSPAN_III_PLATFORM_LEN 8  /* when the O bit is set */
#define ERSPAN_III_O_BIT 0x01
/* Frame Type, bits 14-10 of the type III header's last 16-bit word: 0 is
 * an Ethernet frame, 2 an IP packet, the others are not assigned */
#define ERSPAN_III_FRAME_TYPE(w) (((w) >> 10) & 0x1F)
#define ERSPAN_FRAME_ETHERNET 0
#define ERSPAN_VERSION_II 1
#define ERSPAN_VERSION_III 2
#define ERSPAN_SESSION_MASK 0x03FF
#define ERSPAN_VLAN_MASK 0x0FFF
#define ERSPAN_II_ENCAP(w) (((w) >> 11) & 0x3) /* of the second 16-bit word */
#define ERSPAN_ENCAP_TAGGED 3  /* the frame keeps its own 802.1Q tag */
#define VXLAN_HEADER_LEN 8
#define VXLAN_GPE_IPV4 1
#define VXLAN_GPE_IPV6 2
#define VXLAN_GPE_ETHERNET 3
#define VXLAN_GPE_NSH 4
#define VXLAN_GPE_MPLS 5
#define GENEVE_HEADER_LEN 8
#define UDP_HEADER_LEN 8
/* GTP-U (3GPP TS 29.281): flags, message type, length, TEID; then 4 more
 * bytes when any of E, S, PN is set, then extension headers while the last
 * byte of the previous one names a next. */
#define GTP_HEADER_LEN 8
#define GTP_VERSION_1 1
#define GTP_FLAG_PT 0x10
#define GTP_FLAGS_OPTIONAL 0x07
#define GTP_FLAG_E 0x04
#define GTP_MSG_TPDU 0xFF

static const char *const tunnel_names[] = {
    [TUNNEL_NONE] = "", [TUNNEL_IPIP] = "ipip", [TUNNEL_GRE] = "gre",
    [TUNNEL_ERSPAN] = "erspan", [TUNNEL_VXLAN] = "vxlan", [TUNNEL_GENEVE] = "geneve",
    [TUNNEL_GTP] = "gtp", [TUNNEL_MPLS] = "mpls",
};

const char *tunnel_name(uint8_t kind)
{
    return kind < sizeof tunnel_names / sizeof tunnel_names[0] ? tunnel_names[kind] : "";
}

/* The outermost tunnel's id: only the tunnel that entered first sets it. */
static void enter_with_id(struct row *r, uint8_t kind, int has_id, uint32_t id)
{
    if (r->tunnel != TUNNEL_NONE)
        return;
    tunnel_enter(r, kind);
    r->tunnel_has_id = (uint8_t)has_id;
    r->tunnel_id = id;
}

/* INNER_MPLS: a label stack named by the tunnel's own code, not by an
 * Ethertype field (the ethertype column shows only fields on the wire);
 * INNER_IP: an IP packet of either version, INNER_IPV6 one that the code
 * names IPv6 (version 6 only). */
enum inner_kind { INNER_ETHERNET, INNER_ETHERTYPE, INNER_GRE_TYPE, INNER_PPP, INNER_IP,
                  INNER_IPV6, INNER_MPLS };

static void decode_gre_type(uint16_t type, const uint8_t *p, size_t caplen, size_t reported,
                            struct row *r, int depth);

/* Decodes the encapsulated packet in place of the outer one; when it holds
 * no IP header, or the snap length cut it before its source address, the
 * outer packet's fields come back (a row with no address at all could be
 * chosen by no --host, --port or --proto; tshark shows only the outer
 * addresses there). The VLAN column stays the outermost link's, and so do
 * the MAC addresses when the inner packet has no Ethernet header: a Linux
 * cooked header's sender alone then (HAS_NO_DMAC), as without a tunnel. */
static void follow(enum inner_kind how, uint16_t type, const uint8_t *p, size_t caplen,
                   size_t reported, struct row *r, int depth)
{
    int inner = decode_tunnel_depth(depth);
    if (inner > DECODE_MAX_DEPTH)
        return;
    struct row outer = *r;
    r->present &= HAS_TIME | HAS_IFACE | HAS_VLAN;
    r->ipver = IPVER_NONE;
    r->payload = NULL;
    r->payload_caplen = 0;
    if (caplen > reported)
        caplen = reported;
    switch (how) {
    case INNER_ETHERNET:
        decode_ethernet(p, caplen, reported, r, inner);
        break;
    case INNER_ETHERTYPE:
        decode_ethertype(type, p, caplen, reported, r, inner);
        break;
    case INNER_GRE_TYPE:
        decode_gre_type(type, p, caplen, reported, r, inner);
        break;
    case INNER_PPP:
        decode_ppp(p, caplen, reported, r, inner);
        break;
    case INNER_IP:
        decode_ip_any(p, caplen, reported, r, inner);
        break;
    case INNER_IPV6:
        decode_ipv6(p, caplen, reported, r, inner);
        break;
    case INNER_MPLS:
        decode_mpls(p, caplen, reported, r, inner);
        break;
    }
    if (!decode_has_address(r)) {
        *r = outer;
        return;
    }
    r->present = (r->present & ~(uint32_t)HAS_VLAN) | (outer.present & HAS_VLAN);
    r->vlan = outer.vlan;
    if (r->mac == outer.mac)
        r->present |= outer.present & HAS_NO_DMAC;
}

/* packet-erspan.c sets pinfo->vlan_id, which keys IPv4 reassembly, from
 * the header's VLAN field: type II when no tag has set it and the frame
 * does not keep its own tag (encapsulation 3), type III always (over an
 * outer tag's, and to 0 when the field is). */
static void erspan_frag_vlan(unsigned version, const uint8_t *p, struct row *r)
{
    uint16_t vlan = get_be16(p) & ERSPAN_VLAN_MASK;
    if (version == ERSPAN_VERSION_III)
        r->frag_vlan = vlan;
    else if (!r->frag_vlan && ERSPAN_II_ENCAP(get_be16(p + 2)) != ERSPAN_ENCAP_TAGGED)
        r->frag_vlan = vlan;
}

/* ERSPAN (draft-foschiano-erspan): without GRE's sequence bit, type I, an
 * Ethernet frame right after GRE; otherwise the version field says II (1)
 * or III (2), whatever the GRE protocol type. Wireshark 4.0 decodes nothing
 * behind another version (its "fake ERSPAN" preference is off), and behind
 * a type III header only an Ethernet frame (Frame Type 0): packet-erspan.c
 * shows any other Frame Type as data, the IP packets of type 2 too, so the
 * row stays the tunnel's own packet, with its session id. */
static void decode_erspan(uint16_t gre_flags, int has_key, uint32_t key, const uint8_t *p,
                          size_t caplen, size_t reported, struct row *r, int depth)
{
    if (!(gre_flags & GRE_SEQUENCE)) {
        enter_with_id(r, TUNNEL_ERSPAN, has_key, key);
        follow(INNER_ETHERNET, 0, p, caplen, reported, r, depth);
        return;
    }
    unsigned version = caplen >= 1 ? p[0] >> 4 : 0;
    if (caplen < 4 || (version != ERSPAN_VERSION_II && version != ERSPAN_VERSION_III)) {
        enter_with_id(r, TUNNEL_ERSPAN, 0, 0);
        return;
    }
    enter_with_id(r, TUNNEL_ERSPAN, 1, get_be16(p + 2) & ERSPAN_SESSION_MASK);
    erspan_frag_vlan(version, p, r);
    size_t off = ERSPAN_II_HEADER_LEN;
    if (version == ERSPAN_VERSION_III) {
        off = ERSPAN_III_HEADER_LEN;
        if (caplen < off ||
            ERSPAN_III_FRAME_TYPE(get_be16(p + 10)) != ERSPAN_FRAME_ETHERNET)
            return;
        if (p[11] & ERSPAN_III_O_BIT)
            off += ERSPAN_III_PLATFORM_LEN;
    }
    if (caplen < off)
        return;
    follow(INNER_ETHERNET, 0, p + off, caplen - off, size_after(reported, off), r, depth);
}

/* What Wireshark's gre.proto table does with a protocol type, for the types
 * whose payload can reach IP. */
static void decode_gre_type(uint16_t type, const uint8_t *p, size_t caplen, size_t reported,
                            struct row *r, int depth)
{
    switch (type) {
    case ETHERTYPE_IPV4:
    case ETHERTYPE_IPV6:
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MC:
    case GRE_NSH:
        decode_ethertype(type, p, caplen, reported, r, depth);
        break;
    case GRE_WCCP:
        /* WCCPv2 adds a 4-byte redirect header; Wireshark assumes one when
         * the payload does not start like an IPv4 header, then hands what
         * follows to its IPv4 dissector (an IPv6 header too) */
        if (caplen >= 1 && p[0] >> 4 != 4) {
            if (caplen < 4)
                return;
            p += 4;
            caplen -= 4;
            reported = size_after(reported, 4);
        }
        decode_ip_any(p, caplen, reported, r, depth);
        break;
    case GRE_CISCO_METADATA:
        if (caplen >= CMD_GRE_HEADER_LEN && get_be16(p) != GRE_CISCO_METADATA)
            decode_gre_type(get_be16(p), p + CMD_GRE_HEADER_LEN, caplen - CMD_GRE_HEADER_LEN,
                            size_after(reported, CMD_GRE_HEADER_LEN), r, depth + 1);
        break;
    case GRE_ETHERNET:
    case GRE_ETHERNET_OLD:
        decode_ethernet(p, caplen, reported, r, depth);
        break;
    case GRE_PPP:
    case GRE_PPP_HDLC:
    case GRE_PPP_HDLC2:
        decode_ppp(p, caplen, reported, r, depth);
        break;
    default:
        break;
    }
}

void decode_gre(const uint8_t *p, size_t caplen, size_t seglen, struct row *r, int depth)
{
    if (caplen < GRE_HEADER_LEN)
        return;
    uint16_t flags = get_be16(p);
    uint16_t type = get_be16(p + 2);
    unsigned version = flags & GRE_VERSION;
    size_t off = GRE_HEADER_LEN;
    int has_key = 0;
    uint32_t key = 0;
    if (flags & (GRE_CHECKSUM | GRE_ROUTING))
        off += 4;          /* checksum and offset */
    if (flags & GRE_KEY) {
        if (caplen < off + 4)
            return;
        has_key = 1;
        /* version 1 (PPTP): payload length, then the call id */
        key = version == 1 ? get_be16(p + off + 2) : get_be32(p + off);
        off += 4;
    }
    if (flags & GRE_SEQUENCE)
        off += 4;
    if (version == 1 && (flags & GRE_ACK))
        off += 4;
    if (flags & GRE_ROUTING) {
        /* source route entries: family, offset, length, until 0/0 */
        for (int n = 0;; n++) {
            if (n > 255 || caplen < off + 4)
                return;
            uint16_t af = get_be16(p + off);
            size_t len = p[off + 3];
            off += 4;
            if (af == 0 && len == 0)
                break;
            off += len;
        }
    }
    if (caplen < off)
        return;
    const uint8_t *q = p + off;
    size_t cap = caplen - off, rep = size_after(seglen, off);
    if (type == GRE_ERSPAN_I_II || type == GRE_ERSPAN_III) {
        if (type == GRE_ERSPAN_III)
            flags |= GRE_SEQUENCE; /* type III has its header whatever the flags */
        decode_erspan(flags, has_key, key, q, cap, rep, r, depth);
        return;
    }
    enter_with_id(r, TUNNEL_GRE, has_key, key);
    follow(INNER_GRE_TYPE, type, q, cap, rep, r, depth);
}

/* GTP-U: a T-PDU carries an IP packet, which Wireshark recognizes by its
 * version nibble. */
static void decode_gtpu(const uint8_t *p, size_t caplen, size_t reported, struct row *r,
                        int depth)
{
    if (caplen < GTP_HEADER_LEN || p[0] >> 5 != GTP_VERSION_1 || !(p[0] & GTP_FLAG_PT) ||
        p[1] != GTP_MSG_TPDU)
        return;
    enter_with_id(r, TUNNEL_GTP, 1, get_be32(p + 4));
    size_t off = GTP_HEADER_LEN;
    if (p[0] & GTP_FLAGS_OPTIONAL) {
        off += 4;
        if (caplen < off)
            return;
        uint8_t next = (p[0] & GTP_FLAG_E) ? p[off - 1] : 0;
        for (int n = 0; next != 0; n++) {
            if (n > 255 || caplen < off + 1 || p[off] == 0)
                return;
            off += (size_t)p[off] * 4;
            if (caplen < off)
                return;
            next = p[off - 1];
        }
    }
    if (caplen <= off)
        return;
    follow(INNER_IP, 0, p + off, caplen - off, size_after(reported, off), r, depth);
}

/* The UDP ports below the highest tunnel port (MPLS in UDP, 6635) on which
 * Wireshark 4.0 registers another dissector ("tshark -G decodes", the
 * udp.port table, less port 0 and the tunnel ports): packet-udp.c tries the
 * lower port's dissector first, so a datagram between such a port and a
 * higher tunnel port is that protocol's, not the tunnel's (a DNS query from
 * port 6081 is DNS). Sorted, for a binary search. */
static const uint16_t wireshark_udp_ports[] = {
    7, 13, 19, 37, 49, 53, 67, 68, 69, 88, 111, 123, 137, 138, 161, 162, 173, 177, 213, 269,
    319, 320, 389, 427, 434, 464, 473, 496, 500, 502, 513, 514, 520, 521, 524, 525, 539, 546,
    547, 573, 623, 631, 646, 654, 664, 698, 699, 701, 750, 853, 854, 910, 921, 925, 1001, 1044,
    1052, 1069, 1089, 1090, 1091, 1101, 1113, 1153, 1194, 1293, 1547, 1628, 1629, 1645, 1646,
    1700, 1701, 1718, 1719, 1745, 1755, 1812, 1813, 1900, 1985, 2029, 2048, 2055, 2067, 2099,
    2123, 2157, 2190, 2221, 2222, 2231, 2246, 2268, 2269, 2313, 2345, 2424, 2427, 2428, 2727,
    2887, 2944, 2945, 2948, 2949, 2960, 3000, 3121, 3130, 3205, 3222, 3250, 3333, 3343, 3357,
    3386, 3389, 3452, 3455, 3478, 3483, 3503, 3540, 3544, 3567, 3622, 3671, 3784, 3785, 3792,
    3799, 3804, 3819, 3863, 3956, 4000, 4011, 4058, 4305, 4306, 4307, 4341, 4342, 4500, 4533,
    4534, 4551, 4555, 4556, 4569, 4665, 4672, 4713, 4729, 4739, 4784, 4791, 4991, 5000, 5001,
    5031, 5050, 5060, 5072, 5094, 5246, 5247, 5264, 5265, 5350, 5351, 5353, 5355, 5404, 5405,
    5436, 5555, 5567, 5678, 5683, 5684, 5868, 6060, 6073, 6084, 6087, 6118, 6160, 6343, 6543,
};

static int wireshark_udp_port(uint16_t port)
{
    size_t lo = 0, hi = sizeof wireshark_udp_ports / sizeof wireshark_udp_ports[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (wireshark_udp_ports[mid] == port)
            return 1;
        if (wireshark_udp_ports[mid] < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int is_tunnel_port(uint16_t port)
{
    switch (port) {
    case UDP_PORT_VXLAN:
    case UDP_PORT_VXLAN_GPE:
    case UDP_PORT_GENEVE:
    case UDP_PORT_GTPU:
    case UDP_PORT_MPLS:
    case UDP_PORT_GRE:
        return 1;
    default:
        return 0;
    }
}

/* Whether Wireshark 4.0's GTP dissector takes a datagram on its port
 * (packet-gtp.c declines a version above 2, and a message type 0 below
 * it, so that packet-udp.c tries the other port). */
static int gtp_takes(const uint8_t *p, size_t caplen)
{
    if (caplen < 2)
        return 0; /* no message type: declined too */
    if (p[0] >> 5 > 2)
        return 0;
    return !(p[0] >> 5 < 2 && p[1] == 0);
}

/* The tunnel on one UDP port, when that port is a tunnel's and its
 * dissector takes the datagram; 0 otherwise (the row is left alone). */
static int decode_port_tunnel(uint16_t port, const uint8_t *p, size_t caplen, size_t reported,
                              struct row *r, int depth)
{
    switch (port) {
    case UDP_PORT_VXLAN:
    case UDP_PORT_VXLAN_GPE: {
        enter_with_id(r, TUNNEL_VXLAN, caplen >= 7, caplen >= 7 ? get_be32(p + 4) >> 8 : 0);
        if (caplen < VXLAN_HEADER_LEN)
            return 1;
        const uint8_t *q = p + VXLAN_HEADER_LEN;
        size_t cap = caplen - VXLAN_HEADER_LEN, rep = size_after(reported, VXLAN_HEADER_LEN);
        if (port == UDP_PORT_VXLAN) {
            follow(INNER_ETHERNET, 0, q, cap, rep, r, depth);
            return 1;
        }
        switch (p[3]) {
        case VXLAN_GPE_IPV4:
            follow(INNER_IP, 0, q, cap, rep, r, depth);
            break;
        case VXLAN_GPE_IPV6:
            follow(INNER_IPV6, 0, q, cap, rep, r, depth);
            break;
        case VXLAN_GPE_ETHERNET:
            follow(INNER_ETHERNET, 0, q, cap, rep, r, depth);
            break;
        case VXLAN_GPE_NSH:
            follow(INNER_ETHERTYPE, GRE_NSH, q, cap, rep, r, depth);
            break;
        case VXLAN_GPE_MPLS:
            follow(INNER_MPLS, 0, q, cap, rep, r, depth);
            break;
        default:
            break;
        }
        return 1;
    }
    case UDP_PORT_GENEVE: {
        enter_with_id(r, TUNNEL_GENEVE, caplen >= 7, caplen >= 7 ? get_be32(p + 4) >> 8 : 0);
        if (caplen < GENEVE_HEADER_LEN)
            return 1;
        size_t off = GENEVE_HEADER_LEN + (size_t)(p[0] & 0x3F) * 4;
        if (caplen < off)
            return 1;
        uint16_t type = get_be16(p + 2);
        follow(type == GRE_ETHERNET ? INNER_ETHERNET : INNER_ETHERTYPE, type, p + off,
               caplen - off, size_after(reported, off), r, depth);
        return 1;
    }
    case UDP_PORT_GTPU:
        if (!gtp_takes(p, caplen))
            return 0;
        decode_gtpu(p, caplen, reported, r, depth);
        return 1;
    case UDP_PORT_MPLS:
        enter_with_id(r, TUNNEL_MPLS, 0, 0);
        follow(INNER_MPLS, 0, p, caplen, reported, r, depth);
        return 1;
    case UDP_PORT_GRE:
        decode_gre(p, caplen, reported, r, depth);
        return 1;
    default:
        return 0;
    }
}

/* As packet-udp.c's decode_udp_ports (its "try heuristic sub-dissectors
 * first" preference off, as by default): the lower port's dissector first,
 * then the higher's; port 0 is skipped. */
int decode_udp_tunnel(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (!(r->present & HAS_DPORT))
        return 0;
    uint16_t low = r->sport < r->dport ? r->sport : r->dport;
    uint16_t high = r->sport < r->dport ? r->dport : r->sport;
    if (low != 0 && decode_port_tunnel(low, p, caplen, reported, r, depth))
        return 1;
    if (high == low || !is_tunnel_port(high))
        return 0;
    if (low != 0 && !is_tunnel_port(low) && wireshark_udp_port(low))
        return 0;
    return decode_port_tunnel(high, p, caplen, reported, r, depth);
}

void decode_udp_tunnelled(const uint8_t *p, size_t caplen, size_t seglen, struct row *r,
                          int depth)
{
    decode_udp(p, caplen, seglen, r);
    if ((r->decode_flags & DECODE_NO_TUNNELS) || caplen <= UDP_HEADER_LEN || seglen <= UDP_HEADER_LEN)
        return;
    /* A length field below the header's own length (0 over IPv4, as Linux
     * BIG TCP leaves it) is bogus: packet-udp.c stops there and dissects no
     * payload, so no tunnel is followed either (decode_udp gives no len).
     * Over IPv6, 0 is a jumbogram's (RFC 2675). */
    size_t ulen = get_be16(p + 4);
    if (ulen < UDP_HEADER_LEN && !(ulen == 0 && r->ipver == IPVER_6))
        return;
    /* The datagram ends where its length field says, when that is inside
     * the IP payload: what follows is not the tunnel's (packet-udp.c sets
     * the payload's length so). */
    if (ulen >= UDP_HEADER_LEN && ulen < seglen) {
        seglen = ulen;
        if (caplen > seglen)
            caplen = seglen;
        if (seglen <= UDP_HEADER_LEN)
            return;
    }
    decode_udp_tunnel(p + UDP_HEADER_LEN, caplen - UDP_HEADER_LEN, seglen - UDP_HEADER_LEN, r,
                      depth);
}
