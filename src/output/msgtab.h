/* msgtab.h: the columns of a table mode (--fix, --kdb, --flows): names,
 * q types and encodings chosen at run time (write_table.h writes their
 * rows), and the CSV form of wire text, which any byte may hold.
 *
 * In CSV a wire text value is written as mt_csv_str says (escapes, then
 * quotes); text the program made itself (numbers, times, addresses, our
 * own names: never ',', '"', CR or LF) as it is. A NUL byte, which neither
 * CSV nor q carries (q symbols end at it), is written as '?'. */
#ifndef PCAP2KDB_MSGTAB_H
#define PCAP2KDB_MSGTAB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "batch.h"
#include "columns.h"

#define MT_MAX_COLS 64
/* What every writer shows for a NUL byte of wire text. */
#define MT_NUL_STANDIN '?'
#define MT_NAME_MAX 24

struct mt_col {
    char name[MT_NAME_MAX];
    char qtype;
    uint8_t enc;               /* how the mode holds its values: enum batch_enc */
    uint8_t wire_text;         /* values are wire text (any byte) */
    int id;                    /* the mode's own column number */
};

struct mt_columns {
    int n;
    struct mt_col col[MT_MAX_COLS];
};

/* Picks columns by name from defs[0..ndefs) ("a,b,c"); a name not among
 * them is offered to extra() (may be NULL), which returns the column's id
 * (>= ndefs) and sets its q type, or -1. -1 with a message in err. */
int mt_columns_parse(struct mt_columns *cols, const struct column_def *defs, int ndefs,
                     const char *list,
                     int (*extra)(void *ctx, const char *name, size_t n, char *qtype),
                     void *extra_ctx, char *err, size_t errlen);
/* Appends one column (q's own representation, no wire text); -1 when
 * full. */
int mt_columns_add(struct mt_columns *cols, const char *name, char qtype, int id);

/* A wire text value (any byte) as a CSV field at p, with room for
 * MT_CSV_STR_ROOM(n) bytes; returns the end. Control bytes are written
 * \ooo (three octal digits) and the backslash \\, so that a record is one
 * line; a value holding ',' or '"' is quoted RFC 4180 style ('"' doubled);
 * NUL is '?'. For writers that format straight into the output buffer. */
#define MT_CSV_STR_ROOM(n) (4 * (size_t)(n) + 2)
static inline char *mt_csv_str(char *p, const char *s, uint32_t n);
/* The same, out of line: for any value (mt_csv_str_long), for a value
 * known to hold a special byte (mt_csv_str_escaped). */
char *mt_csv_str_long(char *p, const char *s, uint32_t n);
char *mt_csv_str_escaped(char *p, const char *s, uint32_t n);

/* Whether any byte of lo and hi (16 bytes, little-endian words) is one a
 * CSV field does not carry as it is: below 0x20, ',', '"', '\\' or 0x7f. */
static inline int mt_csv_special16(uint64_t lo, uint64_t hi)
{
#ifdef __SSE2__
    __m128i x = _mm_set_epi64x((long long)hi, (long long)lo);
    __m128i m = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x); /* <= 0x1f */
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(',')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
    return _mm_movemask_epi8(m) != 0;
#else
    for (int i = 0; i < 16; i++) {
        uint8_t c = (uint8_t)((i < 8 ? lo : hi) >> (8 * (i % 8)));
        if (c < 0x20 || c == ',' || c == '"' || c == '\\' || c == 0x7f)
            return 1;
    }
    return 0;
#endif
}

/* Inline for the short values of most cells: up to 16 bytes are copied in
 * two loads and stores that may overlap (8, 4, 2 or 1 bytes, by the
 * length; nothing outside s[0..n) and p[0..n) is touched) and tested for
 * special bytes at once. */
static inline char *mt_csv_str(char *p, const char *s, uint32_t n)
{
    uint64_t lo, hi;
    if (n > 16)
        return mt_csv_str_long(p, s, n);
    if (n >= 8) {
        memcpy(&lo, s, 8);
        memcpy(&hi, s + n - 8, 8);
        memcpy(p, &lo, 8);
        memcpy(p + n - 8, &hi, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(p, &a, 4);
        memcpy(p + n - 4, &b, 4);
        lo = hi = a | (uint64_t)b << 32;
    } else if (n >= 2) {
        uint16_t a, b;
        memcpy(&a, s, 2);
        memcpy(&b, s + n - 2, 2);
        memcpy(p, &a, 2);
        memcpy(p + n - 2, &b, 2);
        lo = hi = 0x0000000100000001ull * (a | (uint32_t)b << 16);
    } else if (n == 1) {
        p[0] = s[0];
        lo = hi = 0x0101010101010101ull * (uint8_t)s[0];
    } else {
        return p;
    }
    return mt_csv_special16(lo, hi) ? mt_csv_str_escaped(p, s, n) : p + n;
}

#endif
