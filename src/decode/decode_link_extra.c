/* decode_link_extra.c: link types added for #15, each as Wireshark 4.0
 * dissects it: Solaris ipnet (packet-ipnet.c), Linux ATM classical IP
 * (packet-clip.c), ATM RFC 1483 LLC and SunATM (packet-atm.c), and Juniper's
 * capture encapsulations (packet-juniper.c); and those an audit found
 * missing later: Token Ring (packet-tr.c), FDDI (packet-fddi.c), PPPoE
 * sessions (packet-pppoe.c), OpenBSD enc and pflog (packet-enc.c,
 * packet-pflog.c), 802.11 with a Prism or AVS header
 * (packet-ieee80211-prism.c, packet-ieee80211-wlancap.c), IP over Fibre
 * Channel (packet-ipfc.c), Apple IP over IEEE 1394 (packet-ap1394.c) and PPP
 * with a direction byte. */
#include "decode.h"
#include "bytes.h"
#include "linktype.h"

/* Solaris ipnet: version, address family, hook type, packet length,
 * interface and group interface index, source and destination zone (all
 * big-endian), then the IP packet. */
#define IPNET_HEADER_LEN 24
#define IPNET_AF_INET 2
#define IPNET_AF_INET6 26

/* SunATM pseudo-header: flags (direction bit, traffic type in the low
 * nibble), VPI, VCI */
#define SUNATM_HEADER_LEN 4
#define SUNATM_TYPE_MASK 0x0F
#define SUNATM_TYPE_LANE 0x01
#define SUNATM_TYPE_LLC 0x02
#define LANE_LECID_LEN 2

/* Juniper: "MGC", flags, optional extension TLVs, then per link type a
 * cookie or nothing before the payload. */
#define JUNIPER_MAGIC 0x4D4743
#define JUNIPER_FLAG_PKT_IN 0x01
#define JUNIPER_FLAG_NO_L2 0x02
#define JUNIPER_FLAG_EXT 0x80
#define JUNIPER_ATM2_GAP_COUNT_MASK 0x3F
#define JUNIPER_HDR_SNAP 0xAAAA03
#define JUNIPER_HDR_NLPID 0xFEFE03
#define JUNIPER_HDR_LLC_UI 0x03
#define JUNIPER_HDR_PPP 0xFF03
#define JUNIPER_VP_GAP 18
#define JUNIPER_SVCS_IN_GAP 16
#define JUNIPER_SVCS_OUT_GAP 12
#define ML_PIC_COOKIE_LEN 2
#define LS_PIC_COOKIE_LEN 4
#define AS_PIC_COOKIE_LEN 8
#define LS_PIC_COOKIE_ID 0x54
#define GSP_SVC_REQ_APOLLO 0x40
#define GSP_SVC_REQ_LSQ 0x47
#define LSQ_L3_PROTO_MASK 0xF0
#define LSQ_L3_PROTO_IPV4 0x00
#define LSQ_L3_PROTO_IPV6 0x10
#define LSQ_L3_PROTO_MPLS 0x20
#define LSQ_COOKIE_RE_DIR 0x3

/* Wireshark's juniper.proto payload numbers */
enum {
    JUNIPER_PROTO_UNKNOWN = 0, JUNIPER_PROTO_IP = 2, JUNIPER_PROTO_MPLS_IP = 3,
    JUNIPER_PROTO_IP_MPLS = 4, JUNIPER_PROTO_MPLS = 5, JUNIPER_PROTO_IP6 = 6,
    JUNIPER_PROTO_MPLS_IP6 = 7, JUNIPER_PROTO_IP6_MPLS = 8, JUNIPER_PROTO_CLNP_MPLS = 32,
    JUNIPER_PROTO_PPP = 200, JUNIPER_PROTO_ISO = 201, JUNIPER_PROTO_LLC = 202,
    JUNIPER_PROTO_LLC_SNAP = 203, JUNIPER_PROTO_ETHER = 204, JUNIPER_PROTO_OAM = 205,
    JUNIPER_PROTO_FRELAY = 207, JUNIPER_PROTO_CHDLC = 208,
    JUNIPER_PROTO_UNKNOWN_A248 = 0xA248, /* 4 unknown bytes, then IPv4 */
};

