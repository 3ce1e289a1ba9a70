/* decode_ip.c: IPv4 (RFC 791) and IPv6 (RFC 8200) with extension headers.
 * Fields are filled in header order as far as the captured bytes go, as
 * tshark shows them: an IPv4 source needs 16 header bytes, a destination 20.
 * IP-in-IP (protocols 4 and 41) decodes to the inner header, which then
 * replaces the outer one in the row. Only the first fragment of a datagram
 * carries the transport header. */
#include "decode.h"
#include "bytes.h"
#include "tunnel.h"

#include <string.h>

#define IPV4_MIN_HEADER 20
#define IPV4_OFFMASK 0x1FFF
#define IPV6_HEADER_LEN 40
#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_LSRR 131
#define IPOPT_SSRR 137
#define IPV6_FRAG_OFFMASK 0xFFF8
/* A chain of extension headers is bounded by the packet anyway (each is at
 * least 8 bytes, so 65535 bytes hold at most 8192), but a bound on the count
 * keeps the loop obviously finite. tshark follows chains of any length. */
#define IPV6_MAX_EXTENSIONS 8192

static void decode_transport(uint8_t proto, const uint8_t *p, size_t caplen, size_t seglen,
                             struct row *r, int depth)
{
    switch (proto) {
    case IPPROTO_NUM_TCP:
        decode_tcp(p, caplen, seglen, r);
        break;
    case IPPROTO_NUM_UDP:
        decode_udp_tunnelled(p, caplen, seglen, r, depth); /* #15: VXLAN, GENEVE... */
        break;
    case IPPROTO_NUM_GRE:
        if (!r->no_tunnels) /* #15 */
            decode_gre(p, caplen, seglen, r, depth);
        break;
    case IPPROTO_NUM_SCTP:
        decode_ports_only(p, caplen, r);
        break;
    case IPPROTO_NUM_IPV4:
    case IPPROTO_NUM_IPV6:
        if (depth >= DECODE_MAX_DEPTH)
            break;
        tunnel_enter(r, TUNNEL_IPIP);
        /* The inner header is the row's: forget the outer one's fields. */
        r->present &= ~(uint32_t)(HAS_SRC | HAS_DST | HAS_TTL | HAS_IPID | HAS_IPPROTO);
        if (proto == IPPROTO_NUM_IPV4)
            decode_ipv4(p, caplen, seglen, r, depth + 1);
        else
            decode_ipv6(p, caplen, seglen, r, depth + 1);
        break;
    default:
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

/* A loose or strict source route not yet completed names the datagram's
 * final destination as its last address; tshark shows that as ip.dst
 * (RFC 791 3.1). */
static void apply_source_route(const uint8_t *o, size_t len, struct row *r)
{
    size_t i = 0;
    while (i < len) {
        uint8_t type = o[i];
        if (type == IPOPT_EOL)
            return;
        if (type == IPOPT_NOP) {
            i++;
            continue;
        }
        if (len - i < 2 || o[i + 1] < 2 || o[i + 1] > len - i)
            return;
        size_t olen = o[i + 1];
        if ((type == IPOPT_LSRR || type == IPOPT_SSRR) && olen >= 7 && (r->present & HAS_DST)) {
            size_t ptr = o[i + 2];
            if (ptr >= 4 && ptr <= olen)
                memcpy(r->dst, o + i + olen - 4, 4);
        }
        i += olen;
    }
}

void decode_ipv4(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (caplen < 1 || p[0] >> 4 != 4)
        return;
    size_t hlen = (size_t)(p[0] & 0x0F) * 4;
    if (hlen < IPV4_MIN_HEADER)
        return; /* bogus header length: tshark shows no addresses either */
    r->ipver = IPVER_4;
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
    if (caplen >= 20) {
        r->present |= HAS_DST;
        memset(r->dst, 0, 16);
        memcpy(r->dst, p + 16, 4);
    }
    if (caplen < hlen)
        return;
    if (hlen > IPV4_MIN_HEADER)
        apply_source_route(p + IPV4_MIN_HEADER, hlen - IPV4_MIN_HEADER, r);
    if ((get_be16(p + 6) & IPV4_OFFMASK) != 0)
        return; /* a later fragment: no transport header */
    size_t off = hlen;
    uint8_t proto = p[9];
    /* Like tshark, read through an authentication header (RFC 4302) to the
     * protocol it protects. */
    if (proto == IPPROTO_NUM_AH) {
        if (caplen < off + 2)
            return;
        size_t ahlen = ((size_t)p[off + 1] + 2) * 4;
        if (caplen < off + ahlen || total < off + ahlen)
            return;
        proto = p[off];
        r->ipproto = proto;
        off += ahlen;
    }
    decode_transport(proto, p + off, caplen - off, total - off, r, depth);
}

static int is_ipv6_extension(uint8_t nh)
{
    switch (nh) {
    case IPPROTO_NUM_HOPOPT:
    case IPPROTO_NUM_ROUTING:
    case IPPROTO_NUM_FRAGMENT:
    case IPPROTO_NUM_DSTOPTS:
    case IPPROTO_NUM_AH:
        return 1;
    default:
        return 0;
    }
}

void decode_ipv6(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (caplen < 1 || p[0] >> 4 != 6)
        return;
    r->ipver = IPVER_6;
    if (caplen < 7)
        return;
    size_t plen = get_be16(p + 4);
    size_t avail = reported > IPV6_HEADER_LEN ? reported - IPV6_HEADER_LEN : 0;
    if (plen == 0 || plen > avail)
        plen = avail; /* jumbogram/offload, or a frame shorter than it says */
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

    size_t off = IPV6_HEADER_LEN;
    for (int n = 0; n < IPV6_MAX_EXTENSIONS && is_ipv6_extension(nh); n++) {
        if (caplen < off + 2)
            return; /* chain cut short: the protocol is the header we could not pass */
        size_t len = nh == IPPROTO_NUM_AH ? ((size_t)p[off + 1] + 2) * 4
                                          : ((size_t)p[off + 1] + 1) * 8;
        uint8_t next = p[off];
        if (nh == IPPROTO_NUM_FRAGMENT) {
            if (caplen < off + 4)
                return;
            if ((get_be16(p + off + 2) & IPV6_FRAG_OFFMASK) != 0) {
                r->ipproto = next; /* later fragment: the protocol, no header */
                return;
            }
        }
        if (caplen < off + len || plen < off - IPV6_HEADER_LEN + len)
            return;
        off += len;
        nh = next;
        r->ipproto = nh;
    }
    if (is_ipv6_extension(nh))
        return;
    size_t seglen = plen - (off - IPV6_HEADER_LEN);
    decode_transport(nh, p + off, caplen - off, seglen, r, depth);
}
