/* write_batch.c: packet rows into the typed column batches of w->batch:
 * --publish's writer, and the row and drain of the CSV and q writers,
 * whose batches they format themselves. */
#include "columns_batch.h"
#include "write_table.h"
#include "writer.h"

void batch_writer_check(struct writer *w)
{
    if (w->batch->failed)
        batch_failure_to_out(w->batch, w->out);
}

static void b_begin(struct writer *w) { (void)w; }

void batch_writer_row(struct writer *w, const struct row *r)
{
    columns_batch_row(w->batch, w->cols, r, w->fmt);
    if (w->batch->failed)
        batch_writer_check(w);
}

void batch_writer_flush(struct writer *w)
{
    if (!w->batch) /* a text writer never begun (a mode writes the table) */
        return;
    bb_pause(w->batch);
    batch_writer_check(w);
}

const struct writer_ops batch_writer_ops = { b_begin, batch_writer_row, batch_writer_flush,
                                             batch_writer_flush, NULL };

/* Tables whose rows come from elsewhere (--flows, the modes): the driver's
 * pauses and end hand the rows waiting over. */
const struct writer_ops batch_table_writer_ops = { b_begin, NULL, batch_writer_flush,
                                                   batch_writer_flush, NULL };