/* Token Ring: access control, frame control, destination, source; a source
 * address with its high bit set is followed by routing information whose
 * length is in the low 5 bits of its first byte; LLC frames (frame control
 * 01xxxxxx) then carry 802.2 LLC. */
#define TR_HEADER_LEN 14
#define TR_FC_LLC 0x40
#define TR_FC_TYPE_MASK 0xC0
#define TR_SOURCE_ROUTED 0x80
#define TR_RIF_LEN_MASK 0x1F
/* FDDI: frame control, destination, source; LLC frames have frame control
 * CLFFZZZZ with FF = 01. */
#define FDDI_HEADER_LEN 13
#define FDDI_FC_FF_MASK 0x30
#define FDDI_FC_LLC 0x10
/* RFC 2516 session header: version/type, code, session id, length */
/* OpenBSD enc: address family (in the writer's byte order), SPI, flags */
#define ENC_HEADER_LEN 12
/* OpenBSD pflog: its length in byte 0 (the header is padded to 4 bytes),
 * the address family in byte 1. */
#define PFLOG_MIN_HDRLEN 45
#define PFLOG_ALIGN 4
/* Prism: message code (its byte order tells the header's), message length,
 * then the 802.11 frame. AVS (wlancap): magic 0x8021100x, header length,
 * both big-endian. */
#define PRISM_MSGCODE_1 0x44u
#define PRISM_MSGCODE_2 0x41u
#define PRISM_MIN_LEN 8
#define AVS_MAGIC_MASK 0xFFFFFFF0u
#define AVS_MAGIC 0x80211000u
#define AVS_MIN_LEN 8
/* RFC 2625 network header: two 8-byte Fibre Channel addresses; then LLC */
#define IPFC_HEADER_LEN 16
/* Apple IP over 1394: two EUI-64 addresses and an Ethertype */
#define AP1394_HEADER_LEN 18

/* The payload after a fixed header of hlen bytes, by dec (a frame shorter
 * than the header has none). */
static void after_header(void (*dec)(const uint8_t *, size_t, size_t, struct row *, int),
                         size_t hlen, const uint8_t *p, size_t caplen, size_t reported,
                         struct row *r)
{
    if (caplen >= hlen)
        dec(p + hlen, caplen - hlen, size_after(reported, hlen), r, 0);
}

/* An 802.11 frame after a header of hlen bytes (when the frame has any). */
static void after_header_80211(size_t hlen, const uint8_t *p, size_t caplen, size_t reported,
                               struct row *r)
{
    if (hlen >= PRISM_MIN_LEN && hlen <= caplen)
        decode_ieee80211(p + hlen, caplen - hlen, size_after(reported, hlen), r);
}

static void decode_avs(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen >= AVS_MIN_LEN && (get_be32(p) & AVS_MAGIC_MASK) == AVS_MAGIC)
        after_header_80211(get_be32(p + 4), p, caplen, reported, r);
}

static void decode_prism(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < PRISM_MIN_LEN)
        return;
    if ((get_be32(p) & AVS_MAGIC_MASK) == AVS_MAGIC) { /* Wireshark hands these to AVS */
        decode_avs(p, caplen, reported, r);
        return;
    }
    uint32_t code = get_le32(p);
    int little = code == PRISM_MSGCODE_1 || code == PRISM_MSGCODE_2;
    after_header_80211(little ? get_le32(p + 4) : get_be32(p + 4), p, caplen, reported, r);
}

static void decode_token_ring(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < TR_HEADER_LEN || (p[1] & TR_FC_TYPE_MASK) != TR_FC_LLC)
        return;
    size_t off = TR_HEADER_LEN;
    if (p[8] & TR_SOURCE_ROUTED) {
        if (caplen <= off)
            return;
        off += p[off] & TR_RIF_LEN_MASK;
    }
    after_header(decode_llc, off, p, caplen, reported, r);
}

/* Wireshark takes the IP packet to be the last pktlen captured bytes (a
 * pktlen above the captured length counts back from the end twice, as a
 * negative tvb offset does). */
