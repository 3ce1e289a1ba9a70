/* fix.h: FIX (tag=value, FIX 4.x and FIXT.1.1) over TCP: the framer that
 * cuts a reassembled byte stream into messages, and field extraction.
 *
 * A message is "8=FIX.x.y<SOH>9=<BodyLength><SOH>...<SOH>10=nnn<SOH>", where
 * BodyLength counts the bytes after the SOH ending field 9 up to and
 * including the SOH before "10=", and CheckSum is the byte sum of everything
 * before "10=" modulo 256, as three digits (FIX 4.4 vol. 2, "Message
 * format"; FIXT 1.1). FIX is recognised by content, on any port: a message
 * starts with "8=FIX." or "8=FIXT." (a BeginString of at most 1024 bytes)
 * followed by field 9 (at most 8 digits after up to 16 leading zeros).
 *
 * BodyLength is trusted only when "<SOH>10=ddd<SOH>" sits where it points
 * (there, as Wireshark's packet-fix.c does, also "10=d" and "10=dd": a
 * CheckSum not zero-padded, its value compared as a number).
 * Otherwise the message ends at the first trailer after field 9 (flag
 * bad_length), or, when another "<SOH>8=FIX" comes first, just before it
 * (bad_length|no_checksum). So a lying BodyLength, too small or too large,
 * never swallows the messages after it, and a message is complete as soon
 * as its trailer has arrived. A data field (RawData, XmlData, ...: free
 * bytes after their length field) is skipped whole, so a trailer or
 * "<SOH>8=FIX" inside it ends nothing wherever TCP cut the message. Bytes
 * that do not start a message are skipped up to the next "8=FIX" (flag
 * skipped on the next message); a gap in the stream drops the message it
 * cut (never invented) and flags the next one.
 *
 * Memory: a message spanning segments is copied into its direction's buffer,
 * charged to the reassembler's budget and released as soon as the message
 * is complete, so the budget counts only messages still arriving. When the
 * budget is used up the message is dropped (reasm_message_over_budget) and
 * the next one is flagged over_budget; so is one whose bytes the
 * reassembler dropped while they waited out of order (a gap marked
 * over_budget), not flagged gap. */
#ifndef PCAP2KDB_FIX_H
#define PCAP2KDB_FIX_H

#include <stddef.h>
#include <stdint.h>
#include "reasm.h"

#define FIX_SOH 0x01
/* Longest message held while it arrives; a longer one is skipped (too_long). */
#define FIX_MAX_MSG (256u << 10)
/* Extra tags (--tags) a message table can carry. */
#define FIX_MAX_EXTRA 16

/* Message flags, in the order the flags column lists them. */
enum fix_flag {
    FIXF_GAP = 1u << 0,          /* bytes were missing before this message */
    FIXF_SKIPPED = 1u << 1,      /* bytes that were no message came before it */
    FIXF_REORDERED = 1u << 2,    /* some of its bytes arrived out of order (waited
                                  * in the queue for bytes ahead of them) */
    FIXF_BAD_LENGTH = 1u << 3,   /* BodyLength does not point at the trailer */
    FIXF_BAD_CHECKSUM = 1u << 4, /* CheckSum differs from the byte sum */
    FIXF_NO_CHECKSUM = 1u << 5,  /* no trailer before the next message */
    FIXF_TOO_LONG = 1u << 6,     /* a message longer than FIX_MAX_MSG was skipped */
    FIXF_OVER_BUDGET = 1u << 7,  /* a message was dropped: the reassembly budget
                                  * was used up while it arrived */
};
#define FIX_NFLAGS 8
extern const char *const fix_flag_names[FIX_NFLAGS];

enum fix_frame_status {
    FIX_FRAME_OK,        /* a message of res.len bytes starts the view */
    FIX_FRAME_MORE,      /* maybe a message: decide with res.want bytes */
    FIX_FRAME_NOSTART,   /* no message starts here: skip res.len bytes */
};

struct fix_frame_res {
    size_t len;
    size_t want;
    size_t scanned;      /* FIX_FRAME_MORE: no SOH before this offset can end
                          * the message, whatever bytes follow */
    uint32_t flags;      /* FIXF_BAD_LENGTH, _BAD_CHECKSUM, _NO_CHECKSUM, _TOO_LONG */
    uint32_t bodylen;    /* the BodyLength field's value */
    size_t begin_len;    /* bytes of the BeginString value, from offset 2 */
    int checksum_ok;
};

