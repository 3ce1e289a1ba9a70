/* hwts.c: hardware timestamps (see hwts.h). The formats without a magic
 * number (Metamako, Exablaze) are accepted by the plausibility tests of
 * their Wireshark dissectors, so they are only looked for when asked. */
#include "hwts.h"
#include "bytes.h"
#include "decode.h"
#include "linktype.h"

#include <string.h>

#define NSEC_PER_SEC 1000000000u
#define PSEC_PER_SEC 1000000000000u
#define ETHER_HEADER_LEN 14
#define ETHER_ADDRS_LEN 12 /* destination and source MAC: then the type */
/* Metamako: seconds, nanoseconds, then flags, device (16 bits) and port. */
#define METAMAKO_CORE_LEN 12
#define METAMAKO_FLAG_EXTENSIONS 0x02
#define METAMAKO_TAG_MASK 0x1F
#define METAMAKO_TAG_SECONDARY 0x1F
#define METAMAKO_TAG_FINAL 0x20
#define METAMAKO_MIN_SECONDS 3600
#define METAMAKO_WINDOW (30 * 86400)  /* of the record's time */
/* Exablaze: original FCS, device, port, seconds, 40-bit fraction, unused. */
#define EXABLAZE_LEN 16
#define EXABLAZE_WINDOW (7 * 86400)
/* Ixia: TLVs, their length (u8), the signature and an Internet checksum. */
#define IXIA_SIGNATURE 0xAF12
#define IXIA_TS_FIRST 3 /* local, NTP, GPS, PTP, holdover: 3..7 */
#define IXIA_TS_LAST 7
#define ETH_FCS_LEN 4
/* The shortest Ethernet frame without its FCS: shorter ones are padded. */
#define ETH_MIN_FRAME 60
#define ARP_FIXED_LEN 8
#define IPV6_NEXT_HEADER 6 /* its offset: the last field read here */

static const struct { const char *name; unsigned mask; } hwts_names[] = {
    { "metamako", HWTS_METAMAKO }, { "exablaze", HWTS_EXABLAZE }, { "expcap", HWTS_EXPCAP },
    { "ixia", HWTS_IXIA },         { "arista", HWTS_ARISTA },     { "auto", HWTS_AUTO },
    { "none", 0 },
};

int hwts_parse_list(const char *list, unsigned *mask)
{
    unsigned m = 0, named = 0; /* named: bit i for hwts_names[i] */
    int names = 0, none = 0, repeated = 0;
    const char *s = list;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        size_t i;
        for (i = 0; i < sizeof hwts_names / sizeof hwts_names[0]; i++)
            if (strlen(hwts_names[i].name) == n && memcmp(hwts_names[i].name, s, n) == 0)
                break;
        if (i == sizeof hwts_names / sizeof hwts_names[0])
            return HWTS_LIST_UNKNOWN;
        m |= hwts_names[i].mask;
        repeated |= (named >> i) & 1u;
        named |= 1u << i;
        names++;
        none |= hwts_names[i].mask == 0;
        if (!e)
            break;
        s = e + 1;
    }
    /* "none" stands alone: beside a format it would be ignored */
    if (none && names > 1)
        return HWTS_LIST_NONE_COMBINED;
    /* as a column or a FIX tag named twice: a slip, refused, never merged */
    if (repeated)
        return HWTS_LIST_REPEATED;
    *mask = m;
    return 0;
}

/* Record times beyond this many seconds from 1970 match no stamp (and
 * keep the arithmetic below from overflowing). */
#define REC_SEC_LIMIT ((int64_t)1 << 40)

static int within(int64_t a, int64_t b, int64_t window)
{
    if (b < -REC_SEC_LIMIT || b > REC_SEC_LIMIT)
        return 0;
    return a > b ? a - b <= window : b - a <= window;
}

static void set_time(struct hw_stamp *out, int64_t sec, uint32_t nsec)
{
    out->has_time = 1;
    out->sec = sec;
    out->nsec = nsec;
}

