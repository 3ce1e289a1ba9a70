/* decode_wpan.c (#15): IEEE 802.15.4 data frames carrying 6LoWPAN (RFC 4944,
 * RFC 6282), as Wireshark 4.0 dissects them (packet-ieee802154.c,
 * packet-6lowpan.c): an uncompressed IPv6 header is decoded as such; an IPHC
 * compressed header gives the row its IPv6 addresses, hop limit and next
 * header (and the ports of a compressed UDP header). Secured frames,
 * information elements, mesh and fragment headers and addresses from a
 * context other than 0 are not followed: the row keeps its record fields.
 * Wireshark's default context 0 is the link-local prefix fe80::/64, the
 * prefix of stateless compression, so both are decoded alike. */
#include <string.h>
#include "decode.h"
#include "bytes.h"
#include "linktype.h"

/* Frame control field (little-endian) */
#define WPAN_FCF_TYPE_MASK 0x0007
#define WPAN_FCF_TYPE_DATA 0x0001
#define WPAN_FCF_SECURITY 0x0008
#define WPAN_FCF_PANID_COMP 0x0040
#define WPAN_FCF_SEQNO_SUPPRESS 0x0100
#define WPAN_FCF_IE_PRESENT 0x0200
#define WPAN_FCF_DADDR_SHIFT 10
#define WPAN_FCF_VERSION_SHIFT 12
#define WPAN_FCF_SADDR_SHIFT 14
#define WPAN_ADDR_NONE 0
#define WPAN_ADDR_SHORT 2
#define WPAN_ADDR_EXT 3
#define WPAN_VERSION_2015 2
#define WPAN_FCS_LEN 2
#define WPAN_CRC_POLY 0x8408

/* 6LoWPAN dispatch values */
#define LOWPAN_DISPATCH_IPV6 0x41
#define LOWPAN_IPHC_MASK 0xE0
#define LOWPAN_IPHC 0x60
#define LOWPAN_NHC_UDP_MASK 0xF8
#define LOWPAN_NHC_UDP 0xF0
#define LOWPAN_NHC_EXT_MASK 0xF0
#define LOWPAN_NHC_EXT 0xE0
#define LOWPAN_UDP_PORT_4BIT 0xF0B0
#define LOWPAN_UDP_PORT_8BIT 0xF000
#define LOWPAN_HLIM_64 64
#define LOWPAN_HLIM_255 255
#define UDP_HEADER_LEN 8

/* A link-layer address as 6LoWPAN derives interface ids from it. */
struct wpan_addr {
    int mode;
    uint8_t b[8]; /* EUI-64 (network order) or the 16-bit short address in b[0..1] */
};

static size_t wpan_read_addr(int mode, const uint8_t *p, size_t caplen, size_t off,
                             struct wpan_addr *a)
{
    a->mode = mode;
    size_t n = mode == WPAN_ADDR_EXT ? 8 : mode == WPAN_ADDR_SHORT ? 2 : 0;
    if (caplen < off + n)
        return 0;
    for (size_t i = 0; i < n; i++)
        a->b[i] = p[off + n - 1 - i]; /* sent little-endian */
    return off + n;
}

/* fe80::/64 plus the interface id derived from the link-layer address
 * (RFC 6282 section 3.2.2); 0 when there is none. */
static int iid_from_link(const struct wpan_addr *a, uint8_t ip[16])
{
    memset(ip, 0, 16);
    ip[0] = 0xFE;
    ip[1] = 0x80;
    if (a->mode == WPAN_ADDR_EXT) {
        memcpy(ip + 8, a->b, 8);
        ip[8] ^= 0x02; /* universal/local bit */
        return 1;
    }
    if (a->mode == WPAN_ADDR_SHORT) {
        ip[11] = 0xFF;
        ip[12] = 0xFE;
        ip[14] = a->b[0];
        ip[15] = a->b[1];
        return 1;
    }
    return 0;
}

/* Unicast address by its mode (SAM/DAM); returns bytes consumed or -1. */
static int iphc_unicast(unsigned mode, const uint8_t *in, size_t avail,
                        const struct wpan_addr *link, uint8_t ip[16])
{
    static const size_t inline_len[4] = {16, 8, 2, 0};
    if (avail < inline_len[mode])
        return -1;
    if (mode == 0) {
        memcpy(ip, in, 16);
        return 16;
    }
    if (mode == 3)
        return iid_from_link(link, ip) ? 0 : -1;
    memset(ip, 0, 16);
    ip[0] = 0xFE;
    ip[1] = 0x80;
    if (mode == 1) {
        memcpy(ip + 8, in, 8);
        return 8;
    }
    ip[11] = 0xFF;
    ip[12] = 0xFE;
    ip[14] = in[0];
    ip[15] = in[1];
    return 2;
}

