/* kdb_mode.h: `--kdb`: one row per kdb+ IPC message (SCHEMA.md "Message
 * rows (--kdb)"). Packets go through the flow table and the generic
 * reassembler (reasm.h) into the kdb+ framer (kdb_framer.h); each message is
 * written as soon as the packet that completes it has been framed. */
#ifndef PCAP2KDB_KDB_MODE_H
#define PCAP2KDB_KDB_MODE_H

#include <stddef.h>
#include "columns.h"
#include "convert.h"
#include "msgtab.h"
#include "out.h"

struct kdb_mode_opts {
    const char *columns;       /* --columns, or NULL for the default */
    int q;                     /* -f q */
    int header;
    const char *table;
    struct out *out;
    struct format_ctx *fmt;    /* sym (set per input by main) */
};

/* The column set of the options; -1 with a usage message in err. */
int kdb_mode_columns(const struct kdb_mode_opts *o, struct mt_columns *cols, char *err,
                     size_t errlen);

struct kdb_mode;
/* NULL with a message in err (usage error when err is not "out of memory"). */
struct kdb_mode *kdb_mode_new(const struct kdb_mode_opts *o, char *err, size_t errlen);
/* Hooks the mode into the converter (its flow table's on_evict, cv->mode). */
void kdb_mode_attach(struct kdb_mode *m, struct converter *cv);
void kdb_mode_begin(struct kdb_mode *m);
void kdb_mode_end(struct kdb_mode *m);
void kdb_mode_free(struct kdb_mode *m);

/* Every column of --kdb (name, q type), for --list-columns. */
const struct mt_coldef *kdb_mode_coldefs(int *n);

#endif
