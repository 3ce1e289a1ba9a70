/* batch_build.c: typed column batches, row by row (batch_build.h). */
#define _POSIX_C_SOURCE 200809L
#include "batch_build.h"
#include "batch_value.h"
#include "msgtab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The builder without its columns. */
static int init_common(struct batch_builder *bb, const struct table_schema *sc, int rows,
                       bb_emit_fn emit, void *emit_ctx)
{
    memset(bb, 0, sizeof *bb);
    bb->b.schema = sc;
    bb->b.cap = rows;
    bb->b.col = bb->vals;
    bb->b.width = bb->width;
    bb->b.form = bb->form;
    bb->emit = emit;
    bb->emit_ctx = emit_ctx;
    bb->latency_ns = BB_LATENCY_NS;
    bb->limit = bb->check_at = rows;
    if (sc->ncols > BB_MAX_COLS)
        return -1;
    for (int c = 0; c < sc->ncols; c++) {
        bb->width[c] = (uint8_t)batch_value_size(&sc->cols[c]);
        bb->form[c] = batch_form_of(&sc->cols[c]);
    }
    bb->b.arena = malloc(BB_ARENA_START);
    bb->b.arena_cap = bb->b.arena ? BB_ARENA_START : 0;
    return bb->b.arena ? 0 : -1;
}

int bb_init(struct batch_builder *bb, const struct table_schema *sc, int rows, bb_emit_fn emit,
            void *emit_ctx)
{
    if (init_common(bb, sc, rows, emit, emit_ctx) != 0)
        return -1;
    int masks = 0;
    for (int c = 0; c < sc->ncols; c++) {
        bb->vals[c].j = malloc(batch_value_size(&sc->cols[c]) * (size_t)rows);
        if (!bb->vals[c].j)
            return -1;
        masks |= sc->cols[c].valid_mask != 0;
    }
    if (masks && !(bb->b.valid = malloc(sizeof *bb->b.valid * (size_t)rows)))
        return -1;
    return 0;
}

int bb_init_block(struct batch_builder *bb, const struct table_schema *sc, int rows,
                  bb_emit_fn emit, void *emit_ctx, void *block, const union batch_values *col,
                  uint32_t *valid)
{
    int ok = init_common(bb, sc, rows, emit, emit_ctx);
    bb->b.block = block; /* freed with the builder, whatever happened */
    if (ok != 0)
        return -1;
    memcpy(bb->vals, col, sizeof *col * (size_t)sc->ncols);
    bb->b.valid = valid;
    for (int c = 0; c < sc->ncols; c++) {
        if (bb->vals[c].j)
            continue;
        bb->owned[c] = 1;
        if (!(bb->vals[c].j = malloc(batch_value_size(&sc->cols[c]) * (size_t)rows)))
            return -1;
    }
    return 0;
}

void bb_free(struct batch_builder *bb)
{
    for (int c = 0; bb->b.schema && c < bb->b.schema->ncols && c < BB_MAX_COLS; c++)
        if (!bb->b.block || bb->owned[c])
            free(bb->vals[c].j);
    if (bb->b.block)
        free(bb->b.block);
    else
        free(bb->b.valid);
    free(bb->b.arena);
    memset(bb, 0, sizeof *bb);
}

static int hand_over(struct batch_builder *bb)
{
    if (bb->b.nrows && !bb->failed && bb->emit(bb->emit_ctx, &bb->b) != 0)
        bb->failed = 1;
    bb->b.nrows = 0;
    bb->b.arena_len = 0;
    bb->waiting_since_ns = 0;
    return bb->failed ? -1 : 0;
}

