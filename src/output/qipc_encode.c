/* qipc_encode.c: kdb+ IPC objects into one growing buffer. */
#include "qipc_encode.h"
#include "batch_value.h"
#include "bytes.h"
#include "grow.h"
#include "fmt.h"

#include <stdlib.h>
#include <string.h>

void qb_init(struct qbuf *b) { memset(b, 0, sizeof *b); }

void qb_free(struct qbuf *b)
{
    free(b->p);
    qb_init(b);
}

int qb_reserve(struct qbuf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (b->cap - b->len >= n)
        return 0;
    if (n > QIPC_MAX_MESSAGE - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t cap = grown_capacity(b->cap, 4096, b->len, n);
    uint8_t *p = cap ? realloc(b->p, cap) : NULL;
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_IS_WIRE_ORDER 1
#else
#define HOST_IS_WIRE_ORDER 0
#endif

void qb_begin(struct qbuf *b, enum qmsg type)
{
    b->len = 0;
    b->failed = 0;
    if (qb_reserve(b, QIPC_HEADER) != 0)
        return;
    uint8_t *p = b->p;
    p[0] = 1; /* little-endian */
    p[1] = (uint8_t)type;
    p[2] = 0; /* not compressed */
    p[3] = 0;
    put_le32(p + 4, 0);
    b->len = QIPC_HEADER;
}

void qb_end(struct qbuf *b)
{
    if (!b->failed && b->len >= QIPC_HEADER)
        put_le32(b->p + 4, (uint32_t)b->len);
}

/* Type byte and the value's bytes; the caller reserved 1 + size. */
static uint8_t *atom(struct qbuf *b, int type, size_t size)
{
    if (qb_reserve(b, 1 + size) != 0)
        return NULL;
    uint8_t *p = b->p + b->len;
    p[0] = (uint8_t)(int8_t)-type;
    b->len += 1 + size;
    return p + 1;
}

void qb_atom_bool(struct qbuf *b, int v)
{
    uint8_t *p = atom(b, QT_BOOL, 1);
    if (p)
        p[0] = v != 0;
}

void qb_atom_short(struct qbuf *b, int16_t v)
{
    uint8_t *p = atom(b, QT_SHORT, 2);
    if (p)
        put_le16(p, (uint16_t)v);
}

void qb_atom_int(struct qbuf *b, int32_t v)
{
    uint8_t *p = atom(b, QT_INT, 4);
    if (p)
        put_le32(p, (uint32_t)v);
}

void qb_atom_j(struct qbuf *b, enum qtype t, int64_t v)
{
    uint8_t *p = atom(b, t, 8);
    if (p)
        put_le64(p, (uint64_t)v);
}

void qb_atom_float(struct qbuf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    uint8_t *p = atom(b, QT_FLOAT, 8);
    if (p)
        put_le64(p, u);
}

/* Symbol text and its terminating NUL at p. */
static uint8_t *put_symbol(uint8_t *p, const char *s, size_t n)
{
    /* eight bytes at a time while none is NUL (a NUL would end the symbol
     * early: it becomes '?'), the rest byte by byte */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)
            break;
        memcpy(p + i, &w, 8);
    }
    for (; i < n; i++)
        p[i] = s[i] ? (uint8_t)s[i] : '?';
    p[n] = 0;
    return p + n + 1;
}

void qb_atom_symbol(struct qbuf *b, const char *s, size_t n)
{
    uint8_t *p = atom(b, QT_SYMBOL, n + 1);
    if (p)
        put_symbol(p, s, n);
}

/* Vector header: type, attribute 0, count; then room for size bytes. */
static uint8_t *vector(struct qbuf *b, int type, int32_t count, size_t size)
{
    if (qb_reserve(b, 6 + size) != 0)
        return NULL;
    uint8_t *p = b->p + b->len;
    p[0] = (uint8_t)type;
    p[1] = 0;
    put_le32(p + 2, (uint32_t)count);
    b->len += 6 + size;
    return p + 6;
}

