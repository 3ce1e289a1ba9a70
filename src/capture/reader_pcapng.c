/* reader_pcapng.c: pcapng (draft-ietf-opsawg-pcapng), streamed block by block.
 * Several sections of either byte order, several interfaces per section, each
 * with its own link type, if_tsresol and if_tsoffset (as libpcap's
 * sf-pcapng.c, without its one-link-type-per-file limit). EPB, SPB and the
 * obsolete PB carry packets; custom, systemd journal export and Sysdig event
 * blocks are records without a link type (Wireshark numbers them as frames);
 * every other block is skipped by its length. */
#include "reader.h"
#include "bytes.h"

#include <stdlib.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0Au   /* section header: same value in both byte orders */
#define BT_IDB 0x00000001u
#define BT_PB  0x00000002u   /* obsolete packet block */
#define BT_SPB 0x00000003u
#define BT_EPB 0x00000006u
#define BT_CUSTOM 0x00000BADu          /* custom block, may be copied */
#define BT_CUSTOM_NOCOPY 0x40000BADu   /* custom block, must not be copied */
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define CUSTOM_MIN_LEN 16     /* header, private enterprise number, trailer */
/* Blocks that are records without packets, as Wireshark 4.0's
 * wiretap/pcapng.c reads them (REC_TYPE_SYSTEMD_JOURNAL_EXPORT and
 * REC_TYPE_SYSCALL); Sysdig's other block types are metadata or, in 4.0,
 * unknown, and skipped. */
#define BT_SYSTEMD_JOURNAL 0x00000009u     /* one journal entry, export format */
#define BT_SYSDIG_EVENT 0x00000204u
#define BT_SYSDIG_EVENT_V2 0x00000216u     /* adds a 32-bit parameter count */
#define BT_SYSDIG_EVENT_V2_LARGE 0x00000221u
/* Sysdig event header after the block's 8: CPU id (16 bits), timestamp
 * (64-bit ns since 1970), thread id (64), event length (32), event type
 * (16); V2 adds the parameter count (32). */
#define SYSDIG_TS_OFFSET 10
#define SYSDIG_EVENT_LEN_OFFSET 26
#define SYSDIG_HEADER_LEN 24
#define SYSDIG_V2_HEADER_LEN 28

#define BLOCK_HEADER_LEN 8    /* type, total length */
#define BLOCK_TRAILER_LEN 4   /* total length again */
#define SHB_MIN_LEN 28
#define IDB_MIN_LEN 20
#define EPB_MIN_LEN 32
/* An EPB's (or PB's) packet bytes follow its 28-byte header (the block's
 * 8, interface, time, captured and original lengths) */
#define EPB_DATA_OFFSET (EPB_MIN_LEN - BLOCK_TRAILER_LEN)
#define SPB_MIN_LEN 16

#define OPT_ENDOFOPT 0
#define OPT_IF_TSRESOL 9      /* one byte: 10^-v, or 2^-(v & 0x7f) with the high bit */
#define OPT_IF_TSOFFSET 14    /* signed 64-bit seconds added to every timestamp */

/* Unknown blocks above this size are skipped without being buffered. */
#define SKIP_UNBUFFERED_ABOVE (1u << 16)

static const uint64_t ns_per_sec = 1000000000u;

enum option_step { OPTION_END, OPTION_ONE, OPTION_OVERRUN };

/* Steps *o over one option (code, length, value padded to 4 bytes) that must
 * end by end: OPTION_ONE with *code, *olen and *v set; OPTION_END at
 * opt_endofopt or where no option header fits; OPTION_OVERRUN (*code set)
 * when the option's value runs past end. */
static enum option_step next_option(const uint8_t **o, const uint8_t *end, int be,
                                    uint16_t *code, uint16_t *olen, const uint8_t **v)
{
    if (end - *o < 4)
        return OPTION_END;
    *code = get_16(*o, be);
    *olen = get_16(*o + 2, be);
    if (*code == OPT_ENDOFOPT)
        return OPTION_END;
    size_t padded = ((size_t)*olen + 3u) & ~(size_t)3u;
    if ((size_t)(end - *o - 4) < padded)
        return OPTION_OVERRUN;
    *v = *o + 4;
    *o += 4 + padded;
    return OPTION_ONE;
}

