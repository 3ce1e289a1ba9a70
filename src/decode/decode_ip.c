/* decode_ip.c: IPv4 (RFC 791) and IPv6 (RFC 8200) with extension headers.
 * Fields are filled in header order as far as the captured bytes go, as
 * tshark shows them: an IPv4 source needs 16 header bytes, a destination 20.
 * IP-in-IP (protocols 4 and 41) decodes to the inner header, which then
 * replaces the outer one in the row. A fragment whose payload was wholly
 * captured is described in the row (HAS_FRAG) for the driver's fragment
 * table (ipfrag.c), which decodes the transport header on the fragment that
 * completes the datagram, as Wireshark does; only a first fragment cut short
 * by the capture carries its own transport header (IPv4 only, as tshark). */
#include "decode.h"
#include "bytes.h"
#include "tunnel.h"

#include <string.h>

#define IPV4_OFFMASK 0x1FFF
#define IPV4_MF 0x2000
#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_LSRR 131
#define IPOPT_SSRR 137
#define IPV6_FRAG_OFFMASK 0xFFF8
#define IPV6_FRAG_M 0x0001
#define IPV6_FRAG_HEADER_LEN 8
#define IPV6_ADDR_LEN 16
/* Routing types (IANA "Routing Types") whose Segments Left > 0 name a final
 * destination, and where their addresses start in the header. */
#define IPV6_RT_SOURCE 0        /* RFC 2460 (deprecated by RFC 5095) */
#define IPV6_RT_MIPV6 2         /* RFC 6275 section 6.4 */
#define IPV6_RT_RPL 3           /* RFC 6554 section 3 */
#define IPV6_RT_SRH 4           /* RFC 8754 section 2 */
#define IPV6_RT_ADDRS 8
/* Compact Routing Headers (draft-bonica-6man-comp-rtg-hdr): 16- and 32-bit
 * segment identifiers from offset 4; no address a connection is keyed on. */
#define IPV6_RT_CRH16 5
#define IPV6_RT_CRH32 6
#define IPV6_RT_SIDS 4
/* Options of hop-by-hop and destination options headers (RFC 8200
 * section 4.2): type, length of the data, data; Pad1 is a type alone. */
#define IPV6_OPT_PAD1 0x00
#define IPV6_OPT_HOME_ADDRESS 0xC9  /* RFC 6275 section 6.3: 16 bytes */
/* A chain of extension headers is bounded by the packet anyway (each is at
 * least 8 bytes, so 65535 bytes hold at most 8192), but a bound on the count
 * keeps the loop obviously finite. tshark follows chains of any length. */
#define IPV6_MAX_EXTENSIONS 8192

/* #15: IPComp (RFC 3173): next header, flags, CPI. Like Wireshark
 * (packet-ipsec.c), whatever the CPI (negotiated ones do not name the
 * algorithm), try to inflate the payload as DEFLATE and dissect what it
 * carries. The decoders are pure, so the row describes the payload and the
 * driver inflates it (decode_ip_inflated). */
#define IPCOMP_HEADER_LEN 4

static void ipcomp_mark(const uint8_t *p, size_t caplen, size_t seglen, struct row *r, int depth)
{
    size_t n = caplen < seglen ? caplen : seglen;
    if (n <= IPCOMP_HEADER_LEN)
        return;
    r->present |= HAS_IPCOMP;
    r->ipcomp = (struct row_frag){
        .proto = p[0], .depth = (uint8_t)depth,
        .len = (uint32_t)(n - IPCOMP_HEADER_LEN), .data = p + IPCOMP_HEADER_LEN,
    };
}

/* Whether p is where the IPv4 header the row holds ends (not past an AH
 * header, nor in an IPv6 packet). */
static int ipv4_payload_start(const uint8_t *p, const struct row *r)
{
    return r->ipver == IPVER_4 && p == r->ip + (size_t)(r->ip[0] & 0x0F) * 4;
}

/* IP in IP (4, 41); depth is the inner packet's. Nothing is followed, and
 * no tunnel named, where tshark 4.0 shows no inner layer: an IPv4 total
 * length that leaves no payload (packet-ip.c hands none on; an IPv6
 * packet, or AH, hands on an empty one, whose header counts as one the
 * snap length cut), or protocol 41 carrying a header of another version
 * (packet-ipv6.c declines it). Out of line: the copy of the row it keeps
 * would cost decode_transport's every call a larger stack frame. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void decode_ip_in_ip(uint8_t proto, const uint8_t *p, size_t caplen, size_t seglen,
                            struct row *r, int depth)
{
    if (seglen == 0 && ipv4_payload_start(p, r))
        return;
    if (proto == IPPROTO_NUM_IPV6 && caplen >= 1 && p[0] >> 4 != 6)
        return;
    tunnel_enter(r, TUNNEL_IPIP);
    /* The inner header is the row's: forget the outer one's fields, unless
     * the snap length cut the inner one before its source address (as
     * follow() does for the other tunnels). */
    struct row outer = *r;
    r->present &= ~(uint32_t)(HAS_SRC | HAS_DST | HAS_FINAL_DST | HAS_HOME_SRC | HAS_TTL |
                              HAS_IPID | HAS_IPPROTO);
    if (proto == IPPROTO_NUM_IPV4)
        decode_ip_any(p, caplen, seglen, r, depth);
    else
        decode_ipv6(p, caplen, seglen, r, depth);
    if (!decode_has_address(r))
        *r = outer;
}

