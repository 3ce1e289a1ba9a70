/* decode_tcp.c: the TCP header (RFC 9293) and its options. As tshark does,
 * the ports need 4 header bytes and seq, ack, flags and window all need 16.
 * Options are parsed safely, as Wireshark 4.0 does: a length below 2 or past
 * the header stops the parsing of options (never the row); a known option
 * whose length is wrong for it gives no value and is stepped over; a SACK
 * whose length is not whole blocks stops the parsing; of an option given
 * twice the first counts. */
#include "decode.h"
#include "bytes.h"

#define TCP_MIN_HEADER 20
#define TCP_FLAGS_MASK 0x01FF   /* NS .. FIN; the three reserved bits are dropped */

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2            /* RFC 9293, length 4 */
#define TCPOPT_WSCALE 3         /* RFC 7323 section 2.2, length 3 */
#define TCPOPT_SACK 5           /* RFC 2018 section 3, 8 bytes a block */
#define TCPOPT_TIMESTAMP 8      /* RFC 7323 section 3.2, length 10 */
#define TCPOLEN_MSS 4
#define TCPOLEN_WSCALE 3
#define TCPOLEN_TIMESTAMP 10

/* #16: the bytes the first ROW_SACK_MAX blocks of a SACK option cover
 * (only whole blocks, as Wireshark reads them). */
static void parse_sack(const uint8_t *v, size_t vlen, size_t have, struct row *r)
{
    uint32_t bytes = 0;
    uint8_t n = 0;
    for (size_t b = 0; b + 8 <= vlen && b + 8 <= have && n < ROW_SACK_MAX; b += 8, n++)
        bytes += get_be32(v + b + 4) - get_be32(v + b);
    if (n) {
        r->present |= HAS_SACK;
        r->nsack = n;
        r->sack_bytes = bytes;
    }
}

/* Options are parsed over the header's declared length (len); captured
 * bytes (cap, at most len) bound every read. As in tshark, an option cut by
 * the capture still gives the fields whose bytes are there. */
static void parse_options(const uint8_t *o, size_t len, size_t cap, struct row *r)
{
    size_t i = 0;
    while (i < len && i < cap) {
        uint8_t kind = o[i];
        if (kind == TCPOPT_EOL)
            return;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        if (len - i < 2 || cap - i < 2)
            return;
        size_t olen = o[i + 1];
        if (olen < 2 || olen > len - i)
            return; /* bogus or past the header: stop, as tshark does */
        const uint8_t *v = o + i + 2;
        size_t have = cap - i - 2; /* value bytes captured */
        switch (kind) {
        case TCPOPT_MSS:
            if (olen != TCPOLEN_MSS || (r->present & HAS_MSS))
                break;
            if (have < 2)
                return;
            r->present |= HAS_MSS;
            r->mss = get_be16(v);
            break;
        case TCPOPT_WSCALE:
            if (olen != TCPOLEN_WSCALE || (r->present & HAS_WSOPT))
                break;
            if (have < 1)
                return;
            r->present |= HAS_WSOPT;
            r->wsopt = v[0];
            break;
        case TCPOPT_TIMESTAMP:
            if (olen != TCPOLEN_TIMESTAMP || (r->present & (HAS_TSVAL | HAS_TSOPT)))
                break;
            if (have >= 4) {
                r->present |= HAS_TSVAL;
                r->tsval = get_be32(v);
            }
            if (have < 8)
                return;
            r->present |= HAS_TSOPT;
            r->tsecr = get_be32(v + 4);
            break;
        case TCPOPT_SACK:
            if (!(r->present & HAS_SACK))
                parse_sack(v, olen - 2, have, r);
            /* Wireshark's SACK dissector throws on a part block */
            if ((olen - 2) % 8 != 0)
                return;
            break;
        default:
            break;
        }
        i += olen;
    }
}

void decode_tcp(const uint8_t *p, size_t caplen, size_t seglen, struct row *r)
{
    if (caplen < 4)
        return;
    r->present |= HAS_SPORT | HAS_DPORT;
    r->sport = get_be16(p);
    r->dport = get_be16(p + 2);
    if (caplen < 16)
        return;
    r->present |= HAS_TCPSEQ;
    r->seq = get_be32(p + 4);
    r->ack = get_be32(p + 8);
    r->tcpflags = get_be16(p + 12) & TCP_FLAGS_MASK;
    r->rawwin = get_be16(p + 14);
    size_t hlen = (size_t)(p[12] >> 4) * 4;
    r->tcp_hlen = (uint8_t)hlen;
    /* tshark gives a segment length whenever the header fits in the IP
     * payload, even for a bogus data offset below 5; with such an offset it
     * shows no ack, flags or window, and no options. */
    if (hlen <= seglen) {
        r->present |= HAS_PAYLEN;
        r->paylen = (uint32_t)(seglen - hlen);
    }
    if (hlen < TCP_MIN_HEADER)
        return;
    r->present |= HAS_TCPHDR;
    r->tcp_opts_whole = caplen >= hlen;
    size_t optcap = caplen < hlen ? caplen : hlen;
    if (optcap > TCP_MIN_HEADER)
        parse_options(p + TCP_MIN_HEADER, hlen - TCP_MIN_HEADER, optcap - TCP_MIN_HEADER, r);
    if (caplen > hlen && (r->present & HAS_PAYLEN)) {
        r->payload = p + hlen;
        size_t n = caplen - hlen;
        r->payload_caplen = (uint32_t)(n < r->paylen ? n : r->paylen);
    }
}
