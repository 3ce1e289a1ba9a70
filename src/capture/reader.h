/* reader.h: capture readers (pcap, pcapng) behind one small interface.
 * A reader turns the byte stream into records: timestamp, lengths, link type
 * and a view of the captured bytes. Byte order is decided once per file (or
 * pcapng section) here; everything after sees host-order values. */
#ifndef PCAP2KDB_READER_H
#define PCAP2KDB_READER_H

#include <stdint.h>
#include "input.h"

/* Link type of records that are not packets (pcapng custom blocks). */
#define LINKTYPE_NO_PACKET 0xFFFFFFFFu

struct capture_record {
    int64_t ts_sec;            /* UTC seconds since 1970 */
    uint32_t ts_nsec;
    uint32_t caplen, origlen;
    uint32_t linktype;
    uint32_t iface;
    int has_iface;             /* pcapng only */
    const uint8_t *data;       /* caplen bytes, valid until the next call */
    uint64_t offset;           /* file offset of the record (for messages) */
};

enum read_status {
    READ_OK = 0,
    READ_EOF,
    READ_SKIPPED,      /* a damaged record/block was skipped; message set, go on */
    READ_DAMAGED,      /* damage we cannot get past; message set, stop */
    READ_NOT_CAPTURE,  /* not a capture at all (or empty); message set, stop */
    READ_NO_MEMORY,
};

/* Bounds that make a corrupt length an error, not a huge allocation. */
#define MAX_RECORD_BYTES   (256u << 20)   /* no capture holds a larger packet */
#define MAX_PCAPNG_BLOCK   (MAX_RECORD_BYTES + 4096u)
#define STANDARD_MAX_SNAPLEN 262144u      /* libpcap's and Wireshark's usual cap */
/* interfaces kept per pcapng section (bounded memory; README, pcapng) */
#define MAX_INTERFACES     65536u

struct pcapng_iface {
    uint32_t linktype;
    uint32_t snaplen;
    uint64_t units_per_sec;    /* from if_tsresol; 1e6 by default; 0: beyond 64 bits */
    uint8_t fine_resol;        /* if_tsresol when units_per_sec is 0 */
    int64_t  offset_sec;       /* if_tsoffset */
    /* its block was damaged (reported): it keeps its number, so that later
     * interfaces keep theirs, and its packets are skipped, not guessed at */
    int damaged;
    uint64_t block_at;
};

struct reader {
    struct input *in;
    int format;                /* READER_PCAP, READER_PCAP_MODIFIED or READER_PCAPNG */
    int big_endian;
    /* pcap */
    int nanosecond;
    int lengths;               /* enum pcap_lengths: versions before 2.4 */
    uint32_t snaplen;
    uint32_t linktype;
    /* pcapng: interfaces of the current section */
    struct pcapng_iface *ifaces;
    uint32_t n_ifaces, ifaces_cap;
    /* interface blocks of the section, those past MAX_INTERFACES included
     * (not kept: their packets are reported as past the limit) */
    uint64_t n_ifaces_described;
    /* the last problem, as "offset N: reason" parts */
    uint64_t err_offset;
    char err[200];
};

/* READER_PCAP_MODIFIED: pcap whose record headers are 24 bytes; the _OLD
 * ones: versions 2.0 to 2.3, whose record lengths may be interchanged
 * (reader_pcap.c) */
enum { READER_PCAP = 1, READER_PCAPNG = 2, READER_PCAP_MODIFIED = 3, READER_PCAP_OLD = 4,
       READER_PCAP_OLD_MODIFIED = 5,
       /* pcapng whose first section header's options were damaged: the
        * first reader_next reports it (READ_SKIPPED), then READER_PCAPNG */
       READER_PCAPNG_SHB_SKIPPED = 6 };

/* How a pcap record header's captured and original lengths are read. */
enum pcap_lengths {
    PCAP_LENGTHS_AS_IS = 0,
    PCAP_LENGTHS_SWAPPED,        /* before 2.3: original length first */
    PCAP_LENGTHS_MAYBE_SWAPPED,  /* 2.3: interchanged when caplen > len */
};

/* Reads the file header (pcap) or first section header (pcapng). */
enum read_status reader_open(struct reader *rd, struct input *in);
enum read_status reader_next(struct reader *rd, struct capture_record *rec);
void reader_close(struct reader *rd);

/* Format-specific parts, used by reader.c. */
enum read_status pcap_open(struct reader *rd, const uint8_t *hdr);
enum read_status pcap_next(struct reader *rd, struct capture_record *rec);
enum read_status pcap_modified_next(struct reader *rd, struct capture_record *rec);
enum read_status pcap_old_next(struct reader *rd, struct capture_record *rec);
enum read_status pcapng_open(struct reader *rd);
enum read_status pcapng_next(struct reader *rd, struct capture_record *rec);

/* Records a problem at a byte offset; returns status for tail calls. */
enum read_status reader_fail(struct reader *rd, enum read_status status, uint64_t offset,
                             const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
