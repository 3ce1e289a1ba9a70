/* write_table.c: a table mode's rows from typed batches to CSV or a q
 * script (write_table.h). */
#include "write_table.h"
#include "batch_value.h"
#include "qload.h"
#include "qtext.h"

#include <stdlib.h>
#include <string.h>

/* Whether a column holds no null of its own, so that a valid bit says. */
static int needs_valid_bit(const struct table_column *c)
{
    return (c->enc != BENC_Q && c->enc != BENC_DECIMAL) || c->qtype == 'B';
}

int table_schema_of(struct table_schema *sc, struct table_column *cols,
                    const struct mt_columns *mc, const char *table)
{
    int bit = 0;
    for (int i = 0; i < mc->n; i++) {
        const struct mt_col *m = &mc->col[i];
        cols[i] = (struct table_column){ m->name, m->qtype, m->wire_text, m->enc, 0 };
        if (needs_valid_bit(&cols[i])) {
            if (bit == 32)
                return -1;
            cols[i].valid_mask = 1u << bit++;
        }
    }
    *sc = (struct table_schema){ table, mc->n, cols };
    return 0;
}

/* ---------------------------------------------------------------- CSV -- */

static void csv_begin(struct table_writer *tw)
{
    if (!tw->header)
        return;
    for (int i = 0; i < tw->schema.ncols; i++) {
        if (i)
            out_write(tw->out, ",", 1);
        out_write(tw->out, tw->cols[i].name, strlen(tw->cols[i].name));
    }
    out_write(tw->out, "\n", 1);
}

/* A column's kind in a CSV row: wire text (escaped by mt_csv_str), else
 * its batch form (batch.h), whose text bv_form_text gives. */
enum { K_WIRE = 0xFF };

static uint8_t csv_kind(const struct table_column *tc)
{
    return tc->wire_text ? K_WIRE : batch_form_of(tc);
}

void csv_plan_make(struct csv_plan *pl, const struct table_schema *sc)
{
    memset(pl, 0, sizeof *pl);
    pl->fixed_room = (size_t)sc->ncols + 1;
    for (int c = 0; c < sc->ncols; c++) {
        pl->kind[c] = csv_kind(&sc->cols[c]);
        pl->valid_mask[c] = sc->cols[c].valid_mask;
        pl->valid_masks |= sc->cols[c].valid_mask;
        if (batch_column_is_text(&sc->cols[c])) {
            pl->text_wire[pl->ntext] = pl->kind[c] == K_WIRE;
            pl->text_col[pl->ntext++] = (uint8_t)c;
        } else {
            pl->fixed_room += BV_TEXT_MAX;
        }
    }
}

/* The text of row r of column c, nothing for a null. Inline: it runs for
 * every cell. */
static ALWAYS_INLINE char *csv_cell(char *p, struct csv_plan *pl, const struct batch *b,
                                    int c, int r, uint32_t valid)
{
    /* valid by any of its bits (the protocol column has three) */
    if (pl->valid_mask[c] && !(valid & pl->valid_mask[c]))
        return p;
    const union batch_values *v = &b->col[c];
    if (pl->kind[c] == K_WIRE)
        return mt_csv_str(p, v->s[r].p, v->s[r].n);
    return bv_form_text(p, pl->kind[c], v, r, &pl->time[c]);
}

char *csv_plan_row(char *p, struct csv_plan *pl, const struct batch *b, int r)
{
    int n = b->schema->ncols;
    /* a column with a valid_mask is null where the row has none of its
     * bits; most rows have them all, and their loop tests no cell's */
    uint32_t valid = b->valid ? b->valid[r] : ~0u;
    if (!(~valid & pl->valid_masks)) {
        for (int c = 0; c < n; c++) {
            p = csv_cell(p, pl, b, c, r, ~0u);
            *p++ = ',';
        }
    } else {
        for (int c = 0; c < n; c++) {
            p = csv_cell(p, pl, b, c, r, valid);
            *p++ = ',';
        }
    }
    p[-1] = '\n';
    return p;
}

static void csv_row(struct table_writer *tw, const struct batch *b, int r)
{
    if (out_reserve(tw->out, csv_plan_room(&tw->csv, b, r)) != 0)
        return;
    out_advance(tw->out, csv_plan_row(out_cursor(tw->out), &tw->csv, b, r));
}

/* ------------------------------------------------------------ q script -- */

struct tw_qstate {
    struct qcol col[MT_MAX_COLS];
    int rows;
    /* string text held in this statement: what can make it long (a number
     * or a time is a few bytes, a FIX value up to 256 KiB, escaped 4:1),
     * counted for the Q_BATCH_BYTES cut */
    size_t text;
};

static const char *schema_column(const void *ctx, int i, char *qtype)
{
    const struct table_column *c = &((const struct table_schema *)ctx)->cols[i];
    *qtype = c->qtype;
    return c->name;
}

