/* publish_feed.c: CSV text back into batches (TEMPORARY, see the header). */
#define _POSIX_C_SOURCE 200809L
#include "publish_feed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t value_size(char t)
{
    switch (t) {
    case 'P': case 'N': case 'J': return 8;
    case 'I': return 4;
    case 'H': return 2;
    case 'B': return 1;
    case 'F': return 8;
    default: return sizeof(struct qtext);
    }
}

int publish_feed_init(struct publish_feed *f, struct publisher *pub,
                      const struct table_schema *sc, int batch_rows, const char *prog)
{
    memset(f, 0, sizeof *f);
    f->pub = pub;
    f->prog = prog;
    f->b.schema = sc;
    f->b.cap = batch_rows;
    f->b.col = f->vals;
    for (int c = 0; c < sc->ncols && c < 64; c++) {
        f->vals[c].j = malloc(value_size(sc->cols[c].qtype) * (size_t)batch_rows);
        if (!f->vals[c].j)
            return -1;
    }
    return 0;
}

void publish_feed_free(struct publish_feed *f)
{
    for (int c = 0; f->b.schema && c < f->b.schema->ncols && c < 64; c++)
        free(f->vals[c].j);
    free(f->b.arena);
    free(f->carry);
    memset(f, 0, sizeof *f);
}

/* Text values are kept as arena offsets while the arena may still move,
 * and become pointers just before the batch goes out. */
static int send_batch(struct publish_feed *f)
{
    struct batch *b = &f->b;
    if (b->nrows == 0)
        return 0;
    for (int c = 0; c < b->schema->ncols; c++) {
        char t = b->schema->cols[c].qtype;
        if (t == 'S' || t == '*')
            for (int r = 0; r < b->nrows; r++)
                b->col[c].s[r].p = b->arena + (uintptr_t)b->col[c].s[r].p;
    }
    f->status = publisher_send(f->pub, b);
    b->nrows = 0;
    b->arena_len = 0;
    f->waiting_since_ns = 0;
    return f->status == PUB_OK ? 0 : -1;
}

static int arena_add(struct batch *b, const char *s, size_t n, int unquote, struct qtext *out)
{
    if (b->arena_cap - b->arena_len < n) {
        size_t cap = b->arena_cap ? b->arena_cap : 65536;
        while (cap - b->arena_len < n)
            cap *= 2;
        char *a = realloc(b->arena, cap);
        if (!a)
            return -1;
        b->arena = a;
        b->arena_cap = cap;
    }
    char *d = b->arena + b->arena_len;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        d[k++] = s[i];
        if (unquote && s[i] == '"')
            i++; /* "" inside quotes is one " */
    }
    out->p = (const char *)(uintptr_t)b->arena_len;
    out->n = (uint32_t)k;
    b->arena_len += k;
    return 0;
}

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

/* hh:mm:ss.nnnnnnnnn at s (18 bytes) in ns */
static int64_t time_of_day(const char *s)
{
    return ((parse_int(s, 2) * 60 + parse_int(s + 3, 2)) * 60 + parse_int(s + 6, 2)) *
               1000000000 +
           parse_int(s + 9, 9);
}

/* 2020.05.14D12:10:02.639526000 */
static int64_t parse_timestamp(const char *s, size_t n)
{
    if (n != 29)
        return Q_NULL_LONG;
    int64_t days = days_since_2000(parse_int(s, 4), parse_int(s + 5, 2), parse_int(s + 8, 2));
    return days * 86400000000000 + time_of_day(s + 11);
}

/* [-]0D00:00:01.000123456 */
static int64_t parse_timespan(const char *s, size_t n)
{
    int neg = n && s[0] == '-';
    const char *d = memchr(s, 'D', n);
    if (!d || (size_t)(s + n - d) != 19)
        return Q_NULL_LONG;
    int64_t v = parse_int(s + neg, (size_t)(d - s) - (size_t)neg) * 86400000000000 +
                time_of_day(d + 1);
    return neg ? -v : v;
}