static void decode_transport(uint8_t proto, const uint8_t *p, size_t caplen, size_t seglen,
                             struct row *r, int depth)
{
    /* Bytes after the datagram (an Ethernet pad, a trailer) are not its
     * payload: Wireshark's IP dissector ends its buffer at the datagram's
     * length, so a header running past that is not read from them. */
    if (caplen > seglen)
        caplen = seglen;
    switch (proto) {
    case IPPROTO_NUM_TCP:
        decode_tcp(p, caplen, seglen, r);
        break;
    case IPPROTO_NUM_UDP:
        decode_udp_tunnelled(p, caplen, seglen, r, depth); /* #15: VXLAN, GENEVE... */
        break;
    case IPPROTO_NUM_GRE:
        if (!(r->decode_flags & DECODE_NO_TUNNELS)) /* #15 */
            decode_gre(p, caplen, seglen, r, depth);
        break;
    case IPPROTO_NUM_SCTP:
        decode_sctp(p, caplen, r);
        break;
    case IPPROTO_NUM_IPCOMP:
        ipcomp_mark(p, caplen, seglen, r, depth);
        break;
    case IPPROTO_NUM_IPV4:
    case IPPROTO_NUM_IPV6:
        if (decode_tunnel_depth(depth) <= DECODE_MAX_DEPTH)
            decode_ip_in_ip(proto, p, caplen, seglen, r, decode_tunnel_depth(depth));
        break;
    default:
        /* ICMP and ICMPv6 (decode_icmp checks which): here rather than as
         * cases, which cost the switch time for every TCP segment */
        decode_icmp(proto, p, caplen, seglen, r, depth);
        break;
    }
}

void decode_ip_any(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (caplen < 1)
        return;
    if (p[0] >> 4 == 4)
        decode_ipv4(p, caplen, reported, r, depth);
    else if (p[0] >> 4 == 6)
        decode_ipv6(p, caplen, reported, r, depth);
}

/* IPv4 option types (IANA "IP Option Numbers") whose Wireshark 4.0
 * dissector reads fixed offsets of the option, and how many bytes it needs
 * (packet-ip.c; ipv4_option_whole). */
#define IPOPT_RR 7
#define IPOPT_MTUP 11           /* RFC 1063 MTU probe and reply */
#define IPOPT_MTUR 12
#define IPOPT_QS 25             /* RFC 4782 Quick-Start */
#define IPOPT_TS 68
#define IPOPT_TR 82             /* RFC 1393 traceroute */
#define IPOPT_SEC 130
#define IPOPT_ESEC 133
#define IPOPT_CIPSO 134
#define IPOPT_SID 136
#define IPOPT_RTRALT 148        /* RFC 2113 router alert */
#define QS_RATE_REQUEST 0
#define QS_RATE_REPORT 8
#define CIPSO_TAGS 6            /* type, length, DOI: the tags follow */
#define CIPSO_TAG_LEN_MAX 34

/* Whether Wireshark 4.0's CIPSO dissector stays within the option's len
 * bytes. Its tag walk checks a tag's length against the option one byte too
 * loosely (offset + taglen - 1 > max), so a tag may run one byte past it,
 * and its reads then go past the option; tags 2 and 5 read categories in
 * 2-byte steps and step on by them, so with an odd category length they
 * read no further than the option and the next tag starts a byte early. */
static int cipso_whole(const uint8_t *o, size_t len)
{
    if (len < CIPSO_TAGS)
        return 0;
    size_t off = CIPSO_TAGS;
    while (off < len) {
        uint8_t tag = o[off];
        size_t tl = off + 1 < len ? o[off + 1] : 1;
        if (tag == 0) { /* padding */
            off++;
            continue;
        }
        if (tag != 1 && tag != 2 && tag != 5 && tag != 6 && tag != 7)
            return off + 1 < len; /* an unknown tag ends the walk, once its
                                   * length byte is read: the option's last
                                   * byte has none */
        if (tl < (tag == 7 ? 2u : 4u) || tl > CIPSO_TAG_LEN_MAX || off + tl - 1 > len)
            return 1; /* "Malformed CIPSO tag": ends the walk */
        int stepped = tag == 2 || tag == 5;
        if (off + tl > len && !(stepped && ((tl - 4) & 1)))
            return 0;
        off += stepped ? 4 + ((tl - 4) & ~(size_t)1) : tl;
    }
    return 1;
}

/* Whether Wireshark 4.0's dissector of option o (len bytes, len >= 2) reads
 * no further than the option: one that does ends the packet's dissection
 * there ("Malformed Packet"), so tshark shows nothing after the IP header. */
static int ipv4_option_whole(const uint8_t *o, size_t len)
{
    switch (o[0]) {
    case IPOPT_SEC: case IPOPT_ESEC: case IPOPT_LSRR: case IPOPT_SSRR: case IPOPT_RR:
        return len >= 3;        /* the byte after the length: pointer, level */
    case IPOPT_TS:
        return len >= 4;        /* pointer, overflow and flags */
    case IPOPT_SID: case IPOPT_MTUP: case IPOPT_MTUR: case IPOPT_RTRALT:
        return len >= 4;        /* a 16-bit value */
    case IPOPT_TR:
        return len >= 12;       /* ID, two hop counts, originator */
    case IPOPT_QS:              /* function, rate, TTL, nonce for two functions */
        return len >= 3 && ((o[2] >> 4 != QS_RATE_REQUEST && o[2] >> 4 != QS_RATE_REPORT) ||
                             len >= 8);
    case IPOPT_CIPSO:
        return cipso_whole(o, len);
    default:
        return 1;
    }
}

/* A loose or strict source route whose pointer names its next address
 * (a multiple of 4 from 4 to the length) is not yet completed: its last
 * 4 bytes name the datagram's final destination (RFC 791 3.1). */
static int route_pending(const uint8_t *o, size_t len)
{
    return len >= 3 && o[2] >= 4 && !(o[2] & 3) && o[2] <= len;
}

/* One step of a walk over IPv4 options o[0..len) of which avail bytes may
 * be read, as both of Wireshark's walks step (ipv4_options): NOPs passed
 * over, *i left at the next option and *olen set to its length; END at the
 * options' end, an EOL, or a length byte missing, under 2 or past them;
 * CUT when a byte it needs lies at or past avail. */
enum ipv4_opt_step { IPV4_OPT_ONE, IPV4_OPT_END, IPV4_OPT_CUT };

