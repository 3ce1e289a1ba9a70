/* msgtab.h: output of message tables (--fix, --kdb): a column set of
 * names and q types chosen at run time, and CSV / q-script writers that take
 * each row as an array of ready values, one per selected column.
 *
 * The packet table keeps its own writers (write_csv.c, write_q.c), tuned for
 * its fixed row struct; message modes share these, so a new protocol only
 * declares its columns and fills values.
 *
 * A value is either null, TEXT (safe text: numbers, times, addresses, our
 * own names: never ',', '"', CR or LF; written as is in CSV) or STR (bytes
 * from the wire: any byte may occur). In CSV a STR is written as
 * mt_csv_str says (escapes, then quotes); in a q script every S or '*' value is a q
 * string with \" \\ and \ooo escapes (the sym may hold a backslash). A NUL
 * byte, which neither can carry (q symbols end at it), is written as '?'. */
#ifndef PCAP2KDB_MSGTAB_H
#define PCAP2KDB_MSGTAB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "batch_build.h"
#include "columns.h"
#include "out.h"

#define MT_MAX_COLS 64
#define MT_NAME_MAX 24

struct mt_col {
    char name[MT_NAME_MAX];
    char qtype;
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
/* Appends one column; -1 when full. */
int mt_columns_add(struct mt_columns *cols, const char *name, char qtype, int id);

enum mt_kind { MV_NULL = 0, MV_TEXT, MV_STR };

struct mt_val {
    const char *p;
    uint32_t n;
    uint8_t kind;
};

struct mt_writer {
    struct out *out;
    const struct mt_columns *cols;
    int q;                     /* 1: q script, 0: CSV */
    int header;                /* CSV header line */
    const char *table;
    void *state;
    /* --publish: rows go into typed batches here, not text into out */
    struct batch_builder *bb;
};

/* A STR value (outside text: any byte) as a CSV field at p, with room for
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

void mt_begin(struct mt_writer *w);
void mt_row(struct mt_writer *w, const struct mt_val *v);
void mt_end(struct mt_writer *w);
/* Input pauses: the rows of a q insert statement in the making go out
 * (a statement holds up to 1,000 rows). CSV rows are in out already, and
 * --publish batches are handed over by the driver's writer. */
void mt_pause(struct mt_writer *w);

#endif
