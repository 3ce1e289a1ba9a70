/* write_batch.c: packet rows as typed column batches (--publish): the
 * writer that hands the rows to the batch builder instead of formatting
 * text. */
#include "columns_batch.h"
#include "writer.h"

void batch_writer_check(struct writer *w)
{
    if (w->batch->failed && !out_dead(w->out)) {
        if (w->batch->no_memory)
            out_no_memory(w->out);
        else
            w->out->failed = 1; /* the publisher has said why */
    }
}

static void b_begin(struct writer *w) { (void)w; }

static void b_row(struct writer *w, const struct row *r)
{
    columns_batch_row(w->batch, w->cols, r, w->fmt);
    if (w->batch->failed)
        batch_writer_check(w);
}

static void b_flush(struct writer *w)
{
    bb_pause(w->batch);
    batch_writer_check(w);
}

const struct writer_ops batch_writer_ops = { b_begin, b_row, b_flush, b_flush, NULL };

/* Tables whose rows come from elsewhere (--flows, the modes): the driver's
 * pauses and end hand the rows waiting over. */
const struct writer_ops batch_table_writer_ops = { b_begin, NULL, b_flush, b_flush, NULL };