/* Multicast destination by its DAM with DAC clear (RFC 6282 3.1.1). */
static int iphc_multicast(unsigned mode, const uint8_t *in, size_t avail, uint8_t ip[16])
{
    static const size_t inline_len[4] = {16, 6, 4, 1};
    if (avail < inline_len[mode])
        return -1;
    memset(ip, 0, 16);
    ip[0] = 0xFF;
    switch (mode) {
    case 0:
        memcpy(ip, in, 16);
        return 16;
    case 1: /* ffXX::00XX:XXXX:XXXX */
        ip[1] = in[0];
        memcpy(ip + 11, in + 1, 5);
        return 6;
    case 2: /* ffXX::00XX:XXXX */
        ip[1] = in[0];
        memcpy(ip + 13, in + 1, 3);
        return 4;
    default: /* ff02::00XX */
        ip[1] = 0x02;
        ip[15] = in[0];
        return 1;
    }
}

/* A compressed UDP header (RFC 6282 4.3.3); the length is elided: the
 * datagram runs to the end of the frame, as Wireshark computes it. */
static void nhc_udp(const uint8_t *p, size_t caplen, size_t off, size_t end, struct row *r)
{
    uint8_t b = p[off++];
    unsigned ports = b & 0x03;
    size_t need = ports == 3 ? 1 : ports == 0 ? 4 : 3;
    if (caplen < off + need)
        return;
    switch (ports) {
    case 0:
        r->sport = get_be16(p + off);
        r->dport = get_be16(p + off + 2);
        break;
    case 1:
        r->sport = get_be16(p + off);
        r->dport = LOWPAN_UDP_PORT_8BIT | p[off + 2];
        break;
    case 2:
        r->sport = LOWPAN_UDP_PORT_8BIT | p[off];
        r->dport = get_be16(p + off + 1);
        break;
    default:
        r->sport = LOWPAN_UDP_PORT_4BIT | (p[off] >> 4);
        r->dport = LOWPAN_UDP_PORT_4BIT | (p[off] & 0x0F);
        break;
    }
    r->present |= HAS_SPORT | HAS_DPORT;
    off += need + ((b & 0x04) ? 0 : 2); /* checksum unless elided */
    if (end >= off) {
        r->present |= HAS_PAYLEN;
        r->paylen = (uint32_t)(end - off);
        r->payload = p + (off < caplen ? off : caplen);
        r->payload_caplen = (uint32_t)size_after(caplen, off);
    }
}

/* RFC 6282 IPHC at p + off; end is where the frame's payload ends. */
static void lowpan_iphc(const uint8_t *p, size_t caplen, size_t off, size_t end,
                        const struct wpan_addr *src, const struct wpan_addr *dst, struct row *r)
{
    if (caplen < off + 2)
        return;
    unsigned h = get_be16(p + off);
    off += 2;
    unsigned tf = (h >> 11) & 3, nh = (h >> 10) & 1, hlim = (h >> 8) & 3;
    unsigned cid = (h >> 7) & 1, sac = (h >> 6) & 1, sam = (h >> 4) & 3;
    unsigned m = (h >> 3) & 1, dac = (h >> 2) & 1, dam = h & 3;
    uint8_t ctx = 0;
    if (cid) {
        if (caplen < off + 1)
            return;
        ctx = p[off++];
    }
    static const size_t tf_len[4] = {4, 3, 1, 0};
    off += tf_len[tf];
    uint8_t next = 0;
    if (!nh) {
        if (caplen < off + 1)
            return;
        next = p[off++];
    }
    uint8_t ttl;
    if (hlim == 0) {
        if (caplen < off + 1)
            return;
        ttl = p[off++];
    } else {
        ttl = hlim == 1 ? 1 : hlim == 2 ? LOWPAN_HLIM_64 : LOWPAN_HLIM_255;
    }
    uint8_t sip[16], dip[16];
    int n;
    if (sac && sam == 0) {
        memset(sip, 0, 16); /* the unspecified address */
        n = 0;
    } else if (sac && (ctx >> 4) != 0) {
        return; /* a context the capture does not define */
    } else {
        n = iphc_unicast(sam, p + off, size_after(caplen, off), src, sip);
    }
    if (n < 0)
        return;
    off += (size_t)n;
    if (m && dac)
        return; /* unicast-prefix-based multicast needs a context */
    if (m)
        n = iphc_multicast(dam, p + off, size_after(caplen, off), dip);
    else if (dac && (ctx & 0x0F) != 0)
        return;
    else
        n = iphc_unicast(dam, p + off, size_after(caplen, off), dst, dip);
    if (n < 0)
        return;
    off += (size_t)n;
    r->ipver = IPVER_6;
    r->ip = NULL; /* no IPv6 header on the wire: no fingerprint */
    r->ip_caplen = 0;
    r->ttl = ttl;
    memcpy(r->src, sip, 16);
    memcpy(r->dst, dip, 16);
    r->present |= HAS_SRC | HAS_DST | HAS_TTL;
    if (!nh) {
        r->present |= HAS_IPPROTO;
        r->ipproto = next;
        /* the transports whose ports the row shows; an inline extension
         * header is not followed (no IPv6 header to walk the chain from) */
        const uint8_t *t = p + (off < caplen ? off : caplen);
        size_t tcap = size_after(caplen, off), tlen = size_after(end, off);
        if (next == IPPROTO_NUM_TCP)
            decode_tcp(t, tcap, tlen, r);
        else if (next == IPPROTO_NUM_UDP)
            decode_udp(t, tcap, tlen, r);
        else if (next == IPPROTO_NUM_SCTP)
            decode_sctp(t, tcap, r);
        return;
    }
    if (caplen < off + 1)
        return;
    if ((p[off] & LOWPAN_NHC_UDP_MASK) == LOWPAN_NHC_UDP) {
        r->present |= HAS_IPPROTO;
        r->ipproto = IPPROTO_NUM_UDP;
        nhc_udp(p, caplen, off, end, r);
    } else if ((p[off] & LOWPAN_NHC_EXT_MASK) != LOWPAN_NHC_EXT) {
        /* not a next-header encoding Wireshark knows: "No Next Header" */
        r->present |= HAS_IPPROTO;
        r->ipproto = IPPROTO_NUM_NONE;
    }
    /* compressed extension headers are not followed: no protocol */
}

