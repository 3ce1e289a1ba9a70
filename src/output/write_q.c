/* write_q.c: a q script that creates the table with the exact type of each
 * column and inserts the rows in batches, one statement per batch:
 *
 *     pcap:([] time:`timestamp$(); sym:`symbol$(); ...)
 *     `pcap insert (2020.05.14D12:10:02.639526000 ...;`$("f";...);...)
 *
 * Rows are held column by column for one batch only, so memory stays flat.
 * Symbols are written as `$"text" (addresses and flags hold ':' and '|',
 * which a `sym literal cannot), nulls as q's typed nulls. */
#include "writer.h"
#include "qload.h"
#include "qtext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define Q_BATCH_ROWS 1000
/* A batch also ends when its text reaches this size, so that rows with a
 * long data column (up to 512 KiB of hex each) keep memory bounded. */
#define Q_BATCH_BYTES (1u << 20)

/* The q types of the 15 default columns, as the column table has them: a
 * constant here, so that the default row's per-column steps below compile to
 * straight-line code. q_begin uses it only after checking it against the
 * table; otherwise the default columns take the general path. */
static const char default_qtypes[DEFAULT_COLUMNS + 1] = "PSSSIISSJJJJJII";

struct qstate {
    struct qcol col[MAX_SELECTED_COLUMNS];
    int default_row;           /* the default columns, typed as default_qtypes */
    int rows;
    size_t bytes;              /* text held in this batch */
    const char *sym_seen;      /* the sym whose backslashes were looked for */
    int sym_has_backslash;     /* or a control byte: the sym needs escapes */
};

static const char *packet_column(const void *ctx, int i, char *qtype)
{
    const struct column_def *d = &column_defs[((const struct column_list *)ctx)->id[i]];
    *qtype = d->qtype;
    return d->name;
}

static void q_begin(struct writer *w)
{
    struct qstate *st = calloc(1, sizeof *st);
    w->state = st;
    if (!st) /* no row could be written: say so */
        out_no_memory(w->out);
    else if (w->cols->is_default) {
        st->default_row = 1;
        for (int i = 0; i < DEFAULT_COLUMNS; i++)
            st->default_row &= column_defs[i].qtype == default_qtypes[i];
    }
    q_table_definition(w->out, NULL, w->table, w->cols->n, packet_column, w->cols);
}

static void q_flush_batch(struct writer *w)
{
    struct qstate *st = w->state;
    if (!st || st->rows == 0)
        return;
    int single = st->rows == 1;
    out_write(w->out, "`", 1);
    out_write(w->out, w->table, strlen(w->table));
    out_write(w->out, " insert ", 8);
    out_write(w->out, w->cols->n == 1 ? "enlist " : "(", w->cols->n == 1 ? 7 : 1);
    for (int i = 0; i < w->cols->n; i++) {
        char qtype = column_defs[w->cols->id[i]].qtype;
        struct qcol *c = &st->col[i];
        if (i)
            out_write(w->out, ";", 1);
        if (qtype == 'S')
            out_write(w->out, "`$", 2);
        if (single)
            out_write(w->out, "enlist ", 7);
        else if (qtype == 'S' || qtype == '*')
            out_write(w->out, "(", 1);
        out_write(w->out, c->buf, c->len);
        if (!single && (qtype == 'S' || qtype == '*'))
            out_write(w->out, ")", 1);
        /* An int column needs its type suffix: bare integers are longs. */
        if (qtype == 'I')
            out_write(w->out, "i", 1);
        c->len = 0;
    }
    out_write(w->out, w->cols->n == 1 ? "\n" : ")\n", w->cols->n == 1 ? 1 : 2);
    st->rows = 0;
    st->bytes = 0;
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

/* Opens the next item of column c: its separator, and for strings the
 * opening quote. Returns where the value's text goes. */
static inline char *q_open(struct qcol *c, char qtype, int first)
{
    char *p = c->buf + c->len;
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
 * their typed null. Returns the bytes the item added. */
static inline size_t q_close(struct qcol *c, char qtype, char *text, char *end, int escape)
{
    size_t before = c->len;
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
    c->len = (size_t)(end - c->buf);
    return c->len - before;
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

/* The default columns: their types are constants (default_qtypes), so with
 * the loops unrolled each column's room, open and close is a few
 * instructions. -1 without memory (nothing written). */
static int q_default_row(struct qstate *st, const struct row *r, struct format_ctx *fmt,
                         int first, size_t room)
{
    int short_of_room = 0;
#pragma GCC unroll 16
    for (int i = 0; i < DEFAULT_COLUMNS; i++)
        short_of_room |= st->col[i].cap - st->col[i].len < room;
    if (short_of_room && reserve_columns(st, DEFAULT_COLUMNS, room) != 0)
        return -1;
    char *text[DEFAULT_COLUMNS], *end[DEFAULT_COLUMNS];
#pragma GCC unroll 16
    for (int i = 0; i < DEFAULT_COLUMNS; i++)
        text[i] = q_open(&st->col[i], default_qtypes[i], first);
    format_default_fields(text, end, r, fmt);
    size_t bytes = 0;
#pragma GCC unroll 16
    for (int i = 0; i < DEFAULT_COLUMNS; i++)
        bytes += q_close(&st->col[i], default_qtypes[i], text[i], end[i],
                         i == COL_SYM && st->sym_has_backslash);
    st->bytes += bytes;
    return 0;
}

/* Each value is formatted straight into its column's batch buffer, in the
 * column literal's grammar: numbers and timestamps space-separated with
 * typed nulls (0N, 0Np), strings as "text" items separated by ';'. The
 * default columns are formatted in one straight-line call. */
static void q_row(struct writer *w, const struct row *r)
{
    struct qstate *st = w->state;
    if (!st)
        return;
    int first = st->rows == 0;
    if (w->fmt->sym != st->sym_seen) { /* a new input file: a new sym */
        st->sym_seen = w->fmt->sym;
        st->sym_has_backslash = 0;
        for (size_t i = 0; i < w->fmt->sym_len; i++)
            st->sym_has_backslash |= w->fmt->sym[i] == '\\' ||
                                     q_control((unsigned char)w->fmt->sym[i]);
    }
    size_t room = FIELD_MAX + 8 + 4 * w->fmt->text_len + 2 * (size_t)data_bytes(r, w->fmt);
    int n = w->cols->n;
    if (st->default_row) {
        if (q_default_row(st, r, w->fmt, first, room) != 0) {
            out_no_memory(w->out); /* not a lost row: exit 3 */
            return;
        }
    } else {
        if (reserve_columns(st, n, room) != 0) {
            out_no_memory(w->out);
            return;
        }
        for (int i = 0; i < n; i++) {
            enum col_id id = w->cols->id[i];
            char qtype = column_defs[id].qtype;
            char *text = q_open(&st->col[i], qtype, first);
            char *end = format_field(text, id, r, w->fmt);
            st->bytes += q_close(&st->col[i], qtype, text, end,
                                 (id == COL_SYM && st->sym_has_backslash) ||
                                 (id == COL_FILE && w->fmt->file_escape));
        }
    }
    if (++st->rows == Q_BATCH_ROWS || st->bytes >= Q_BATCH_BYTES)
        q_flush_batch(w);
}

static void q_end(struct writer *w)
{
    struct qstate *st = w->state;
    q_flush_batch(w);
    if (!st)
        return;
    for (int i = 0; i < MAX_SELECTED_COLUMNS; i++)
        free(st->col[i].buf);
    free(st);
    w->state = NULL;
}

const struct writer_ops q_writer_ops = { q_begin, q_row, q_end, q_flush_batch };