static enum ipv4_opt_step ipv4_next_option(const uint8_t *o, size_t len, size_t avail, size_t *i,
                                           size_t *olen)
{
    for (;; ++*i) {
        if (*i >= len)
            return IPV4_OPT_END;
        if (*i >= avail)
            return IPV4_OPT_CUT;
        if (o[*i] == IPOPT_EOL)
            return IPV4_OPT_END;
        if (o[*i] != IPOPT_NOP)
            break;
    }
    if (*i + 1 >= len)
        return IPV4_OPT_END;
    if (*i + 1 >= avail)
        return IPV4_OPT_CUT;
    *olen = o[*i + 1];
    return *olen < 2 || *olen > len - *i ? IPV4_OPT_END : IPV4_OPT_ONE;
}

/* IPv4 options (hlen > 20, caplen >= 20; total: the datagram's length,
 * clamped to the frame; dst holds the header's), as Wireshark 4.0 reads them
 * (packet-ip.c). Returns whether its dissection goes on to the payload.
 * It walks the options twice, stopping at an EOL or at a length that is
 * under 2 or runs past them:
 * - first for the first loose or strict source route (get_dst_offset):
 *   one pending names the final destination, pinfo->dst, on which
 *   connections and reassembly are keyed, even when its length is no
 *   3 + 4n (its last 4 bytes, then);
 * - then to show them (dissect_ip_options): an option whose dissector
 *   reads past its length (ipv4_option_whole) ends the dissection (but
 *   not in an ICMP error's quote, DECODE_IN_ERROR), and a
 *   pending route of length 3 + 4n shows its last address as ip.dst,
 *   which the header's destination is not shown as then. With no pending
 *   route, ip.dst is the header's.
 * Options cut by the capture end it too (the second walk's tree item spans
 * them all), and ip.dst is then the header's if the first walk ended
 * within the bytes captured without a pending route, else not shown. */
static int ipv4_options(const uint8_t *p, size_t hlen, size_t caplen, size_t total,
                        struct row *r)
{
    const uint8_t *o = p + IPV4_MIN_HEADER;
    size_t len = hlen - IPV4_MIN_HEADER;
    /* the bytes from the options on that tshark may read: captured, and
     * within the datagram */
    size_t avail = (caplen < total ? caplen : total) - IPV4_MIN_HEADER;
    const uint8_t *final = NULL;
    size_t olen;
    for (size_t i = 0;; i += olen) {
        enum ipv4_opt_step st = ipv4_next_option(o, len, avail, &i, &olen);
        if (st == IPV4_OPT_CUT)
            goto cut;
        if (st == IPV4_OPT_END)
            break;
        uint8_t type = o[i];
        if (type == IPOPT_LSRR || type == IPOPT_SSRR) {
            if (i + 2 >= avail) /* its pointer, even past a length of 2 */
                goto cut;
            if (route_pending(o + i, olen)) {
                if (i + olen > avail)
                    goto cut;
                final = o + i + olen - 4;
            }
            break;
        }
    }
    if (avail < len) { /* the options' tree item reads them all */
        if (final)
            r->present &= ~(uint32_t)HAS_DST;
        return 0;
    }
    int go_on = 1, shown = final == NULL;
    for (size_t i = 0; ipv4_next_option(o, len, len, &i, &olen) == IPV4_OPT_ONE; i += olen) {
        uint8_t type = o[i];
        if (!(r->decode_flags & DECODE_IN_ERROR) && !ipv4_option_whole(o + i, olen)) {
            go_on = 0;
            break;
        }
        if (!shown && (type == IPOPT_LSRR || type == IPOPT_SSRR) && olen % 4 == 3 &&
            route_pending(o + i, olen)) {
            memcpy(r->dst, o + i + olen - 4, 4);
            shown = 1;
        }
    }
    if (!final)
        return go_on;
    if (!shown)
        r->present &= ~(uint32_t)HAS_DST;
    if (!shown || memcmp(r->dst, final, 4) != 0) {
        memset(r->final_dst, 0, sizeof r->final_dst);
        memcpy(r->final_dst, final, 4);
        r->present |= HAS_FINAL_DST;
    }
    return go_on;
cut: /* tshark reads past the capture: no ip.dst, nothing after it */
    r->present &= ~(uint32_t)HAS_DST;
    return 0;
}

/* What follows an IPv4 header: like tshark, read through an authentication
 * header (RFC 4302) to the protocol it protects. len is the payload's length
 * from the IP header (clamped to the wire). */
static void ipv4_payload(uint8_t proto, const uint8_t *p, size_t caplen, size_t len,
                         struct row *r, int depth)
{
    size_t off = 0;
    if (proto == IPPROTO_NUM_AH) {
        if (caplen < 2)
            return;
        size_t ahlen = ((size_t)p[1] + 2) * 4;
        if (caplen < ahlen || len < ahlen)
            return;
        proto = p[0];
        r->ipproto = proto;
        off = ahlen;
    }
    decode_transport(proto, p + off, caplen - off, len - off, r, depth);
}

/* RFC 1918 and link-local addresses: Wireshark adds the VLAN id
 * (pinfo->vlan_id: row.frag_vlan) to the reassembly key of datagrams
 * between them (packet-ip.c). */
static int ipv4_private(const uint8_t *a)
{
    return a[0] == 10 || (a[0] == 172 && (a[1] & 0xF0) == 16) ||
           (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254);
}

static void set_ipv4_fragment(const uint8_t *p, size_t hlen, size_t iplen, uint16_t frag,
                              struct row *r, int depth)
{
    /* packet-ip.c's key: the addresses and proto ^ id (^ VLAN id) */
    uint32_t id = (uint32_t)p[9] ^ get_be16(p + 4);
    if (ipv4_private(p + 12) || ipv4_private(p + 16))
        id ^= r->frag_vlan;
    r->present |= HAS_FRAG;
    r->frag = (struct row_frag){
        .ver = IPVER_4, .proto = p[9], .more = (frag & IPV4_MF) != 0, .depth = (uint8_t)depth,
        .id = id, .offset = (uint32_t)(frag & IPV4_OFFMASK) * 8,
        .len = (uint32_t)(iplen - hlen), .data = p + hlen,
    };
}

/* A fragment (MF set or an offset): packet-ip.c reassembles it when the
 * header's total length covers some payload and all of it was captured.
 * Out of line (cold): unfragmented traffic pays one test for fragments. */