void qb_chars(struct qbuf *b, const char *s, size_t n)
{
    uint8_t *p = vector(b, QT_CHAR, (int32_t)n, n);
    if (p && n)
        memcpy(p, s, n);
}

void qb_list(struct qbuf *b, int32_t count) { vector(b, QT_LIST, count, 0); }

void qb_vec_bool(struct qbuf *b, const uint8_t *v, int32_t n)
{
    uint8_t *p = vector(b, QT_BOOL, n, (size_t)n);
    for (int32_t i = 0; p && i < n; i++)
        p[i] = v[i] != 0;
}

void qb_vec_short(struct qbuf *b, const int16_t *v, int32_t n)
{
    uint8_t *p = vector(b, QT_SHORT, n, 2 * (size_t)n);
    if (p && HOST_IS_WIRE_ORDER)
        memcpy(p, v, 2 * (size_t)n);
    else
        for (int32_t i = 0; p && i < n; i++)
            put_le16(p + 2 * i, (uint16_t)v[i]);
}

void qb_vec_int(struct qbuf *b, const int32_t *v, int32_t n)
{
    uint8_t *p = vector(b, QT_INT, n, 4 * (size_t)n);
    if (p && HOST_IS_WIRE_ORDER)
        memcpy(p, v, 4 * (size_t)n);
    else
        for (int32_t i = 0; p && i < n; i++)
            put_le32(p + 4 * (size_t)i, (uint32_t)v[i]);
}

void qb_vec_j(struct qbuf *b, enum qtype t, const int64_t *v, int32_t n)
{
    uint8_t *p = vector(b, t, n, 8 * (size_t)n);
    if (p && HOST_IS_WIRE_ORDER)
        memcpy(p, v, 8 * (size_t)n);
    else
        for (int32_t i = 0; p && i < n; i++)
            put_le64(p + 8 * (size_t)i, (uint64_t)v[i]);
}

void qb_vec_float(struct qbuf *b, const double *v, int32_t n)
{
    uint8_t *p = vector(b, QT_FLOAT, n, 8 * (size_t)n);
    if (p && HOST_IS_WIRE_ORDER)
        memcpy(p, v, 8 * (size_t)n);
    else
        for (int32_t i = 0; p && i < n; i++) {
            uint64_t u;
            memcpy(&u, &v[i], 8);
            put_le64(p + 8 * (size_t)i, u);
        }
}

void qb_vec_symbol(struct qbuf *b, const struct qtext *v, int32_t n)
{
    size_t size = 0;
    for (int32_t i = 0; i < n; i++)
        size += (size_t)v[i].n + 1;
    uint8_t *p = vector(b, QT_SYMBOL, n, size);
    for (int32_t i = 0; p && i < n; i++)
        p = put_symbol(p, v[i].p, v[i].n);
}

void qb_list_strings(struct qbuf *b, const struct qtext *v, int32_t n)
{
    size_t size = 0;
    for (int32_t i = 0; i < n; i++)
        size += 6 + (size_t)v[i].n;
    uint8_t *p = vector(b, QT_LIST, n, size);
    for (int32_t i = 0; p && i < n; i++) {
        p[0] = QT_CHAR;
        p[1] = 0;
        put_le32(p + 2, v[i].n);
        if (v[i].n)
            memcpy(p + 6, v[i].p, v[i].n);
        p += 6 + v[i].n;
    }
}

/* Whether row r of compact column c is null by its valid bits. */
static inline int invalid(const struct batch *bt, const struct table_column *tc, int32_t r)
{
    return tc->valid_mask && !(bt->valid[r] & tc->valid_mask);
}

/* A compact column of symbols: each value's text (batch_value.h) written
 * once, in room for the longest; one loop per encoding, so that the text's
 * formatter is inlined without a dispatch per value. */
