/* write_csv.c: RFC 4180 CSV, one header line, "\n" line ends, one record a
 * line, written from typed column batches of the rows (columns_batch.h):
 * the default columns straight from the packet block, any other choice
 * through the CSV plan every table's CSV uses (write_table.h). No field
 * needs quoting or escapes but a file name's (mt_csv_str): every other
 * value is a number, an address, a name from our own tables, a timestamp,
 * hex, or the sym, which main.c checks. */
#include "batch_value.h"
#include "columns_batch.h"
#include "msgtab.h"
#include "write_table.h"
#include "writer.h"

#include <stdlib.h>
#include <string.h>

struct csv_state {
    struct batch_builder bb;
    struct csv_plan plan;      /* a row of chosen columns (write_table.h) */
    struct table_schema schema;
    struct table_column cols[MAX_SELECTED_COLUMNS];
};

/* The room one default row takes at most. */
static size_t default_room(const struct writer *w)
{
    return DEFAULT_COLUMNS * FIELD_MAX + w->fmt->sym_len + 2;
}

/* The default columns of row i of a packet block, in order, each text
 * straight from its encoding (default_column_enc: constants once the loop
 * is unrolled). The sym needs no escape in CSV (main.c). */
static inline char *default_row(char *p, struct packet_block *k, int i, struct format_ctx *ctx)
{
    uint32_t valid = k->valid[i];
#pragma GCC unroll 16
    for (int c = 0; c < DEFAULT_COLUMNS; c++) {
        struct default_column_enc e = default_column_enc(c);
        if (!e.valid_mask || (valid & e.valid_mask))
            p = bv_value_text(p, e.enc, column_defs[c].qtype, packet_block_value(k, c, i),
                              &ctx->time);
        *p++ = c == DEFAULT_COLUMNS - 1 ? '\n' : ',';
    }
    return p;
}

/* The most room any row of these columns takes (csv_plan_room: each text
 * as if it were wire text): 4 * FIELD_MAX for a value (the texts but the
 * sym, the file name and the data column's hex are shorter), and those
 * three. */
static size_t general_room(const struct writer *w)
{
    const struct format_ctx *f = w->fmt;
    return (size_t)w->cols->n * MT_CSV_STR_ROOM(FIELD_MAX) + 1 + MT_CSV_STR_ROOM(f->sym_len) +
           MT_CSV_STR_ROOM(f->file_len) + MT_CSV_STR_ROOM(2 * (size_t)f->data_max);
}

/* The batch's rows as text into the output. Default rows with one
 * reservation: the batch holds no more rows than fit (rows_allowed), so
 * none of them would have written the buffer. Any other choice a row at a
 * time, each with its own room, so that the buffer is written out at the
 * row whose text does not fit, as it was without batches. */
static int csv_emit(void *ctx, const struct batch *b)
{
    struct writer *w = ctx;
    struct csv_state *st = w->state;
    if (!w->cols->is_default) {
        for (int i = 0; i < b->nrows; i++) {
            if (out_reserve(w->out, csv_plan_room(&st->plan, b, i)) != 0)
                return 0;
            out_advance(w->out, csv_plan_row(out_cursor(w->out), &st->plan, b, i));
        }
        return 0;
    }
    if (out_reserve(w->out, default_room(w) * (size_t)b->nrows) != 0)
        return 0;
    char *p = out_cursor(w->out);
    for (int i = 0; i < b->nrows; i++)
        p = default_row(p, b->block, i, w->fmt);
    out_advance(w->out, p);
    return 0;
}

/* The rows a batch may hold: as many as cannot make the output write its
 * buffer (each reserves at most default_room or general_room), so that a
 * failed write is met while the row that makes it is converted, as without
 * batches, and the driver stops at that row (--stats). Rows formatted in
 * the pipeline (whose log counts each reservation at its row) go out one
 * by one. */
static int rows_allowed(void *ctx)
{
    struct writer *w = ctx;
    struct out *o = w->out;
    if (o->log)
        return 1;
    size_t bound = w->cols->is_default ? default_room(w) : general_room(w);
    size_t fit = (o->cap - o->len) / bound;
    return fit > PACKET_BLOCK_ROWS ? PACKET_BLOCK_ROWS : (int)fit;
}

static void csv_begin(struct writer *w)
{
    struct csv_state *st = calloc(1, sizeof *st);
    w->state = st;
    w->batch = st ? &st->bb : NULL;
    if (!st || (columns_schema(&st->schema, st->cols, w->cols, w->table),
                columns_batch_init(&st->bb, &st->schema, w->cols, PACKET_BLOCK_ROWS, csv_emit,
                                   w) != 0)) {
        out_no_memory(w->out); /* no row could be written: say so */
        return;
    }
    csv_plan_make(&st->plan, &st->schema);
    st->bb.latency_ns = 0; /* handed over at the driver's pauses */
    st->bb.within_input = 1; /* and at each input's end (drain) */
    st->bb.rows_allowed = rows_allowed;
    if (!w->header)
        return;
    for (int i = 0; i < w->cols->n; i++) {
        const char *name = column_defs[w->cols->id[i]].name;
        if (i)
            out_write(w->out, ",", 1);
        out_write(w->out, name, strlen(name));
    }
    out_write(w->out, "\n", 1);
}

static void csv_end(struct writer *w)
{
    struct csv_state *st = w->state;
    if (!st)
        return;
    batch_writer_flush(w);
    bb_free(&st->bb);
    free(st);
    w->state = NULL;
}

/* the rows held go out as text at a pause and at the end of an input */
const struct writer_ops csv_writer_ops = { csv_begin, batch_writer_row, csv_end,
                                           batch_writer_flush, batch_writer_flush };
