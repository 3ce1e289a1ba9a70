/* fix_mode.h: `--fix`: one row per FIX message (SCHEMA.md "Message rows").
 * Packets go through the flow table and the generic reassembler (reasm.h)
 * into the FIX framer (fix.h); framed messages are parsed, paired with their
 * orders for latency, and written when the packet that completed them is
 * done (so `bundled` is known). */
#ifndef PCAP2KDB_FIX_MODE_H
#define PCAP2KDB_FIX_MODE_H

#include <stddef.h>
#include "columns.h"
#include "convert.h"
#include "fix.h"
#include "msgtab.h"
#include "out.h"

/* Outstanding orders remembered for latency pairing (fixed, set-associative;
 * the oldest in a set makes room; an order leaves when a report gives it a
 * final OrdStatus). */
#define FIX_LAT_SLOTS (1u << 15)

struct fix_mode_opts {
    const char *columns;       /* --columns, or NULL for the default */
    const char *tags;          /* --tags, or NULL */
    int q;                     /* -f q */
    int header;
    const char *table;
    struct out *out;
    struct format_ctx *fmt;    /* sym (set per input by main) */
};

/* The column set of the options; -1 with a usage message in err. */
int fix_mode_columns(const struct fix_mode_opts *o, struct mt_columns *cols, uint32_t *tags,
                     int *ntags, char *err, size_t errlen);

struct fix_mode;
/* NULL with a message in err (usage error when err is not "out of memory"). */
struct fix_mode *fix_mode_new(const struct fix_mode_opts *o, char *err, size_t errlen);
/* Hooks the mode into the converter (its flow table's on_evict, cv->mode). */
void fix_mode_attach(struct fix_mode *m, struct converter *cv);
void fix_mode_begin(struct fix_mode *m);
void fix_mode_end(struct fix_mode *m);
void fix_mode_free(struct fix_mode *m);

/* Every column of --fix (name, q type), for --list-columns. */
const struct mt_coldef *fix_mode_coldefs(int *n);

#endif
