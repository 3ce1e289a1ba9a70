/* decode_udp.c: UDP (RFC 768), and SCTP's port pair (RFC 9260). The
 * payload length is the UDP header's length field less the header, as
 * Wireshark's udp.length - 8 gives it: also when it disagrees with the IP
 * length (padding, damaged or crafted packets). */
#include "decode.h"
#include "bytes.h"

#define UDP_HEADER_LEN 8

#define SCTP_COMMON_HEADER_LEN 12 /* ports, verification tag, checksum */

static void decode_ports(const uint8_t *p, size_t caplen, struct row *r)
{
    if (caplen < 4)
        return;
    r->present |= HAS_SPORT | HAS_DPORT;
    r->sport = get_be16(p);
    r->dport = get_be16(p + 2);
}

void decode_sctp(const uint8_t *p, size_t caplen, struct row *r)
{
    /* packet-sctp.c reads the whole common header (its checksum last)
     * before it shows a field: with fewer bytes tshark shows no ports. */
    if (caplen >= SCTP_COMMON_HEADER_LEN)
        decode_ports(p, caplen, r);
}

void decode_udp(const uint8_t *p, size_t caplen, size_t seglen, struct row *r)
{
    decode_ports(p, caplen, r);
    if (caplen < 6)
        return;
    size_t ulen = get_be16(p + 4);
    /* RFC 2675 section 4: a zero length over IPv6 is a jumbogram's, whose
     * length is the IP payload's (packet-udp.c does the same). */
    if (ulen == 0 && r->ipver == IPVER_6)
        ulen = seglen;
    if (ulen < UDP_HEADER_LEN)
        return; /* bogus: tshark stops at the length field */
    r->present |= HAS_PAYLEN;
    r->paylen = (uint32_t)(ulen - UDP_HEADER_LEN);
    /* The payload bytes are those of the datagram that lie in the IP payload
     * too (the data column). */
    size_t inside = ulen < seglen ? ulen : seglen;
    if (caplen > UDP_HEADER_LEN && inside > UDP_HEADER_LEN) {
        r->payload = p + UDP_HEADER_LEN;
        size_t n = caplen - UDP_HEADER_LEN;
        size_t want = inside - UDP_HEADER_LEN;
        r->payload_caplen = (uint32_t)(n < want ? n : want);
    }
}
