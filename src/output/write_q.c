/* write_q.c: a q script that creates the table with the exact type of each
 * column and inserts the rows in batches, one statement per batch:
 *
 *     pcap:([] time:`timestamp$(); sym:`symbol$(); ...)
 *     `pcap insert (2020.05.14D12:10:02.639526000 ...;`$("f";...);...)
 *
 * The rows come as typed column batches (columns_batch.h); their text is
 * held column by column (one text buffer a column) for one statement
 * only, so memory stays flat; the statement is written from the buffers
 * where they are (out_write_pieces). Symbols are written as `$"text"
 * (addresses and flags hold ':' and '|', which a `sym literal cannot),
 * nulls as q's typed nulls. */
#include "writer.h"
#include "batch_value.h"
#include "columns_batch.h"
#include "columns_default.h"
#include "qload.h"
#include "qtext.h"
#include "write_table.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The q types of the 15 default columns, as the column table has them: a
 * constant here, so that the default row's per-column steps below compile to
 * straight-line code. q_begin uses it only after checking it against the
 * table; otherwise the default columns take the general path. */
static const char default_qtypes[DEFAULT_COLUMNS + 1] = "PSSSIISSJJJJJII";

/* The default columns' rows are formatted with their separator in front
 * of every item (" 123", ";\"text\""), the batch's first one skipped when
 * it is written: no test for the first row. Their column buffers have room
 * for a whole batch of rows whose sym is at most FAST_SYM_MAX long, so such
 * rows need no test for room either. Such a row's text is at most
 * FAST_ROW_TEXT_MAX, and a batch of them stays under Q_BATCH_BYTES: it ends
 * by its row count alone, so their bytes need not be counted. */
#define FAST_SYM_MAX 128
#define IPV6_TEXT_MAX 45
#define FAST_ROW_TEXT_MAX (30 + 4 * FAST_SYM_MAX + 4 + 2 * (IPV6_TEXT_MAX + 3) + \
                           PROTOCOL_TEXT_MAX + 3 + TCP_FLAGS_TEXT_MAX + 3 + 10 * (20 + 1))
_Static_assert((size_t)FAST_ROW_TEXT_MAX * Q_BATCH_ROWS < Q_BATCH_BYTES,
               "a batch of default rows could reach Q_BATCH_BYTES");
/* A sym item up to this long is copied as one block. */
#define SYM_ITEM_ROOM 32
/* Room for one item of a default column (the sym: its escapes). */
#define FAST_ITEM_ROOM(i) ((i) == COL_SYM ? 4 * FAST_SYM_MAX + 8 : FIELD_MAX + 8)

struct qstate {
    struct batch_builder bb;
    struct table_schema schema;
    struct table_column cols[MAX_SELECTED_COLUMNS];
    struct time_cache time[MAX_SELECTED_COLUMNS]; /* a P column's own */
    struct qcol col[MAX_SELECTED_COLUMNS];
    int default_row;           /* the default columns, typed as default_qtypes */
    int fast_room;             /* their buffers have room for a batch (above) */
    int rows;
    size_t bytes;              /* text held in this batch; default rows: counted
                                * only once a long sym came (long_sym) */
    int long_sym;              /* a row of this batch had a sym over FAST_SYM_MAX */
    /* Default rows: where each column's next item goes. Their col[i].len
     * is set from it (cursors_to_lengths) where the buffers are written or
     * grown: a row stores 15 pointers, no length arithmetic. */
    char *cur[DEFAULT_COLUMNS];
    /* The sym's item (";\"sym\"", escaped), made once per input: a short
     * one is copied as a block of SYM_ITEM_ROOM bytes. */
    unsigned sym_input;        /* format_ctx.input it was made for */
    size_t sym_item_len;       /* 0: too long, formatted as the others */
    char sym_item[SYM_ITEM_ROOM];
    /* Any other choice of columns: the q script every table's batches get
     * (write_table.h) */
    struct table_writer tw;
    int general;
};

