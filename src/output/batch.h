/* batch.h: a block of rows held column by column, each column a typed q
 * vector in which a null is q's own null value. Every table (packet rows,
 * --flows, --fix, --kdb) is described by a table_schema and reaches every
 * writer as batches (batch_build.h): the kdb+ IPC publisher, and the CSV
 * and q-script writers (columns_batch.h for packet rows, write_table.h for
 * the modes' tables), which read only this, never a mode's own structs;
 * batch_value.h turns a value into text.
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
 * least as long as the batch (static names, the --sym text).
 *
 * That is a column's q representation (BENC_Q). A column may instead hold
 * its values in a compact encoding whose copy from a decoded packet is a
 * plain store, so that filling a batch costs the CSV path next to nothing;
 * every writer turns it into the column's q type the same way
 * (batch_value.h):
 *   BENC_UNIX_TIME  P  struct batch_time: Unix seconds and nanoseconds
 *   BENC_ADDR       S  struct batch_addr: an IPv4 or IPv6 address, whose
 *                      symbol is its text (dotted quad, RFC 5952)
 *   BENC_U8/U16/U32/U64  I or J  unsigned; as I, a value over Q_INT_MAX is null
 *   BENC_PROTOCOL   S  uint32_t: what names the protocol (BPROTO_*)
 *   BENC_TCP_FLAGS  S  uint16_t: TCP flag bits, whose symbol is "ACK|PSH";
 *                      0 is null
 *   BENC_DECIMAL    J or F  struct qtext: a number held as its decimal text
 *                      ("0001", "-0.5"), printed as it is (the q script adds
 *                      "." to a float without one), parsed to the q type by
 *                      the IPC writer; null n == 0. For numbers that must
 *                      print as sent (a FIX seqnum keeps its leading zeros)
 * A column with a valid_mask is also null in a row whose valid word (the
 * batch's valid[], one per row) has none of those bits. */
#ifndef PCAP2KDB_BATCH_H
#define PCAP2KDB_BATCH_H

#include <stddef.h>
#include <stdint.h>

#define Q_NULL_INT   INT32_MIN
#define Q_NULL_LONG  INT64_MIN
#define Q_NULL_SHORT INT16_MIN
/* The largest q int that is a number: 2147483647 is 0Wi (infinity) and
 * -2147483648 0Ni. The 32-bit lengths of a capture (orig_len, and the TCP/UDP
 * payload length derived from it for IPv6 jumbograms or IPv4 total length 0)
 * can exceed it; such a value is null in an int column rather than an
 * overflow in q. */
#define Q_INT_MAX 2147483646u

enum batch_enc {
    BENC_Q = 0,
    BENC_UNIX_TIME,
    BENC_ADDR,
    BENC_U16,
    BENC_U32,
    BENC_U64,
    BENC_PROTOCOL,
    BENC_TCP_FLAGS,
    BENC_U8,
    BENC_DECIMAL,
};

/* A column's encoding and q type in one code, which the writers switch on
 * once per value (batch_value.h). */
enum batch_form {
    BFORM_UNIX_TIME, BFORM_ADDR, BFORM_U8, BFORM_U16, BFORM_U32_INT, BFORM_U32_LONG, BFORM_U64,
    BFORM_PROTOCOL, BFORM_TCP_FLAGS, BFORM_DECIMAL,
    BFORM_P, BFORM_N, BFORM_J, BFORM_I, BFORM_H, BFORM_B, BFORM_F, BFORM_TEXT,
};

/* A timestamp in Unix time (BENC_UNIX_TIME); a valid one is within q's
 * range (an invalid one may hold anything: nothing reads it). */
struct batch_time {
    int64_t sec;
    uint32_t nsec;
};

/* An address (BENC_ADDR): ver 4 (the first 4 bytes) or 6. */
struct batch_addr {
    uint8_t a[16];
    uint8_t ver;
};