int hwts_metamako(const uint8_t *t, size_t len, int64_t rec_sec, struct hw_stamp *out)
{
    /* From the end inwards, first as if no FCS followed the trailer, then
     * with one (packet-metamako.c). */
    for (size_t fcs = 0; fcs <= ETH_FCS_LEN; fcs += ETH_FCS_LEN) {
        if (len < fcs + METAMAKO_CORE_LEN)
            return 0;
        size_t end = len - fcs;
        uint32_t sec = get_be32(t + end - 12), nsec = get_be32(t + end - 8);
        uint8_t flags = t[end - 4];
        if (!(sec > METAMAKO_MIN_SECONDS && nsec < NSEC_PER_SEC &&
              within(sec, rec_sec, METAMAKO_WINDOW)))
            continue;
        size_t pos = end - METAMAKO_CORE_LEN;
        int ok = 1;
        if (flags & METAMAKO_FLAG_EXTENSIONS) {
            /* TLV words, the last one first: tag in bits 0-4, "final" bit 5,
             * extra words in bits 6-7 (a secondary tag 0x1F: bits 6-15, + 1) */
            while (pos >= 4) {
                uint32_t w = get_be32(t + pos - 4);
                pos -= 4;
                size_t words = (w >> 6) & 0x3;
                if ((w & METAMAKO_TAG_MASK) == METAMAKO_TAG_SECONDARY)
                    words = ((w >> 6) & 0x3FF) + 1;
                if (words * 4 > pos) {
                    /* runs past the trailer's start: no room for the
                     * TLVs, no trailer. packet-metamako.c's unsigned
                     * count of bytes left wraps here, passes its ">= 4"
                     * test, and tshark 4.0 shows a stamp (README,
                     * "Compared with tshark") */
                    ok = 0;
                    break;
                }
                pos -= words * 4;
                if (w & METAMAKO_TAG_FINAL)
                    break;
            }
        }
        /* the original FCS comes first; bytes before it are padding */
        if (!ok || pos < ETH_FCS_LEN)
            continue;
        set_time(out, sec, nsec);
        out->has_dev = out->has_port = 1;
        out->dev = get_be16(t + end - 3);
        out->port = t[end - 1];
        return 1;
    }
    return 0;
}

int hwts_exablaze(const uint8_t *t, size_t len, int64_t rec_sec, struct hw_stamp *out)
{
    for (size_t fcs = 0; fcs <= ETH_FCS_LEN; fcs += ETH_FCS_LEN) {
        if (len < fcs + EXABLAZE_LEN)
            continue;
        const uint8_t *x = t + len - fcs - EXABLAZE_LEN;
        uint32_t sec = get_be32(x + 6);
        if (!within(sec, rec_sec, EXABLAZE_WINDOW))
            continue;
        uint64_t frac = (uint64_t)x[10] << 32 | get_be32(x + 11);
        set_time(out, sec, (uint32_t)(frac * 1953125u >> 31)); /* frac * 10^9 / 2^40 */
        out->has_dev = out->has_port = 1;
        out->dev = x[4];
        out->port = x[5];
        return 1;
    }
    return 0;
}

/* RFC 1071 Internet checksum of n bytes. */
static uint16_t inet_checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += get_be16(p + i);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

