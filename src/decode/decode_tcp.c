/* decode_tcp.c: the TCP header (RFC 9293) and its options. As tshark does,
 * the ports need 4 header bytes and seq, ack, flags and window all need 16.
 * Options are read as Wireshark 4.0's tcp_dissect_options reads them: a
 * length below 2 or past the header stops the reading (never the row); a
 * known option whose length is wrong for it gives no value and is stepped
 * over; of an option given twice the first counts, but of window scale
 * and SACK the last (4.0's dissector stores the window scale each time it
 * meets one; MSS and timestamps it shows each time, the first first).
 * Each option is dissected on its own bytes, and where 4.0's dissector
 * reads a fixed offset past the option's length it throws: the options
 * after it give nothing, and tshark shows no analysis for the segment nor
 * checks its window scaling (no TCPOPTS_WHOLE, as when the capture cut a
 * byte its reading reaches: see enum opts_walk). pcap2kdb does the same
 * for the options listed below (SCPS, SNACK, MPTCP, Riverbed probe), with
 * the lengths tshark 4.0.17 throws on
 * (a sweep of kinds 2-255, lengths 2-30, and the values that decide); all
 * other kinds read within their length. Not for a SACK shorter than one
 * block (RFC 2018 section 3: 8n + 2 bytes): 4.0's D-SACK test reads a
 * block it does not have, and so loses the window scale or timestamps
 * (RFC 7323) after it; pcap2kdb skips it and reads on (README, "Compared
 * with tshark"). Whether an SCPS option throws depends on the connection
 * (whether the sender offered SCPS): the flow table reads the options
 * again with that (tcp_options_reread). */
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
#define TCPOPT_SCPS 20          /* CCSDS 714.0-B-2 3.2.3: capabilities, length 4 */
#define TCPOPT_SNACK 21         /* CCSDS 714.0-B-2 3.2.4: SNACK, length 6 */
#define TCPOPT_MPTCP 30         /* RFC 8684 */
#define TCPOPT_RVBD_PROBE 76    /* Riverbed probe (Wireshark's name) */
#define TCPOLEN_MSS 4
#define TCPOLEN_WSCALE 3
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_SACK_MIN 10     /* kind, length and one block */
#define TCPOLEN_SCPS 4
#define TCPOLEN_SNACK 6

/* #16: the bytes the whole captured blocks of a SACK option cover, at most
 * ROW_SACK_MAX of them: the segment's SACK for the bytes in flight (4.0
 * keeps the last SACK option's). */
static void parse_sack(const uint8_t *v, size_t vlen, size_t have, struct row *r)
{
    uint32_t bytes = 0;
    uint8_t n = 0;
    for (size_t b = 0; b + 8 <= vlen && b + 8 <= have && n < ROW_SACK_MAX; b += 8, n++)
        bytes += get_be32(v + b + 4) - get_be32(v + b);
    r->present |= HAS_SACK;
    r->nsack = n;
    r->sack_bytes = bytes;
}

/* 4.0 dissect_tcpopt_scps on a length other than 4, once the side has
 * offered SCPS: it walks the binding spaces from byte 2, each an ID byte,
 * a byte whose high nibble is the length in 16-bit words, and the data.
 * Returns 1 when the walk reads past the option. */
static int scps_extended_throws(const uint8_t *o, size_t olen, size_t have)
{
    size_t at = 2;
    size_t end = have < olen ? have : olen;
    while (at < olen) {
        if (at + 1 >= end)
            return 1;
        at += 2 + (size_t)(o[at + 1] >> 4) * 2;
        if (at > olen)
            return 1;
    }
    return 0;
}

/* The length 4.0's dissect_tcpopt_mptcp reads for the option whose value
 * starts at v (subtype in the high nibble; RFC 8684 section 3). */