static void cursors_to_lengths(struct qstate *st)
{
    for (int i = 0; i < DEFAULT_COLUMNS; i++)
        st->col[i].len = st->col[i].buf ? (size_t)(st->cur[i] - st->col[i].buf) : 0;
}
static void lengths_to_cursors(struct qstate *st)
{
    for (int i = 0; i < DEFAULT_COLUMNS; i++)
        st->cur[i] = st->col[i].buf ? st->col[i].buf + st->col[i].len : NULL;
}

static const char *packet_column(const void *ctx, int i, char *qtype)
{
    const struct column_def *d = &column_defs[((const struct column_list *)ctx)->id[i]];
    *qtype = d->qtype;
    return d->name;
}

static int q_emit(void *ctx, const struct batch *b);
static int q_rows_allowed(void *ctx);

static void q_begin(struct writer *w)
{
    struct qstate *st = calloc(1, sizeof *st);
    w->state = st;
    w->batch = st ? &st->bb : NULL;
    if (st)
        columns_schema(&st->schema, st->cols, w->cols, w->table);
    if (!st || columns_batch_init(&st->bb, &st->schema, w->cols, PACKET_BLOCK_ROWS, q_emit, w) != 0) {
        out_no_memory(w->out); /* no row could be written: say so */
        return;
    }
    st->bb.latency_ns = 0; /* handed over at the driver's pauses */
    st->bb.within_input = 1; /* and at each input's end (drain) */
    st->bb.rows_allowed = q_rows_allowed;
    if (w->cols->is_default) {
        st->default_row = 1;
        for (int i = 0; i < DEFAULT_COLUMNS; i++)
            st->default_row &= column_defs[i].qtype == default_qtypes[i];
        if (st->default_row) { /* without the memory, room is made row by row */
            st->fast_room = 1;
            for (int i = 0; i < DEFAULT_COLUMNS; i++)
                st->fast_room &= qcol_grow(&st->col[i],
                                           (size_t)Q_BATCH_ROWS * FAST_ITEM_ROOM(i)) == 0;
            lengths_to_cursors(st);
        }
    }
    if (!st->default_row) {
        tw_text_open(&st->tw, &st->schema, w->out); /* writes the definition */
        st->general = 1;
        return;
    }
    q_table_definition(w->out, NULL, w->table, w->cols->n, packet_column, w->cols);
}

/* Escapes text..end in place (room was reserved: 4 bytes for each) as in
 * every other q string: a backslash or quote behind a backslash, a control
 * byte as \ooo.
 * Returns the new end. */
static char *q_escape(char *text, char *end)
{
    size_t n = 0;
    for (const char *s = text; s < end; s++)
        n += *s == '\\' || *s == '"' ? 1 : q_control((unsigned char)*s) ? 3 : 0;
    if (n == 0)
        return end;
    char *to = end + n;
    for (char *from = end; from > text;) {
        unsigned char c = (unsigned char)*--from;
        if (q_control(c)) {
            to -= 4;
            q_octal_escape(to, c);
        } else {
            *--to = (char)c;
            if (c == '\\' || c == '"')
                *--to = '\\';
        }
    }
    return end + n;
}

/* Opens the next item of a column at p: its separator, and for strings the
 * opening quote. Returns where the value's text goes. */
static inline char *q_open(char *p, char qtype, int first)
{
    if (qtype == 'S' || qtype == '*') {
        if (!first)
            *p++ = ';';
        *p++ = '"';
    } else if (!first) {
        *p++ = ' ';
    }
    return p;
}

/* Closes the item whose text is text..end: strings get their closing quote
 * (a one-character string is enlisted: ,"a"), nulls of numbers and times
 * their typed null. Returns the item's end. */
static inline char *q_close(char qtype, char *text, char *end, int escape)
{
    if (qtype == 'S' || qtype == '*') {
        if (end - text == 1) {
            text[1] = text[0];
            text[0] = '"';
            text[-1] = ',';
            text++;
            end++;
        }
        /* Only the sym and the file column (file names) can hold a backslash,
         * a quote or a control byte: q reads "\\" as one, "\011" as a tab. */
        if (escape)
            end = q_escape(text, end);
        *end++ = '"';
    } else if (end == text) { /* numbers and times always print something */
        end = q_null_put(text, qtype);
    }
    return end;
}

