/* convert.h: the driver loop: records from a reader, through the decoders
 * and the flow table, to a writer. main.c (and the fuzz target) set it up. */
#ifndef PCAP2KDB_CONVERT_H
#define PCAP2KDB_CONVERT_H

#include <stdint.h>
#include "filter.h"
#include "flow.h"
#include "input.h"
#include "progress.h"
#include "stats.h"
#include "writer.h"

/* Exit codes (SCHEMA.md). */
enum {
    EXIT_OK = 0,
    EXIT_USAGE = 1,      /* also: input cannot be opened or is not a capture */
    EXIT_DAMAGED = 2,
    EXIT_WRITE = 3,
};

/* A message mode (--fix; later kdb+ IPC) replaces the packet rows by rows of
 * its own: it sees every decoded packet, with its TCP flow when it has one
 * (f NULL otherwise), writes its own table, and flushes what it holds when
 * an input ends. The flow table is always on in a message mode. */
struct msg_mode {
    void (*packet)(void *ctx, struct row *r, struct flow *f, int dir);
    void (*end_input)(void *ctx);
    void *ctx;
    /* The flow table forgets a connection: free the mode's state for it. */
    void (*on_evict)(void *ctx, struct flow *f);
};

struct converter {
    struct writer *writer;
    const struct msg_mode *mode;   /* NULL: packet rows */
    struct flow_table flows;
    int use_flows;
    const char *prog;          /* for messages */
    int quiet;                 /* no messages (fuzzing) */
    uint64_t records, damaged;
    /* Everyday options (filter.c, progress.c, stats.c), all optional. */
    const struct filter *filter;  /* NULL: every row is written */
    int stop;                     /* -c reached (out.h max_rows): read no further */
    struct progress *progress;    /* NULL: no status line */
    uint64_t tick;                /* records until the next progress check */
    uint64_t frame;               /* records of the current input so far */
    struct input *in;             /* the current input */
    struct stats stats;
};

/* A message mode takes the packets (and the flow table's evictions); NULL
 * gives them back to the packet writer. */
void converter_set_mode(struct converter *cv, const struct msg_mode *mode);

int converter_init(struct converter *cv, struct writer *w, int use_flows);
/* Turns the status line on (p->on) for the inputs that follow. */
void converter_set_progress(struct converter *cv, struct progress *p);
void converter_free(struct converter *cv);

/* Converts one opened input; returns an exit code for it. Messages name the
 * input as display_name. */
int convert_input(struct converter *cv, struct input *in, const char *display_name);

#endif