__attribute__((cold, noinline))
static void ipv4_fragment(const uint8_t *p, size_t hlen, size_t caplen, size_t total,
                          uint16_t frag, struct row *r, int depth)
{
    /* total is the length field, or the frame's when that is zero (TSO),
     * clamped to the frame: only an unclamped one can have been captured */
    size_t iplen = get_be16(p + 2) ? get_be16(p + 2) : total;
    if (iplen > hlen && iplen <= caplen) {
        set_ipv4_fragment(p, hlen, iplen, frag, r, depth);
        return;
    }
    if (frag & IPV4_OFFMASK)
        return; /* a later fragment: no transport header */
    ipv4_payload(p[9], p + hlen, caplen - hlen, total - hlen, r, depth);
    if (r->ipproto == IPPROTO_NUM_TCP && (p[9] == IPPROTO_NUM_TCP || p[9] == IPPROTO_NUM_AH))
        /* A first fragment not reassembled: packet-tcp.c gives a segment
         * of a fragmented datagram no length (so raw numbers, no analysis),
         * but shows the payload bytes captured (tcp.payload), as for a
         * segment the snap length cut: the data column keeps them. */
        r->present &= ~(uint32_t)HAS_PAYLEN;
}

/* What follows a whole IPv4 header (hlen <= caplen, hlen <= total): a
 * fragment for the fragment table, or the payload. */
static inline __attribute__((always_inline)) void
ipv4_rest(const uint8_t *p, size_t hlen, size_t caplen, size_t total, struct row *r, int depth)
{
    uint16_t frag = get_be16(p + 6);
    if (frag & (IPV4_MF | IPV4_OFFMASK)) {
        ipv4_fragment(p, hlen, caplen, total, frag, r, depth);
        return;
    }
    ipv4_payload(p[9], p + hlen, caplen - hlen, total - hlen, r, depth);
}

/* A header with options, and what follows it when tshark goes on. Out of
 * line (cold), the header without options saves registers for no call. */
__attribute__((cold, noinline))
static void ipv4_with_options(const uint8_t *p, size_t hlen, size_t caplen, size_t total,
                              struct row *r, int depth)
{
    if (ipv4_options(p, hlen, caplen, total, r))
        ipv4_rest(p, hlen, caplen, total, r, depth);
}

void decode_ipv4(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (caplen < 1 || p[0] >> 4 != 4)
        return;
    size_t hlen = (size_t)(p[0] & 0x0F) * 4;
    if (hlen < IPV4_MIN_HEADER)
        return; /* bogus header length: tshark shows no addresses either */
    r->ipver = IPVER_4;
    r->ip = p;
    r->ip_caplen = caplen;
    if (caplen < 4)
        return;
    size_t total = get_be16(p + 2);
    if (total == 0)
        total = reported; /* TCP segmentation offload leaves it zero */
    else if (total < hlen)
        return; /* bogus total length */
    if (total > reported)
        total = reported;
    if (caplen >= 6) {
        r->present |= HAS_IPID;
        r->ipid = get_be16(p + 4);
    }
    if (caplen >= 9) {
        r->present |= HAS_TTL;
        r->ttl = p[8];
    }
    if (caplen < 10)
        return;
    r->present |= HAS_IPPROTO;
    r->ipproto = p[9];
    if (caplen >= 16) {
        r->present |= HAS_SRC;
        memset(r->src, 0, 16);
        memcpy(r->src, p + 12, 4);
    }
    if (caplen < IPV4_MIN_HEADER)
        return;
    r->present |= HAS_DST;
    memset(r->dst, 0, 16);
    memcpy(r->dst, p + 16, 4);
    if (hlen > IPV4_MIN_HEADER) {
        ipv4_with_options(p, hlen, caplen, total, r, depth);
        return;
    }
    ipv4_rest(p, hlen, caplen, total, r, depth);
}

/* RFC 6554 RPL: the number of addresses, n = ((Hdr Ext Len * 8) - Pad -
 * (16 - CmprE)) / (16 - CmprI) + 1, computed as packet-ipv6.c does (int
 * arithmetic; none for a length of 0; it may come out 0 or negative). */
static int rpl_addr_count(const uint8_t *h, int cmpri, int cmpre)
{
    int pad = h[5] >> 4;
    if (h[1] == 0)
        return 0;
    return (h[1] * 8 - pad - (16 - cmpre)) / (16 - cmpri) + 1;
}

/* Whether a CRH's current SID (Segments Left in; sid: bytes per SID) lies
 * within its len bytes; past them the header is malformed, and Wireshark
 * 4.0 (packet-ipv6.c dissect_routing6_crh) ends the dissection there.
 * (Its loop also reads the SID after the last when none is 0, so it calls
 * a header whose SIDs fill it exactly Malformed too: a fault of tshark's,
 * not of the header, which pcap2kdb does not copy; README.) */
static int crh_in_bounds(const uint8_t *h, size_t len, size_t sid)
{
    return ((size_t)h[3] + 1) * sid <= len - IPV6_RT_SIDS;
}

/* A Routing header (RFC 8200 section 4.4), h its len bytes, all captured.
 * When Segments Left is not 0, the packet has not reached its final
 * destination: Wireshark 4.0 (packet-ipv6.c) then sets pinfo->dst, on which
 * conversations (tcp.stream) and reassembly are keyed, to it, while
 * ipv6.dst keeps the header's address; the row does the same (final_dst,
 * row.h). The last address of type 0; type 2's home address; the last of
 * RPL's (type 3), its elided first CmprE bytes taken from the destination;
 * Segment List[0] of an SRH (type 4), the last segment of the path. Other
 * types name none. Returns 0 when Wireshark stops at the header (its
 * addresses, or a CRH's SIDs as it reads them, run past it: Malformed), so
 * nothing after it is decoded. */