/* Whether the options from o to end all fit; else *code is the first that
 * runs past end. Options pcap2kdb does not use are still walked: one running
 * past its block means the block's content cannot be trusted. */
static int options_fit(const uint8_t *o, const uint8_t *end, int be, uint16_t *code)
{
    uint16_t olen;
    const uint8_t *v;
    enum option_step st;
    while ((st = next_option(&o, end, be, code, &olen, &v)) == OPTION_ONE)
        ;
    return st == OPTION_END;
}

/* Parses an SHB at the start of the input; sets the section's byte order. */
static enum read_status read_shb(struct reader *rd, uint64_t at)
{
    struct input *in = rd->in;
    long got = input_need(in, 12);
    if (got < 12)
        return reader_fail(rd, READ_DAMAGED, at, "section header block cut short");
    const uint8_t *p = input_data(in);
    int be;
    if (get_be32(p + 8) == BYTE_ORDER_MAGIC)
        be = 1;
    else if (get_le32(p + 8) == BYTE_ORDER_MAGIC)
        be = 0;
    else
        return reader_fail(rd, READ_DAMAGED, at, "section header with bad byte-order magic 0x%08x",
                           get_be32(p + 8));
    uint32_t len = get_32(p + 4, be);
    if (len < SHB_MIN_LEN || len % 4 != 0 || len > MAX_PCAPNG_BLOCK)
        return reader_fail(rd, READ_DAMAGED, at, "bad section header block length %u", len);
    got = input_need(in, len);
    if (got < 0)
        return READ_NO_MEMORY;
    if ((uint64_t)got < len)
        return reader_fail(rd, READ_DAMAGED, at,
                           "section header block cut short (length %u, only %ld bytes left)", len,
                           got);
    p = input_data(in);
    if (get_32(p + len - 4, be) != len)
        return reader_fail(rd, READ_DAMAGED, at,
                           "block trailing length %u disagrees with leading length %u",
                           get_32(p + len - 4, be), len);
    uint16_t major = get_16(p + 12, be), minor = get_16(p + 14, be);
    /* 1.0 is the standard; 1.2 was written by some tools and means the same
     * (libpcap and Wireshark accept both and nothing else). */
    if (major != 1 || (minor != 0 && minor != 2))
        return reader_fail(rd, READ_DAMAGED, at, "unsupported pcapng version %u.%u", major, minor);
    rd->big_endian = be;
    rd->n_ifaces = 0; /* interfaces are per section */
    rd->n_ifaces_described = 0;
    input_consume(in, len);
    /* Options running past the block: reported, but the section still
     * starts (its byte order and version are sound, and no option of a
     * section header changes a row); skipping it would read the section's
     * blocks with the previous one's byte order and interfaces. */
    uint16_t code;
    if (!options_fit(p + SHB_MIN_LEN - BLOCK_TRAILER_LEN, p + len - BLOCK_TRAILER_LEN, be, &code))
        return reader_fail(rd, READ_SKIPPED, at, "section header option %u runs past its block",
                           code);
    return READ_OK;
}

enum read_status pcapng_open(struct reader *rd)
{
    enum read_status s = read_shb(rd, rd->in->offset);
    /* the first section's damaged options are reported by the first
     * reader_next, as those of any later section header */
    if (s == READ_SKIPPED) {
        rd->format = READER_PCAPNG_SHB_SKIPPED;
        return READ_OK;
    }
    return s;
}

static uint64_t pow10_u64(unsigned v) { uint64_t r = 1; while (v--) r *= 10; return r; }

/* if_tsresol r: 10^-r, or 2^-(r & 0x7f) with the high bit. Units a second
 * beyond 64 bits (finer than 10^-19 or 2^-63 s: the draft sets no limit)
 * are kept as the resolution byte, units_per_sec 0 (set_time_fine). */
