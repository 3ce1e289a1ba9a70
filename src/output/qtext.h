/* qtext.h: the pieces of q's text grammar that both q-script writers use
 * (write_q.c for packet rows, write_table.c for the modes' tables): the column
 * buffers a batch is built in, typed nulls, the escapes of a string and the
 * table's definition line. The empty typed lists are in qload.h. */
#ifndef PCAP2KDB_QTEXT_H
#define PCAP2KDB_QTEXT_H

#include <stddef.h>
#include "out.h"

/* One column's text while a batch of rows is gathered. */
struct qcol {
    char *buf;
    size_t len, cap;
};

/* Grows the buffer to hold n more bytes; -1 without memory. */
int qcol_grow(struct qcol *c, size_t n);

/* Makes room for n more bytes; -1 without memory. Inline: it runs for
 * every cell, and the room is nearly always there. */
static inline int qcol_reserve(struct qcol *c, size_t n)
{
    return c->cap - c->len >= n ? 0 : qcol_grow(c, n);
}

/* The typed null of q type letter t written at p (room for 3 bytes): 0Np,
 * 0Nn, 0n, 0 (a boolean has no null: false), else 0N; a bare 0N would make
 * a long vector of a timestamp column. Returns the end. Inline: a packet
 * row has many empty cells. */
static inline char *q_null_put(char *p, char t)
{
    switch (t) {
    case 'P': case 'N':
        p[0] = '0', p[1] = 'N', p[2] = t == 'P' ? 'p' : 'n';
        return p + 3;
    case 'F':
        p[0] = '0', p[1] = 'n';
        return p + 2;
    case 'B':
        p[0] = '0';
        return p + 1;
    default:
        p[0] = '0', p[1] = 'N';
        return p + 2;
    }
}

/* A byte a q string holds only as an escape (\ooo). */
static inline int q_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

/* Whether s[0..n) needs escapes in a q string: a backslash, a quote or a
 * control byte. */
static inline int q_needs_escape(const char *s, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        any |= c == '\\' || c == '"' || q_control(c);
    }
    return any;
}

/* Writes the escape of a control byte, \ooo, at p; returns the end. */
static inline char *q_octal_escape(char *p, unsigned char c)
{
    *p++ = '\\';
    *p++ = (char)('0' + (c >> 6));
    *p++ = (char)('0' + ((c >> 3) & 7));
    *p++ = (char)('0' + (c & 7));
    return p;
}

/* One byte of a q string at p: a quote or backslash behind a backslash, a
 * control byte as \ooo, else itself. Returns the end (room for 4). */
static inline char *q_string_byte(char *p, unsigned char c)
{
    if (c == '"' || c == '\\') {
        *p++ = '\\';
        *p++ = (char)c;
        return p;
    }
    if (q_control(c))
        return q_octal_escape(p, c);
    *p++ = (char)c;
    return p;
}

/* One insert statement of a -f q script holds a batch of at most
 * Q_BATCH_ROWS rows, and a batch also ends once its text reaches
 * Q_BATCH_BYTES, so that rows with long values (a packet's data column, a
 * FIX value of up to 256 KiB) keep memory bounded. Every q writer cuts its
 * batches by both. */
#define Q_BATCH_ROWS 1000
#define Q_BATCH_BYTES (1u << 20)

/* The insert statement around a batch's column texts, as pieces (out.h):
 * "`TABLE insert (", each column's opening (";" between columns, "`$" and
 * "(" for symbols, "enlist " for a one-row batch) and closing (")", and the
 * type suffix a bare number needs: 1i, 1h, 01b), and ")\n". A one-column
 * table is "`TABLE insert enlist ...\n". */
void q_insert_open(struct out_pieces *ps, const char *table, int ncols);
void q_column_open(struct out_pieces *ps, int i, char qtype, int single);
void q_column_close(struct out_pieces *ps, char qtype, int single);
void q_insert_close(struct out_pieces *ps, int ncols);

/* The script's first lines: the comment that says how to load it (naming
 * the mode's option, e.g. "--flows", unless mode is NULL); the table,
 * made only when no variable of that name exists, so that a second script
 * appends to the first one's rows:
 *   if[not `TABLE in key `.;TABLE:([] a:`timestamp$(); ...)]
 * and a check that the existing table has the same columns (a q error
 * naming the table, never a silent mix):
 *   if[not(@[cols;TABLE;()])~`a`b...;'"TABLE: ..."]
 * with column i named and typed by col(). */
/* The error a script signals when its table exists with other columns
 * (after "TABLE"). */
#define Q_OTHER_COLUMNS ": a table of this name exists with other columns"
void q_table_definition(struct out *o, const char *mode, const char *table, int ncols,
                        const char *(*col)(const void *ctx, int i, char *qtype),
                        const void *ctx);

#endif