int hwts_ixia(const uint8_t *t, size_t len, struct hw_stamp *out)
{
    /* The whole Ethernet trailer is the Ixia trailer, maybe followed by an
     * FCS (packet-ixiatrailer.c): signature 3rd and 4th bytes from the end. */
    if (len < 5)
        return 0;
    size_t end = len;
    if (get_be16(t + end - 4) != IXIA_SIGNATURE) {
        if (len < 13 || get_be16(t + end - 8) != IXIA_SIGNATURE)
            return 0;
        end -= ETH_FCS_LEN;
    }
    size_t tlv_len = t[end - 5];
    if (end - 5 != tlv_len || inet_checksum(t, tlv_len + 3) != get_be16(t + end - 2))
        return 0;
    /* the first timestamp TLV (type, length 8, seconds, nanoseconds) */
    for (size_t off = 0; off + 2 <= tlv_len;) {
        uint8_t type = t[off], flen = t[off + 1];
        off += 2;
        if (type >= IXIA_TS_FIRST && type <= IXIA_TS_LAST && flen == 8 && off + 8 <= tlv_len) {
            uint32_t nsec = get_be32(t + off + 4);
            if (nsec >= NSEC_PER_SEC)
                return 0;
            set_time(out, get_be32(t + off), nsec);
            return 1;
        }
        off += flen;
    }
    return 0;
}

int hwts_arista(const uint8_t *h, size_t len, int64_t rec_sec, struct hw_stamp *out)
{
    if (len < 4 || get_be16(h) != ARISTA_SUBTYPE_TIMESTAMP)
        return 0;
    /* by the format alone (decode.h): the timescale is given as written,
     * and the hardware generation does not change the layout (tcpdump) */
    unsigned format = arista_format(get_be16(h + 2));
    if (format == ARISTA_FORMAT_64BIT) {
        if (len < 12)
            return 0;
        uint32_t nsec = get_be32(h + 8);
        if (nsec >= NSEC_PER_SEC)
            return 0;
        set_time(out, get_be32(h + 4), nsec);
        return 1;
    }
    if (format == ARISTA_FORMAT_48BIT) {
        if (len < 10 || rec_sec < -REC_SEC_LIMIT || rec_sec > REC_SEC_LIMIT)
            return 0;
        uint32_t nsec = get_be32(h + 6);
        if (nsec >= NSEC_PER_SEC)
            return 0;
        /* the low 16 bits of the seconds: the upper ones are the record
         * time's, moved by 65536 s where that lands nearer to it */
        int64_t sec = (rec_sec & ~(int64_t)0xFFFF) | get_be16(h + 4);
        if (sec - rec_sec > 0x8000)
            sec -= 0x10000;
        else if (rec_sec - sec > 0x8000)
            sec += 0x10000;
        set_time(out, sec, nsec);
        return 1;
    }
    return 0;
}

int hwts_expcap(const uint8_t f[EXPCAP_FOOTER_LEN], struct hw_stamp *out)
{
    /* little-endian, packed: seconds (32), picoseconds (40), flags, device,
     * port, dropped count or new FCS (16), reserved (16) */
    uint64_t ps = (uint64_t)f[8] << 32 | get_le32(f + 4);
    /* "picoseconds since the last second boundary": 40 bits hold up to
     * 1.0995 s, but a value of 1 s or more is no such time (exact-capture's
     * tools print it as a 12-digit fraction and define no carry), so it
     * gives no stamp, as an out-of-range fraction of every other format */
    if (ps >= PSEC_PER_SEC)
        return 0;
    set_time(out, get_le32(f), (uint32_t)(ps / 1000u));
    out->has_dev = out->has_port = 1;
    out->dev = f[10];
    out->port = f[11];
    return 1;
}

/* Where the IP datagram at p + off ends, as Wireshark's IP dissectors bound
 * it (set_actual_length), so that what follows is the trailer; 0 where they
 * leave it unbounded, so that no trailer is found:
 * - by its version nibble (as decode_ip_any picks the version), or only
 *   version 6 after Ethertype 0x86DD (packet-ipv6.c declines another, as
 *   decode_ethertype does);
 * - IPv4 by its total length, except a header tshark calls bogus (a header
 *   length below 5 words, or above the total length: packet-ip.c returns
 *   before it trims its data) and a total length of 0 (TCP segmentation
 *   offload: the frame's);
 * - IPv6 by 40 + its payload length, or a Jumbo Payload option's length;
 *   a payload length of 0 without one is Linux's BIG TCP, to the frame's
 *   end (decode_ipv6). */
