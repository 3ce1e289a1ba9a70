/* batch_build.h: filling typed column batches (batch.h) row by row and
 * handing each full one to its consumer (a CSV or q-script writer, the
 * --publish writer): the one way every table (packet rows, --flows, --fix,
 * --kdb) reaches a writer.
 *
 * A row is begun with bb_row(), then each of its columns set with the typed
 * setters. Text is copied into the batch's arena; the arena never moves
 * while rows point into it: a batch whose arena is full is handed over
 * early, and only an empty batch grows its arena (one huge row).
 *
 * A batch is handed over when it holds its rows, when the driver says input
 * pauses (bb_pause), and when its oldest row has waited BB_LATENCY_NS: live
 * rows reach the receiver within 100 ms. */
#ifndef PCAP2KDB_BATCH_BUILD_H
#define PCAP2KDB_BATCH_BUILD_H

#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "batch.h"

#define BB_MAX_COLS 64
#define BB_LATENCY_NS 100000000u
/* Text bytes a batch starts with room for. */
#define BB_ARENA_START (1u << 20)

/* Takes a full batch (its rows, then it is emptied); nonzero: failed, no
 * more batches are taken (the consumer has said why). */
typedef int (*bb_emit_fn)(void *ctx, const struct batch *b);

struct batch_builder {
    struct batch b;
    union batch_values vals[BB_MAX_COLS];
    uint8_t width[BB_MAX_COLS];
    uint8_t form[BB_MAX_COLS];
    /* the filler's own code of each column (columns_batch.c); 0: not made */
    uint8_t fill[BB_MAX_COLS];
    uint16_t fill_arg[BB_MAX_COLS];
    uint8_t owned[BB_MAX_COLS];  /* a column's vector, beside a block */
    int block_only;            /* the block holds every column (columns_batch.h) */
    bb_emit_fn emit;
    void *emit_ctx;
    uint64_t waiting_since_ns; /* when the oldest row of b arrived; 0: none */
    /* 0: a batch is handed over when full or at a pause; else also once its
     * oldest row has waited this long (a live --publish) */
    uint64_t latency_ns;
    /* Optional: how many rows the batch that begins may take (1 to its
     * cap) before it is handed over: a consumer that must see some rows
     * at once (write_csv.c). */
    int (*rows_allowed)(void *emit_ctx);
    int limit;                 /* the rows this batch takes */
    /* Set by a writer that hands its batches over before each input ends
     * (writer.h drain): the input's sym and file name may be pointed at
     * rather than copied. */
    int within_input;
    int check_at;              /* rows at which bb_row_done looks (limit, clock) */
    /* Each row is handed over at its bb_row_done (a text writer's builder
     * of one row): text that lives until then (a message's bytes, the
     * mode's scratch) is pointed at, not copied (bb_set_ref, bb_set_wire). */
    int text_by_reference;
    size_t row_text_start;     /* arena_len at bb_row: bb_row_cancel */
    int failed;                /* the consumer failed, or out of memory */
    int no_memory;
};

/* Rows of table sc, rows per batch. -1: out of memory. */
int bb_init(struct batch_builder *bb, const struct table_schema *sc, int rows, bb_emit_fn emit,
            void *emit_ctx);
/* The same with columns in block (malloc'd; the builder frees it): col[c]
 * and valid point into it, and a column whose col[c] is NULL gets a vector
 * of its own. */
int bb_init_block(struct batch_builder *bb, const struct table_schema *sc, int rows,
                  bb_emit_fn emit, void *emit_ctx, void *block, const union batch_values *col,
                  uint32_t *valid);
void bb_free(struct batch_builder *bb);

/* Begins a row whose text (all its columns) takes at most text_max bytes;
 * its index, or -1 once the builder has failed. Every column of the row
 * must then be set. */
int bb_row(struct batch_builder *bb, size_t text_max);
/* Where the row's next text goes (room as promised to bb_row); after
 * writing n bytes there, bb_text_done() makes them column c's value. */
static inline char *bb_text_room(struct batch_builder *bb) { return bb->b.arena + bb->b.arena_len; }
static inline void bb_text_done(struct batch_builder *bb, int c, int r, size_t n)
{
    bb->b.col[c].s[r] = (struct qtext){ bb->b.arena + bb->b.arena_len, (uint32_t)n };
    bb->b.arena_len += n;
}
/* Copies text (n == 0: the null symbol or empty string). */
void bb_set_text(struct batch_builder *bb, int c, int r, const char *s, size_t n);
/* Text that outlives the batch (static names): not copied. */
static inline void bb_set_static(struct batch_builder *bb, int c, int r, const char *s, size_t n)
{
    bb->b.col[c].s[r] = (struct qtext){ s, (uint32_t)n };
}
static inline void bb_set_j(struct batch_builder *bb, int c, int r, int64_t v) { bb->b.col[c].j[r] = v; }
static inline void bb_set_i(struct batch_builder *bb, int c, int r, int32_t v) { bb->b.col[c].i[r] = v; }
static inline void bb_set_b(struct batch_builder *bb, int c, int r, int v) { bb->b.col[c].b[r] = v != 0; }
/* A value of any numeric type, or a null (null != 0), by the column's type.
 * Inline: the packet rows of --publish store most columns through it. */