static void decode_ipnet(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < IPNET_HEADER_LEN)
        return;
    size_t pktlen = get_be32(p + 4), off;
    if (pktlen <= caplen)
        off = caplen - pktlen;
    else if (pktlen - caplen <= caplen)
        off = caplen - (pktlen - caplen);
    else
        return;
    const uint8_t *q = p + off;
    size_t cap = caplen - off, rep = size_after(reported, off);
    if (p[1] == IPNET_AF_INET)
        decode_ip_any(q, cap, rep, r, 0);
    else if (p[1] == IPNET_AF_INET6)
        decode_ipv6(q, cap, rep, r, 0);
}

/* AAL5 payloads whose traffic type is not known: Wireshark's heuristic
 * looks for an LLC/SNAP header first, then an IP version nibble. */
static void decode_atm_payload(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen >= 3 && p[0] == 0xAA && p[1] == 0xAA && p[2] == 0x03)
        decode_llc(p, caplen, reported, r, 0);
    else
        decode_ip_any(p, caplen, reported, r, 0);
}

static void decode_sunatm(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < SUNATM_HEADER_LEN)
        return;
    const uint8_t *q = p + SUNATM_HEADER_LEN;
    size_t cap = caplen - SUNATM_HEADER_LEN, rep = size_after(reported, SUNATM_HEADER_LEN);
    switch (p[0] & SUNATM_TYPE_MASK) {
    case SUNATM_TYPE_LANE:
        if (cap >= LANE_LECID_LEN)
            decode_ethernet(q + LANE_LECID_LEN, cap - LANE_LECID_LEN,
                            size_after(rep, LANE_LECID_LEN), r, 0);
        break;
    case SUNATM_TYPE_LLC:
        decode_llc(q, cap, rep, r, 0);
        break;
    default:
        decode_atm_payload(q, cap, rep, r);
        break;
    }
}

static void juniper_payload(unsigned proto, const uint8_t *p, size_t caplen, size_t reported,
                            struct row *r)
{
    if (proto == JUNIPER_PROTO_UNKNOWN_A248) {
        if (caplen < 4)
            return;
        p += 4;
        caplen -= 4;
        reported = size_after(reported, 4);
        proto = JUNIPER_PROTO_IP;
    }
    switch (proto) {
    case JUNIPER_PROTO_IP:
    case JUNIPER_PROTO_MPLS_IP:
        decode_ip_any(p, caplen, reported, r, 0);
        break;
    case JUNIPER_PROTO_IP6:
    case JUNIPER_PROTO_MPLS_IP6:
        decode_ipv6(p, caplen, reported, r, 0);
        break;
    case JUNIPER_PROTO_IP_MPLS:
    case JUNIPER_PROTO_MPLS:
    case JUNIPER_PROTO_IP6_MPLS:
    case JUNIPER_PROTO_CLNP_MPLS:
        decode_mpls(p, caplen, reported, r, 0);
        break;
    case JUNIPER_PROTO_PPP:
        /* Wireshark's "ppp" handle here: the protocol field comes first,
         * an HDLC address and control field is not skipped */
        if (caplen >= 2 && p[0] == 0xFF && p[1] == 0x03)
            break;
        decode_ppp(p, caplen, reported, r, 0);
        break;
    case JUNIPER_PROTO_LLC:
    case JUNIPER_PROTO_LLC_SNAP:
        decode_llc(p, caplen, reported, r, 0);
        break;
    case JUNIPER_PROTO_ETHER:
        decode_ethernet(p, caplen, reported, r, 0);
        break;
    case JUNIPER_PROTO_FRELAY:
        decode_frelay(p, caplen, reported, r);
        break;
    case JUNIPER_PROTO_CHDLC:
        decode_chdlc(p, caplen, reported, r);
        break;
    default:
        break; /* OSI, Q.933, OAM cells: no IP */
    }
}

static void juniper_at(unsigned proto, const uint8_t *p, size_t caplen, size_t reported,
                       size_t off, struct row *r)
{
    if (caplen >= off)
        juniper_payload(proto, p + off, caplen - off, size_after(reported, off), r);
}

/* The common header. Returns its length, or JUNIPER_STOP when there is
 * nothing more to decode: a cut header, or the no-L2 flag, whose payload
 * (named by a little-endian protocol number) is decoded here. Without the
 * magic Wireshark 4.0 reads the payload from the first byte. */