static size_t ip_packet_end(const uint8_t *p, size_t caplen, size_t off, int ipv6_only)
{
    if (caplen < off + IPV6_NEXT_HEADER + 1)
        return 0;
    const uint8_t *ip = p + off;
    if (ip[0] >> 4 == 4 && !ipv6_only) {
        size_t hlen = (size_t)(ip[0] & 0x0F) * 4, total = get_be16(ip + 2);
        return hlen >= IPV4_MIN_HEADER && total >= hlen ? off + total : 0;
    }
    if (ip[0] >> 4 == 6) {
        size_t plen = get_be16(ip + 4);
        if (plen == 0)
            plen = ipv6_jumbo_length(ip, caplen - off);
        return plen ? off + IPV6_HEADER_LEN + plen : 0;
    }
    return 0;
}

/* Where a length/type field stands, which decides whether a value up to
 * 1500 is a length (IEEE 802.3 3.2.6), as decode_link.c reads it after
 * Wireshark 4.0's dissectors. */
enum type_field {
    IN_ETHERNET_HEADER, /* packet-eth.c: 0 is a type (Cisco MDS), 1..1500 a length */
    BEHIND_VLAN_TAG,    /* packet-vlan.c (802.1Q, 0x9100): 0..1500 a length */
    ETHERTYPE_ONLY,     /* packet-ieee8021ah.c (802.1ad), Arista's header: a type */
};

static int is_8023_length(uint16_t value, enum type_field field)
{
    switch (field) {
    case IN_ETHERNET_HEADER: return value != 0 && value <= IEEE8023_MAX_LEN;
    case BEHIND_VLAN_TAG: return value <= IEEE8023_MAX_LEN;
    case ETHERTYPE_ONLY: return 0;
    }
    return 0;
}

/* Where the Ethernet frame's packet ends, so that what follows is its
 * trailer: where Wireshark's dissectors end it, since a trailer is
 * whatever they leave over (packet-ethertype.c, packet-ieee8023.c).
 * - An IP datagram, by its length field, past VLAN tags (up to
 *   VLAN_MAX_TAGS 802.1Q/0x9100 ones, counting the pseudowire frame's:
 *   packet-vlan.c returns on the next one without shortening its data, so
 *   no dissector finds a trailer, and what follows, an Arista header too,
 *   is not read; 802.1ad tags are not counted), Arista headers and
 *   MPLS labels (packet-mpls.c shrinks its data to the IP packet's "so that
 *   ethernet trailer is detected"); behind an MPLS pseudowire (control
 *   word or none, as decode_mpls decides, and the Ethernet frame), the
 *   inner frame's.
 * - An ARP packet, by its address lengths (RFC 826).
 * - An 802.3 frame (a length, not a type, where the field stands: see
 *   is_8023_length; LLC, SNAP included, whatever it carries), by that
 *   length; one running past the frame leaves no trailer (Wireshark
 *   clamps it to the frame).
 * Also the Arista header's offset. 0 when the frame carries none of these
 * (Ethertype 0x8870's LLC frame: tshark looks for no trailer there; nor
 * after a small value read as an Ethertype, 0 included, whose payload
 * tshark's data dissector takes whole). */
