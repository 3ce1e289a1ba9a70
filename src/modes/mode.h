/* mode.h: what a table mode is to the driver. A mode replaces the packet
 * rows by rows of its own table (--fix: one per FIX message, --kdb: one per
 * kdb+ IPC message, --flows: one per TCP connection): it sees every decoded packet, with its TCP flow when it
 * has one, and writes its table through the output layer. The driver
 * (src/app) knows the modes through this table of operations; a mode never
 * knows the driver.
 *
 * Adding a mode: a folder src/modes/NAME/ that defines one struct mode_ops,
 * and its entry in the driver's list of modes (app/modes.c). */
#ifndef PCAP2KDB_MODE_H
#define PCAP2KDB_MODE_H

#include <stddef.h>
#include <stdio.h>
#include "columns.h"
#include "flow.h"
#include "msgtab.h"
#include "out.h"
#include "row.h"

/* The options a mode is made from, the same for every mode. */
struct mode_opts {
    const char *columns;       /* --columns, or NULL for the mode's default */
    const char *tags;          /* --tags (FIX tags as columns), or NULL */
    int q;                     /* -f q */
    int header;                /* CSV header line */
    const char *table;         /* --table, or the mode's name */
    struct out *out;
    struct format_ctx *fmt;    /* sym (set per input by the driver) */
    struct batch_builder *batch; /* --publish: rows into typed batches, not out */
};

struct mode_ops {
    const char *name;          /* the option --NAME and the default table name */
    const char *help;          /* one line for --help */
    /* The column set of the options; -1 with a usage message in err. */
    int (*columns)(const struct mode_opts *o, struct mt_columns *cols, char *err,
                   size_t errlen);
    /* NULL with a message in err (a usage error unless it is out of memory). */
    void *(*create)(const struct mode_opts *o, char *err, size_t errlen);
    void (*begin)(void *m);
    /* Every decoded packet that passes the filters; f NULL when the packet
     * has no TCP flow, dir its direction within f. */
    void (*packet)(void *m, struct row *r, struct flow *f, int dir);
    /* Every decoded packet the filters (--port, --host, --proto) drop: it
     * reaches no table, yet it moves the mode's capture-time clock (the
     * acktime wait: "any packet moves the clock", so that a filter does not
     * change a message's acktime). NULL when the mode keeps no clock. */
    void (*clock)(void *m, const struct row *r);
    /* The input has ended; the driver has already ended (evicted) every
     * connection of it. */
    void (*end_input)(void *m);
    /* Input pauses (a live pipe), or damage is about to be reported: rows
     * the mode's writer holds (a q insert statement in the making) go out
     * now, as the packet rows' do. NULL when it holds none. */
    void (*pause)(void *m);
    /* The flow table forgets a connection: deliver and free what the mode
     * holds for it. */
    void (*evict)(void *m, struct flow *f);
    /* A connection's record is complete (flow.h on_end): NULL unless the
     * mode's rows are connections (--flows). The driver applies the
     * connection filters (--port, --host, --proto) first. */
    void (*flow_end)(void *m, const struct flow *f, const struct flow_summary *s,
                     enum flow_end why);
    void (*end)(void *m);
    void (*free)(void *m);     /* NULL is a no-op */
    /* --stats: lines of the mode's own after the summary; may be NULL. */
    void (*stats)(void *m, FILE *f);
};

#endif