static size_t mptcp_needs(const uint8_t *v, size_t have)
{
    if (have < 1)
        return 3;
    switch (v[0] >> 4) {
    case 0:                         /* MP_CAPABLE: version and flags */
    case 3:                         /* ADD_ADDR */
    case 8:                         /* MP_TCPRST */
        return 4;
    case 2: {                       /* DSS: flags, then data ACK and mapping */
        if (have < 2)
            return 4;
        uint8_t f = v[1];
        size_t n = 4;
        if (f & 0x01)               /* A: data ACK, 8 bytes with a */
            n += (f & 0x02) ? 8 : 4;
        if (f & 0x04)               /* M: DSN (8 bytes with m), SSN, length */
            n += ((f & 0x08) ? 8 : 4) + 4 + 2;
        return n;
    }
    case 6:                         /* MP_FAIL: 64-bit DSN */
    case 7:                         /* MP_FASTCLOSE: receiver's key */
        return 12;
    default:                        /* MP_JOIN, REMOVE_ADDR, MP_PRIO, others */
        return 3;
    }
}

/* The length 4.0's dissect_tcpopt_rvbd_probe reads for version/type byte
 * vt (version 1 when its low bit is set, type in the high nibble; else
 * version 2, type in bits 1-7); 3 when it reads no further. */
static size_t rvbd_probe_needs(uint8_t vt)
{
    if (vt & 1) {
        switch (vt >> 4) {
        case 0: case 3: case 4: return 10;  /* query, trace: appliance version */
        case 1: return 14;                  /* response: proxy address and port */
        case 2: return 3;                   /* internal */
        case 5: return 18;                  /* response, second half: two addresses */
        default: return (vt >> 4) <= 10 ? 8 : 3;  /* prober address; unknown types */
        }
    }
    switch (vt >> 1) {
    case 6: case 7: case 10: return 4;      /* an info byte */
    case 8: case 9: return 8;               /* client address or store ID */
    default: return 3;
    }
}

/* The options 4.0 may read past (SCPS, SNACK, MPTCP, Riverbed probe), out
 * of the loop of the common ones: returns 1 when tshark throws on the
 * option at o (kind, length olen, have value bytes captured). */
static __attribute__((noinline, cold)) int rare_option(const uint8_t *o, size_t olen, size_t have,
                                                       const struct tcp_opt_state *st,
                                                       struct row *r)
{
    const uint8_t *v = o + 2;
    switch (o[0]) {
    case TCPOPT_SCPS:
        if (olen == TCPOLEN_SCPS) {
            r->tcp_opts |= TCPOPTS_SCPS;
        } else if (scps_extended_throws(o, olen, have + 2)) {
            if ((r->tcp_opts & TCPOPTS_SCPS) || (st && st->scps))
                return 1;
            if (!st)
                r->tcp_opts |= TCPOPTS_STATEFUL; /* the side may have offered it before */
        }
        return 0;
    case TCPOPT_SNACK:
        return olen == TCPOLEN_SNACK; /* 4.0 reads its hole's edges 2 bytes on */
    case TCPOPT_MPTCP:
        return olen < mptcp_needs(v, have);
    default: /* TCPOPT_RVBD_PROBE */
        return olen >= 3 && olen < rvbd_probe_needs(have ? v[0] : 0);
    }
}

/* The length Wireshark 4.0's dissector of option kind checks before reading
 * its value (tcp_option_len_check): at another length it reads only the
 * kind and length bytes (tshark 4.0.17: a sweep of kinds 2-255 and lengths
 * 2-40, each option ending the header, cut after its length byte and one
 * byte short). 0 for the other kinds (option_bytes_read). */
static __attribute__((cold)) size_t checked_length(uint8_t kind)
{
    switch (kind) {
    case 2: return 4;       /* MSS */
    case 3: return 3;       /* window scale */
    case 4: return 2;       /* SACK permitted */
    case 6: case 7: return 6;          /* echo, echo reply (RFC 1072) */
    case 8: return 10;      /* timestamps */
    case 11: case 12: case 13: return 6;  /* CC, CC.NEW, CC.ECHO (RFC 1644) */
    case 19: return 18;     /* MD5 signature (RFC 2385) */
    case 21: return 6;      /* SCPS SNACK */
    case 27: return 8;      /* quick-start response (RFC 4782) */
    case 28: return 4;      /* user timeout (RFC 5482) */
    case 78: return 16;     /* Riverbed transparency */
    default: return 0;
    }
}

