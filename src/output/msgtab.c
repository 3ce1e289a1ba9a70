/* msgtab.c: message-table columns and their CSV / q writers (msgtab.h). */
#include "msgtab.h"
#include "qload.h"
#include "qtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mt_columns_add(struct mt_columns *cols, const char *name, char qtype, int id)
{
    if (cols->n == MT_MAX_COLS || strlen(name) >= MT_NAME_MAX)
        return -1;
    struct mt_col *c = &cols->col[cols->n++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->qtype = qtype;
    c->id = id;
    return 0;
}

static int add_message_column(void *ctx, int id, char qtype, const char *name, size_t n)
{
    struct mt_columns *cols = ctx;
    char text[MT_NAME_MAX];
    memcpy(text, name, n); /* n < MT_NAME_MAX: the parser checked */
    text[n] = '\0';
    return mt_columns_add(cols, text, qtype, id);
}

int mt_columns_parse(struct mt_columns *cols, const struct column_def *defs, int ndefs,
                     const char *list,
                     int (*extra)(void *ctx, const char *name, size_t n, char *qtype),
                     void *extra_ctx, char *err, size_t errlen)
{
    cols->n = 0;
    const struct column_name_sink sink = { add_message_column, cols, MT_MAX_COLS, MT_NAME_MAX };
    return column_names_parse(list, defs, ndefs, extra, extra_ctx, &sink, err, errlen);
}

/* ---------------------------------------------------------------- CSV -- */

/* Bytes of outside text (wire text, a file name) a CSV field does not carry
 * as they are: control bytes and the backslash (escaped, so that every
 * record is one line, as q's 0: reads it), ',' and '"' (RFC 4180 quotes);
 * mt_csv_special16 (msgtab.h) tests the same bytes. */
#define C8(b) b, b, b, b, b, b, b, b
static const uint8_t csv_special[256] = {
    C8(1), C8(1), C8(1), C8(1),                    /* 0x00-0x1f: control */
    [','] = 1, ['"'] = 1, ['\\'] = 1, [0x7f] = 1,
};
#undef C8

/* A NUL byte of wire text cannot be carried: q symbols and C strings end at
 * it. Both writers show it as this. */
#define NUL_STANDIN '?'

char *mt_csv_str_long(char *p, const char *s, uint32_t n)
{
    /* Copy the value as it is while collecting whether any byte is special
     * (no branch per byte); the room for the escaped form is there anyway. */
    uint8_t special = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        p[i] = (char)c;
        special |= csv_special[c];
    }
    if (!special)
        return p + n;
    return mt_csv_str_escaped(p, s, n);
}

char *mt_csv_str_escaped(char *p, const char *s, uint32_t n)
{
    int quote = memchr(s, ',', n) || memchr(s, '"', n);
    if (quote)
        *p++ = '"';
    /* a quote doubled (RFC 4180), NUL its stand-in; every other byte as
     * in a q string: \\ and \ooo escapes */
    for (uint32_t k = 0; k < n; k++) {
        uint8_t c = (uint8_t)s[k];
        if (c == '"') {
            *p++ = '"';
            *p++ = '"';
        } else if (c == 0) {
            *p++ = NUL_STANDIN;
        } else {
            p = q_string_byte(p, c);
        }
    }
    if (quote)
        *p++ = '"';
    return p;
}

static void csv_begin(struct mt_writer *w)
{
    if (!w->header)
        return;
    for (int i = 0; i < w->cols->n; i++) {
        if (i)
            out_write(w->out, ",", 1);
        out_write(w->out, w->cols->col[i].name, strlen(w->cols->col[i].name));
    }
    out_write(w->out, "\n", 1);
}

static void csv_row(struct mt_writer *w, const struct mt_val *v)
{
    int n = w->cols->n;
    size_t need = (size_t)n + 1;
    for (int i = 0; i < n; i++)
        if (v[i].kind != MV_NULL) /* a null's length is not set */
            need += v[i].kind == MV_STR ? MT_CSV_STR_ROOM(v[i].n) : v[i].n;
    if (out_reserve(w->out, need) != 0)
        return;
    char *p = out_cursor(w->out);
    for (int i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        if (v[i].kind == MV_STR) {
            p = mt_csv_str(p, v[i].p, v[i].n);
        } else if (v[i].kind != MV_NULL) {
            memcpy(p, v[i].p, v[i].n);
            p += v[i].n;
        }
    }
    *p++ = '\n';
    out_advance(w->out, p);
}

/* ------------------------------------------------------------ q script -- */

struct mt_qstate {
    struct qcol col[MT_MAX_COLS];
    int rows;
    /* string text held in this batch: what can make it long (a number or a
     * time is a few bytes, a FIX value up to 256 KiB, escaped 4:1), counted
     * for the Q_BATCH_BYTES cut */
    size_t text;
};

static void qc_put(struct qcol *c, const char *s, size_t n)
{
    if (qcol_reserve(c, n) != 0)
        return;                /* q_row reserved the room already */
    memcpy(c->buf + c->len, s, n);
    c->len += n;
}

static const char *message_column(const void *ctx, int i, char *qtype)
{
    const struct mt_col *c = &((const struct mt_columns *)ctx)->col[i];
    *qtype = c->qtype;
    return c->name;
}

static void q_begin(struct mt_writer *w)
{
    w->state = calloc(1, sizeof(struct mt_qstate));
    if (!w->state)
        out_no_memory(w->out);
    q_table_definition(w->out, NULL, w->table, w->cols->n, message_column, w->cols);
}