static int ipv6_routing(const uint8_t *h, size_t len, struct row *r)
{
    uint8_t type = h[2], left = h[3];
    const uint8_t *last = NULL;
    size_t n;
    switch (type) {
    case IPV6_RT_SOURCE:
        n = h[1] / 2; /* an odd length leaves 8 bytes that are no address */
        if (n)
            last = h + IPV6_RT_ADDRS + (n - 1) * IPV6_ADDR_LEN;
        break;
    case IPV6_RT_MIPV6:
        if (len < IPV6_RT_ADDRS + IPV6_ADDR_LEN)
            return 0;
        last = h + IPV6_RT_ADDRS;
        break;
    case IPV6_RT_SRH:
        n = (size_t)h[4] + 1; /* Last Entry + 1 segments */
        if (len < IPV6_RT_ADDRS + n * IPV6_ADDR_LEN)
            return 0;
        last = h + IPV6_RT_ADDRS;
        break;
    case IPV6_RT_RPL: {
        int cmpri = h[4] >> 4, cmpre = h[4] & 0x0F;
        int count = rpl_addr_count(h, cmpri, cmpre);
        if (count <= 0)
            return 1;
        size_t at = IPV6_RT_ADDRS + (size_t)(count - 1) * (size_t)(16 - cmpri);
        size_t tail = (size_t)(16 - cmpre);
        if (at + tail > len)
            return 0;
        if (left) {
            uint8_t a[IPV6_ADDR_LEN];
            memcpy(a, row_key_dst(r), IPV6_ADDR_LEN); /* the destination so far */
            memcpy(a + cmpre, h + at, tail);
            memcpy(r->final_dst, a, IPV6_ADDR_LEN);
            r->present |= HAS_FINAL_DST;
        }
        return 1;
    }
    case IPV6_RT_CRH16:
        return crh_in_bounds(h, len, 2);
    case IPV6_RT_CRH32:
        return crh_in_bounds(h, len, 4);
    default:
        return 1;
    }
    if (left && last) {
        memcpy(r->final_dst, last, IPV6_ADDR_LEN);
        r->present |= HAS_FINAL_DST;
    }
    return 1;
}

/* A Destination Options header (RFC 8200 section 4.6), h its len bytes, all
 * captured. A Home Address option (RFC 6275 section 6.3) names the mobile
 * node's home address, which its correspondent takes as the packet's
 * source (section 9.3.1) while the header's is the care-of address:
 * Wireshark 4.0 (packet-ipv6.c dissect_opt_home_address) then sets
 * pinfo->src, on which conversations (tcp.stream) and reassembly are
 * keyed, to it, while ipv6.src keeps the header's; the row does the same
 * (home_src, row.h). The last such option counts, as there. Its address
 * is the first 16 bytes of its data (RFC 6275 sets its length to 16; with
 * more, tshark and tcpdump read the first 16 too). An option with fewer,
 * or one running past the header, names none, nor does one in a hop-by-hop
 * header, which RFC 6275 does not carry it in: tshark 4.0 reads 16 bytes
 * in all three, past the option in the first two (README). It counts
 * inside an ICMP error's quote too, as in Wireshark, whose options
 * dissector dissects TCP before it returns, so no sub-dissector's return
 * restores pinfo->src first (unlike a routing header's). */
static void ipv6_home_address(const uint8_t *h, size_t len, struct row *r)
{
    for (size_t i = 2; i < len;) {
        if (h[i] == IPV6_OPT_PAD1) {
            i++;
            continue;
        }
        if (len - i < 2 || h[i + 1] > len - i - 2)
            return; /* the option runs past the header */
        if (h[i] == IPV6_OPT_HOME_ADDRESS && h[i + 1] >= IPV6_ADDR_LEN) {
            memcpy(r->home_src, h + i + 2, IPV6_ADDR_LEN);
            r->present |= HAS_HOME_SRC;
        }
        i += 2 + (size_t)h[i + 1];
    }
}

/* Option types (IANA "Destination Options and Hop-by-Hop Options") whose
 * Wireshark 4.0 dissector (packet-ipv6.c dissect_opt_*) reads a part of
 * the data whatever the option's length says. */
#define IPV6_OPT_PADN 0x01
#define IPV6_OPT_JUMBO 0xC2     /* RFC 2675: 4 bytes of payload length */
#define IPV6_OPT_TEL 0x04       /* RFC 2473: 1 byte */
#define IPV6_OPT_RTALERT 0x05   /* RFC 2711: 2 bytes */
#define IPV6_OPT_CALIPSO 0x07   /* RFC 5570: 8 bytes and 4 per compartment word */
#define IPV6_OPT_SMF_DPD 0x08   /* RFC 6621 */
#define IPV6_OPT_PDM 0x0F       /* RFC 8250: 10 bytes */
#define IPV6_OPT_QUICKSTART 0x26 /* RFC 4782: 6 bytes for a rate request or report */
#define IPV6_OPT_PMTU 0x30      /* RFC 9268: 4 bytes */
#define IPV6_OPT_IOAM 0x31      /* RFC 9486: 2 bytes, 10 for a trace */
#define IPV6_OPT_TPF 0x41       /* Tunnel Payload Forwarding: 4 bytes */
#define IPV6_OPT_RPL 0x63       /* RFC 6553: 4 bytes */
#define IPV6_OPT_MPL 0x6D       /* RFC 7731: 2 bytes and a seed id */
#define IPV6_OPT_LIO 0x8C       /* RFC 6788: its line id's length byte */
#define IPV6_OPT_DFF 0xEE       /* RFC 6971: 3 bytes */
#define IPV6_OPT_OFFSET_WRAP 256 /* dissect_opts keeps an option's start in 8 bits */

/* How many bytes of an option's data (d, avail of them readable, olen its
 * length) Wireshark 4.0's dissector of its type reads, more than avail when
 * it needs a byte past them to know; *adv: where the dissector's offset
 * ends, before dissect_opts steps on to the option's length. */
