/* convert.h: the driver loop: records from a reader, through the decoders
 * and the flow table, to a writer. main.c (and the fuzz target) set it up. */
#ifndef PCAP2KDB_CONVERT_H
#define PCAP2KDB_CONVERT_H

#include <stdint.h>
#include "filter.h"
#include "flow.h"
#include "input.h"
#include "ipfrag.h"
#include "progress.h"
#include "stats.h"
#include "writer.h"
#include "exit_codes.h"
#include "mode.h"

/* What the driver is set up with; everything but writer is optional. */
struct converter_setup {
    struct writer *writer;        /* packet rows, or --flows' table */
    const struct mode_ops *mode;  /* a mode's table instead of packet rows */
    void *mode_ctx;               /* the mode's state (mode->create) */
    int use_flows;                /* track TCP connections (stream, rseq... columns) */
    int analyze;                  /* the analysis column: the sequence analysis */
    int numbers;                  /* #16: the TCP number columns (unacked.h lists) */
    uint32_t flow_slots;          /* size of the flow table; 0: FLOW_DEFAULT_SLOTS */
    const struct filter *filter;  /* NULL: every row is written */
    int quiet;                    /* no messages (fuzzing) */
    /* Optional: called when an input has opened as a capture, before its
     * first record (main.c creates -o's file then, so that a run in which
     * no input is a capture leaves it as it was); nonzero stops the run
     * (the callback has said why). */
    int (*capture_opened)(void *ctx);
    void *capture_opened_ctx;
};

struct converter {
    struct writer *writer;
    const struct mode_ops *mode;   /* NULL: packet rows */
    void *mode_ctx;
    struct flow_table flows;
    struct ipfrag_table frags;     /* IP datagrams being reassembled */
    uint8_t *inflated;             /* #15: an IPComp payload inflated (ipcomp.c) */
    int use_flows;
    const char *prog;          /* for messages */
    int quiet;                 /* no messages (fuzzing) */
    uint64_t records, damaged;
    uint64_t last_skip_at;        /* offset of the last damaged block skipped */
    /* Everyday options (filter.c, progress.c, stats.c), all optional. */
    const struct filter *filter;  /* NULL: every row is written */
    int stop;                     /* -c reached (out.h max_rows): read no further */
    struct progress *progress;    /* NULL: no status line */
    uint64_t tick;                /* records until the next progress check */
    uint64_t frame;               /* records of the current input so far */
    struct input *in;             /* the current input */
    struct stats stats;
    unsigned hwts;                /* #17: --hwts formats (hwts.h) */
    int hwts_columns;             /* #17: a column shows the stamp */
    int hwts_active;              /* #17: either of these: one test per record */
    int no_tunnels;               /* --no-tunnels (#15): outer packets only; 0 or 1,
                                   * a row's decode_flags as DECODE_NO_TUNNELS */
    int threads;                  /* --threads (#19): 1 formats rows in this thread */
    struct pipeline *pipeline;    /* the formatting threads, once started */
    int (*capture_opened)(void *ctx);   /* converter_setup's */
    void *capture_opened_ctx;
};

/* Sets the driver up; -1 when out of memory. */
int converter_init(struct converter *cv, const struct converter_setup *setup);
/* Turns the status line on (p->on) for the inputs that follow. */
void converter_set_progress(struct converter *cv, struct progress *p);
/* The next input is about to be opened, which may wait without end (a
 * named pipe until its writer opens it, a stream until its first bytes
 * come): the rows decoded so far go out first, a -f q statement ended, as
 * when input pauses (README "Live input"). Returns 0 when the output failed
 * or closed there: the run ends at that write, the input is not opened. */
int converter_before_open(struct converter *cv);
/* Writes every row still with the formatting threads (--threads) and
 * stops them: before the writer's end. */
void converter_end_rows(struct converter *cv);
void converter_free(struct converter *cv);

/* Converts one opened input; returns an exit code for it. Messages name the
 * input as display_name. */
int convert_input(struct converter *cv, struct input *in, const char *display_name);

#endif