static inline void bb_set_num(struct batch_builder *bb, int c, int r, int64_t v, int null)
{
    union batch_values *col = &bb->b.col[c];
    switch (bb->b.schema->cols[c].qtype) {
    case 'I': col->i[r] = null ? Q_NULL_INT : (int32_t)v; break;
    case 'H': col->h[r] = null ? Q_NULL_SHORT : (int16_t)v; break;
    case 'B': col->b[r] = !null && v != 0; break;
    case 'F': col->f[r] = null ? (double)NAN : (double)v; break;
    default: col->j[r] = null ? Q_NULL_LONG : v; break;
    }
}
/* A null: the column's valid bit cleared (a column with a valid_mask
 * whose rows begin valid: table_writer.h), or q's null of its type (the
 * empty symbol or string for text, the empty decimal). */
static inline void bb_set_null(struct batch_builder *bb, int c, int r)
{
    const struct table_column *tc = &bb->b.schema->cols[c];
    if (tc->valid_mask)
        bb->b.valid[r] &= ~tc->valid_mask;
    if (batch_column_is_text(tc))
        bb->b.col[c].s[r] = (struct qtext){ "", 0 };
    else if (tc->enc == BENC_Q)
        bb_set_num(bb, c, r, 0, 1);
}
/* Values of the compact encodings (batch.h). */
static inline void bb_set_time(struct batch_builder *bb, int c, int r, int64_t sec, uint32_t nsec)
{
    bb->b.col[c].t[r] = (struct batch_time){ sec, nsec };
}
static inline void bb_set_addr(struct batch_builder *bb, int c, int r, const uint8_t *a,
                               uint8_t ver)
{
    struct batch_addr *v = &bb->b.col[c].a[r];
    memcpy(v->a, a, 16);
    v->ver = ver;
}
static inline void bb_set_u16(struct batch_builder *bb, int c, int r, uint16_t v) { bb->b.col[c].u16[r] = v; }
static inline void bb_set_u32(struct batch_builder *bb, int c, int r, uint32_t v) { bb->b.col[c].u32[r] = v; }
static inline void bb_set_u64(struct batch_builder *bb, int c, int r, uint64_t v) { bb->b.col[c].u64[r] = v; }
/* Text (a symbol, a string, a decimal) that lives until bb_row_done:
 * pointed at where the builder hands each row over then
 * (text_by_reference), else copied (room promised to bb_row). */
static inline void bb_set_ref(struct batch_builder *bb, int c, int r, const char *s, size_t n)
{
    if (bb->text_by_reference)
        bb->b.col[c].s[r] = (struct qtext){ n ? s : "", (uint32_t)n };
    else
        bb_set_text(bb, c, r, s, n);
}
/* Wire text (any byte): as bb_set_ref, a NUL byte copied as '?', which
 * neither a q symbol nor a C string carries (the text writers show a NUL
 * so themselves: msgtab.h). */
void bb_copy_wire(struct batch_builder *bb, int c, int r, const char *s, size_t n);
static inline void bb_set_wire(struct batch_builder *bb, int c, int r, const char *s, size_t n)
{
    if (bb->text_by_reference)
        bb->b.col[c].s[r] = (struct qtext){ n ? s : "", (uint32_t)n };
    else
        bb_copy_wire(bb, c, r, s, n);
}
void bb_set_float(struct batch_builder *bb, int c, int r, double v);

/* q's timestamp: nanoseconds since 2000.01.01 of a Unix time. */
static inline int64_t bb_q_time(int64_t unix_sec, uint32_t nsec)
{
    return (unix_sec - 946684800) * 1000000000 + (int64_t)nsec;
}

/* Ends the row begun by bb_row(): hands the batch over when it has its
 * rows or is late (its clock is read every BB_CLOCK_EVERY rows). Inline:
 * a packet's whole cost in the builder is this count and test. */
#define BB_CLOCK_EVERY 64
void bb_check(struct batch_builder *bb);
static inline void bb_row_done(struct batch_builder *bb)
{
    if (++bb->b.nrows == bb->check_at)
        bb_check(bb);
}
/* Drops the row begun by bb_row() (its text too): the next bb_row()
 * begins it again. */
static inline void bb_row_cancel(struct batch_builder *bb)
{
    bb->b.arena_len = bb->row_text_start;
}

/* A row of a batch held apart from it (acktime.h: rows that wait), text
 * and all: bb_row_size() bytes, written by bb_row_save(); bb_row_load()
 * sets the row begun by bb_row() (with text room bb_row_text()) from
 * them. */
size_t bb_row_size(const struct batch *b, int r);
size_t bb_row_text(const struct batch *b, const char *saved);
void bb_row_save(const struct batch *b, int r, char *p);
void bb_row_load(struct batch_builder *bb, int r, const char *saved);

/* Input pauses or ends: hands over the rows waiting. -1 once failed. */
int bb_pause(struct batch_builder *bb);

#endif
