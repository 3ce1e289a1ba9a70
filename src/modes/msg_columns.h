/* msg_columns.h: the columns every message table (--fix, --kdb) begins
 * with, in this order, and their values: one helper, so that the tables
 * agree on them to the byte. A mode numbers its own columns after these. */
#ifndef PCAP2KDB_MSG_COLUMNS_H
#define PCAP2KDB_MSG_COLUMNS_H

#include <stdint.h>
#include "columns.h"
#include "fmt.h"
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

/* The text caches of the time and ftime columns. */
struct msg_time_caches {
    struct time_cache time, ftime;
};

/* The value of common column id (< MSGC_COUNT): its text is written at p,
 * or *v points at the sym; *v->kind is MV_NULL for a message without a
 * time. Returns the end of what was written. Inline: the CSV loops call it
 * for every cell. */
static inline char *msg_common_value(int id, const struct msg_origin *o,
                                     struct msg_time_caches *tc, const struct format_ctx *fmt,
                                     char *p, struct mt_val *v)
{
    char *s = p;
    v->kind = MV_TEXT;
    switch (id) {
    case MSGC_TIME:
    case MSGC_FTIME: {
        /* time: the packet that completed the message; ftime: its first */
        const struct reasm_pkt *pk = id == MSGC_TIME ? o->last : o->first;
        if (!pk->has_time) {
            v->kind = MV_NULL;
            return p;
        }
        p = fmt_time(p, id == MSGC_TIME ? &tc->time : &tc->ftime, pk->ts_sec, pk->ts_nsec);
        break;
    }
    case MSGC_SYM:
        v->p = fmt->sym;
        v->n = (uint32_t)fmt->sym_len;
        return p;
    case MSGC_SRC:
    case MSGC_DEST: {
        const uint8_t *a = id == MSGC_SRC ? o->src : o->dst;
        p = o->ipver == IPVER_4 ? fmt_ipv4(p, a) : fmt_ipv6(p, a);
        break;
    }
    case MSGC_SRCPORT: p = fmt_u32(p, o->sport); break;
    case MSGC_DESTPORT: p = fmt_u32(p, o->dport); break;
    case MSGC_STREAM: p = fmt_u64(p, o->stream); break;
    default: p = fmt_u64(p, o->last->frame); break; /* MSGC_FRAME */
    }
    v->p = s;
    v->n = (uint32_t)(p - s);
    return p;
}

#endif