#define SYMBOL_LOOP(enc, values)                                                        \
    for (int32_t r = 0; r < n; r++) {                                                   \
        if (!invalid(bt, tc, r))                                                        \
            p = (uint8_t *)bv_value_text((char *)p, enc, 'S', &(values)[r], &unused);   \
        *p++ = 0; /* none of these texts holds a NUL */                                 \
    }

static void compact_symbols(struct qbuf *b, const struct batch *bt, int c)
{
    const struct table_column *tc = &bt->schema->cols[c];
    const union batch_values *v = &bt->col[c];
    int32_t n = bt->nrows;
    uint8_t *p = vector(b, QT_SYMBOL, n, (size_t)n * (BV_TEXT_MAX + 1));
    if (!p)
        return;
    struct time_cache unused = { 0 };
    switch (tc->enc) {
    case BENC_ADDR: SYMBOL_LOOP(BENC_ADDR, v->a); break;
    case BENC_PROTOCOL: SYMBOL_LOOP(BENC_PROTOCOL, v->u32); break;
    case BENC_TCP_FLAGS: SYMBOL_LOOP(BENC_TCP_FLAGS, v->u16); break;
    default: /* any other encoding a symbol column may get: its text */
        for (int32_t r = 0; r < n; r++) {
            p = (uint8_t *)bv_text((char *)p, bt, c, r, &unused);
            *p++ = 0;
        }
        break;
    }
    b->len = (size_t)(p - b->p); /* what the texts took of the room */
}

/* A compact column of numbers (batch.h) as q longs, ints or timestamps:
 * widened, nulls where its valid bits are not set or an int cannot hold
 * the value; one loop per encoding. */
#define NUMBER_LOOP(width, null, value)                                                 \
    for (int32_t r = 0; r < n; r++)                                                     \
        store_le##width(p + (width / 8) * (size_t)r, invalid(bt, tc, r) ? (null) : (value))

/* put_le32/64 as one store where the host's order is the wire's. */
static inline void store_le32(uint8_t *p, uint32_t v)
{
    if (HOST_IS_WIRE_ORDER)
        memcpy(p, &v, 4);
    else
        put_le32(p, v);
}
static inline void store_le64(uint8_t *p, uint64_t v)
{
    if (HOST_IS_WIRE_ORDER)
        memcpy(p, &v, 8);
    else
        put_le64(p, v);
}

static void compact_numbers(struct qbuf *b, const struct batch *bt, int c)
{
    const struct table_column *tc = &bt->schema->cols[c];
    const union batch_values *v = &bt->col[c];
    int32_t n = bt->nrows;
    const uint32_t ni = (uint32_t)Q_NULL_INT;
    const uint64_t nj = (uint64_t)Q_NULL_LONG;
    if (tc->qtype == 'I') {
        uint8_t *p = vector(b, QT_INT, n, 4 * (size_t)n);
        if (!p)
            return;
        if (tc->enc == BENC_U8)
            NUMBER_LOOP(32, ni, v->u8[r]);
        else if (tc->enc == BENC_U16)
            NUMBER_LOOP(32, ni, v->u16[r]);
        else
            NUMBER_LOOP(32, ni, v->u32[r] > Q_INT_MAX ? ni : v->u32[r]);
        return;
    }
    uint8_t *p = vector(b, tc->qtype == 'P' ? QT_TIMESTAMP : QT_LONG, n, 8 * (size_t)n);
    if (!p)
        return;
    switch (tc->enc) {
    case BENC_UNIX_TIME:
        NUMBER_LOOP(64, nj, (uint64_t)((v->t[r].sec - BV_Q_EPOCH_UNIX) * 1000000000 +
                                       (int64_t)v->t[r].nsec));
        break;
    case BENC_U8: NUMBER_LOOP(64, nj, v->u8[r]); break;
    case BENC_U16: NUMBER_LOOP(64, nj, v->u16[r]); break;
    case BENC_U32: NUMBER_LOOP(64, nj, v->u32[r]); break;
    default: NUMBER_LOOP(64, nj, v->u64[r]); break; /* BENC_U64 */
    }
}

