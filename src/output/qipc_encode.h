/* qipc_encode.h: kdb+ IPC serialization (KX's "Serialization examples",
 * code.kx.com/q/kb/serialization)
 * into one growing buffer: no allocation per value, a message is built in
 * place and its length patched in at the end. Little-endian on the wire
 * (header byte 0 = 1), whatever the host. Also the few reads a publisher
 * needs of a response, in either byte order: a q error, a table's columns,
 * or "something else". */
#ifndef PCAP2KDB_QIPC_ENCODE_H
#define PCAP2KDB_QIPC_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include "batch.h"

/* q type numbers (vector type; an atom is the negative). */
enum qtype {
    QT_LIST = 0, QT_BOOL = 1, QT_SHORT = 5, QT_INT = 6, QT_LONG = 7, QT_FLOAT = 9,
    QT_CHAR = 10, QT_SYMBOL = 11, QT_TIMESTAMP = 12, QT_TIMESPAN = 16,
    QT_TABLE = 98, QT_DICT = 99, QT_ERROR = -128,
};

enum qmsg { QMSG_ASYNC = 0, QMSG_SYNC = 1, QMSG_RESPONSE = 2 };

#define QIPC_HEADER 8
/* Largest message we build: kdb+ without capability 5 takes < 2 GiB. */
#define QIPC_MAX_MESSAGE 0x7fffffffu

struct qbuf {
    uint8_t *p;
    size_t len, cap;
    int failed;                /* out of memory or over QIPC_MAX_MESSAGE */
};

void qb_init(struct qbuf *b);
void qb_free(struct qbuf *b);
/* Room for n more bytes; -1 (and b->failed) when there is none. */
int qb_reserve(struct qbuf *b, size_t n);

/* A message: qb_begin writes a header with length 0, qb_end patches the
 * length in; everything in between is the payload (one q object). */
void qb_begin(struct qbuf *b, enum qmsg type);
void qb_end(struct qbuf *b);

void qb_atom_bool(struct qbuf *b, int v);
void qb_atom_short(struct qbuf *b, int16_t v);
void qb_atom_int(struct qbuf *b, int32_t v);
/* long, timestamp, timespan: t is QT_LONG, QT_TIMESTAMP or QT_TIMESPAN */
void qb_atom_j(struct qbuf *b, enum qtype t, int64_t v);
void qb_atom_float(struct qbuf *b, double v);
/* A NUL inside a symbol would end it early in q: written as '?'. */
void qb_atom_symbol(struct qbuf *b, const char *s, size_t n);
void qb_chars(struct qbuf *b, const char *s, size_t n);        /* char vector */

/* Vector headers and typed vectors (attribute 0). */
void qb_list(struct qbuf *b, int32_t count);                   /* then count objects */
void qb_vec_bool(struct qbuf *b, const uint8_t *v, int32_t n);
void qb_vec_short(struct qbuf *b, const int16_t *v, int32_t n);
void qb_vec_int(struct qbuf *b, const int32_t *v, int32_t n);
void qb_vec_j(struct qbuf *b, enum qtype t, const int64_t *v, int32_t n);
void qb_vec_float(struct qbuf *b, const double *v, int32_t n);
void qb_vec_symbol(struct qbuf *b, const struct qtext *v, int32_t n);
/* A general list of char vectors: a q string column. */
void qb_list_strings(struct qbuf *b, const struct qtext *v, int32_t n);

/* Column c of a batch, as the vector of its q type. */
void qb_column(struct qbuf *b, const struct batch *bt, int c);

/* A complete async message (func; `table; (col; col; ...)): the columns of
 * batch bt in the order order[0..n) (indices into bt->schema->cols). -1
 * when the buffer cannot hold it. */
int qipc_call_batch(struct qbuf *b, const char *func, const char *table, const struct batch *bt,
                    const int *order, int n);

/* Reading a response payload (the bytes after the 8-byte header). */
enum qanswer { QA_OTHER, QA_ERROR, QA_TABLE, QA_BAD };

/* What a response holds. little: the byte order of its message (header
 * byte 0: 1 little-endian, as kdb+ on x86 writes; 0 big-endian, as legacy
 * c.java does). QA_ERROR: its text in err. QA_TABLE with columns
 * `c (symbol) and `t (char), as 0!meta answers: up to maxcols names and
 * type letters in names[]/types[], the count in *ncols. QA_BAD: the bytes
 * do not hold one well-formed q object. Never reads outside p[0..n). The
 * receiver's text comes with control bytes as '?' (it goes to stderr). */
enum qanswer qipc_read_answer(const uint8_t *p, size_t n, int little, char *err, size_t errcap,
                              char names[][32], char *types, int maxcols, int *ncols);

/* Bytes of the q object at p (at most n) in the byte order little, or 0
 * when it is not well formed within n bytes. */
size_t qipc_object_size(const uint8_t *p, size_t n, int little);

/* A compressed message (header byte 2 = 1): the uncompressed length it
 * declares at offset 8, header included, in its byte order; 0 when fewer
 * than 12 bytes are given. */
uint32_t qipc_unz_len(const uint8_t *m, size_t n);

/* Decompresses the whole compressed message m[0..n) (KX c.java's
 * uncompress) into out[0..ulen), ulen = qipc_unz_len(m, n): a plain
 * message (header byte 2 = 0, length ulen, the byte order and type of m).
 * -1 when the bytes do not decode to exactly ulen bytes using exactly n
 * (a back-reference to a slot never set or past ulen, bytes missing or
 * left over): hostile bytes are never read outside m[0..n) nor written
 * outside out[0..ulen). The caller bounds ulen before allocating. */
int qipc_uncompress(const uint8_t *m, size_t n, uint8_t *out, size_t ulen);

#endif