int bb_row(struct batch_builder *bb, size_t text_max)
{
    if (bb->failed)
        return -1;
    struct batch *b = &bb->b;
    if (b->arena_cap - b->arena_len < text_max) {
        if (b->nrows && hand_over(bb) != 0)
            return -1;
        if (b->arena_cap < text_max) { /* empty now: nothing points into it */
            char *a = realloc(b->arena, text_max);
            if (!a) {
                bb->failed = bb->no_memory = 1;
                return -1;
            }
            b->arena = a;
            b->arena_cap = text_max;
        }
    }
    bb->row_text_start = b->arena_len;
    if (b->nrows == 0) {
        if (bb->latency_ns)
            bb->waiting_since_ns = now_ns();
        bb->limit = bb->rows_allowed ? bb->rows_allowed(bb->emit_ctx) : b->cap;
        if (bb->limit < 1 || bb->limit > b->cap)
            bb->limit = bb->limit < 1 ? 1 : b->cap;
        bb->check_at = bb->latency_ns && bb->limit > BB_CLOCK_EVERY ? BB_CLOCK_EVERY : bb->limit;
    }
    return b->nrows;
}

void bb_set_text(struct batch_builder *bb, int c, int r, const char *s, size_t n)
{
    if (n) /* a null's text may be a null pointer */
        memcpy(bb_text_room(bb), s, n);
    bb_text_done(bb, c, r, n);
}

void bb_copy_wire(struct batch_builder *bb, int c, int r, const char *s, size_t n)
{
    char *p = bb_text_room(bb);
    for (size_t k = 0; k < n; k++)
        p[k] = s[k] ? s[k] : MT_NUL_STANDIN;
    bb_text_done(bb, c, r, n);
}

/* A saved row: its valid word, then per column its value, a text's bytes
 * right after it. */
size_t bb_row_size(const struct batch *b, int r)
{
    size_t n = sizeof(uint32_t);
    for (int c = 0; c < b->schema->ncols; c++) {
        const struct table_column *tc = &b->schema->cols[c];
        n += b->width[c];
        if (batch_column_is_text(tc))
            n += b->col[c].s[r].n;
    }
    return n;
}

void bb_row_save(const struct batch *b, int r, char *p)
{
    uint32_t valid = b->valid ? b->valid[r] : 0;
    memcpy(p, &valid, sizeof valid);
    p += sizeof valid;
    for (int c = 0; c < b->schema->ncols; c++) {
        const struct table_column *tc = &b->schema->cols[c];
        size_t size = b->width[c];
        memcpy(p, batch_value_at(b, c, r), size);
        p += size;
        if (batch_column_is_text(tc)) {
            const struct qtext *t = &b->col[c].s[r];
            if (t->n)
                memcpy(p, t->p, t->n);
            p += t->n;
        }
    }
}

size_t bb_row_text(const struct batch *b, const char *saved)
{
    size_t text = 0;
    const char *p = saved + sizeof(uint32_t);
    for (int c = 0; c < b->schema->ncols; c++) {
        const struct table_column *tc = &b->schema->cols[c];
        size_t size = b->width[c];
        if (batch_column_is_text(tc)) {
            struct qtext t;
            memcpy(&t, p, sizeof t);
            text += t.n;
            p += t.n;
        }
        p += size;
    }
    return text;
}

void bb_row_load(struct batch_builder *bb, int r, const char *p)
{
    const struct batch *b = &bb->b;
    if (b->valid)
        memcpy(&b->valid[r], p, sizeof(uint32_t));
    p += sizeof(uint32_t);
    for (int c = 0; c < b->schema->ncols; c++) {
        const struct table_column *tc = &b->schema->cols[c];
        size_t size = b->width[c];
        if (batch_column_is_text(tc)) {
            struct qtext t;
            memcpy(&t, p, sizeof t);
            bb_set_ref(bb, c, r, p + size, t.n); /* already shown as copied */
            p += size + t.n;
        } else {
            memcpy(batch_value_at(b, c, r), p, size);
            p += size;
        }
    }
}

void bb_set_float(struct batch_builder *bb, int c, int r, double v) { bb->b.col[c].f[r] = v; }

void bb_check(struct batch_builder *bb)
{
    int n = bb->b.nrows;
    if (n == bb->limit || now_ns() - bb->waiting_since_ns >= bb->latency_ns)
        hand_over(bb);
    else
        bb->check_at = bb->limit - n > BB_CLOCK_EVERY ? n + BB_CLOCK_EVERY : bb->limit;
}

int bb_pause(struct batch_builder *bb) { return hand_over(bb); }