static size_t ethernet_packet_end(const uint8_t *p, size_t caplen, size_t *arista)
{
    size_t off = ETHER_ADDRS_LEN;
    int vlan_tags = 0;
    enum type_field field = IN_ETHERNET_HEADER;
    for (int n = 0; n < DECODE_MAX_DEPTH; n++) {
        if (caplen < off + 2)
            return 0;
        uint16_t type = get_be16(p + off);
        off += 2;
        if (is_8023_length(type, field))
            return off + type <= caplen ? off + type : 0;
        switch (type) {
        case ETHERTYPE_VLAN:
        case ETHERTYPE_QINQ_OLD:
            if (++vlan_tags > VLAN_MAX_TAGS)
                return 0;
            off += 2;
            field = BEHIND_VLAN_TAG;
            continue;
        case ETHERTYPE_QINQ:
            off += 2;
            field = ETHERTYPE_ONLY;
            continue;
        case ETHERTYPE_ARISTA:
            if (!*arista)
                *arista = off;
            if (caplen < off + 4 || get_be16(p + off) != ARISTA_SUBTYPE_TIMESTAMP ||
                !arista_timestamp_len(get_be16(p + off + 2)))
                return 0;
            off += 4 + arista_timestamp_len(get_be16(p + off + 2));
            field = ETHERTYPE_ONLY;
            continue;
        case ETHERTYPE_MPLS:
        case ETHERTYPE_MPLS_MC: {
            /* labels to the bottom of the stack, as many as decode_mpls takes */
            int bottom = 0;
            for (int l = 0; l < DECODE_MAX_MPLS_LABELS && !bottom; l++) {
                if (caplen < off + MPLS_LABEL_LEN)
                    return 0;
                bottom = p[off + 2] & 1;
                off += MPLS_LABEL_LEN;
            }
            if (!bottom || caplen <= off)
                return 0;
            if (p[off] >> 4 == 0) {
                /* a pseudowire: the inner frame's type */
                off += mpls_pw_control_word_len(p + off, caplen - off) + ETHER_ADDRS_LEN;
                field = IN_ETHERNET_HEADER;
                continue;
            }
            return ip_packet_end(p, caplen, off, 0);
        }
        case ETHERTYPE_ARP:
            /* hardware type, protocol type, their lengths, opcode, then
             * two of each address (RFC 826) */
            if (caplen < off + ARP_FIXED_LEN)
                return 0;
            return off + ARP_FIXED_LEN + 2 * ((size_t)p[off + 4] + p[off + 5]);
        case ETHERTYPE_IPV4:
        case ETHERTYPE_IPV6:
            return ip_packet_end(p, caplen, off, type == ETHERTYPE_IPV6);
        default:
            return 0;
        }
    }
    return 0;
}

void hwts_find(unsigned mask, uint32_t linktype, const uint8_t *p, size_t caplen, size_t reported,
               int64_t rec_sec, struct hw_stamp *out)
{
    out->has_time = out->has_dev = out->has_port = 0;
    if (linktype != LINKTYPE_ETHERNET || !(mask & (HWTS_METAMAKO | HWTS_EXABLAZE | HWTS_IXIA |
                                                   HWTS_ARISTA)))
        return;
    size_t arista = 0;
    size_t end = ethernet_packet_end(p, caplen, &arista);
    /* A trailer sits at the end of the frame: only when all of it was
     * captured (the trailer is whatever follows the packet). The one
     * added last, nearest the capture, wins over the header. */
    if (end && caplen == reported && end < caplen) {
        const uint8_t *t = p + end;
        size_t n = caplen - end;
        /* A frame padded to 60 bytes before the trailer was added: the
         * padding is not the trailer's. As Wireshark's Ethernet dissector
         * (its "padding" preference, Zeros by default): a frame of 60 bytes
         * or more whose datagram ends before byte 60, and zeros up to it. */
        if (reported >= ETH_MIN_FRAME && end < ETH_MIN_FRAME) {
            size_t pad = ETH_MIN_FRAME - end, i = 0;
            while (i < pad && t[i] == 0)
                i++;
            if (i == pad) {
                t += pad;
                n -= pad;
            }
        }
        if ((mask & HWTS_IXIA) && hwts_ixia(t, n, out))
            return;
        if ((mask & HWTS_METAMAKO) && hwts_metamako(t, n, rec_sec, out))
            return;
        if ((mask & HWTS_EXABLAZE) && hwts_exablaze(t, n, rec_sec, out))
            return;
    }
    if ((mask & HWTS_ARISTA) && arista)
        hwts_arista(p + arista, caplen - arista, rec_sec, out);
}