/* One field's text into row r of column c. */
static int store(struct batch *b, int c, int r, const char *s, size_t n, int quoted)
{
    union batch_values *v = &b->col[c];
    switch (b->schema->cols[c].qtype) {
    case 'P': v->j[r] = n ? parse_timestamp(s, n) : Q_NULL_LONG; break;
    case 'N': v->j[r] = n ? parse_timespan(s, n) : Q_NULL_LONG; break;
    case 'J': v->j[r] = n ? parse_int(s, n) : Q_NULL_LONG; break;
    case 'I': v->i[r] = n ? (int32_t)parse_int(s, n) : Q_NULL_INT; break;
    case 'H': v->h[r] = n ? (int16_t)parse_int(s, n) : Q_NULL_SHORT; break;
    case 'B': v->b[r] = n && s[0] == '1'; break;
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
    default: return arena_add(b, s, n, quoted, &v->s[r]);
    }
    return 0;
}

/* Parses whole records of p[0..n); returns the bytes consumed (the start
 * of an incomplete record), or (size_t)-1 on failure. */
static size_t parse_records(struct publish_feed *f, const char *p, size_t n)
{
    struct batch *b = &f->b;
    int ncols = b->schema->ncols;
    size_t done = 0;
    for (;;) {
        size_t i = done;
        int r = b->nrows, c = 0;
        for (; c < ncols; c++) {
            if (i >= n)
                return done;
            const char *s = p + i;
            size_t len;
            int quoted = *s == '"';
            if (quoted) {
                size_t j = i + 1;
                for (;;) {
                    const char *q = memchr(p + j, '"', n - j);
                    if (!q || (size_t)(q - p) + 1 >= n)
                        return done; /* the record goes on in the next chunk */
                    j = (size_t)(q - p) + 1;
                    if (p[j] != '"')
                        break;
                    j++;
                }
                s = p + i + 1;
                len = j - i - 2;
                i = j;
            } else {
                size_t j = i;
                while (j < n && p[j] != ',' && p[j] != '\n')
                    j++;
                if (j >= n)
                    return done;
                len = j - i;
                i = j;
            }
            if (store(b, c, r, s, len, quoted) != 0)
                return (size_t)-1;
            char want = c + 1 < ncols ? ',' : '\n';
            if (p[i] != want) {
                fprintf(stderr, "%s: --publish: internal error: unexpected row text\n", f->prog);
                return (size_t)-1;
            }
            i++;
        }
        done = i;
        if (f->waiting_since_ns == 0)
            f->waiting_since_ns = qconn_now_ns();
        if (++b->nrows == b->cap && send_batch(f) != 0)
            return (size_t)-1;
    }
}

int publish_feed_sink(void *ctx, const char *p, size_t n, int pause)
{
    struct publish_feed *f = ctx;
    if (f->status != PUB_OK)
        return -1;
    const char *text = p;
    size_t len = n;
    if (f->carry_len) { /* a record spans two chunks: join them */
        if (f->carry_cap - f->carry_len < n) {
            size_t cap = f->carry_len + n;
            char *c = realloc(f->carry, cap);
            if (!c)
                return -1;
            f->carry = c;
            f->carry_cap = cap;
        }
        memcpy(f->carry + f->carry_len, p, n);
        text = f->carry;
        len = f->carry_len + n;
    }
    size_t used = parse_records(f, text, len);
    if (used == (size_t)-1)
        return -1;
    size_t rest = len - used;
    if (rest) {
        if (f->carry_cap < rest) {
            char *c = realloc(f->carry, rest);
            if (!c)
                return -1;
            f->carry = c;
            f->carry_cap = rest;
        }
        memmove(f->carry, text + used, rest);
    }
    f->carry_len = rest;
    /* Live input: rows wait at most 100 ms. */
    if (f->b.nrows && (pause || qconn_now_ns() - f->waiting_since_ns >= PUBLISH_LATENCY_NS))
        return send_batch(f);
    return 0;
}
