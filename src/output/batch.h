/* batch.h: a block of rows held column by column, each column a typed q
 * vector in which a null is q's own null value. Every table (packet rows,
 * --flows, --fix, --kdb) is described by a table_schema and, for --publish,
 * handed to the kdb+ IPC publisher as batches (batch_build.h), which reads
 * only this, never a mode's own structs. The CSV and q-script writers still
 * format straight from the rows: through a batch they cost more than the
 * speed budget allows (README "How the code is organised").
 *
 * Values are what kdb+ holds, not text:
 *   P timestamp  int64 nanoseconds since 2000.01.01 (q's epoch); null INT64_MIN
 *   N timespan   int64 nanoseconds;                              null INT64_MIN
 *   J long       int64;                                          null INT64_MIN
 *   I int        int32;                                          null INT32_MIN
 *   H short      int16;                                          null INT16_MIN
 *   B boolean    uint8 0 or 1;                                   no null
 *   F float      double;                                         null NaN
 *   S symbol     struct qtext (bytes need not end in NUL);       null n == 0
 *   * string     struct qtext, a char vector;                    null n == 0
 * Text values point into the batch's own arena or at storage that lives at
 * least as long as the batch (static names, the --sym text). */
#ifndef PCAP2KDB_BATCH_H
#define PCAP2KDB_BATCH_H

#include <stddef.h>
#include <stdint.h>

#define Q_NULL_INT   INT32_MIN
#define Q_NULL_LONG  INT64_MIN
#define Q_NULL_SHORT INT16_MIN

/* Text of a symbol or string value. */
struct qtext {
    const char *p;
    uint32_t n;
};

/* One column of a table: its name and q type letter, as --schema prints them. */
struct table_column {
    const char *name;
    char qtype;                /* P N J I H B F S, or '*' for a string */
    /* Values may hold any byte (wire text): a CSV writer must escape them.
     * 0 for text the program made itself (numbers, addresses, our names). */
    uint8_t wire_text;
};

/* A table: its name and columns, fixed for a run. */
struct table_schema {
    const char *name;          /* --table, or the mode's default */
    int ncols;
    const struct table_column *cols;
};

/* The values of one column for the rows of a batch. */
union batch_values {
    int64_t *j;                /* P N J */
    int32_t *i;                /* I */
    int16_t *h;                /* H */
    uint8_t *b;                /* B */
    double *f;                 /* F */
    struct qtext *s;           /* S * */
};

struct batch {
    const struct table_schema *schema;
    int nrows;                 /* rows filled */
    int cap;                   /* rows each column has room for */
    union batch_values *col;   /* schema->ncols columns */
    /* Bytes that text values of this batch point into; emptied with it. */
    char *arena;
    size_t arena_len, arena_cap;
};

#endif