static void q_begin(struct table_writer *tw)
{
    /* a writer begun again (the fuzz harness, an input at a time) keeps
     * its statement's buffers */
    if (!tw->row_statements && !tw->qs && !(tw->qs = calloc(1, sizeof *tw->qs)))
        out_no_memory(tw->out);
    q_table_definition(tw->out, tw->mode_option, tw->schema.name, tw->schema.ncols,
                       schema_column, &tw->schema);
}

/* The text of a symbol or string value of row r (any encoding) at tmp,
 * or where it lies. */
static inline struct qtext text_value(const struct batch *b, int c, int r, char *tmp,
                                      struct time_cache *tcache)
{
    if (b->schema->cols[c].enc == BENC_Q)
        return b->col[c].s[r];
    return (struct qtext){ tmp, (uint32_t)(bv_text(tmp, b, c, r, tcache) - tmp) };
}

/* A q string literal of raw bytes at p (room: 4 * n + 3): escaped, a NUL
 * as its stand-in, a one-byte string enlisted when enlist (a bare "a" is a
 * char). Returns the end. */
static char *q_string(char *p, const char *s, uint32_t n, int enlist)
{
    if (n == 1 && enlist)
        *p++ = ',';
    *p++ = '"';
    for (uint32_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        p = ch ? q_string_byte(p, ch) : (*p++ = MT_NUL_STANDIN, p);
    }
    *p++ = '"';
    return p;
}

_Static_assert(5 + 5 * MT_MAX_COLS <= OUT_PIECES_MAX, "a q statement in pieces");

static void q_flush(struct table_writer *tw)
{
    struct tw_qstate *st = tw->qs;
    if (!st || st->rows == 0)
        return;
    int single = st->rows == 1, ncols = tw->schema.ncols;
    struct out_pieces ps;
    out_pieces_begin(&ps);
    q_insert_open(&ps, tw->schema.name, ncols);
    for (int i = 0; i < ncols; i++) {
        char t = tw->cols[i].qtype;
        q_column_open(&ps, i, t, single);
        out_piece(&ps, st->col[i].buf, st->col[i].len);
        q_column_close(&ps, t, single);
    }
    q_insert_close(&ps, ncols);
    out_write_pieces(tw->out, &ps);
    for (int i = 0; i < ncols; i++)
        st->col[i].len = 0;
    st->rows = 0;
    st->text = 0;
}

/* Room for any value of n bytes with its separator, escapes and suffix. */
#define Q_VALUE_ROOM(n) (4 * (size_t)(n) + BV_TEXT_MAX + 32)

/* Row r of b appended to the statement's column texts. */
static void q_row(struct table_writer *tw, const struct batch *b, int r)
{
    struct tw_qstate *st = tw->qs;
    if (!st)
        return;                /* out of memory at q_begin: reported there */
    int ncols = b->schema->ncols;
    /* All the room first: a row is held whole or not at all (exit 3). */
    for (int c = 0; c < ncols; c++)
        if (qcol_reserve(&st->col[c], Q_VALUE_ROOM(batch_column_is_text(&tw->cols[c])
                                                       ? b->col[c].s[r].n : 0)) != 0) {
            out_no_memory(tw->out);
            return;
        }
    int first = st->rows == 0;
    size_t text = 0;           /* this row's strings (a local: no store per value) */
    size_t items = 0;          /* or all its items (q_count_items) */
    for (int c = 0; c < ncols; c++) {
        char t = tw->cols[c].qtype;
        struct qcol *col = &st->col[c];
        char *p = col->buf + col->len;
        if (t == 'S' || t == '*') {
            if (!first)
                *p++ = ';';
            char tmp[BV_TEXT_MAX];
            struct qtext v = text_value(b, c, r, tmp, &tw->time[c]);
            char *s = p;
            p = q_string(p, v.p, v.n, 1);
            text += (size_t)(p - s);
        } else {
            if (!first && t != 'B')
                *p++ = ' ';
            if (bv_is_null(b, c, r)) {
                p = q_null_put(p, t);
            } else {
                char *s = p;
                p = bv_text(p, b, c, r, &tw->time[c]);
                /* "100" is a long in q; "100." a float */
                if (t == 'F' && !memchr(s, '.', (size_t)(p - s)))
                    *p++ = '.';
            }
        }
        if (tw->q_count_items) /* the whole item, its separator too */
            items += (size_t)(p - (col->buf + col->len));
        col->len = (size_t)(p - col->buf);
    }
    st->text += tw->q_count_items ? items : text;
    if (++st->rows == Q_BATCH_ROWS || st->text >= Q_BATCH_BYTES)
        q_flush(tw);
}

/* Row r of b as its own statement of atoms (--flows): symbols `$"text",
 * ints with their suffix i (a bare integer is a long). */