/* Writes the batch: the insert statement around the column buffers. */
static void q_flush_batch(struct writer *w)
{
    struct qstate *st = w->state;
    if (st && st->general) {
        tw_text_statement_end(&st->tw);
        return;
    }
    if (!st || st->rows == 0)
        return;
    int single = st->rows == 1;
    size_t skip = st->default_row; /* the separator in front of the first item */
    if (st->default_row)
        cursors_to_lengths(st);
    /* 5 pieces for the statement, at most 5 for each column */
    _Static_assert(5 + 5 * MAX_SELECTED_COLUMNS <= OUT_PIECES_MAX, "too many pieces");
    struct out_pieces ps;
    out_pieces_begin(&ps);
    q_insert_open(&ps, w->table, w->cols->n);
    for (int i = 0; i < w->cols->n; i++) {
        char qtype = column_defs[w->cols->id[i]].qtype;
        struct qcol *c = &st->col[i];
        q_column_open(&ps, i, qtype, single);
        out_piece(&ps, c->buf + skip, c->len - skip);
        q_column_close(&ps, qtype, single);
    }
    q_insert_close(&ps, w->cols->n);
    out_write_pieces(w->out, &ps);
    for (int i = 0; i < w->cols->n; i++)
        st->col[i].len = 0;
    if (st->default_row)
        lengths_to_cursors(st);
    st->rows = 0;
    st->bytes = 0;
    st->long_sym = 0;
}

/* Room for `room` more bytes in each of the first n columns; -1 without
 * memory. */
static int reserve_columns(struct qstate *st, int n, size_t room)
{
    for (int i = 0; i < n; i++)
        if (qcol_reserve(&st->col[i], room) != 0)
            return -1;
    return 0;
}

/* Makes the sym's item for the input format_ctx describes. */
static void q_make_sym_item(struct qstate *st, const struct format_ctx *fmt)
{
    char item[4 * FAST_SYM_MAX + 8];
    st->sym_input = fmt->input;
    st->sym_item_len = 0;
    if (fmt->sym_len > FAST_SYM_MAX)
        return;
    char *text = q_open(item, 'S', 0);
    memcpy(text, fmt->sym, fmt->sym_len);
    size_t n = (size_t)(q_close('S', text, text + fmt->sym_len, fmt->sym_escape) - item);
    if (n <= SYM_ITEM_ROOM) {
        memcpy(st->sym_item, item, n);
        st->sym_item_len = n;
    }
}

/* The default columns of row i of a packet block into the column buffers,
 * each item with its separator in front. With the loop unrolled each
 * column's type and encoding are constants and its formatter inlined: a
 * few instructions besides the value's own. Room was made (SYM_ITEM_ROOM
 * is less than any column's). */
static void q_default_row(struct qstate *st, struct packet_block *k, int i, struct format_ctx *fmt)
{
    if (st->sym_input != fmt->input)
        q_make_sym_item(st, fmt);
    uint32_t valid = k->valid[i];
#pragma GCC unroll 16
    for (int c = 0; c < DEFAULT_COLUMNS; c++) {
        if (c == COL_SYM && st->sym_item_len) {
            memcpy(st->cur[c], st->sym_item, SYM_ITEM_ROOM);
            st->cur[c] += st->sym_item_len;
            continue;
        }
        struct default_column_enc e = default_column_enc(c);
        char *text = q_open(st->cur[c], default_qtypes[c], 0);
        char *end = text;
        if (!e.valid_mask || (valid & e.valid_mask))
            end = bv_value_text(text, e.enc, default_qtypes[c], packet_block_value(k, c, i),
                                &fmt->time);
        st->cur[c] = q_close(default_qtypes[c], text, end, c == COL_SYM && fmt->sym_escape);
    }
}

