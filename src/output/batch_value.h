/* batch_value.h: the text of a batch's values (batch.h), the one place where
 * each encoding and q type becomes text: the CSV and q-script writers print
 * it, the IPC publisher makes the symbols of the compact encodings from it.
 * Nothing is written for a null. Inline: the writers call it for every
 * cell, most often with the encoding known. */
#ifndef PCAP2KDB_BATCH_VALUE_H
#define PCAP2KDB_BATCH_VALUE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch.h"
#include "columns_default.h"
#include "fmt.h"
#include "inline.h"

/* Room for the text of one value that is not text (S or '*'). */
#define BV_TEXT_MAX 64

/* A q timestamp or timespan as seconds and nanoseconds (0..999999999),
 * the seconds rounded down. */
static inline void bv_split_ns(int64_t ns, int64_t *sec, uint32_t *nsec)
{
    int64_t s = ns / 1000000000;
    int64_t rest = ns % 1000000000;
    if (rest < 0) {
        s--;
        rest += 1000000000;
    }
    *sec = s;
    *nsec = (uint32_t)rest;
}

/* The number a decimal text means ("-12", "0001", "-0.5": BENC_DECIMAL,
 * the text the CSV writers print), as a long or a float; an empty text is
 * null (0 as a long: the caller tests the length). */
static inline int64_t bv_decimal_long(const char *s, size_t n)
{
    int neg = n && s[0] == '-';
    int64_t v = 0;
    for (size_t i = (size_t)neg; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return neg ? -v : v;
}
static inline double bv_decimal_double(const char *s, size_t n)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return NAN;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return strtod(tmp, NULL);
}

/* q's epoch in Unix seconds. */
#define BV_Q_EPOCH_UNIX 946684800

static inline char *bv_addr_text(char *p, const struct batch_addr *a)
{
    return a->ver == IPVER_4 ? fmt_ipv4(p, a->a) : fmt_ipv6(p, a->a);
}

/* An unsigned value of an I or J column: an I's over Q_INT_MAX is null. */
static inline char *bv_u32_text(char *p, char qtype, uint32_t v)
{
    return qtype == 'I' && v > Q_INT_MAX ? p : fmt_u32(p, v);
}

/* A value in q's own representation (BENC_Q) at v; tcache: a P column's
 * cache. */
static ALWAYS_INLINE char *bv_q_text(char *p, char qtype, const void *v,
                                     struct time_cache *tcache)
{
    switch (qtype) {
    case 'P': {
        int64_t ns = *(const int64_t *)v;
        if (ns == Q_NULL_LONG)
            return p;
        int64_t sec;
        uint32_t nsec;
        bv_split_ns(ns, &sec, &nsec);
        return fmt_time(p, tcache, sec + BV_Q_EPOCH_UNIX, nsec);
    }
    case 'N': {
        int64_t ns = *(const int64_t *)v;
        return ns == Q_NULL_LONG ? p : fmt_timespan(p, ns);
    }
    case 'J': {
        int64_t j = *(const int64_t *)v;
        if (j >= 0) /* the common case, without the sign's test and copy */
            return fmt_u64(p, (uint64_t)j);
        return j == Q_NULL_LONG ? p : fmt_i64(p, j);
    }
    case 'I': {
        int32_t i = *(const int32_t *)v;
        if (i >= 0)
            return fmt_u32(p, (uint32_t)i);
        return i == Q_NULL_INT ? p : fmt_i64(p, i);
    }
    case 'H': {
        int16_t h = *(const int16_t *)v;
        return h == Q_NULL_SHORT ? p : fmt_i64(p, h);
    }
    case 'B':
        *p = *(const uint8_t *)v ? '1' : '0';
        return p + 1;
    case 'F': {
        double f = *(const double *)v;
        if (f != f) /* NaN: null */
            return p;
        return p + snprintf(p, BV_TEXT_MAX, "%.17g", f);
    }
    default: {
        const struct qtext *t = v;
        return fmt_copy(p, t->p, t->n);
    }
    }
}

/* The text of the value at v, held as enc, of q type qtype; tcache: the
 * column's own time cache (a P column's date is made once per second of
 * time). With enc and qtype constants (a writer's default row) the
 * dispatch folds away. */
