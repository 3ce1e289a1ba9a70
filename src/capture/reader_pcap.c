/* reader_pcap.c: classic libpcap files, microsecond and nanosecond magics in
 * both byte orders, and the "modified" format of Alexey Kuznetzov's patched
 * tcpdump, whose record headers add 8 bytes (ifindex, protocol, packet
 * type: libpcap's sf-pcap.c reads it as microseconds). */
#include "reader.h"
#include "bytes.h"

#include <string.h>

#define PCAP_MAGIC_US 0xA1B2C3D4u
#define PCAP_MAGIC_NS 0xA1B23C4Du
#define PCAP_MAGIC_MODIFIED 0xA1B2CD34u
#define PCAP_FILE_HEADER_LEN 24
#define PCAP_RECORD_HEADER_LEN 16
#define PCAP_MODIFIED_RECORD_HEADER_LEN 24
#define PCAP_VERSION_MAJOR 2
/* Record headers gave the original length before the captured one until
 * version 2.3, which interchanged them; some 2.3 files kept the old order
 * (libpcap's sf-pcap.c and Wireshark's libpcap.c read both so). */
#define PCAP_VERSION_MINOR_LENGTHS_SWAPPED 3
/* Bits 0-15 of the header's link type field hold the type; bits 26-31
 * carry FCS length information (libpcap's LT_LINKTYPE and
 * LT_FCS_LENGTH_PRESENT, pcap-common.h); bits 16-25 are reserved
 * (LT_RESERVED1) and must be zero. */
#define PCAP_LINKTYPE_MASK 0xFFFFu
#define PCAP_LINKTYPE_RESERVED 0x03FF0000u

enum read_status pcap_open(struct reader *rd, const uint8_t *p)
{
    struct input *in = rd->in;
    uint32_t le = get_le32(p), be = get_be32(p);
    if (le == PCAP_MAGIC_US || le == PCAP_MAGIC_NS || le == PCAP_MAGIC_MODIFIED) {
        rd->big_endian = 0;
    } else if (be == PCAP_MAGIC_US || be == PCAP_MAGIC_NS || be == PCAP_MAGIC_MODIFIED) {
        rd->big_endian = 1;
    } else {
        return reader_fail(rd, READ_NOT_CAPTURE, 0,
                           "not a pcap or pcapng file (magic 0x%08x)", be);
    }
    uint32_t magic = rd->big_endian ? be : le;
    rd->nanosecond = magic == PCAP_MAGIC_NS;
    if (magic == PCAP_MAGIC_MODIFIED)
        rd->format = READER_PCAP_MODIFIED;
    long got = input_need(in, PCAP_FILE_HEADER_LEN);
    if (got < PCAP_FILE_HEADER_LEN)
        return reader_fail(rd, READ_DAMAGED, 0,
                           "pcap file header cut short (%ld of %d bytes)", got < 0 ? 0 : got,
                           PCAP_FILE_HEADER_LEN);
    p = input_data(in);
    uint16_t major = get_16(p + 4, rd->big_endian), minor = get_16(p + 6, rd->big_endian);
    if (major != PCAP_VERSION_MAJOR)
        return reader_fail(rd, READ_DAMAGED, 0, "unsupported pcap version %u.%u", major, minor);
    if (minor <= PCAP_VERSION_MINOR_LENGTHS_SWAPPED) {
        rd->lengths = minor < PCAP_VERSION_MINOR_LENGTHS_SWAPPED ? PCAP_LENGTHS_SWAPPED
                                                                 : PCAP_LENGTHS_MAYBE_SWAPPED;
        rd->format =
            rd->format == READER_PCAP_MODIFIED ? READER_PCAP_OLD_MODIFIED : READER_PCAP_OLD;
    }
    rd->snaplen = get_32(p + 16, rd->big_endian);
    uint32_t field = get_32(p + 20, rd->big_endian);
    /* Reserved bits set: the header is damaged, and no link type can be
     * trusted from it (tshark refuses the file, wiretap/libpcap.c; libpcap
     * 1.10 would take a type beyond 16 bits, which none has). */
    if (field & PCAP_LINKTYPE_RESERVED)
        return reader_fail(rd, READ_DAMAGED, 0,
                           "pcap link-type field 0x%08x has reserved bits set (0x%08x)", field,
                           field & PCAP_LINKTYPE_RESERVED);
    rd->linktype = field & PCAP_LINKTYPE_MASK;
    input_consume(in, PCAP_FILE_HEADER_LEN);
    return READ_OK;
}