/* A row of the default columns; -1 without memory (nothing written). */
static int q_default_row_checked(struct writer *w, struct qstate *st, struct packet_block *k,
                                 int i)
{
    /* after a long sym the batch's room for short ones may be used up */
    if (!st->fast_room || st->long_sym || w->fmt->sym_len > FAST_SYM_MAX) {
        cursors_to_lengths(st);
        int grown = reserve_columns(st, DEFAULT_COLUMNS, FIELD_MAX + 8 + 4 * w->fmt->text_len);
        lengths_to_cursors(st); /* the buffers may have moved */
        if (grown != 0)
            return -1;
        st->long_sym |= w->fmt->sym_len > FAST_SYM_MAX;
    }
    q_default_row(st, k, i, w->fmt);
    if (st->long_sym) { /* the text this batch holds, as the general rows count it */
        st->bytes = 0;
        for (int c = 0; c < DEFAULT_COLUMNS; c++)
            st->bytes += (size_t)(st->cur[c] - st->col[c].buf) - 1;
    }
    return 0;
}

/* Row i of a batch of the default columns, then the statement's end when
 * it has its rows or bytes. Returns -1 once the output is dead. */
static int q_batch_row(struct writer *w, struct qstate *st, const struct batch *b, int i)
{
    if (q_default_row_checked(w, st, b->block, i) != 0) {
        out_no_memory(w->out); /* not a lost row: exit 3 */
        return -1;
    }
    if (++st->rows == Q_BATCH_ROWS || st->bytes >= Q_BATCH_BYTES)
        q_flush_batch(w);
    return out_dead(w->out) ? -1 : 0;
}

static int q_emit(void *ctx, const struct batch *b)
{
    struct writer *w = ctx;
    if (((struct qstate *)w->state)->general)
        return tw_text_batch(&((struct qstate *)w->state)->tw, b);
    for (int i = 0; i < b->nrows; i++)
        if (q_batch_row(w, w->state, b, i) != 0)
            break;
    return 0;
}

/* The rows a batch may hold: those that complete the statement at most,
 * so that its write (and a failure of it) comes while the row that
 * completes it is converted, as without batches (--stats). A statement of
 * default rows ends by its row count; one of chosen columns also by its
 * string text (write_table.h), to which a row adds at most its texts
 * escaped (4 * FIELD_MAX each, the sym, the file name and the data
 * column's hex more), so the batch ends before the text could reach the
 * cut but at its last row. Rows formatted in the pipeline go one by one. */
static int q_rows_allowed(void *ctx)
{
    struct writer *w = ctx;
    struct qstate *st = w->state;
    if (w->out->log)
        return 1;
    if (!st->general) {
        if (!st->long_sym && w->fmt->sym_len <= FAST_SYM_MAX)
            return Q_BATCH_ROWS - st->rows;
        return 1; /* a long sym: its bytes count too */
    }
    int rows;
    size_t text;
    tw_text_statement(&st->tw, &rows, &text);
    size_t bound = (size_t)w->cols->n * (4 * FIELD_MAX + 8) + 4 * w->fmt->text_len +
                   8 * (size_t)w->fmt->data_max;
    size_t left = text < Q_BATCH_BYTES ? Q_BATCH_BYTES - 1 - text : 0;
    size_t fit = left / bound + 1;
    return fit < (size_t)(Q_BATCH_ROWS - rows) ? (int)fit : Q_BATCH_ROWS - rows;
}

/* Input pauses: the statement in the making goes out. */
static void q_flush(struct writer *w)
{
    if (w->state)
        batch_writer_flush(w);
    q_flush_batch(w);
}

static void q_end(struct writer *w)
{
    struct qstate *st = w->state;
    q_flush(w);
    if (!st)
        return;
    bb_free(&st->bb);
    if (st->general)
        tw_free(&st->tw);
    for (int i = 0; i < MAX_SELECTED_COLUMNS; i++)
        free(st->col[i].buf);
    free(st);
    w->state = NULL;
}

/* the rows held go into the statement in the making at the end of an
 * input (drain); at a pause the statement goes out too (flush) */
const struct writer_ops q_writer_ops = { q_begin, batch_writer_row, q_end, q_flush,
                                         batch_writer_flush };