/* Frames the message at the start of p[0..n). Pure; reads only p[0..n). */
enum fix_frame_status fix_frame(const uint8_t *p, size_t n, struct fix_frame_res *res);
/* The same, for a message arriving in pieces: the search for its trailer
 * (or the next message) resumes at `scanned`, the res.scanned of the last
 * FIX_FRAME_MORE on a prefix of the same bytes (0 at first), so that a
 * message arriving in many small segments is read in linear time. */
enum fix_frame_status fix_frame_from(const uint8_t *p, size_t n, size_t scanned,
                                     struct fix_frame_res *res);

/* Where the next possible message start lies in p[from..n): an '8' that
 * begins (a prefix of) "8=FIX" and does not follow a digit or '='. n if none. */
size_t fix_next_start(const uint8_t *p, size_t n, size_t from);

/* Fields the message table shows; FIXV_EXTRA + i is extra tag i. */
enum fix_field {
    FIXV_BEGIN, FIXV_MSGTYPE, FIXV_SEQNUM, FIXV_SENDER, FIXV_TARGET, FIXV_SENDTIME,
    FIXV_CLORDID, FIXV_SYMBOL, FIXV_SIDE, FIXV_QTY, FIXV_PRICE, FIXV_ORDSTATUS,
    FIXV_COUNT,
    FIXV_EXTRA = FIXV_COUNT
};

/* A value: n bytes at offset off of its message (an offset, not a pointer,
 * so that a table keeping the message elsewhere keeps its values as they
 * are). */
#define FIX_ABSENT UINT32_MAX
struct fix_val {
    uint32_t off;
    uint32_t n;          /* FIX_ABSENT when the tag is absent */
};

struct fix_fields {
    struct fix_val v[FIXV_COUNT + FIX_MAX_EXTRA];
};

/* Extracts the first occurrence of each wanted tag from a framed message of
 * len (< 4 GiB) bytes. extra_tags[0..n_extra) name more tags, whose values
 * are v[FIXV_EXTRA + i]; the slots past them are not written. */
void fix_parse(const uint8_t *msg, size_t len, const uint32_t *extra_tags, int n_extra,
               struct fix_fields *out);

/* SendingTime "YYYYMMDD-HH:MM:SS[.s...]" (1 to 9 fraction digits) as UTC
 * seconds and nanoseconds; -1 when malformed. */
int fix_parse_utc(const uint8_t *p, size_t n, int64_t *sec, uint32_t *nsec);
/* The same, for a stream of times: the date and time of day change once a
 * second, so the last valid "YYYYMMDD-HH:MM:SS" is kept with its seconds
 * and only the fraction is read while they repeat. Zero it to start. */
struct fix_utc_cache {
    uint8_t text[17];
    uint8_t valid;
    int64_t sec;
};
int fix_parse_utc_cached(struct fix_utc_cache *c, const uint8_t *p, size_t n, int64_t *sec,
                         uint32_t *nsec);

/* A framed message, as the framer hands it on. */
struct fix_message {
    const uint8_t *p;
    size_t len;
    const struct fix_frame_res *fr;
    const struct flow *flow;
    int dir;
    const struct reasm_pkt *first;   /* packet holding its first byte */
    const struct reasm_pkt *last;    /* packet that completed it */
    uint32_t segs;                   /* packets it spans */
    uint32_t flags;                  /* fix_flag bits */
    uint64_t gap_bytes;              /* bytes missing just before it */
    uint32_t end_seq;                /* TCP sequence number after its last byte */
};

/* The framer for the generic reassembler: fill a struct reasm_framer with
 * fix_reasm_framer(), with ctx pointing at a struct fix_framer. */
struct fix_framer {
    void (*on_message)(void *ctx, const struct fix_message *m);
    void *ctx;
    uint64_t messages, dropped;      /* dropped: partial messages cut by a gap or an end,
                                      * or not held for want of budget */
};

struct reasm_framer fix_reasm_framer(struct fix_framer *fx);

#endif