static size_t ipv6_option_reads(uint8_t type, const uint8_t *d, size_t avail, size_t olen,
                                size_t *adv)
{
    static const uint8_t mpl_seed[4] = {0, 2, 8, 16};
    size_t n;
    switch (type) {
    case IPV6_OPT_TEL:
        n = 1;
        break;
    case IPV6_OPT_RTALERT:
        n = 2;
        break;
    case IPV6_OPT_DFF:
        n = 3;
        break;
    case IPV6_OPT_JUMBO: case IPV6_OPT_PMTU: case IPV6_OPT_TPF: case IPV6_OPT_RPL:
        n = 4;
        break;
    case IPV6_OPT_PDM:
        n = 10;
        break;
    case IPV6_OPT_HOME_ADDRESS:
        n = IPV6_ADDR_LEN;
        break;
    case IPV6_OPT_QUICKSTART: /* function and rate; then TTL or unused, nonce */
        if (avail >= 1 && (d[0] >> 4 == QS_RATE_REQUEST || d[0] >> 4 == QS_RATE_REPORT)) {
            n = 6;
            break;
        }
        *adv = 0; /* another function: read, not stepped over */
        return 1;
    case IPV6_OPT_CALIPSO: /* DOI, compartment length, level, checksum, bitmap */
        n = avail < 5 ? 5 : 8 + 4 * (size_t)d[4];
        break;
    case IPV6_OPT_MPL: /* flags (S: the seed id's length), sequence, seed id */
        n = avail < 1 ? 1 : 2 + (size_t)mpl_seed[d[0] >> 6];
        break;
    case IPV6_OPT_IOAM: /* reserved, type; a trace's namespace, lengths, type */
        if (olen == 0)
            return SIZE_MAX; /* its data's subtree, of length olen - 2, throws */
        n = avail < 2 ? 2 : d[1] <= 1 ? 10 : 2;
        *adv = n;
        return olen > n ? olen : n; /* that subtree spans the option */
    case IPV6_OPT_LIO: /* the line id's length, then at most the option's */
        *adv = olen == 0 || avail < 1 ? 0 : 1 + (d[0] < olen - 1 ? d[0] : olen - 1);
        return *adv > 1 ? *adv : 1;
    case IPV6_OPT_SMF_DPD: /* H-DPD: olen bytes of hash; I-DPD: a tagger id */
        if (avail < 1)
            return 1;
        if (d[0] & 0x80) {
            *adv = olen;
            return olen ? olen : 1;
        }
        n = 1 + ((d[0] & 0x70) ? (size_t)(d[0] & 0x0F) + 1 : 0);
        if (olen > n)
            n = olen;
        break;
    default: /* PadN, experimental and unknown types: their length */
        n = olen;
        break;
    }
    *adv = n;
    return n;
}

/* Whether Wireshark 4.0's options dissector (packet-ipv6.c dissect_opts)
 * reads no further than lim bytes from h, a hop-by-hop or destination
 * options header of hlen bytes: lim is where the IPv6 payload ends, or the
 * capture, the end of the buffer it dissects the header on. Reading past
 * it throws, which ends the packet's dissection at the header (Malformed),
 * in an ICMPv6 error's quote too. An option running past the header only
 * ends the walk; each one's data is what its type's dissector reads
 * (ipv6_option_reads), or its length if more; a Pad1's length byte is read
 * too (and ignored). */
static int ipv6_options_fit(const uint8_t *h, size_t hlen, size_t lim)
{
    for (size_t i = 2; i < hlen;) {
        if (i + 2 > lim)
            return 0;
        uint8_t type = h[i];
        if (type == IPV6_OPT_PAD1) {
            i++;
            continue;
        }
        size_t d = i + 2, olen = h[i + 1], adv = olen;
        size_t need = ipv6_option_reads(type, h + d, lim - d, olen, &adv);
        /* The rest of the option's length is shown as unknown data, unless
         * the 8-bit start it is measured from has wrapped. */
        if (d < IPV6_OPT_OFFSET_WRAP) {
            need = need > olen ? need : olen;
            adv = adv > olen ? adv : olen;
        }
        if (need > lim - d)
            return 0;
        i = d + adv;
    }
    return 1;
}

/* Shim6 (RFC 5533 section 5): next header, header extension length (8-byte
 * units, less one), then the P bit. P set: the payload extension header, a
 * context tag and nothing else; P clear: a control message, its type in the
 * P bit's byte, a checksum, type-specific data and options. Wireshark 4.0 (packet-shim6.c dissect_shim6) hands the
 * bytes after the header to its next header in both cases, unless its
 * reading of a control message throws first. Offsets are as that
 * dissector reads them, not as the RFC lays the message out: the checksum
 * from byte 3, type-specific data from byte 5 (dissect_shimctrl). */
#define SHIM6_P 0x80
#define SHIM6_TYPE_MASK 0x7F
#define SHIM6_CTRL_DATA 5
#define SHIM6_TYPE_I1 1
#define SHIM6_TYPE_R1 2
#define SHIM6_TYPE_I2 3
#define SHIM6_TYPE_R2 4
#define SHIM6_TYPE_R1BIS 5
#define SHIM6_TYPE_I2BIS 6
#define SHIM6_TYPE_UPD_REQ 64
#define SHIM6_TYPE_UPD_ACK 65
#define SHIM6_TYPE_KEEPALIVE 66
#define SHIM6_TYPE_PROBE 67
#define SHIM6_PROBE_LEN 40      /* RFC 5534 (REAP): two locators, nonce, data */
/* Option types (RFC 5533 section 5), a type's bytes shifted left by one
 * over the critical bit. */
#define SHIM6_OPT_RESPVAL 1
#define SHIM6_OPT_LOCLIST 2
#define SHIM6_OPT_LOCPREF 3
#define SHIM6_OPT_CGAPDM 4
#define SHIM6_OPT_CGASIG 5
#define SHIM6_OPT_ULIDPAIR 6
#define SHIM6_OPT_FII 7
#define SHIM6_OPT_HEADER_LEN 4
#define SHIM6_LOCATOR_LEN 16
#define SHIM6_ULIDPAIR_LEN 36   /* reserved, two ULIDs */
#define SHIM6_LOCPREF_MAX_ELEM 3

/* Where Wireshark 4.0's reading of the type-specific data of a control
 * message of type t ends (h its header, lim bytes readable, at least the
 * data's fixed part). */