static void set_resolution(struct pcapng_iface *ifc, uint8_t r)
{
    unsigned e = r & 0x7Fu;
    int fine = (r & 0x80u) ? e > 63 : e > 19;
    ifc->fine_resol = fine ? r : 0;
    ifc->units_per_sec = fine ? 0 : (r & 0x80u) ? (uint64_t)1 << e : pow10_u64(e);
}

/* IDB: link type, snaplen, and the options that change timestamps. */
static enum read_status read_idb(struct reader *rd, const uint8_t *b, uint32_t len, uint64_t at)
{
    int be = rd->big_endian;
    rd->n_ifaces_described++;
    if (rd->n_ifaces >= MAX_INTERFACES)
        return reader_fail(rd, READ_SKIPPED, at, "more than %u interfaces in one section", MAX_INTERFACES);
    if (rd->n_ifaces == rd->ifaces_cap) {
        uint32_t cap = rd->ifaces_cap ? rd->ifaces_cap * 2 : 8;
        struct pcapng_iface *n = realloc(rd->ifaces, cap * sizeof *n);
        if (!n)
            return READ_NO_MEMORY;
        rd->ifaces = n;
        rd->ifaces_cap = cap;
    }
    struct pcapng_iface *ifc = &rd->ifaces[rd->n_ifaces++];
    *ifc = (struct pcapng_iface){ .units_per_sec = 1000000u, .block_at = at, .damaged = 1 };
    if (len < IDB_MIN_LEN)
        return reader_fail(rd, READ_SKIPPED, at, "interface description block too short (%u bytes)", len);
    ifc->linktype = get_16(b + 8, be);
    ifc->snaplen = get_32(b + 12, be);

    const uint8_t *o = b + 16, *end = b + len - BLOCK_TRAILER_LEN, *v;
    uint16_t code, olen;
    enum option_step st;
    /* Each may appear once, of its own size (1 and 8 bytes): as tshark,
     * the first of the right size counts, and one of another size is
     * ignored rather than read in part. */
    int have_resol = 0, have_offset = 0;
    while ((st = next_option(&o, end, be, &code, &olen, &v)) == OPTION_ONE) {
        if (code == OPT_IF_TSRESOL && olen == 1 && !have_resol) {
            set_resolution(ifc, v[0]);
            have_resol = 1;
        } else if (code == OPT_IF_TSOFFSET && olen == 8 && !have_offset) {
            ifc->offset_sec = (int64_t)get_64(v, be);
            have_offset = 1;
        }
    }
    if (st == OPTION_OVERRUN)
        return reader_fail(rd, READ_SKIPPED, at, "interface option %u runs past its block", code);
    ifc->damaged = 0;
    return READ_OK;
}

/* Whole seconds (up to 2^64 - 1 with if_tsresol 0) plus if_tsoffset can
 * leave int64_t: add exactly, then saturate (such a time lies outside q's
 * range and is written as a null). INT64_MIN stays "no time". */
static inline int64_t add_offset(uint64_t sec, int64_t offset)
{
    __int128 s = (__int128)sec + offset;
    return s > INT64_MAX ? INT64_MAX : s <= INT64_MIN ? INT64_MIN + 1 : (int64_t)s;
}

/* A resolution finer than 10^-19 or 2^-63 s: any 64-bit count of its units
 * is under a second, whose nanoseconds are computed exactly (truncated):
 * ts * 10^9 / 2^e in 128 bits, or ts / 10^(e - 9), 0 once 10^(e - 9)
 * exceeds every 64-bit count. */
static void set_time_fine(struct capture_record *rec, const struct pcapng_iface *ifc, uint64_t ts)
{
    unsigned e = ifc->fine_resol & 0x7Fu;
    uint64_t ns;
    if (ifc->fine_resol & 0x80u)
        ns = (uint64_t)(((unsigned __int128)ts * ns_per_sec) >> e);
    else
        ns = e - 9 <= 19 ? ts / pow10_u64(e - 9) : 0;
    rec->ts_sec = add_offset(0, ifc->offset_sec);
    rec->ts_nsec = (uint32_t)ns;
}

/* Turns a count of if_tsresol units into seconds and nanoseconds, exactly
 * (integer arithmetic; the fraction is truncated to whole nanoseconds). */