/* How many of the olen bytes of option o (one within the header) 4.0's
 * dissector reads (tshark 4.0.17: the same sweep, and every cut of these
 * kinds). Taken as all of them for the options that read part of their
 * value depending on it (SACK's partial blocks, MPTCP, Riverbed probe),
 * for SCPS (whether it reads depends on the connection) and for
 * quick-start's last byte. */
static __attribute__((cold)) size_t option_bytes_read(const uint8_t *o, size_t olen)
{
    switch (o[0]) {
    case 22: case 23: /* SCPS record boundary, corruption experienced: no value */
        return 2;
    case 29: case 253: case 254: /* TCP-AO's key IDs, experimental ExID: none under 4 */
        return olen < 4 ? 2 : olen;
    case 172: case 174: /* AccECN: one to three 3-byte counters or none */
        return olen == 5 || olen == 8 || olen == 11 ? olen : 2;
    default: {
        size_t want = checked_length(o[0]);
        return want && olen != want ? 2 : olen;
    }
    }
}

/* How parse_options' walk over the options ended. */
enum opts_walk {
    OPTS_AGAIN = -1,  /* fast pass: an option rare_option must see; read again */
    OPTS_THREW = 0,   /* tshark throws: a dissector reads past its option, or
                         a byte tshark reads was not captured */
    OPTS_READ = 1,    /* read to the header's end or to an EOL, whose padding
                         tshark reads: whole when the header was captured */
    OPTS_STOPPED = 2, /* a bogus length ended the walk, or an option whose
                         value tshark does not read ended the header, every
                         byte tshark reads captured: whole even when the
                         capture cut the header after them, as tshark never
                         reads on */
};

/* Options are read over the header's declared length (len); captured bytes
 * (cap, at most len) bound every read. As in tshark, an option cut by the
 * capture still gives the fields whose bytes are there. st is the
 * connection's state, NULL in the decoder: an answer that needs it sets
 * TCPOPTS_STATEFUL. fast is set in the decoder's first pass, which keeps
 * the common segment's path short. Returns an enum opts_walk. */
static inline __attribute__((always_inline)) int
parse_options(const uint8_t *o, size_t len, size_t cap, const struct tcp_opt_state *st,
              struct row *r, const int fast)
{
    size_t i = 0;
    size_t olen = 0; /* after the walk, the last option length read */
    while (i < len && i < cap) {
        uint8_t kind = o[i];
        if (kind == TCPOPT_EOL)
            break;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        if (len - i < 2)
            break; /* no room for a length byte: stop, as tshark does */
        if (cap - i < 2)
            return OPTS_THREW; /* the length byte was not captured */
        olen = o[i + 1];
        if (olen < 2)
            return OPTS_STOPPED; /* tshark marks its kind and length bytes */
        if (olen > len - i) {
            /* tshark marks from the option over as many bytes as the header
             * has left after its kind and length: all but its last two */
            return cap >= len - 2 ? OPTS_STOPPED : OPTS_THREW;
        }
        const uint8_t *v = o + i + 2;
        size_t have = cap - i - 2; /* value bytes captured */
        switch (kind) {
        case TCPOPT_MSS:
            if (olen != TCPOLEN_MSS || (r->present & HAS_MSS))
                break;
            if (have < 2)
                return OPTS_THREW;
            r->present |= HAS_MSS;
            r->mss = get_be16(v);
            break;
        case TCPOPT_WSCALE:
            if (olen != TCPOLEN_WSCALE)
                break;
            if (have < 1)
                return OPTS_THREW;
            r->present |= HAS_WSOPT;
            r->wsopt = v[0];
            r->tcp_opts |= TCPOPTS_WSOPT;
            break;
        case TCPOPT_TIMESTAMP:
            if (olen != TCPOLEN_TIMESTAMP || (r->present & (HAS_TSVAL | HAS_TSOPT)))
                break;
            if (have >= 4) {
                r->present |= HAS_TSVAL;
                r->tsval = get_be32(v);
            }
            if (have < 8)
                return OPTS_THREW;
            r->present |= HAS_TSOPT;
            r->tsecr = get_be32(v + 4);
            break;
        case TCPOPT_SACK:
            if (olen >= TCPOLEN_SACK_MIN)
                parse_sack(v, olen - 2, have, r);
            break;
        case TCPOPT_SCPS:
        case TCPOPT_SNACK:
        case TCPOPT_MPTCP:
        case TCPOPT_RVBD_PROBE:
            if (fast)
                return OPTS_AGAIN;
            if (rare_option(o + i, olen, have, st, r))
                return OPTS_THREW;
            break;
        default:
            break;
        }
        i += olen;
    }
    /* Cut inside the option that ends the header (a NOP or EOL there would
     * have needed the header's last byte, so it has a length): tshark
     * reads no further than that option's bytes it reads. */
    if (i == len && cap < len && cap - (len - olen) >= option_bytes_read(o + len - olen, olen))
        return OPTS_STOPPED;
    return OPTS_READ;
}

