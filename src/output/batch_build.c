/* batch_build.c: typed column batches, row by row (batch_build.h). */
#define _POSIX_C_SOURCE 200809L
#include "batch_build.h"

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

void bb_set_float(struct batch_builder *bb, int c, int r, double v) { bb->b.col[c].f[r] = v; }

static int64_t parse_int(const char *s, size_t n)
{
    int neg = n && s[0] == '-';
    int64_t v = 0;
    for (size_t i = (size_t)neg; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return neg ? -v : v;
}

/* Days from 2000.01.01 to y.m.d (proleptic Gregorian). */
static int64_t days_since_2000(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - 10957;
}

#define NS_PER_DAY 86400000000000

/* hh:mm:ss.nnnnnnnnn at s (18 bytes) in ns */
static int64_t time_of_day(const char *s)
{
    return ((parse_int(s, 2) * 60 + parse_int(s + 3, 2)) * 60 + parse_int(s + 6, 2)) *
               1000000000 +
           parse_int(s + 9, 9);
}

/* 2020.05.14D12:10:02.639526000 (fmt_time's text) */
static int64_t parse_timestamp(const char *s, size_t n)
{
    if (n != 29)
        return Q_NULL_LONG;
    int64_t days = days_since_2000(parse_int(s, 4), parse_int(s + 5, 2), parse_int(s + 8, 2));
    return days * NS_PER_DAY + time_of_day(s + 11);
}

/* [-]0D00:00:01.000123456 (fmt_timespan's text) */
static int64_t parse_timespan(const char *s, size_t n)
{
    int neg = n && s[0] == '-';
    const char *d = memchr(s, 'D', n);
    if (!d || (size_t)(s + n - d) != 19)
        return Q_NULL_LONG;
    int64_t v = parse_int(s + neg, (size_t)(d - s) - (size_t)neg) * NS_PER_DAY + time_of_day(d + 1);
    return neg ? -v : v;
}

void bb_set_parsed(struct batch_builder *bb, int c, int r, const char *s, size_t n)
{
    union batch_values *v = &bb->b.col[c];
    switch (bb->b.schema->cols[c].qtype) {
    case 'P': v->j[r] = n ? parse_timestamp(s, n) : Q_NULL_LONG; break;
    case 'N': v->j[r] = n ? parse_timespan(s, n) : Q_NULL_LONG; break;
    case 'F': {
        char tmp[64];
        if (n == 0 || n >= sizeof tmp) {
            v->f[r] = NAN;
            break;
        }
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        v->f[r] = strtod(tmp, NULL);
        break;
    }
    case 'S': case '*': bb_set_text(bb, c, r, s, n); break;
    default: bb_set_num(bb, c, r, parse_int(s, n), n == 0); break;
    }
}

void bb_check(struct batch_builder *bb)
{
    int n = bb->b.nrows;
    if (n == bb->limit || now_ns() - bb->waiting_since_ns >= bb->latency_ns)
        hand_over(bb);
    else
        bb->check_at = bb->limit - n > BB_CLOCK_EVERY ? n + BB_CLOCK_EVERY : bb->limit;
}

int bb_pause(struct batch_builder *bb) { return hand_over(bb); }