static size_t shim6_ctrl_end(uint8_t t, const uint8_t *h, size_t lim)
{
    size_t n;
    switch (t) {
    case SHIM6_TYPE_I1: case SHIM6_TYPE_R1: case SHIM6_TYPE_R2: case SHIM6_TYPE_R1BIS:
    case SHIM6_TYPE_UPD_REQ: case SHIM6_TYPE_UPD_ACK: case SHIM6_TYPE_KEEPALIVE:
        n = 10;
        break;
    case SHIM6_TYPE_I2:
        n = 18;
        break;
    case SHIM6_TYPE_I2BIS:
        n = 26;
        break;
    case SHIM6_TYPE_PROBE: /* context tag, probes sent and received, reserved, probes */
        n = 10;
        if (SHIM6_CTRL_DATA + n <= lim) {
            uint8_t c = h[SHIM6_CTRL_DATA + 6];
            n += SHIM6_PROBE_LEN * ((size_t)(c & 0x0F) + (c >> 4));
        }
        break;
    default:
        n = 0;
        break;
    }
    return SHIM6_CTRL_DATA + n;
}

/* Where Wireshark 4.0's dissect_shimopts reads to, for the option at o of
 * a control message (h, lim bytes readable, at least o + 8): it reads the
 * option's type and length 4 bytes late (at o + 4 and o + 6) and spans
 * its subtree from there over the length rounded as RFC 5533 section 5
 * pads it; some types' dissectors read further. *total: how far its loop
 * steps on. */
static size_t shim6_option_end(const uint8_t *h, size_t o, size_t lim, size_t *total)
{
    size_t s = o + SHIM6_OPT_HEADER_LEN;
    size_t len = get_be16(h + s + 2);
    size_t pad = 7 - (len + 3) % 8;
    size_t end;
    *total = SHIM6_OPT_HEADER_LEN + len + pad;
    end = s + *total;
    if (end > lim)
        return end;
    switch (get_be16(h + s) >> 1) {
    case SHIM6_OPT_LOCLIST: { /* generation, count, methods, padding, locators */
        size_t n = h[s + 4];
        size_t e = s + 5 + n + (7 - n % 8) + SHIM6_LOCATOR_LEN * n;
        return e > end ? e : end;
    }
    case SHIM6_OPT_LOCPREF: { /* generation, element length, elements to s + len + 4 */
        size_t el = h[s + 4], q = s + 5, stop = s + len + SHIM6_OPT_HEADER_LEN;
        if (el < 1 || el > SHIM6_LOCPREF_MAX_ELEM) {
            q = s + 4; /* it gives up, its offset left at the element length */
        } else if (q < stop) {
            q += (stop - q + el - 1) / el * el;
        }
        return q + pad > end ? q + pad : end;
    }
    case SHIM6_OPT_ULIDPAIR:
        return s + SHIM6_ULIDPAIR_LEN > end ? s + SHIM6_ULIDPAIR_LEN : end;
    default: /* validators, CGA data: the length and padding; others: the header */
        return end;
    }
}

/* Whether Wireshark 4.0 reads a Shim6 header h of hlen bytes (all of them
 * captured) without going past lim, where the IPv6 payload or the capture
 * ends; reading past it throws (Malformed): nothing after the header is
 * dissected. A control message's options start where its type-specific
 * data ends plus SHIM6_CTRL_DATA again (dissect_shimctrl returns an
 * offset, which the caller adds as a length). */
static int shim6_fits(const uint8_t *h, size_t hlen, size_t lim)
{
    if (h[2] & SHIM6_P)
        return 1;
    size_t o = shim6_ctrl_end(h[2] & SHIM6_TYPE_MASK, h, lim);
    if (o > lim)
        return 0;
    for (o += SHIM6_CTRL_DATA; o < hlen;) {
        size_t total;
        if (o + 2 * SHIM6_OPT_HEADER_LEN > lim || shim6_option_end(h, o, lim, &total) > lim)
            return 0;
        o += total;
    }
    return 1;
}

static int is_ipv6_extension(uint8_t nh)
{
    switch (nh) {
    case IPPROTO_NUM_HOPOPT:
    case IPPROTO_NUM_ROUTING:
    case IPPROTO_NUM_FRAGMENT:
    case IPPROTO_NUM_DSTOPTS:
    case IPPROTO_NUM_AH:
    case IPPROTO_NUM_SHIM6:
        return 1;
    default:
        return 0;
    }
}

/* The extension headers from p + off on (nh names the first), then the
 * transport. end is where the IPv6 payload ends (from the header's payload
 * length, clamped to the wire), whole says all of it was captured. Also
 * decodes what follows the fragment header of a reassembled datagram. */
