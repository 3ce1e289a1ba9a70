/* hwts.h: hardware timestamps that capture appliances and switches add to a
 * frame (issue #17): trailers after the packet (Arista 7130/Metamako,
 * Exablaze, Ixia/Keysight), the Arista EOS header (Ethertype 0xD28B) and the
 * exact-capture expcap footer. Each parser follows the Wireshark 4.0
 * dissector of the format (expcap: exact-capture's published layout;
 * Arista versions Wireshark 4.0 does not know: tcpdump's print-arista.c). */
#ifndef PCAP2KDB_HWTS_H
#define PCAP2KDB_HWTS_H

#include <stddef.h>
#include <stdint.h>

/* --hwts: which formats are looked for (a bit mask). */
enum hwts_format {
    HWTS_METAMAKO = 1u << 0,
    HWTS_EXABLAZE = 1u << 1,
    HWTS_EXPCAP   = 1u << 2,
    HWTS_IXIA     = 1u << 3,
    HWTS_ARISTA   = 1u << 4,
};
/* The default, also named "auto": the formats a signature identifies. */
#define HWTS_AUTO (HWTS_IXIA | HWTS_ARISTA)

#define EXPCAP_FOOTER_LEN 16

struct hw_stamp {
    uint8_t has_time, has_dev, has_port;
    int64_t sec;               /* as the device wrote it (TAI stays TAI) */
    uint32_t nsec;             /* truncated to the nanosecond */
    uint32_t dev, port;
};

/* Parses "metamako", "ixia,arista", "auto", "none"... into a mask; 0, or
 * one of these (mask untouched): a name not known, none beside another
 * name, a name given twice. */
enum { HWTS_LIST_UNKNOWN = -1, HWTS_LIST_NONE_COMBINED = -2, HWTS_LIST_REPEATED = -3 };
int hwts_parse_list(const char *list, unsigned *mask);

/* The stamp of one record, looked for in the formats of mask. p/caplen are
 * the record's bytes as decoded (an expcap footer already cut off: see
 * hwts_expcap), origlen what was on the wire, rec_sec the record's time (the
 * plausibility window of the formats without a signature, and the upper
 * seconds of Arista's 48-bit form). Never reads past caplen. */
void hwts_find(unsigned mask, uint32_t linktype, const uint8_t *p, size_t caplen, size_t reported,
               int64_t rec_sec, struct hw_stamp *out);

/* The parsers, each over the bytes of its trailer or header; 1 when found.
 * t/len: the Ethernet trailer, i.e. every byte after the frame's packet
 * (its IP datagram, ARP packet or 802.3 length: see hwts_find; any
 * padding, the trailer, maybe an FCS), wholly captured. */
int hwts_metamako(const uint8_t *t, size_t len, int64_t rec_sec, struct hw_stamp *out);
int hwts_exablaze(const uint8_t *t, size_t len, int64_t rec_sec, struct hw_stamp *out);
int hwts_ixia(const uint8_t *t, size_t len, struct hw_stamp *out);
/* h: the bytes after Ethertype 0xD28B. */
int hwts_arista(const uint8_t *h, size_t len, int64_t rec_sec, struct hw_stamp *out);
/* f: the last 16 bytes of the record. 0 (no stamp) when the picoseconds
 * are not below 10^12. */
int hwts_expcap(const uint8_t f[EXPCAP_FOOTER_LEN], struct hw_stamp *out);

/* Whether a record of an expcap file ends with a footer. exact-capture
 * writes padding records (one right after the file header of every file,
 * others to align its writes) with wire length 0 and no footer: their
 * bytes never were on the wire (exact-capture's docs/src/expcap.md). */
static inline int hwts_expcap_has_footer(size_t caplen, uint32_t origlen)
{
    return origlen != 0 && caplen >= EXPCAP_FOOTER_LEN;
}

#endif