static void set_time(struct capture_record *rec, const struct pcapng_iface *ifc, uint64_t ts)
{
    uint64_t units = ifc->units_per_sec;
    /* The two usual resolutions divide by constants; the rest in 64 bits
     * while rem * 1e9 fits, else in 128 bits. */
    if (units == ns_per_sec) {
        rec->ts_sec = add_offset(ts / ns_per_sec, ifc->offset_sec);
        rec->ts_nsec = (uint32_t)(ts % ns_per_sec);
        return;
    }
    if (units == 1000000u) {
        rec->ts_sec = add_offset(ts / 1000000u, ifc->offset_sec);
        rec->ts_nsec = (uint32_t)(ts % 1000000u) * 1000u;
        return;
    }
    if (units == 0) {
        set_time_fine(rec, ifc, ts);
        return;
    }
    uint64_t sec = ts / units, rem = ts % units;
    rec->ts_sec = add_offset(sec, ifc->offset_sec);
    if (units <= UINT64_MAX / ns_per_sec)
        rec->ts_nsec = (uint32_t)(rem * ns_per_sec / units);
    else
        rec->ts_nsec = (uint32_t)((unsigned __int128)rem * ns_per_sec / units);
}

static enum read_status packet_iface(struct reader *rd, uint32_t id, uint64_t at,
                                     const struct pcapng_iface **ifc)
{
    if (id >= rd->n_ifaces && id < rd->n_ifaces_described)
        return reader_fail(rd, READ_SKIPPED, at,
                           "packet on interface %u, past the %u interfaces a section keeps", id,
                           MAX_INTERFACES);
    if (id >= rd->n_ifaces)
        return reader_fail(rd, READ_SKIPPED, at,
                           "packet on interface %u, which no interface block described", id);
    if (rd->ifaces[id].damaged)
        return reader_fail(rd, READ_SKIPPED, at,
                           "packet on interface %u, whose interface block (offset %llu) is damaged",
                           id, (unsigned long long)rd->ifaces[id].block_at);
    *ifc = &rd->ifaces[id];
    return READ_OK;
}

/* The next block, whole and trusted in extent: *bp, *typep, *lenp, its
 * offset *atp. Section headers are read on the way and large blocks that
 * hold no record skipped unbuffered. READ_OK, READ_EOF or a failure. */
static enum read_status next_block(struct reader *rd, const uint8_t **bp, uint32_t *typep,
                                   uint32_t *lenp, uint64_t *atp)
{
    struct input *in = rd->in;
    for (;;) {
        uint64_t at = in->offset;
        long got = input_need(in, BLOCK_HEADER_LEN);
        if (got == 0 && !in->read_errno)
            return READ_EOF;
        if (got < BLOCK_HEADER_LEN) {
            if (in->read_errno)
                return reader_fail(rd, READ_DAMAGED, at, "read error: %s", strerror(in->read_errno));
            return reader_fail(rd, READ_DAMAGED, at, "block header cut short (%ld of 8 bytes)",
                               got < 0 ? 0 : got);
        }
        const uint8_t *b = input_data(in);
        if (get_be32(b) == BT_SHB) {
            enum read_status s = read_shb(rd, at);
            if (s != READ_OK)
                return s;
            continue;
        }
        int be = rd->big_endian;
        uint32_t type = get_32(b, be), len = get_32(b + 4, be);
        if (len < 12 || len % 4 != 0 || len > MAX_PCAPNG_BLOCK)
            return reader_fail(rd, READ_DAMAGED, at, "bad block length %u (block type 0x%08x)",
                               len, type);
        /* Custom, journal and Sysdig event blocks are records too:
         * Wireshark shows each as a frame, so they get a row (no link type),
         * and frame numbers stay Wireshark's. */
        int is_packet = type == BT_EPB || type == BT_SPB || type == BT_PB ||
                        type == BT_CUSTOM || type == BT_CUSTOM_NOCOPY ||
                        type == BT_SYSTEMD_JOURNAL || type == BT_SYSDIG_EVENT ||
                        type == BT_SYSDIG_EVENT_V2 || type == BT_SYSDIG_EVENT_V2_LARGE;
        if (!is_packet && type != BT_IDB && len > SKIP_UNBUFFERED_ABOVE) {
            /* its body is passed over, but its trailing length is checked as
             * any block's: a lying leading length must stop the file here,
             * not send the reader into the body */
            if (input_skip(in, len - 4) < len - 4 || input_need(in, 4) < 4)
                return reader_fail(rd, READ_DAMAGED, at,
                                   "block cut short (length %u, file ends first)", len);
            uint32_t trail = get_32(input_data(in), be);
            if (trail != len)
                return reader_fail(rd, READ_DAMAGED, at,
                                   "block trailing length %u disagrees with leading length %u",
                                   trail, len);
            input_consume(in, 4);
            continue;
        }
        got = input_need(in, len);
        if (got < 0)
            return READ_NO_MEMORY;
        if ((uint64_t)got < len) {
            if (in->read_errno)
                return reader_fail(rd, READ_DAMAGED, at, "read error: %s", strerror(in->read_errno));
            return reader_fail(rd, READ_DAMAGED, at,
                               "block cut short (length %u, only %ld bytes left)", len, got);
        }
        b = input_data(in);
        if (get_32(b + len - 4, be) != len)
            return reader_fail(rd, READ_DAMAGED, at,
                               "block trailing length %u disagrees with leading length %u",
                               get_32(b + len - 4, be), len);
        /* From here the block's extent is trusted: damage inside it skips it. */
        input_consume(in, len);
        *bp = b;
        *typep = type;
        *lenp = len;
        *atp = at;
        return READ_OK;
    }
}