/* A column of decimal texts (BENC_DECIMAL) as the longs or floats they
 * mean; an empty one null. */
static void decimal_numbers(struct qbuf *b, const struct batch *bt, int c)
{
    const struct qtext *v = bt->col[c].s;
    int32_t n = bt->nrows;
    int f = bt->schema->cols[c].qtype == 'F';
    uint8_t *p = vector(b, f ? QT_FLOAT : QT_LONG, n, 8 * (size_t)n);
    if (!p)
        return;
    for (int32_t r = 0; r < n; r++) {
        uint64_t bits;
        if (f) {
            double d = bv_decimal_double(v[r].p, v[r].n);
            memcpy(&bits, &d, 8);
        } else {
            bits = (uint64_t)(v[r].n ? bv_decimal_long(v[r].p, v[r].n) : Q_NULL_LONG);
        }
        store_le64(p + 8 * (size_t)r, bits);
    }
}

void qb_column(struct qbuf *b, const struct batch *bt, int c)
{
    const union batch_values *v = &bt->col[c];
    int32_t n = bt->nrows;
    if (bt->schema->cols[c].enc == BENC_DECIMAL) {
        decimal_numbers(b, bt, c);
        return;
    }
    if (bt->schema->cols[c].enc != BENC_Q) {
        if (bt->schema->cols[c].qtype == 'S')
            compact_symbols(b, bt, c);
        else
            compact_numbers(b, bt, c);
        return;
    }
    switch (bt->schema->cols[c].qtype) {
    case 'P': qb_vec_j(b, QT_TIMESTAMP, v->j, n); break;
    case 'N': qb_vec_j(b, QT_TIMESPAN, v->j, n); break;
    case 'J': qb_vec_j(b, QT_LONG, v->j, n); break;
    case 'I': qb_vec_int(b, v->i, n); break;
    case 'H': qb_vec_short(b, v->h, n); break;
    case 'B': qb_vec_bool(b, v->b, n); break;
    case 'F': qb_vec_float(b, v->f, n); break;
    case 'S': qb_vec_symbol(b, v->s, n); break;
    default: qb_list_strings(b, v->s, n); break;
    }
}

int qipc_call_batch(struct qbuf *b, const char *func, const char *table, const struct batch *bt,
                    const int *order, int n)
{
    qb_begin(b, QMSG_ASYNC);
    qb_list(b, 3);
    qb_chars(b, func, strlen(func));
    qb_atom_symbol(b, table, strlen(table));
    qb_list(b, n);
    for (int i = 0; i < n; i++) {
        int c = order[i];
        qb_column(b, bt, c);
    }
    qb_end(b);
    return b->failed ? -1 : 0;
}

/* ---- reading responses ---------------------------------------------- */

/* Bytes of one atom's value, by vector type; 0: not a fixed-size type. */
static size_t item_size(int t)
{
    static const uint8_t size[20] = { 0, 1, 16, 0, 1, 2, 4, 8, 4, 8, 1, 0, 8, 4, 4, 8, 8, 4, 4, 4 };
    return t > 0 && t < 20 ? size[t] : 0;
}

/* Length of a NUL-terminated text at p (within n), with its NUL; 0 if none. */
static size_t cstr_size(const uint8_t *p, size_t n)
{
    const uint8_t *z = memchr(p, 0, n);
    return z ? (size_t)(z - p) + 1 : 0;
}

#define MAX_DEPTH 64

/* Bytes of the q object at p; big: its message is big-endian (header byte 0
 * is 0), the counts read so. */
