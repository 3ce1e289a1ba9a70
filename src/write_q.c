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

#include <stdlib.h>
#include <string.h>

#define Q_BATCH_ROWS 1000
/* A batch also ends when its text reaches this size, so that rows with a
 * long data column (up to 512 KiB of hex each) keep memory bounded. */
#define Q_BATCH_BYTES (1u << 20)

struct qcol {
    char *buf;
    size_t len, cap;
};

struct qstate {
    struct qcol col[MAX_SELECTED_COLUMNS];
    int rows;
};

static const char *q_type_name(char t)
{
    switch (t) {
    case 'P': return "`timestamp$()";
    case 'S': return "`symbol$()";
    case 'I': return "`int$()";
    case 'J': return "`long$()";
    default: return "()";
    }
}

static void q_begin(struct writer *w)
{
    struct qstate *st = calloc(1, sizeof *st);
    w->state = st;
    out_write(w->out, "/ pcap2kdb: load with \\l FILE.q\n", 32);
    out_write(w->out, w->table, strlen(w->table));
    out_write(w->out, ":([]", 4);
    for (int i = 0; i < w->cols->n; i++) {
        const struct column_def *d = &column_defs[w->cols->id[i]];
        const char *t = q_type_name(d->qtype);
        out_write(w->out, " ", 1);
        out_write(w->out, d->name, strlen(d->name));
        out_write(w->out, ":", 1);
        out_write(w->out, t, strlen(t));
        if (i + 1 < w->cols->n)
            out_write(w->out, ";", 1);
    }
    out_write(w->out, ")\n", 2);
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
}

/* Makes room for n more bytes in a column's batch buffer. */
static int qcol_reserve(struct qcol *c, size_t n)
{
    if (c->cap - c->len >= n)
        return 0;
    size_t cap = c->cap ? c->cap : 4096;
    while (cap - c->len < n)
        cap *= 2;
    char *b = realloc(c->buf, cap);
    if (!b)
        return -1;
    c->buf = b;
    c->cap = cap;
    return 0;
}

/* Doubles each backslash of text..end in place (room was reserved for it)
 * and returns the new end. */
static char *q_escape(char *text, char *end)
{
    size_t n = 0;
    for (const char *s = memchr(text, '\\', (size_t)(end - text)); s;
         s = memchr(s + 1, '\\', (size_t)(end - s - 1)))
        n++;
    if (n == 0)
        return end;
    char *to = end + n;
    for (char *from = end; from > text;) {
        char c = *--from;
        *--to = c;
        if (c == '\\')
            *--to = c;
    }
    return end + n;
}

/* Each value is formatted straight into its column's batch buffer, in the
 * column literal's grammar: numbers and timestamps space-separated with
 * typed nulls (0N, 0Np), strings as "text" items separated by ';'. */
static void q_row(struct writer *w, const struct row *r)
{
    struct qstate *st = w->state;
    if (!st)
        return;
    int first = st->rows == 0;
    size_t room = FIELD_MAX + 8 + 2 * w->fmt->sym_len + 2 * (size_t)data_bytes(r, w->fmt);
    for (int i = 0; i < w->cols->n; i++) {
        enum col_id id = w->cols->id[i];
        char qtype = column_defs[id].qtype;
        struct qcol *c = &st->col[i];
        if (qcol_reserve(c, room) != 0)
            return;
        char *p = c->buf + c->len;
        if (qtype == 'S' || qtype == '*') {
            if (!first)
                *p++ = ';';
            /* "text"; a one-character string needs enlisting: ,"a" */
            p[0] = '"';
            char *end = format_field(p + 1, id, r, w->fmt);
            char *text = p + 1;
            if (end - p == 2) {
                p[2] = p[1];
                p[1] = '"';
                p[0] = ',';
                text++;
                end++;
            }
            /* Only --sym text can hold a backslash: q reads "\\" as one. */
            if (id == COL_SYM)
                end = q_escape(text, end);
            *end++ = '"';
            c->len = (size_t)(end - c->buf);
            continue;
        }
        if (!first)
            *p++ = ' ';
        char *end = format_field(p, id, r, w->fmt);
        if (end == p) { /* a null: numbers and times always print something */
            if (qtype == 'P') {
                memcpy(p, "0Np", 3);
                end = p + 3;
            } else {
                memcpy(p, "0N", 2);
                end = p + 2;
            }
        }
        c->len = (size_t)(end - c->buf);
    }
    size_t bytes = 0;
    for (int i = 0; i < w->cols->n; i++)
        bytes += st->col[i].len;
    if (++st->rows == Q_BATCH_ROWS || bytes >= Q_BATCH_BYTES)
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