/* A packet block's options, after its caplen bytes of packet: READ_OK, or
 * READ_SKIPPED (reported) when one runs past the block. Out of line, as
 * most blocks have none. */
__attribute__((noinline, cold))
static enum read_status packet_options(struct reader *rd, const uint8_t *b, uint32_t type,
                                       uint32_t len, uint32_t caplen, uint64_t at)
{
    uint16_t code;
    const uint8_t *options = b + EPB_DATA_OFFSET + ((caplen + 3u) & ~3u);
    if (options_fit(options, b + len - BLOCK_TRAILER_LEN, rd->big_endian, &code))
        return READ_OK;
    return reader_fail(rd, READ_SKIPPED, at, "%s option %u runs past its block",
                       type == BT_EPB ? "enhanced packet block" : "packet block", code);
}

/* An enhanced packet block, or the obsolete packet block, which has the
 * EPB's layout except that its interface id is 16 bits, followed by a
 * 16-bit drops counter. */
static enum read_status packet_record(struct reader *rd, struct capture_record *rec,
                                      const uint8_t *b, uint32_t type, uint32_t len, uint64_t at)
{
    int be = rd->big_endian;
    const char *what = type == BT_EPB ? "enhanced packet block" : "packet block";
    if (len < EPB_MIN_LEN)
        return reader_fail(rd, READ_SKIPPED, at, "%s too short (%u bytes)", what, len);
    uint32_t id = type == BT_EPB ? get_32(b + 8, be) : get_16(b + 8, be);
    const struct pcapng_iface *ifc = NULL;
    enum read_status s = packet_iface(rd, id, at, &ifc);
    if (s != READ_OK)
        return s;
    rec->caplen = get_32(b + 20, be);
    rec->origlen = get_32(b + 24, be);
    uint32_t room = len - EPB_MIN_LEN;
    if (rec->caplen > room)
        return reader_fail(rd, READ_SKIPPED, at, "%s captured length %u exceeds its block (%u bytes)",
                           what, rec->caplen, room);
    rec->data = b + EPB_DATA_OFFSET;
    set_time(rec, ifc, (uint64_t)get_32(b + 12, be) << 32 | get_32(b + 16, be));
    rec->has_iface = 1;
    rec->iface = id;
    rec->linktype = ifc->linktype;
    rec->offset = at;
    /* options follow the packet bytes padded to 4: there are some when 4
     * bytes or more are left (room is a multiple of 4). Most blocks have
     * none: one compare, and a tail call for the others. */
    if (__builtin_expect(room - rec->caplen >= 4, 0))
        return packet_options(rd, b, type, len, rec->caplen, at);
    return READ_OK;
}