static ALWAYS_INLINE char *bv_value_text(char *p, int enc, char qtype, const void *v,
                                         struct time_cache *tcache)
{
    switch (enc) {
    case BENC_UNIX_TIME: {
        const struct batch_time *t = v;
        return fmt_time(p, tcache, t->sec, t->nsec);
    }
    case BENC_ADDR: return bv_addr_text(p, v);
    case BENC_U8: return fmt_u32(p, *(const uint8_t *)v);
    case BENC_U16: return fmt_u32(p, *(const uint16_t *)v);
    case BENC_U32: return bv_u32_text(p, qtype, *(const uint32_t *)v);
    case BENC_U64: return fmt_u64(p, *(const uint64_t *)v);
    case BENC_PROTOCOL: return protocol_code_text(p, *(const uint32_t *)v);
    case BENC_TCP_FLAGS: return format_tcp_flags(p, *(const uint16_t *)v);
    case BENC_DECIMAL: {
        const struct qtext *t = v;
        return fmt_copy(p, t->p, t->n);
    }
    default: return bv_q_text(p, qtype, v, tcache);
    }
}

/* The text of row r of a column of the given form whose values are v,
 * valid: one switch on the form, the value read from its typed vector. */
static ALWAYS_INLINE char *bv_form_text(char *p, int form, const union batch_values *v, int r,
                                 struct time_cache *tcache)
{
    switch (form) {
    case BFORM_UNIX_TIME: return fmt_time(p, tcache, v->t[r].sec, v->t[r].nsec);
    case BFORM_ADDR: return bv_addr_text(p, &v->a[r]);
    case BFORM_U8: return fmt_u32(p, v->u8[r]);
    case BFORM_U16: return fmt_u32(p, v->u16[r]);
    case BFORM_U32_INT: return bv_u32_text(p, 'I', v->u32[r]);
    case BFORM_U32_LONG: return fmt_u32(p, v->u32[r]);
    case BFORM_U64: return fmt_u64(p, v->u64[r]);
    case BFORM_PROTOCOL: return protocol_code_text(p, v->u32[r]);
    case BFORM_TCP_FLAGS: return format_tcp_flags(p, v->u16[r]);
    case BFORM_DECIMAL: return fmt_copy(p, v->s[r].p, v->s[r].n);
    case BFORM_P: return bv_q_text(p, 'P', &v->j[r], tcache);
    case BFORM_N: return bv_q_text(p, 'N', &v->j[r], tcache);
    case BFORM_J: return bv_q_text(p, 'J', &v->j[r], tcache);
    case BFORM_I: return bv_q_text(p, 'I', &v->i[r], tcache);
    case BFORM_H: return bv_q_text(p, 'H', &v->h[r], tcache);
    case BFORM_B: return bv_q_text(p, 'B', &v->b[r], tcache);
    case BFORM_F: return bv_q_text(p, 'F', &v->f[r], tcache);
    default: return bv_q_text(p, 'S', &v->s[r], tcache);
    }
}

/* Whether row r of column c is null: by its valid bits, q's null value,
 * an int an I column cannot hold, or an empty decimal. A symbol or string
 * is never null here: an empty one is its own value. */
static inline int bv_is_null(const struct batch *b, int c, int r)
{
    const struct table_column *tc = &b->schema->cols[c];
    if (tc->valid_mask && !(b->valid[r] & tc->valid_mask))
        return 1;
    const void *v = batch_value_at(b, c, r);
    switch (tc->enc) {
    case BENC_Q: break;
    case BENC_U32: return tc->qtype == 'I' && *(const uint32_t *)v > Q_INT_MAX;
    case BENC_TCP_FLAGS: return *(const uint16_t *)v == 0;
    case BENC_DECIMAL: return ((const struct qtext *)v)->n == 0;
    default: return 0;
    }
    switch (tc->qtype) {
    case 'P': case 'N': case 'J': return *(const int64_t *)v == Q_NULL_LONG;
    case 'I': return *(const int32_t *)v == Q_NULL_INT;
    case 'H': return *(const int16_t *)v == Q_NULL_SHORT;
    case 'F': return *(const double *)v != *(const double *)v;
    default: return 0;
    }
}

/* The text of row r of column c (nothing for a null). */
static inline char *bv_text(char *p, const struct batch *b, int c, int r,
                            struct time_cache *tcache)
{
    uint32_t mask = b->schema->cols[c].valid_mask;
    if (mask && !(b->valid[r] & mask))
        return p;
    return bv_form_text(p, b->form[c], &b->col[c], r, tcache);
}

#endif
