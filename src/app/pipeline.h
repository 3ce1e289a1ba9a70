/* pipeline.h: --threads for packet rows. The driver's thread reads, decodes
 * and tracks flows in order, as with one thread, but decodes each row into a
 * slot of a batch instead of formatting it; full batches go to formatting
 * threads, each of which formats a batch into its own text and writes it
 * when every earlier batch has been written. The bytes written are those of
 * the one-thread path (same writer code, same row order, the q writer's
 * insert statements cut at the same rows), and memory is bounded: a fixed
 * number of batches is in flight, the driver waits for a free one.
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

/* At most this many threads in all (the driver and the formatters): beyond
 * it the one ordered driver thread is the limit, not formatting. */
#define PIPELINE_MAX_THREADS 8

/* The --threads default: the online CPUs, at most PIPELINE_MAX_THREADS. */
int pipeline_default_threads(void);

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
/* The row from pipeline_row is complete and is to be written. */
void pipeline_commit(struct pipeline *p);

/* Every committed row is written out (and, with pause set, a q batch in the
 * making with them: the writer's flush) before this returns: input pauses,
 * damage is about to be reported. Errors of the output are copied to
 * w->out. */
void pipeline_sync(struct pipeline *p, int pause);

/* A write has failed or the reader has gone: stop reading (cheap). */
int pipeline_dead(const struct pipeline *p);

/* Writes what is left, the writer's batch in the making included, stops the
 * threads and frees everything; w->out gets the output's status. */
void pipeline_finish(struct pipeline *p);

#endif