/* A simple packet block: no timestamp and no captured length: the packet
 * fills the block up to the interface's snaplen (pcapng spec, SPB). */
static enum read_status simple_record(struct reader *rd, struct capture_record *rec,
                                      const uint8_t *b, uint32_t len, uint64_t at)
{
    if (len < SPB_MIN_LEN)
        return reader_fail(rd, READ_SKIPPED, at, "simple packet block too short (%u bytes)", len);
    const struct pcapng_iface *ifc = NULL;
    enum read_status s = packet_iface(rd, 0, at, &ifc);
    if (s != READ_OK)
        return s;
    rec->origlen = get_32(b + 8, rd->big_endian);
    uint32_t room = len - SPB_MIN_LEN;
    rec->caplen = rec->origlen;
    if (ifc->snaplen != 0 && rec->caplen > ifc->snaplen)
        rec->caplen = ifc->snaplen;
    /* The block must hold that much (padding may add up to 3 bytes): a
     * shorter one lost packet bytes, as an EPB whose captured length runs
     * past its block (Wireshark refuses it too) */
    if (rec->caplen > room)
        return reader_fail(rd, READ_SKIPPED, at,
                           "simple packet block of %u bytes too short for its %u bytes of packet",
                           len, rec->caplen);
    rec->data = b + 12;
    rec->ts_sec = INT64_MIN; /* no time: the driver writes a null */
    rec->ts_nsec = 0;
    rec->has_iface = 1;
    rec->iface = 0;
    rec->linktype = ifc->linktype;
    rec->offset = at;
    return READ_OK;
}

/* The record fields of a block that is not a packet: no link type, no
 * interface, no time unless the caller sets one. */
static void set_no_packet(struct capture_record *rec, const uint8_t *data, uint32_t caplen,
                          uint32_t origlen, uint64_t at)
{
    rec->caplen = caplen;
    rec->origlen = origlen;
    rec->data = data;
    rec->ts_sec = INT64_MIN;
    rec->ts_nsec = 0;
    rec->has_iface = 0;
    rec->linktype = LINKTYPE_NO_PACKET;
    rec->offset = at;
}

/* A custom block: its data as a record without time or link type. */
static enum read_status custom_record(struct reader *rd, struct capture_record *rec,
                                      const uint8_t *b, uint32_t len, uint64_t at)
{
    if (len < CUSTOM_MIN_LEN)
        return reader_fail(rd, READ_SKIPPED, at, "custom block too short (%u bytes)", len);
    set_no_packet(rec, b + 12, len - CUSTOM_MIN_LEN, len - CUSTOM_MIN_LEN, at);
    return READ_OK;
}

#define JOURNAL_REALTIME_FIELD "__REALTIME_TIMESTAMP="
#define JOURNAL_REALTIME_FIELD_LEN (sizeof JOURNAL_REALTIME_FIELD - 1)

/* The __REALTIME_TIMESTAMP of a journal entry in export format (systemd's
 * "Journal Export Format": NAME=value lines), in microseconds since 1970:
 * 1 with *us set, 0 when there is none that is sound. Wireshark 4.0 takes
 * the first occurrence of the name before any NUL byte (strstr) and reads
 * the number with strtoull; that occurrence counts here only where it is a
 * field (at the start of a line) whose value is decimal digits up to the
 * line's end and fits 64 bits, so a time given is always Wireshark's, and
 * text that merely contains the name gives no time rather than a wrong one. */
