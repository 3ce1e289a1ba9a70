/* writer.h: output formats behind one small interface. A writer sees rows
 * and the selected columns, never packet bytes. */
#ifndef PCAP2KDB_WRITER_H
#define PCAP2KDB_WRITER_H

#include "batch_build.h"
#include "columns.h"
#include "out.h"
#include "row.h"

struct writer;

struct writer_ops {
    void (*begin)(struct writer *w);
    /* NULL for a table whose rows do not come from packets (--flows) */
    void (*row)(struct writer *w, const struct row *r);
    void (*end)(struct writer *w);
    /* Optional: writes out rows held back (a q batch) when input pauses. */
    void (*flush)(struct writer *w);
    /* Optional: formats the rows held in a typed batch into the output, and
     * ends nothing the format runs across (a q insert statement): what the
     * pipeline's formatters do at the end of each of their batches, whose
     * text they then write (pipeline.c). */
    void (*drain)(struct writer *w);
};

struct writer {
    const struct writer_ops *ops;
    struct out *out;
    const struct column_list *cols;
    struct format_ctx *fmt;
    int header;                /* CSV: write the header line */
    const char *table;         /* q: the table's name */
    /* q: rows of the current batch, held as one column per buffer */
    void *state;
    /* the typed batches its rows go into (--publish's, or a text writer's
     * own, set by its begin) */
    struct batch_builder *batch;
};

extern const struct writer_ops csv_writer_ops;
extern const struct writer_ops q_writer_ops;
/* Packet rows into w->batch (write_batch.c). */
extern const struct writer_ops batch_writer_ops;
/* The same for a table whose rows do not come from packets (--flows, the
 * modes): only the driver's pauses and the end. */
extern const struct writer_ops batch_table_writer_ops;

/* After a batch was handed over or a row stored: a failed consumer (or
 * out of memory) stops the driver as a failed output does. */
void batch_writer_check(struct writer *w);
/* A packet row into w->batch; the rows held handed over. */
void batch_writer_row(struct writer *w, const struct row *r);
void batch_writer_flush(struct writer *w);

#endif
