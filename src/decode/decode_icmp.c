/* decode_icmp.c: ICMP (RFC 792) and ICMPv6 (RFC 4443) errors, for the
 * packet they quote. The ICMP row keeps its own columns: a quoted header is
 * not the packet's (its src, ports or stream stay the ICMP packet's, empty
 * for the ports). But Wireshark 4.0 dissects the quoted IP and TCP headers
 * (pinfo->flags.in_error_pkt) and, once its TCP dissector has read the 16
 * bytes up to the window, finds or creates that connection's conversation:
 * a connection first seen in a quote takes the next tcp.stream number. So
 * the driver decodes the quote apart (decode_quoted) and hands its TCP
 * header to the flow table (flow_track_quoted). A quote may itself be an
 * ICMP error, whose quote Wireshark dissects in turn: the driver follows
 * them to the innermost. */
#include "decode.h"
#include "bytes.h"

#include <string.h>

#define ICMP_HEADER_LEN 8       /* type, code, checksum, 4 bytes; then the quote */
/* ICMP types whose quoted packet Wireshark 4.0 dissects in full (checked
 * with tshark; a Redirect's quote stops after 8 TCP bytes, so no stream). */
#define ICMP_UNREACH 3
#define ICMP_SOURCEQUENCH 4
#define ICMP_TIMXCEED 11
#define ICMP_PARAMPROB 12
#define ICMP6_DST_UNREACH 1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROB 4

static int quotes_packet(uint8_t proto, uint8_t type)
{
    if (proto == IPPROTO_NUM_ICMP)
        return type == ICMP_UNREACH || type == ICMP_SOURCEQUENCH || type == ICMP_TIMXCEED ||
               type == ICMP_PARAMPROB;
    return type == ICMP6_DST_UNREACH || type == ICMP6_PACKET_TOO_BIG ||
           type == ICMP6_TIME_EXCEEDED || type == ICMP6_PARAM_PROB;
}

/* RFC 4884's "length of the original datagram" (ICMPv4 byte 5, in 32-bit
 * words), when set: packet-icmp.c 4.0 then cuts the quote, when the
 * message (seglen bytes from the IP header) is longer than 8 + 4 * words
 * bytes and the quoted IP header's total length too, to (quoted IHL +
 * words) * 4 bytes -- the IHL counted again, as Wireshark does. A length of
 * 2 leaves 8 TCP bytes: no window, no connection. (Wireshark's ICMPv6
 * dissector does not cut its quotes by theirs.) n: the quote's captured
 * bytes, returned as cut. */
static size_t rfc4884_quote(const uint8_t *p, size_t seglen, size_t n)
{
    size_t words = p[5];
    const uint8_t *in = p + ICMP_HEADER_LEN;
    if (words == 0 || seglen <= ICMP_HEADER_LEN + words * 4 || n < 4 ||
        get_be16(in + 2) <= words * 4)
        return n;
    size_t cut = ((size_t)(in[0] & 0x0F) + words) * 4;
    return cut < n ? cut : n;
}

void decode_icmp(uint8_t proto, const uint8_t *p, size_t caplen, size_t seglen, struct row *r,
                 int depth)
{
    /* The message ends where the IP datagram does: what follows in the
     * frame (an Ethernet trailer, FCS, a capture appliance's timestamp) is
     * not quoted, though it would read as the rest of an 8-byte quote's TCP
     * header (Wireshark's ICMP buffer ends at the IP length too). */
    size_t n = caplen < seglen ? caplen : seglen;
    if ((proto != IPPROTO_NUM_ICMP && proto != IPPROTO_NUM_ICMPV6) ||
        n <= ICMP_HEADER_LEN || !quotes_packet(proto, p[0]))
        return;
    /* packet-icmpv6.c dissects a quote as IPv6 only when its version is 6
     * (RFC 4443 quotes the invoking IPv6 packet), else as data; an ICMP
     * error's quote goes to the IP dissector, which reads IPv6 too. */
    if (proto == IPPROTO_NUM_ICMPV6 && p[ICMP_HEADER_LEN] >> 4 != 6)
        return;
    size_t len = n - ICMP_HEADER_LEN;
    if (proto == IPPROTO_NUM_ICMP)
        len = rfc4884_quote(p, seglen, len);
    r->present |= HAS_QUOTE;
    r->quote = (struct row_frag){
        .proto = proto, .depth = (uint8_t)depth,
        .len = (uint32_t)len, .data = p + ICMP_HEADER_LEN,
    };
}

/* The quoted packet ends where its IP header's length says, when that is
 * shorter than the quote (Wireshark shortens the IP datagram's buffer to
 * it): a TCP header cut there has no window, so no connection. A length of
 * 0 (offload) or below the header leaves it to the IP decoder. */
static size_t quoted_length(const uint8_t *p, size_t len)
{
    size_t ip;
    if (len >= 4 && p[0] >> 4 == 4) {
        ip = get_be16(p + 2);
        if (ip < IPV4_MIN_HEADER)
            return len;
    } else if (len >= 6 && p[0] >> 4 == 6) {
        if (get_be16(p + 4) == 0)
            return len;
        ip = IPV6_HEADER_LEN + (size_t)get_be16(p + 4);
    } else {
        return len;
    }
    return ip < len ? ip : len;
}

void decode_quoted(const struct row_frag *quote, uint8_t flags, struct row *q)
{
    q->decode_flags = (uint8_t)(flags | DECODE_IN_ERROR);
    row_reset(q);
    size_t n = quoted_length(quote->data, quote->len);
    /* The quote is all the bytes there are of the packet: its lengths are
     * clamped to them. */
    decode_ip_any(quote->data, n, n, q, quote->depth + 1);
}
