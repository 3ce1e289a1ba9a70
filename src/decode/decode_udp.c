/* decode_udp.c: UDP (RFC 768), and the port pair of transports that start
 * with one (SCTP). The payload length comes from the IP header, as for TCP. */
#include "decode.h"
#include "bytes.h"

#define UDP_HEADER_LEN 8

void decode_ports_only(const uint8_t *p, size_t caplen, struct row *r)
{
    if (caplen < 4)
        return;
    r->present |= HAS_SPORT | HAS_DPORT;
    r->sport = get_be16(p);
    r->dport = get_be16(p + 2);
}

void decode_udp(const uint8_t *p, size_t caplen, size_t seglen, struct row *r)
{
    decode_ports_only(p, caplen, r);
    if (seglen < UDP_HEADER_LEN)
        return;
    r->present |= HAS_PAYLEN;
    r->paylen = (uint32_t)(seglen - UDP_HEADER_LEN);
    if (caplen > UDP_HEADER_LEN) {
        r->payload = p + UDP_HEADER_LEN;
        size_t n = caplen - UDP_HEADER_LEN;
        r->payload_caplen = (uint32_t)(n < r->paylen ? n : r->paylen);
    }
}