/* A q string literal of raw bytes; returns the bytes it wrote. */
static size_t q_string(struct qcol *c, const char *s, uint32_t n, int escape)
{
    if (qcol_reserve(c, 4 * (size_t)n + 3) != 0)
        return 0;              /* q_row reserved the room already */
    size_t before = c->len;
    char *p = c->buf + c->len;
    if (n == 1)
        *p++ = ',';
    *p++ = '"';
    for (uint32_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == 0)
            *p++ = NUL_STANDIN;
        else if (escape)
            p = q_string_byte(p, ch);
        else
            *p++ = (char)ch;
    }
    *p++ = '"';
    c->len = (size_t)(p - c->buf);
    return c->len - before;
}

_Static_assert(5 + 5 * MT_MAX_COLS <= OUT_PIECES_MAX, "a q statement in pieces");

static void q_flush(struct mt_writer *w)
{
    struct mt_qstate *st = w->state;
    if (!st || st->rows == 0)
        return;
    int single = st->rows == 1, ncols = w->cols->n;
    struct out_pieces ps;
    out_pieces_begin(&ps);
    q_insert_open(&ps, w->table, ncols);
    for (int i = 0; i < ncols; i++) {
        char t = w->cols->col[i].qtype;
        q_column_open(&ps, i, t, single);
        out_piece(&ps, st->col[i].buf, st->col[i].len);
        q_column_close(&ps, t, single);
    }
    q_insert_close(&ps, ncols);
    out_write_pieces(w->out, &ps);
    for (int i = 0; i < ncols; i++)
        st->col[i].len = 0;
    st->rows = 0;
    st->text = 0;
}

/* Room for any value of n bytes with its separator, escapes and suffix. */
#define MT_Q_VALUE_ROOM(n) (4 * (size_t)(n) + 32)

static void q_row(struct mt_writer *w, const struct mt_val *v)
{
    struct mt_qstate *st = w->state;
    if (!st)
        return;                /* out of memory at q_begin: reported there */
    /* All the room first: a row is held whole or not at all (exit 3). */
    for (int i = 0; i < w->cols->n; i++)
        if (qcol_reserve(&st->col[i], MT_Q_VALUE_ROOM(v[i].kind == MV_NULL ? 0 : v[i].n)) != 0) {
            out_no_memory(w->out);
            return;
        }
    int first = st->rows == 0;
    size_t text = 0;           /* this row's strings (a local: no store per value) */
    for (int i = 0; i < w->cols->n; i++) {
        char t = w->cols->col[i].qtype;
        struct qcol *c = &st->col[i];
        if (t == 'S' || t == '*') {
            if (!first)
                qc_put(c, ";", 1);
            /* TEXT is escaped too: the sym (--sym, file name) may hold a
             * backslash or a control byte, which would break the literal */
            text += q_string(c, v[i].p, v[i].kind == MV_NULL ? 0 : v[i].n,
                             v[i].kind != MV_NULL);
            continue;
        }
        if (!first && t != 'B')
            qc_put(c, " ", 1);
        if (v[i].kind == MV_NULL) {
            c->len = (size_t)(q_null_put(c->buf + c->len, t) - c->buf); /* room reserved */
        } else {
            qc_put(c, v[i].p, v[i].n);
            /* "100" is a long in q; "100." a float */
            if (t == 'F' && !memchr(v[i].p, '.', v[i].n))
                qc_put(c, ".", 1);
        }
    }
    st->text += text;
    if (++st->rows == Q_BATCH_ROWS || st->text >= Q_BATCH_BYTES)
        q_flush(w);
}

static void q_end(struct mt_writer *w)
{
    struct mt_qstate *st = w->state;
    if (!st)
        return;
    q_flush(w);
    for (int i = 0; i < MT_MAX_COLS; i++)
        free(st->col[i].buf);
    free(st);
    w->state = NULL;
}

/* ------------------------------------------------------------- batch -- */

/* Values are the text the CSV writer prints; each becomes its column's q
 * type (a NUL of wire text the same stand-in as in CSV). */
static void batch_row(struct mt_writer *w, const struct mt_val *v)
{
    size_t text = 0;
    for (int i = 0; i < w->cols->n; i++)
        text += v[i].kind == MV_NULL ? 0 : v[i].n;
    int r = bb_row(w->bb, text);
    if (r < 0) {
        if (w->bb->no_memory)
            out_no_memory(w->out);
        else
            w->out->failed = 1; /* the publisher has said why */
        return;
    }
    for (int i = 0; i < w->cols->n; i++) {
        uint32_t n = v[i].kind == MV_NULL ? 0 : v[i].n;
        if (v[i].kind == MV_STR) {
            char *p = bb_text_room(w->bb);
            for (uint32_t k = 0; k < n; k++)
                p[k] = v[i].p[k] ? v[i].p[k] : NUL_STANDIN;
            bb_text_done(w->bb, i, r, n);
        } else {
            bb_set_parsed(w->bb, i, r, v[i].p, n);
        }
    }
    bb_row_done(w->bb);
}

void mt_begin(struct mt_writer *w)
{
    if (!w->bb)
        w->q ? q_begin(w) : csv_begin(w);
}
void mt_row(struct mt_writer *w, const struct mt_val *v)
{
    if (!out_take_row(w->out))
        return;
    if (w->bb)
        batch_row(w, v);
    else
        w->q ? q_row(w, v) : csv_row(w, v);
}
void mt_pause(struct mt_writer *w)
{
    if (w->q && !w->bb)
        q_flush(w);
}
void mt_end(struct mt_writer *w)
{
    if (w->q && !w->bb)
        q_end(w);
}