#define JUNIPER_STOP ((size_t)-1)
static size_t juniper_header(const uint8_t *p, size_t caplen, size_t reported, struct row *r,
                             uint8_t *flags)
{
    if (caplen < 4)
        return JUNIPER_STOP;
    *flags = p[3];
    if (((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) != JUNIPER_MAGIC)
        return 0;
    size_t hlen = 4;
    if (*flags & JUNIPER_FLAG_EXT) {
        if (caplen < 6)
            return JUNIPER_STOP;
        hlen = 6 + (size_t)get_be16(p + 4);
    }
    if (*flags & JUNIPER_FLAG_NO_L2) {
        if (caplen >= hlen + 4)
            juniper_at(get_le32(p + hlen), p, caplen, reported, hlen + 4, r);
        return JUNIPER_STOP;
    }
    return caplen >= hlen ? hlen : JUNIPER_STOP;
}

static int ppp_heuristic_guess(uint16_t proto)
{
    switch (proto) {
    case 0x0021: case 0x0023: case 0x0281: case 0x0283: case 0x8021: case 0x8023:
    case 0x8281: case 0xC021: case 0xC023: case 0xC223: case 0x003D: case 0x0057:
    case 0x8057:
        return 1;
    default:
        return 0;
    }
}

static unsigned ip_heuristic_guess(uint8_t b)
{
    if (b >= 0x45 && b <= 0x4F)
        return JUNIPER_PROTO_IP;
    if (b >> 4 == 6)
        return JUNIPER_PROTO_IP6;
    return JUNIPER_PROTO_UNKNOWN;
}

static void juniper_atm(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int atm1)
{
    uint8_t flags = 0;
    size_t off = juniper_header(p, caplen, reported, r, &flags);
    if (off == JUNIPER_STOP || caplen < off + 4)
        return;
    uint32_t cookie1 = get_be32(p + off);
    if (atm1) {
        off += 4;
        if (cookie1 >> 24 == 0x80)
            return; /* OAM cell */
    } else {
        if (caplen < off + 8)
            return;
        uint8_t last = p[off + 7];
        off += (flags & JUNIPER_FLAG_NO_L2) ? 4 : 8;
        if (last & 0x70)
            return; /* OAM cell */
    }
    if (caplen < off + 3)
        return;
    uint32_t b3 = (uint32_t)p[off] << 16 | (uint32_t)p[off + 1] << 8 | p[off + 2];
    if (b3 == JUNIPER_HDR_NLPID || b3 == JUNIPER_HDR_SNAP) {
        juniper_at(JUNIPER_PROTO_LLC, p, caplen, reported, off, r);
        return;
    }
    if (!(flags & JUNIPER_FLAG_PKT_IN) && (cookie1 & JUNIPER_ATM2_GAP_COUNT_MASK) && !atm1) {
        juniper_at(JUNIPER_PROTO_ETHER, p, caplen, reported, off, r);
        return;
    }
    if (!atm1 && ppp_heuristic_guess(get_be16(p + off))) {
        juniper_at(JUNIPER_PROTO_PPP, p, caplen, reported, off, r);
        return;
    }
    if (p[off] == JUNIPER_HDR_LLC_UI)
        return; /* Cisco NLPID: OSI */
    juniper_at(ip_heuristic_guess(p[off]), p, caplen, reported, off, r);
}

/* Service PIC cookies of the multilink PICs: their length and what they say
 * about the payload. */
static size_t svc_cookie_len(uint8_t id)
{
    if (id == LS_PIC_COOKIE_ID)
        return LS_PIC_COOKIE_LEN;
    if (id == GSP_SVC_REQ_APOLLO || id == GSP_SVC_REQ_LSQ)
        return AS_PIC_COOKIE_LEN;
    return 0;
}

static unsigned svc_cookie_proto(const uint8_t *c, int mlppp, uint8_t flags)
{
    uint8_t lsq_proto = c[5] & LSQ_L3_PROTO_MASK;
    uint8_t lsq_dir = c[4] & 0x3;
    switch (c[0]) {
    case LS_PIC_COOKIE_ID:
        return mlppp ? JUNIPER_PROTO_PPP : JUNIPER_PROTO_ISO;
    case GSP_SVC_REQ_APOLLO:
    case GSP_SVC_REQ_LSQ:
        switch (lsq_proto) {
        case LSQ_L3_PROTO_IPV4:
            if (mlppp)
                return ((flags & JUNIPER_FLAG_PKT_IN) && lsq_dir != LSQ_COOKIE_RE_DIR)
                           ? JUNIPER_PROTO_PPP : JUNIPER_PROTO_IP;
            return lsq_dir == LSQ_COOKIE_RE_DIR ? JUNIPER_PROTO_UNKNOWN : JUNIPER_PROTO_IP;
        case LSQ_L3_PROTO_IPV6:
            return JUNIPER_PROTO_IP6;
        case LSQ_L3_PROTO_MPLS:
            return JUNIPER_PROTO_MPLS;
        default:
            return JUNIPER_PROTO_UNKNOWN;
        }
    default:
        return JUNIPER_PROTO_UNKNOWN;
    }
}

static void juniper_mlppp(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    uint8_t flags = 0;
    size_t off = juniper_header(p, caplen, reported, r, &flags);
    if (off == JUNIPER_STOP || caplen < off + 8)
        return; /* Wireshark reads 8 cookie bytes whatever the cookie */
    unsigned proto = svc_cookie_proto(p + off, 1, flags);
    size_t cookie_len = svc_cookie_len(p[off]);
    if (cookie_len == 0 && get_be16(p + off) == JUNIPER_HDR_PPP) {
        proto = JUNIPER_PROTO_PPP;
        off += 2;
    }
    if (cookie_len == 0 && caplen >= off + 4 && ppp_heuristic_guess(get_be16(p + off + 2))) {
        proto = JUNIPER_PROTO_PPP;
        cookie_len = ML_PIC_COOKIE_LEN;
    }
    if (cookie_len == 0 && caplen >= off + 2 && ppp_heuristic_guess(get_be16(p + off)))
        proto = JUNIPER_PROTO_PPP;
    juniper_at(proto, p, caplen, reported, off + cookie_len, r);
}

static void juniper_mlfr(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    uint8_t flags = 0;
    size_t off = juniper_header(p, caplen, reported, r, &flags);
    if (off == JUNIPER_STOP || caplen < off + 8)
        return;
    unsigned proto = svc_cookie_proto(p + off, 0, flags);
    size_t cookie_len = svc_cookie_len(p[off]);
    /* Only the AS-PIC cookie names an IP payload; the other cookie
     * layouts carry OSI or Q.933 (IS-IS, link management). */
    if (cookie_len != AS_PIC_COOKIE_LEN)
        return;
    off += cookie_len;
    if (proto == JUNIPER_PROTO_UNKNOWN)
        return;
    juniper_at(proto, p, caplen, reported, off, r);
}

/* Returns 1 when the link type is one of this file's. */
int decode_link_extra(uint32_t linktype, const uint8_t *p, size_t caplen, size_t reported,
                      struct row *r)
{
    uint8_t flags = 0;
    size_t off;
    switch (linktype) {
    case LINKTYPE_IEEE802_5:
        decode_token_ring(p, caplen, reported, r);
        return 1;
    case LINKTYPE_FDDI:
        if (caplen >= 1 && (p[0] & FDDI_FC_FF_MASK) == FDDI_FC_LLC)
            after_header(decode_llc, FDDI_HEADER_LEN, p, caplen, reported, r);
        return 1;
    case LINKTYPE_PPP_ETHER:
        decode_pppoe_session(p, caplen, reported, r, 0);
        return 1;
    case LINKTYPE_PPP_WITH_DIR:
        after_header(decode_ppp_hdlc, 1, p, caplen, reported, r); /* the direction byte */
        return 1;
    case LINKTYPE_ENC:
        if (caplen >= ENC_HEADER_LEN) {
            /* a family with high bytes set was written little-endian */
            uint32_t af = get_be32(p);
            if (af & 0xFFFF0000u)
                af = get_le32(p);
            decode_family(af, p + ENC_HEADER_LEN, caplen - ENC_HEADER_LEN,
                          size_after(reported, ENC_HEADER_LEN), r);
        }
        return 1;
    case LINKTYPE_PFLOG:
        if (caplen >= 2 && p[0] >= PFLOG_MIN_HDRLEN) {
            size_t hlen = ((size_t)p[0] + PFLOG_ALIGN - 1) & ~(size_t)(PFLOG_ALIGN - 1);
            if (hlen <= caplen)
                decode_family(p[1], p + hlen, caplen - hlen, size_after(reported, hlen), r);
        }
        return 1;
    case LINKTYPE_IEEE802_11_PRISM:
        decode_prism(p, caplen, reported, r);
        return 1;
    case LINKTYPE_IEEE802_11_AVS:
        decode_avs(p, caplen, reported, r);
        return 1;
    case LINKTYPE_IP_OVER_FC:
        after_header(decode_llc, IPFC_HEADER_LEN, p, caplen, reported, r);
        return 1;
    case LINKTYPE_APPLE_IP_OVER_IEEE1394:
        if (caplen >= AP1394_HEADER_LEN)
            decode_ethertype(get_be16(p + AP1394_HEADER_LEN - 2), p + AP1394_HEADER_LEN,
                             caplen - AP1394_HEADER_LEN,
                             size_after(reported, AP1394_HEADER_LEN), r, 0);
        return 1;
    case LINKTYPE_IPNET:
        decode_ipnet(p, caplen, reported, r);
        return 1;
    case LINKTYPE_ATM_CLIP:
        /* Wireshark decodes it as IP without a link header */
        decode_ip_any(p, caplen, reported, r, 0);
        return 1;
    case LINKTYPE_ATM_RFC1483:
        decode_llc(p, caplen, reported, r, 0);
        return 1;
    case LINKTYPE_SUNATM:
        decode_sunatm(p, caplen, reported, r);
        return 1;
    case LINKTYPE_IEEE802_15_4_WITHFCS:
    case LINKTYPE_IEEE802_15_4_NOFCS:
        decode_wpan(linktype, p, caplen, reported, r);
        return 1;
    case LINKTYPE_JUNIPER_ATM1:
    case LINKTYPE_JUNIPER_ATM2:
        juniper_atm(p, caplen, reported, r, linktype == LINKTYPE_JUNIPER_ATM1);
        return 1;
    case LINKTYPE_JUNIPER_MLPPP:
        juniper_mlppp(p, caplen, reported, r);
        return 1;
    case LINKTYPE_JUNIPER_MLFR:
        juniper_mlfr(p, caplen, reported, r);
        return 1;
    case LINKTYPE_JUNIPER_ETHER:
    case LINKTYPE_JUNIPER_PPPOE:
    case LINKTYPE_JUNIPER_PPP:
    case LINKTYPE_JUNIPER_FRELAY:
    case LINKTYPE_JUNIPER_CHDLC:
    case LINKTYPE_JUNIPER_GGSN:
    case LINKTYPE_JUNIPER_VP:
    case LINKTYPE_JUNIPER_SERVICES:
        off = juniper_header(p, caplen, reported, r, &flags);
        if (off == JUNIPER_STOP)
            return 1;
        switch (linktype) {
        case LINKTYPE_JUNIPER_ETHER:
        case LINKTYPE_JUNIPER_PPPOE:
            juniper_at(JUNIPER_PROTO_ETHER, p, caplen, reported, off, r);
            break;
        case LINKTYPE_JUNIPER_PPP:
            juniper_at(JUNIPER_PROTO_PPP, p, caplen, reported, off + 2, r);
            break;
        case LINKTYPE_JUNIPER_FRELAY:
            juniper_at(JUNIPER_PROTO_FRELAY, p, caplen, reported, off, r);
            break;
        case LINKTYPE_JUNIPER_CHDLC:
            juniper_at(JUNIPER_PROTO_CHDLC, p, caplen, reported, off, r);
            break;
        case LINKTYPE_JUNIPER_GGSN:
            /* little-endian protocol and VLAN id */
            if (caplen >= off + 4)
                juniper_at(get_le16(p + off), p, caplen, reported, off + 4, r);
            break;
        case LINKTYPE_JUNIPER_VP:
            juniper_at(JUNIPER_PROTO_IP, p, caplen, reported, off + JUNIPER_VP_GAP, r);
            break;
        default: /* services */
            juniper_at(JUNIPER_PROTO_IP, p, caplen, reported,
                       off + ((flags & JUNIPER_FLAG_PKT_IN) ? JUNIPER_SVCS_IN_GAP
                                                            : JUNIPER_SVCS_OUT_GAP), r);
            break;
        }
        return 1;
    default:
        return 0;
    }
}