static void q_row_statement(struct table_writer *tw, const struct batch *b, int r)
{
    int ncols = b->schema->ncols;
    size_t tlen = strlen(tw->schema.name);
    size_t need = tlen + 16;
    for (int c = 0; c < ncols; c++)
        need += Q_VALUE_ROOM(batch_column_is_text(&tw->cols[c]) ? b->col[c].s[r].n : 0);
    if (out_reserve(tw->out, need) != 0)
        return;
    char *p = out_cursor(tw->out);
    *p++ = '`';
    memcpy(p, tw->schema.name, tlen);
    p += tlen;
    memcpy(p, " insert (", 9);
    p += 9;
    for (int c = 0; c < ncols; c++) {
        char t = tw->cols[c].qtype;
        if (c)
            *p++ = ';';
        if (t == 'S' || t == '*') {
            char tmp[BV_TEXT_MAX];
            struct qtext v = text_value(b, c, r, tmp, &tw->time[c]);
            if (t == 'S')
                *p++ = '`', *p++ = '$';
            p = q_string(p, v.p, v.n, t == '*');
            continue;
        }
        p = bv_is_null(b, c, r) ? q_null_put(p, t) : bv_text(p, b, c, r, &tw->time[c]);
        if (t == 'I')
            *p++ = 'i';
    }
    *p++ = ')';
    *p++ = '\n';
    out_advance(tw->out, p);
}

/* ------------------------------------------------------------- rows -- */

/* The text writers' consumer: each row as it is done (a batch of one), or
 * a packet batch of chosen columns (write_q.c). */
int tw_text_batch(void *ctx, const struct batch *b)
{
    struct table_writer *tw = ctx;
    for (int r = 0; r < b->nrows; r++) {
        if (!tw->q)
            csv_row(tw, b, r);
        else if (tw->row_statements)
            q_row_statement(tw, b, r);
        else
            q_row(tw, b, r);
    }
    return 0;
}

int tw_open(struct table_writer *tw, const struct mt_columns *mc, const char *table,
            struct out *out, int q, int header, struct batch_builder *publish)
{
    memset(tw, 0, sizeof *tw);
    tw->out = out;
    tw->q = q;
    tw->header = header;
    if (table_schema_of(&tw->schema, tw->cols, mc, table) != 0)
        return -1;
    csv_plan_make(&tw->csv, &tw->schema);
    if (publish) {
        tw->bb = publish;
        return 0;
    }
    if (bb_init(&tw->own, &tw->schema, 1, tw_text_batch, tw) != 0) {
        bb_free(&tw->own);
        return -1;
    }
    tw->own.latency_ns = 0;
    tw->own.text_by_reference = 1;
    tw->bb = &tw->own;
    return 0;
}

void tw_begin(struct table_writer *tw)
{
    if (tw->bb == &tw->own)
        tw->q ? q_begin(tw) : csv_begin(tw);
}

void tw_text_open(struct table_writer *tw, const struct table_schema *sc, struct out *out)
{
    memset(tw, 0, sizeof *tw);
    tw->out = out;
    tw->q = 1;
    tw->q_count_items = 1;
    tw->schema = *sc;
    memcpy(tw->cols, sc->cols, sizeof *sc->cols * (size_t)sc->ncols);
    tw->schema.cols = tw->cols;
    csv_plan_make(&tw->csv, &tw->schema);
    q_begin(tw);
}

void tw_text_statement_end(struct table_writer *tw) { q_flush(tw); }

void tw_text_statement(const struct table_writer *tw, int *rows, size_t *text)
{
    *rows = tw->qs ? tw->qs->rows : 0;
    *text = tw->qs ? tw->qs->text : 0;
}

void batch_failure_to_out(const struct batch_builder *bb, struct out *o)
{
    if (out_dead(o))
        return;
    if (bb->no_memory)
        out_no_memory(o);
    else
        o->failed = 1; /* the publisher has said why */
}

int tw_row_staged(struct table_writer *tw, size_t text_max)
{
    int r = bb_row(tw->bb, text_max);
    if (r < 0) {
        batch_failure_to_out(tw->bb, tw->out);
        return -1;
    }
    if (tw->bb->b.valid)
        tw->bb->b.valid[r] = ~0u; /* bb_set_null clears a column's bit */
    return r;
}

int tw_row(struct table_writer *tw, size_t text_max)
{
    if (!out_take_row(tw->out))
        return -1;
    return tw_row_staged(tw, text_max);
}

void tw_row_done(struct table_writer *tw)
{
    bb_row_done(tw->bb);
    if (tw->bb->failed) /* the batch it completed was refused */
        batch_failure_to_out(tw->bb, tw->out);
}

void tw_pause(struct table_writer *tw)
{
    if (tw->q && tw->bb == &tw->own)
        q_flush(tw);
}

void tw_end(struct table_writer *tw)
{
    tw_pause(tw);
}

void tw_free(struct table_writer *tw)
{
    if (tw->qs) {
        for (int i = 0; i < MT_MAX_COLS; i++)
            free(tw->qs->col[i].buf);
        free(tw->qs);
        tw->qs = NULL;
    }
    if (tw->bb == &tw->own)
        bb_free(&tw->own);
    tw->bb = NULL;
}
