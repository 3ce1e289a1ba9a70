/* pipeline.h: --threads for packet rows. The driver's thread reads, decodes
 * and tracks flows in order, as with one thread, but decodes each row into a
 * slot of a batch instead of formatting it; full batches go to formatting
 * threads, each of which formats a batch into its own text and writes it
 * when every earlier batch has been written. The bytes written are those of
 * the one-thread path (same writer code, same row order, the q writer's
 * insert statements cut at the same rows), and memory is bounded: a fixed
 * number of batches is in flight, the driver waits for a free one.
 *
 * A failing output fails where it does with one thread: the one-thread
 * run's buffer is followed (each formatter logs what its writer asked of
 * its out), and a write that fails at byte N counts as the one-thread write
 * that holds byte N, at that write's row. The driver runs ahead of the
 * writes: each row is committed with the driver's counts (a pipeline_mark),
 * and the driver goes back to those of the row where the output failed
 * (convert.c), so that messages, --stats and the exit code are those of the
 * one-thread run.
 *
 * Used only where that holds by construction (pipeline_usable): packet rows
 * to a file or stdout, in CSV or q, with no column that reads packet bytes
 * after decoding (data, hash: their bytes live in the input buffer, which the
 * driver reuses). Everything else runs on the one-thread path. */
#ifndef PCAP2KDB_PIPELINE_H
#define PCAP2KDB_PIPELINE_H

#include "row.h"
#include "writer.h"

struct pipeline;

/* What the driver had counted when a row was committed (convert.c fills
 * it; the pipeline only keeps it with the row). */
struct pipeline_mark {
    uint64_t frame;            /* records of the input read */
    uint64_t offset;           /* the input's offset */
    uint64_t rows;             /* rows of the table taken (out.h rows) */
    uint64_t truncated;
    uint64_t next_stream;
    uint64_t skipped, last_skip_at;
    uint64_t ual_merged, ual_unlisted;
    uint64_t evictions;
    int64_t first_sec, last_sec;
    uint32_t first_nsec, last_nsec;
    int have_time, n_linktypes, more_linktypes;
};

/* At most this many threads in all (the driver and the formatters): beyond
 * it the one ordered driver thread is the limit, not formatting. */
#define PIPELINE_MAX_THREADS 8


/* Whether rows for this writer can be formatted in other threads. */
int pipeline_usable(const struct writer *w);

/* Starts threads - 1 formatting threads (one for q, whose batches of inserts
 * run across rows) after writing out what w->out holds (the header).
 * NULL when out of memory or no thread could be started: the caller then
 * uses the one-thread path. */
struct pipeline *pipeline_start(struct writer *w, int threads);

/* The row the driver decodes into next; it stays the next one until
 * pipeline_commit. May wait for a free batch. */
struct row *pipeline_row(struct pipeline *p);
/* Where the driver's counts go for that row, before pipeline_commit. */
struct pipeline_mark *pipeline_mark(struct pipeline *p);
/* The row from pipeline_row is complete and is to be written. */
void pipeline_commit(struct pipeline *p);

enum pipeline_sync {
    PIPELINE_ROWS,             /* the committed rows go to the output buffer */
    PIPELINE_PAUSE,            /* and the writer's flush (a q batch in the
                                * making), and the buffer is written out:
                                * input pauses, damage is about to be reported */
    PIPELINE_INPUT_END,        /* the rows, and the buffer is written out */
};
/* Every committed row has been through the output before this returns, as
 * `what` says. Errors of the output are copied to w->out. */
void pipeline_sync(struct pipeline *p, enum pipeline_sync what);

/* After pipeline_sync: whether the output failed while a row was being
 * written (the one-thread run stopped after that row); *m is then that
 * row's mark. */
int pipeline_failed_at_row(struct pipeline *p, struct pipeline_mark *m);

/* A write has failed or the reader has gone: stop reading (cheap). */
int pipeline_dead(const struct pipeline *p);

/* Writes what is left, the writer's batch in the making included, stops the
 * threads and frees everything; w->out gets the output's status. */
void pipeline_finish(struct pipeline *p);

#endif