/* One record whose header is hlen bytes, its lengths read as the file's
 * version says: constants in each caller, so that the common format's path
 * is what it was before the modified format and old versions came. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline enum read_status pcap_record(struct reader *rd, struct capture_record *rec,
                                           const uint32_t hlen,
                                           const enum pcap_lengths lengths)
{
    struct input *in = rd->in;
    uint64_t at = in->offset;
    long got = input_need(in, hlen);
    if (got == 0 && !in->read_errno)
        return READ_EOF;
    if (got < (long)hlen) {
        if (in->read_errno)
            return reader_fail(rd, READ_DAMAGED, at, "read error: %s", strerror(in->read_errno));
        return reader_fail(rd, READ_DAMAGED, at, "record header cut short (%ld of %u bytes)",
                           got < 0 ? 0 : got, hlen);
    }
    const uint8_t *h = input_data(in);
    int be = rd->big_endian;
    uint32_t sec = get_32(h, be), frac = get_32(h + 4, be);
    uint32_t caplen = get_32(h + 8, be), origlen = get_32(h + 12, be);
    if (lengths == PCAP_LENGTHS_SWAPPED ||
        (lengths == PCAP_LENGTHS_MAYBE_SWAPPED && caplen > origlen)) {
        uint32_t t = caplen;
        caplen = origlen;
        origlen = t;
    }
    /* A caplen beyond both the file's snaplen and the usual maximum is a
     * corrupt header: we cannot know where the next record starts. */
    uint32_t limit = rd->snaplen > STANDARD_MAX_SNAPLEN ? rd->snaplen : STANDARD_MAX_SNAPLEN;
    if (limit > MAX_RECORD_BYTES)
        limit = MAX_RECORD_BYTES;
    if (caplen > limit)
        return reader_fail(rd, READ_DAMAGED, at,
                           "record caplen %u exceeds the limit of %u bytes (snaplen %u)", caplen,
                           limit, rd->snaplen);

    got = input_need(in, hlen + (size_t)caplen);
    if (got < 0)
        return READ_NO_MEMORY;
    if ((size_t)got < hlen + (size_t)caplen) {
        if (in->read_errno)
            return reader_fail(rd, READ_DAMAGED, at, "read error: %s", strerror(in->read_errno));
        long left = got - (long)hlen;
        return reader_fail(rd, READ_DAMAGED, at,
                           "record cut short: caplen %u but only %ld %s the header", caplen,
                           left, left == 1 ? "byte follows" : "bytes follow");
    }
    h = input_data(in);

    /* Normalise a fraction field of a second or more (seen in damaged files)
     * by carrying into the seconds, so the timestamp stays exact. */
    uint64_t ns = rd->nanosecond ? frac : (uint64_t)frac * 1000u;
    rec->ts_sec = (int64_t)sec + (int64_t)(ns / 1000000000u);
    rec->ts_nsec = (uint32_t)(ns % 1000000000u);
    rec->caplen = caplen;
    rec->origlen = origlen;
    rec->linktype = rd->linktype;
    rec->iface = 0;
    rec->has_iface = 0;
    rec->data = h + hlen;
    rec->offset = at;
    input_consume(in, hlen + (size_t)caplen);
    return READ_OK;
}

enum read_status pcap_next(struct reader *rd, struct capture_record *rec)
{
    return pcap_record(rd, rec, PCAP_RECORD_HEADER_LEN, PCAP_LENGTHS_AS_IS);
}

enum read_status pcap_modified_next(struct reader *rd, struct capture_record *rec)
{
    return pcap_record(rd, rec, PCAP_MODIFIED_RECORD_HEADER_LEN, PCAP_LENGTHS_AS_IS);
}

/* Versions 2.0 to 2.3 (rare): out of the common path. */
enum read_status pcap_old_next(struct reader *rd, struct capture_record *rec)
{
    if (rd->format == READER_PCAP_OLD_MODIFIED)
        return rd->lengths == PCAP_LENGTHS_SWAPPED
                   ? pcap_record(rd, rec, PCAP_MODIFIED_RECORD_HEADER_LEN, PCAP_LENGTHS_SWAPPED)
                   : pcap_record(rd, rec, PCAP_MODIFIED_RECORD_HEADER_LEN,
                                 PCAP_LENGTHS_MAYBE_SWAPPED);
    return rd->lengths == PCAP_LENGTHS_SWAPPED
               ? pcap_record(rd, rec, PCAP_RECORD_HEADER_LEN, PCAP_LENGTHS_SWAPPED)
               : pcap_record(rd, rec, PCAP_RECORD_HEADER_LEN, PCAP_LENGTHS_MAYBE_SWAPPED);
}