static size_t object_size(const uint8_t *p, size_t n, int big, int depth)
{
    if (n < 1 || depth > MAX_DEPTH)
        return 0;
    int t = (int8_t)p[0];
    if (t < 0 && t >= -19) {
        if (t == -QT_SYMBOL) {
            size_t s = cstr_size(p + 1, n - 1);
            return s ? 1 + s : 0;
        }
        size_t s = item_size(-t);
        return s && 1 + s <= n ? 1 + s : 0;
    }
    if (t == QT_ERROR) {
        size_t s = cstr_size(p + 1, n - 1);
        return s ? 1 + s : 0;
    }
    if (t >= 0 && t < 20) {
        if (n < 6)
            return 0;
        uint32_t count = get_32(p + 2, big);
        if (count > 0x7fffffffu)
            return 0;
        size_t off = 6;
        if (t == QT_LIST || t == QT_SYMBOL) {
            for (uint32_t i = 0; i < count; i++) {
                size_t s = t == QT_LIST ? object_size(p + off, n - off, big, depth + 1)
                                        : cstr_size(p + off, n - off);
                if (!s)
                    return 0;
                off += s;
            }
            return off;
        }
        size_t s = item_size(t);
        if (!s || count > (n - off) / s)
            return 0;
        return off + count * s;
    }
    if (t == QT_TABLE) {
        if (n < 2)
            return 0;
        size_t s = object_size(p + 2, n - 2, big, depth + 1);
        return s ? 2 + s : 0;
    }
    if (t == QT_DICT || t == 127) {
        size_t k = object_size(p + 1, n - 1, big, depth + 1);
        if (!k)
            return 0;
        size_t v = object_size(p + 1 + k, n - 1 - k, big, depth + 1);
        return v ? 1 + k + v : 0;
    }
    if (t == 100) { /* lambda: context name, then its source */
        size_t c = cstr_size(p + 1, n - 1);
        if (!c)
            return 0;
        size_t s = object_size(p + 1 + c, n - 1 - c, big, depth + 1);
        return s ? 1 + c + s : 0;
    }
    if (t >= 101 && t <= 103)
        return n >= 2 ? 2 : 0;
    if (t == 104 || t == 105) {
        if (n < 5)
            return 0;
        uint32_t count = get_32(p + 1, big);
        size_t off = 5;
        for (uint32_t i = 0; i < count; i++) {
            size_t s = object_size(p + off, n - off, big, depth + 1);
            if (!s)
                return 0;
            off += s;
        }
        return off;
    }
    if (t >= 106 && t <= 111) {
        size_t s = object_size(p + 1, n - 1, big, depth + 1);
        return s ? 1 + s : 0;
    }
    return 0;
}

size_t qipc_object_size(const uint8_t *p, size_t n, int little)
{
    return object_size(p, n, !little, 0);
}

enum qanswer qipc_read_answer(const uint8_t *p, size_t n, int little, char *err, size_t errcap,
                              char names[][32], char *types, int maxcols, int *ncols)
{
    int big = !little;
    *ncols = 0;
    if (errcap)
        err[0] = '\0';
    if (n == 0 || qipc_object_size(p, n, little) != n)
        return QA_BAD;
    int t = (int8_t)p[0];
    if (t == QT_ERROR) {
        size_t len = strlen((const char *)p + 1);
        if (errcap) {
            if (len >= errcap)
                len = errcap - 1;
            fmt_shown(err, (const char *)p + 1, len);
        }
        return QA_ERROR;
    }
    /* 98, attr, 99, symbol vector of names, general list of columns */
    if (t != QT_TABLE || n < 9 || p[2] != QT_DICT || p[3] != QT_SYMBOL)
        return QA_OTHER;
    uint32_t nk = get_32(p + 5, big);
    const uint8_t *key = p + 9, *end = p + n;
    const char *want[2] = { "c", "t" };
    int found[2] = { -1, -1 };
    for (uint32_t i = 0; i < nk; i++) {
        size_t s = cstr_size(key, (size_t)(end - key));
        for (int w = 0; w < 2; w++)
            if (strcmp((const char *)key, want[w]) == 0 && found[w] < 0)
                found[w] = (int)i;
        key += s;
    }
    if (found[0] < 0 || found[1] < 0 || end - key < 6 || key[0] != QT_LIST)
        return QA_OTHER;
    uint32_t nv = get_32(key + 2, big);
    const uint8_t *v = key + 6;
    const uint8_t *colc = NULL, *colt = NULL;
    for (uint32_t i = 0; i < nv; i++) {
        if ((int)i == found[0])
            colc = v;
        if ((int)i == found[1])
            colt = v;
        v += qipc_object_size(v, (size_t)(end - v), little);
    }
    if (!colc || !colt || colc[0] != QT_SYMBOL || colt[0] != QT_CHAR)
        return QA_OTHER;
    uint32_t rows = get_32(colc + 2, big);
    if (get_32(colt + 2, big) != rows)
        return QA_OTHER;
    const uint8_t *s = colc + 6;
    for (uint32_t i = 0; i < rows; i++) {
        size_t len = strlen((const char *)s);
        if ((int)i < maxcols) {
            size_t m = len < 31 ? len : 31;
            fmt_shown(names[i], (const char *)s, m);
            uint8_t ty = colt[6 + i];
            types[i] = ty < 0x20 || ty >= 0x7F ? '?' : (char)ty;
        }
        s += len + 1;
    }
    *ncols = rows < (uint32_t)maxcols ? (int)rows : maxcols;
    return QA_TABLE;
}