/* TCPOPTS_WHOLE when tshark reads the options of a header of hlen bytes,
 * cap of them captured, without throwing (walk: parse_options' answer):
 * it then shows the segment's analysis and checks a SYN's window scaling. */
static inline uint8_t options_whole(int walk, size_t cap, size_t hlen)
{
    return walk == OPTS_STOPPED || (walk == OPTS_READ && cap >= hlen) ? TCPOPTS_WHOLE : 0;
}

/* Everything the options give a row (decode_tcp's defaults first). */
#define TCPOPTS_PRESENT (HAS_MSS | HAS_WSOPT | HAS_TSVAL | HAS_TSOPT | HAS_SACK)

/* Reads the options of the row's TCP header (at p, cap bytes of it
 * captured) again from the start, whole: the option fields,
 * tcp_opts_whole and tcp_opts_flags anew. */
static __attribute__((noinline, cold)) void reread(const uint8_t *p, size_t cap,
                                             const struct tcp_opt_state *st, struct row *r)
{
    size_t hlen = r->tcp_hlen;
    r->present &= ~(uint32_t)TCPOPTS_PRESENT;
    r->tcp_opts = 0;
    int walk = parse_options(p + TCP_MIN_HEADER, hlen - TCP_MIN_HEADER, cap - TCP_MIN_HEADER,
                             st, r, 0);
    r->tcp_opts |= options_whole(walk, cap, hlen);
    if (!st && (r->tcp_opts & TCPOPTS_STATEFUL)) {
        r->tcp_header = p;
        r->tcp_caplen = (uint16_t)cap;
    }
}

void tcp_options_reread(struct row *r, const struct tcp_opt_state *st)
{
    reread(r->tcp_header, r->tcp_caplen, st, r);
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
    if (hlen < TCP_MIN_HEADER) {
        /* No options read. Every row with a seq has its tcp_opts, so that
         * the flow table, which tracks such a row, never reads the value
         * of a row decoded before (row_reset leaves the field alone). */
        r->tcp_opts = 0;
        return;
    }
    r->present |= HAS_TCPHDR;
    r->tcp_opts = 0;
    size_t optcap = caplen < hlen ? caplen : hlen;
    int walk = optcap > TCP_MIN_HEADER
                   ? parse_options(p + TCP_MIN_HEADER, hlen - TCP_MIN_HEADER,
                                   optcap - TCP_MIN_HEADER, NULL, r, 1)
                   : OPTS_READ;
    if (walk == OPTS_AGAIN)
        reread(p, optcap, NULL, r);
    else
        r->tcp_opts |= options_whole(walk, caplen, hlen);
    if (caplen > hlen && (r->present & HAS_PAYLEN)) {
        r->payload = p + hlen;
        size_t n = caplen - hlen;
        r->payload_caplen = (uint32_t)(n < r->paylen ? n : r->paylen);
    }
}