static void ipv6_chain(uint8_t nh, const uint8_t *p, size_t caplen, size_t end, size_t off,
                       int whole, struct row *r, int depth)
{
    for (int n = 0; n < IPV6_MAX_EXTENSIONS && is_ipv6_extension(nh); n++) {
        if (caplen < off + 2)
            return; /* chain cut short: the protocol is the header we could not pass */
        /* A fragment header's second byte is reserved, not a length
         * (RFC 8200 section 4.5: ignored on reception; packet-ipv6.c
         * reads 8 bytes whatever it holds). */
        size_t len = nh == IPPROTO_NUM_AH         ? ((size_t)p[off + 1] + 2) * 4
                     : nh == IPPROTO_NUM_FRAGMENT ? IPV6_FRAG_HEADER_LEN
                                                  : ((size_t)p[off + 1] + 1) * 8;
        uint8_t next = p[off];
        if (nh == IPPROTO_NUM_FRAGMENT) {
            if (caplen < off + 4)
                return;
            uint16_t fo = get_be16(p + off + 2);
            /* packet-ipv6.c: a fragment is reassembled when its whole
             * payload was captured; otherwise, even the first one is
             * shown as data, without the transport header. An empty one
             * (frag_plen 0), even a last one, is not reassembled and sets
             * no length: like an atomic fragment (offset 0, M clear) it
             * is read through, its next header on no bytes (IP in IP then
             * names the tunnel, as for an unfragmented packet whose
             * payload ends there). */
            if (fo & (IPV6_FRAG_OFFMASK | IPV6_FRAG_M))
                r->ipproto = next;
            if ((fo & (IPV6_FRAG_OFFMASK | IPV6_FRAG_M)) && end > off + IPV6_FRAG_HEADER_LEN) {
                if (whole && caplen >= off + IPV6_FRAG_HEADER_LEN) {
                    r->present |= HAS_FRAG;
                    r->frag = (struct row_frag){
                        .ver = IPVER_6, .proto = next, .more = fo & IPV6_FRAG_M,
                        .depth = (uint8_t)depth, .id = get_be32(p + off + 4),
                        .offset = fo & IPV6_FRAG_OFFMASK,
                        .len = (uint32_t)(end - off - IPV6_FRAG_HEADER_LEN),
                        .data = p + off + IPV6_FRAG_HEADER_LEN,
                    };
                }
                return;
            }
        }
        if (caplen < off + len || end < off + len)
            return;
        /* Inside an ICMP error (DECODE_IN_ERROR) a routing header does
         * neither: Wireshark calls its type's dissector through
         * call_dissector_work_error, which restores pinfo->dst when it
         * returns (the quoted connection is keyed on the quoted header's
         * own destination) and catches its reading past the header (the
         * TCP header after it is still dissected). */
        if (nh == IPPROTO_NUM_ROUTING && !(r->decode_flags & DECODE_IN_ERROR) &&
            !ipv6_routing(p + off, len, r))
            return;
        if ((nh == IPPROTO_NUM_HOPOPT || nh == IPPROTO_NUM_DSTOPTS) &&
            !ipv6_options_fit(p + off, len, (caplen < end ? caplen : end) - off))
            return;
        if (nh == IPPROTO_NUM_SHIM6 &&
            !shim6_fits(p + off, len, (caplen < end ? caplen : end) - off))
            return;
        if (nh == IPPROTO_NUM_DSTOPTS)
            ipv6_home_address(p + off, len, r);
        off += len;
        nh = next;
        r->ipproto = nh;
    }
    if (is_ipv6_extension(nh))
        return;
    decode_transport(nh, p + off, caplen - off, end - off, r, depth);
}

void decode_ip_inflated(const struct row_frag *c, const uint8_t *p, size_t len, struct row *r)
{
    r->present &= ~(uint32_t)HAS_IPCOMP;
    r->ipproto = c->proto;
    ipv4_payload(c->proto, p, len, len, r, c->depth);
}

void decode_ip_reassembled(const struct row_frag *f, const uint8_t *p, size_t caplen,
                           size_t len, struct row *r)
{
    if (f->ver == IPVER_4)
        ipv4_payload(f->proto, p, caplen, len, r, f->depth);
    else
        ipv6_chain(f->proto, p, caplen, len, 0, caplen >= len, r, f->depth);
}

#define IPV6_OPT_JUMBO_LEN 4
#define IPV6_JUMBO_MIN 65536u   /* a smaller value is an error (RFC 2675 section 3) */
size_t ipv6_jumbo_length(const uint8_t *p, size_t caplen)
{
    const uint8_t *h = p + IPV6_HEADER_LEN;
    if (caplen < IPV6_HEADER_LEN + 2 || p[6] != IPPROTO_NUM_HOPOPT)
        return 0;
    size_t hlen = ((size_t)h[1] + 1) * 8;
    if (caplen < IPV6_HEADER_LEN + hlen)
        return 0;
    for (size_t i = 2; i < hlen;) {
        uint8_t type = h[i];
        if (type == IPV6_OPT_PAD1) {
            i++;
            continue;
        }
        if (i + 2 > hlen || i + 2 + h[i + 1] > hlen)
            return 0;
        if (type == IPV6_OPT_JUMBO && h[i + 1] == IPV6_OPT_JUMBO_LEN) {
            uint32_t v = get_be32(h + i + 2);
            return v >= IPV6_JUMBO_MIN ? v : 0;
        }
        i += 2 + (size_t)h[i + 1];
    }
    return 0;
}

void decode_ipv6(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (caplen < 1 || p[0] >> 4 != 6)
        return;
    r->ipver = IPVER_6;
    r->ip = p;
    r->ip_caplen = caplen;
    if (caplen < 7)
        return;
    size_t plen = get_be16(p + 4);
    size_t avail = reported > IPV6_HEADER_LEN ? reported - IPV6_HEADER_LEN : 0;
    /* Payload length 0 with a hop-by-hop header asks for a Jumbo Payload
     * option above 65535 (RFC 2675); without one packet-ipv6.c takes the
     * payload as empty and the packet as malformed at that header: no
     * transport. (Length 0 without a hop-by-hop header is Linux's BIG TCP
     * on the wire, read to the frame's end as tcpdump does.) */
    int jumbo_missing = 0;
    if (plen == 0) {
        plen = ipv6_jumbo_length(p, caplen);
        jumbo_missing = plen == 0 && p[6] == IPPROTO_NUM_HOPOPT;
    }
    if (plen == 0 || plen > avail)
        plen = avail; /* offload, or a frame shorter than it says */
    uint8_t nh = p[6];
    r->present |= HAS_IPPROTO;
    r->ipproto = nh;
    if (caplen >= 8) {
        r->present |= HAS_TTL;
        r->ttl = p[7];
    }
    if (caplen >= 24) {
        r->present |= HAS_SRC;
        memcpy(r->src, p + 8, 16);
    }
    if (caplen < IPV6_HEADER_LEN)
        return;
    r->present |= HAS_DST;
    memcpy(r->dst, p + 24, 16);

    /* Only a payload that was wholly captured can be reassembled. */
    size_t raw = get_be16(p + 4);
    int whole = raw != 0 && raw <= caplen - IPV6_HEADER_LEN;
    if (jumbo_missing)
        return;
    ipv6_chain(nh, p, caplen, IPV6_HEADER_LEN + plen, IPV6_HEADER_LEN, whole, r, depth);
}