/* BENC_PROTOCOL: the kind in the top byte, its number below. */
enum {
    BPROTO_IP = 1u << 24,      /* an IP protocol number (6: TCP) */
    BPROTO_ETHERTYPE = 2u << 24, /* a link payload named by its Ethertype */
    BPROTO_LINK = 3u << 24,    /* a link payload with no Ethertype (enum link_proto) */
};

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
    uint8_t enc;               /* enum batch_enc; 0: q's own */
    uint32_t valid_mask;       /* 0: no valid word is read */
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
    struct qtext *s;           /* S *, BENC_DECIMAL */
    struct batch_time *t;      /* BENC_UNIX_TIME */
    struct batch_addr *a;      /* BENC_ADDR */
    uint8_t *u8;               /* BENC_U8 */
    uint16_t *u16;             /* BENC_U16, BENC_TCP_FLAGS */
    uint32_t *u32;             /* BENC_U32, BENC_PROTOCOL */
    uint64_t *u64;             /* BENC_U64 */
};

struct batch {
    const struct table_schema *schema;
    int nrows;                 /* rows filled */
    int cap;                   /* rows each column has room for */
    union batch_values *col;   /* schema->ncols columns */
    const uint8_t *width;      /* bytes of one value of each column */
    const uint8_t *form;       /* enum batch_form of each column */
    uint32_t *valid;           /* a valid word per row, when a column has a mask */
    /* When not NULL: one struct that holds the columns at fixed offsets
     * (the packet table's default columns: columns_batch.h), which the
     * filler and the writers may address directly. */
    void *block;
    /* Bytes that text values of this batch point into; emptied with it. */
    char *arena;
    size_t arena_len, arena_cap;
};

/* Bytes of one value held as enc, of q type qtype (constants: folded). */
static inline size_t batch_enc_size(int enc, char qtype)
{
    switch (enc) {
    case BENC_UNIX_TIME: return sizeof(struct batch_time);
    case BENC_ADDR: return sizeof(struct batch_addr);
    case BENC_U8: return sizeof(uint8_t);
    case BENC_U16: case BENC_TCP_FLAGS: return sizeof(uint16_t);
    case BENC_U32: case BENC_PROTOCOL: return sizeof(uint32_t);
    case BENC_U64: return sizeof(uint64_t);
    case BENC_DECIMAL: return sizeof(struct qtext);
    default: break;
    }
    switch (qtype) {
    case 'P': case 'N': case 'J': return sizeof(int64_t);
    case 'I': return sizeof(int32_t);
    case 'H': return sizeof(int16_t);
    case 'B': return 1;
    case 'F': return sizeof(double);
    default: return sizeof(struct qtext);
    }
}

/* Bytes of one value of column c. */
static inline size_t batch_value_size(const struct table_column *c)
{
    return batch_enc_size(c->enc, c->qtype);
}

/* The form of column c (enum batch_form). */
static inline uint8_t batch_form_of(const struct table_column *c)
{
    switch (c->enc) {
    case BENC_UNIX_TIME: return BFORM_UNIX_TIME;
    case BENC_ADDR: return BFORM_ADDR;
    case BENC_U8: return BFORM_U8;
    case BENC_U16: return BFORM_U16;
    case BENC_U32: return c->qtype == 'I' ? BFORM_U32_INT : BFORM_U32_LONG;
    case BENC_U64: return BFORM_U64;
    case BENC_PROTOCOL: return BFORM_PROTOCOL;
    case BENC_TCP_FLAGS: return BFORM_TCP_FLAGS;
    case BENC_DECIMAL: return BFORM_DECIMAL;
    default: break;
    }
    switch (c->qtype) {
    case 'P': return BFORM_P;
    case 'N': return BFORM_N;
    case 'J': return BFORM_J;
    case 'I': return BFORM_I;
    case 'H': return BFORM_H;
    case 'B': return BFORM_B;
    case 'F': return BFORM_F;
    default: return BFORM_TEXT;
    }
}

/* Whether column c's values are text (struct qtext): symbols, strings and
 * BENC_DECIMAL. */
static inline int batch_column_is_text(const struct table_column *c)
{
    return c->enc == BENC_DECIMAL || (c->enc == BENC_Q && (c->qtype == 'S' || c->qtype == '*'));
}

/* Where row r of column c lies. */
static inline void *batch_value_at(const struct batch *b, int c, int r)
{
    return (char *)b->col[c].j + (size_t)b->width[c] * (size_t)r;
}

#endif