/* The FCS: CRC-16 ITU-T, reflected (0x8408), initial value 0. */
static unsigned wpan_crc16(const uint8_t *p, size_t n)
{
    unsigned crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (crc >> 1) ^ WPAN_CRC_POLY : crc >> 1;
    }
    return crc;
}

void decode_wpan(uint32_t linktype, const uint8_t *p, size_t caplen, size_t reported,
                 struct row *r)
{
    if (caplen < 3)
        return;
    size_t end = reported;
    if (linktype == LINKTYPE_IEEE802_15_4_WITHFCS) {
        end = size_after(end, WPAN_FCS_LEN);
        /* Wireshark dissects the payload of a frame with a bad FCS as data
         * (when the FCS was captured; otherwise it cannot tell) */
        if (caplen >= reported && reported >= 3 + WPAN_FCS_LEN &&
            wpan_crc16(p, end) != get_le16(p + end))
            return;
        if (caplen > end)
            caplen = end;
    }
    unsigned fcf = get_le16(p);
    if ((fcf & WPAN_FCF_TYPE_MASK) != WPAN_FCF_TYPE_DATA ||
        (fcf & (WPAN_FCF_SECURITY | WPAN_FCF_IE_PRESENT)))
        return;
    int dmode = (fcf >> WPAN_FCF_DADDR_SHIFT) & 3, smode = (fcf >> WPAN_FCF_SADDR_SHIFT) & 3;
    int version = (fcf >> WPAN_FCF_VERSION_SHIFT) & 3;
    int comp = (fcf & WPAN_FCF_PANID_COMP) != 0;
    if (dmode == 1 || smode == 1)
        return; /* reserved addressing mode */
    size_t off = 2;
    if (!(version == WPAN_VERSION_2015 && (fcf & WPAN_FCF_SEQNO_SUPPRESS)))
        off++;
    /* PAN identifiers: IEEE 802.15.4-2015 table 7-2 for frame version 2,
     * else present with their address unless compressed into the first */
    int dpan, span;
    if (version == WPAN_VERSION_2015) {
        int both_ext = dmode == WPAN_ADDR_EXT && smode == WPAN_ADDR_EXT;
        if (dmode && smode) {
            dpan = both_ext ? !comp : 1;
            span = both_ext ? 0 : !comp;
        } else {
            dpan = dmode ? !comp : comp && !smode;
            span = smode && !comp;
        }
    } else {
        dpan = dmode != WPAN_ADDR_NONE;
        span = smode != WPAN_ADDR_NONE && !comp;
    }
    struct wpan_addr src, dst;
    if (dpan)
        off += 2;
    off = wpan_read_addr(dmode, p, caplen, off, &dst);
    if (off == 0)
        return;
    if (span)
        off += 2;
    off = wpan_read_addr(smode, p, caplen, off, &src);
    if (off == 0 || caplen < off + 1)
        return;
    if (p[off] == LOWPAN_DISPATCH_IPV6)
        decode_ipv6(p + off + 1, caplen - off - 1, size_after(end, off + 1), r, 0);
    else if ((p[off] & LOWPAN_IPHC_MASK) == LOWPAN_IPHC)
        lowpan_iphc(p, caplen, off, end, &src, &dst, r);
}