static int journal_realtime(const uint8_t *e, size_t n, uint64_t *us)
{
    const uint8_t *nul = memchr(e, 0, n);
    size_t limit = nul ? (size_t)(nul - e) : n, at = 0;
    for (;; at++) {
        if (limit - at < JOURNAL_REALTIME_FIELD_LEN)
            return 0;
        if (memcmp(e + at, JOURNAL_REALTIME_FIELD, JOURNAL_REALTIME_FIELD_LEN) == 0)
            break;
    }
    if (at > 0 && e[at - 1] != '\n')
        return 0;
    size_t i = at + JOURNAL_REALTIME_FIELD_LEN, first = i;
    uint64_t v = 0;
    for (; i < n && e[i] >= '0' && e[i] <= '9'; i++) {
        unsigned d = e[i] - '0';
        if (v > (UINT64_MAX - d) / 10)
            return 0;                /* Wireshark too gives no time */
        v = v * 10 + d;
    }
    if (i == first || (i < n && e[i] != '\n'))
        return 0;
    *us = v;
    return 1;
}

/* A systemd journal export block: one journal entry. Its length and caplen
 * are the entry's bytes without the trailing NULs that pad it (Wireshark
 * strips them likewise); its time, the entry's __REALTIME_TIMESTAMP.
 * Wireshark refuses an entry shorter than that field; such an entry (it
 * holds no time) still gives its row here. */
static enum read_status journal_record(struct capture_record *rec, const uint8_t *b,
                                       uint32_t len, uint64_t at)
{
    const uint8_t *e = b + BLOCK_HEADER_LEN;
    uint32_t n = len - BLOCK_HEADER_LEN - BLOCK_TRAILER_LEN;
    while (n > 0 && e[n - 1] == 0)
        n--;
    set_no_packet(rec, e, n, n, at);
    uint64_t us;
    if (journal_realtime(e, n, &us)) {
        rec->ts_sec = (int64_t)(us / 1000000u);
        rec->ts_nsec = (uint32_t)(us % 1000000u) * 1000u;
    }
    return READ_OK;
}

/* A Sysdig event block: length is the event's length field, caplen the
 * bytes after its header up to the trailer, as Wireshark 4.0 shows them;
 * the time, its nanosecond timestamp. */
static enum read_status sysdig_record(struct reader *rd, struct capture_record *rec,
                                      const uint8_t *b, uint32_t type, uint32_t len, uint64_t at)
{
    int be = rd->big_endian;
    uint32_t hlen = type == BT_SYSDIG_EVENT ? SYSDIG_HEADER_LEN : SYSDIG_V2_HEADER_LEN;
    uint32_t min = BLOCK_HEADER_LEN + hlen + BLOCK_TRAILER_LEN;
    if (len < min)
        return reader_fail(rd, READ_SKIPPED, at, "Sysdig event block too short (%u bytes)", len);
    set_no_packet(rec, b + BLOCK_HEADER_LEN + hlen, len - min,
                  get_32(b + SYSDIG_EVENT_LEN_OFFSET, be), at);
    uint64_t ns = get_64(b + SYSDIG_TS_OFFSET, be);
    rec->ts_sec = (int64_t)(ns / ns_per_sec);
    rec->ts_nsec = (uint32_t)(ns % ns_per_sec);
    return READ_OK;
}

enum read_status pcapng_next(struct reader *rd, struct capture_record *rec)
{
    for (;;) {
        const uint8_t *b = NULL;
        uint32_t type = 0, len = 0;
        uint64_t at = 0;
        enum read_status s = next_block(rd, &b, &type, &len, &at);
        if (s != READ_OK)
            return s;
        switch (type) {
        case BT_IDB:
            if ((s = read_idb(rd, b, len, at)) != READ_OK)
                return s;
            continue;
        case BT_EPB:
        case BT_PB:
            return packet_record(rd, rec, b, type, len, at);
        case BT_SPB:
            return simple_record(rd, rec, b, len, at);
        case BT_CUSTOM:
        case BT_CUSTOM_NOCOPY:
            return custom_record(rd, rec, b, len, at);
        case BT_SYSTEMD_JOURNAL:
            return journal_record(rec, b, len, at);
        case BT_SYSDIG_EVENT:
        case BT_SYSDIG_EVENT_V2:
        case BT_SYSDIG_EVENT_V2_LARGE:
            return sysdig_record(rd, rec, b, type, len, at);
        default:
            continue;        /* blocks that hold no record */
        }
    }
}