/* ---- decompression (KX c.java uncompress, the reference KX names for
 * q's IPC compression in "Interprocess communication") ----------------- */

uint32_t qipc_unz_len(const uint8_t *m, size_t n)
{
    return n < 12 ? 0 : get_32(m + 8, m[0] == 0);
}

/* After the header and the uncompressed length, groups of a flag byte and
 * 8 items, bit 0 first: a 0 bit is one literal byte, a 1 bit two bytes
 * (h, k): copy k + 2 bytes from the output position in hash slot h. The
 * slots map out[i] ^ out[i + 1] to the latest position i hashed, and the
 * hashing skips a copy's interior: the decoder replays that exactly.
 * Output positions count from 8, as if the header were in front. */
int qipc_uncompress(const uint8_t *m, size_t n, uint8_t *out, size_t ulen)
{
    if (n < 12 || m[2] != 1 || ulen < QIPC_HEADER + 1 || qipc_unz_len(m, n) != ulen)
        return -1;
    uint32_t slot[256] = { 0 }; /* 0: never set (every position is >= 8) */
    size_t s = QIPC_HEADER, hashed = QIPC_HEADER, d = 12;
    unsigned bit = 0, flags = 0;
    while (s < ulen) {
        if (bit == 0) {
            if (d >= n)
                return -1;
            flags = m[d++];
            bit = 1;
        }
        int copy = (flags & bit) != 0;
        size_t skip = 0;
        if (copy) {
            if (n - d < 2)
                return -1;
            size_t from = slot[m[d]], k = (size_t)m[d + 1] + 2;
            d += 2;
            if (from < QIPC_HEADER || k > ulen - s)
                return -1;
            /* forward, a byte at a time: from < s, the copy may overlap */
            for (size_t i = 0; i < k; i++)
                out[s + i] = out[from + i];
            s += 2;
            skip = k - 2;
        } else {
            if (d >= n)
                return -1;
            out[s++] = m[d++];
        }
        for (; hashed + 1 < s; hashed++)
            slot[out[hashed] ^ out[hashed + 1]] = (uint32_t)hashed;
        if (copy) { /* past the copy, its last byte and the next unhashed too */
            s += skip;
            hashed = s;
        }
        bit = (bit << 1) & 0xff;
    }
    if (d != n) /* bytes left over: not what c.java's compress writes */
        return -1;
    int big = m[0] == 0;
    out[0] = m[0];
    out[1] = m[1];
    out[2] = 0;
    out[3] = 0;
    for (int i = 0; i < 4; i++)
        out[4 + i] = (uint8_t)(ulen >> (big ? 24 - 8 * i : 8 * i));
    return 0;
}
