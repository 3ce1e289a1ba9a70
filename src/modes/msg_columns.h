/* msg_columns.h: the columns every message table (--fix, --kdb) begins
 * with, in this order, their encodings and values: one helper, so that the
 * tables agree on them to the byte. A mode numbers its own columns after these. */
#ifndef PCAP2KDB_MSG_COLUMNS_H
#define PCAP2KDB_MSG_COLUMNS_H

#include <stdint.h>
#include "columns.h"
#include "fmt.h"
#include "inline.h"
#include "batch_build.h"
#include "msgtab.h"
#include "reasm.h"
#include "row.h"

enum msg_common_col {
    MSGC_TIME, MSGC_FTIME, MSGC_SYM, MSGC_SRC, MSGC_DEST, MSGC_SRCPORT, MSGC_DESTPORT,
    MSGC_STREAM, MSGC_FRAME,
    MSGC_COUNT                 /* a mode's own columns are numbered from here */
};

/* The common columns' names and q types: the first entries of a mode's
 * column table (an initializer list, since that table is a static array). */
#define MSG_COMMON_COLUMN_DEFS                                                       \
    [MSGC_TIME] = { "time", 'P' }, [MSGC_FTIME] = { "ftime", 'P' },                  \
    [MSGC_SYM] = { "sym", 'S' }, [MSGC_SRC] = { "src", 'S' },                        \
    [MSGC_DEST] = { "dest", 'S' }, [MSGC_SRCPORT] = { "srcport", 'I' },              \
    [MSGC_DESTPORT] = { "destport", 'I' }, [MSGC_STREAM] = { "stream", 'J' },        \
    [MSGC_FRAME] = { "frame", 'J' }

/* Where and when a message travelled. */
struct msg_origin {
    const struct reasm_pkt *first;   /* the packet of its first byte */
    const struct reasm_pkt *last;    /* the packet that completed it */
    const uint8_t *src, *dst;        /* 4 or 16 bytes, by ipver */
    uint8_t ipver;
    uint16_t sport, dport;
    uint64_t stream;
};

/* How a common column's values are held (batch.h): times as Unix time,
 * addresses as their bytes, ports and numbers as they are; the sym is text
 * of our own. */
static inline uint8_t msg_common_encoding(int id)
{
    switch (id) {
    case MSGC_TIME: case MSGC_FTIME: return BENC_UNIX_TIME;
    case MSGC_SRC: case MSGC_DEST: return BENC_ADDR;
    case MSGC_SRCPORT: case MSGC_DESTPORT: return BENC_U16;
    case MSGC_STREAM: case MSGC_FRAME: return BENC_U64;
    default: return BENC_Q; /* MSGC_SYM */
    }
}

/* Sets the value of common column id (< MSGC_COUNT) in column c of row r:
 * a message without a time has a null time. The sym's text counts in the
 * row's text (fmt->sym_len). Inline: the rows call it for every cell. */
static ALWAYS_INLINE void msg_common_set(struct batch_builder *bb, int c, int r, int id,
                                  const struct msg_origin *o, const struct format_ctx *fmt)
{
    switch (id) {
    case MSGC_TIME:
    case MSGC_FTIME: {
        /* time: the packet that completed the message; ftime: its first */
        const struct reasm_pkt *pk = id == MSGC_TIME ? o->last : o->first;
        if (pk->has_time)
            bb_set_time(bb, c, r, pk->ts_sec, pk->ts_nsec);
        else
            bb_set_null(bb, c, r);
        break;
    }
    case MSGC_SYM: bb_set_ref(bb, c, r, fmt->sym, fmt->sym_len); break;
    case MSGC_SRC: bb_set_addr(bb, c, r, o->src, o->ipver); break;
    case MSGC_DEST: bb_set_addr(bb, c, r, o->dst, o->ipver); break;
    case MSGC_SRCPORT: bb_set_u16(bb, c, r, o->sport); break;
    case MSGC_DESTPORT: bb_set_u16(bb, c, r, o->dport); break;
    case MSGC_STREAM: bb_set_u64(bb, c, r, o->stream); break;
    default: bb_set_u64(bb, c, r, o->last->frame); break; /* MSGC_FRAME */
    }
}

#endif
