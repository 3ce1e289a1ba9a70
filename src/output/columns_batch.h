/* columns_batch.h: packet rows as typed column batches (batch.h), the one
 * form in which they reach every writer (CSV, q script, --publish). The
 * default columns keep the row's own fields in compact encodings, valid by
 * the row's present bits (columns_default.h), so that a row's copy is a
 * plain store per column; the others hold q's own values, q nulls where the
 * field is empty. */
#ifndef PCAP2KDB_COLUMNS_BATCH_H
#define PCAP2KDB_COLUMNS_BATCH_H

#include "batch_build.h"
#include "columns.h"
#include "columns_default.h"
#include "inline.h"

#include <string.h>

/* Rows of a batch of the default columns that lies in one packet_block. */
#define PACKET_BLOCK_ROWS 256

/* The default columns of PACKET_BLOCK_ROWS rows at fixed offsets (the
 * batch's col[] and valid point into it): the fill and the writers' default
 * rows address a value from the block's one pointer, not from its column's
 * (15 loads a row, a tenth of the CSV path's formatting). */
struct packet_block {
    uint32_t valid[PACKET_BLOCK_ROWS];
    struct batch_time time[PACKET_BLOCK_ROWS];
    struct qtext sym[PACKET_BLOCK_ROWS];
    struct batch_addr src[PACKET_BLOCK_ROWS], dest[PACKET_BLOCK_ROWS];
    uint16_t srcport[PACKET_BLOCK_ROWS], destport[PACKET_BLOCK_ROWS];
    uint32_t protocol[PACKET_BLOCK_ROWS];
    uint16_t flags[PACKET_BLOCK_ROWS];
    uint32_t seq[PACKET_BLOCK_ROWS], ack[PACKET_BLOCK_ROWS];
    uint64_t win[PACKET_BLOCK_ROWS];
    uint32_t tsval[PACKET_BLOCK_ROWS], tsecr[PACKET_BLOCK_ROWS];
    uint32_t length[PACKET_BLOCK_ROWS], len[PACKET_BLOCK_ROWS];
};

/* Where row i of default column c lies in the block (c a constant: folded). */
static ALWAYS_INLINE void *packet_block_value(struct packet_block *k, int c, int i)
{
    switch (c) {
    case COL_TIME: return &k->time[i];
    case COL_SYM: return &k->sym[i];
    case COL_SRC: return &k->src[i];
    case COL_DEST: return &k->dest[i];
    case COL_SRCPORT: return &k->srcport[i];
    case COL_DESTPORT: return &k->destport[i];
    case COL_PROTOCOL: return &k->protocol[i];
    case COL_FLAGS: return &k->flags[i];
    case COL_SEQ: return &k->seq[i];
    case COL_ACK: return &k->ack[i];
    case COL_WIN: return &k->win[i];
    case COL_TSVAL: return &k->tsval[i];
    case COL_TSECR: return &k->tsecr[i];
    case COL_LENGTH: return &k->length[i];
    default: return &k->len[i]; /* COL_LEN */
    }
}

/* Default column id of row r at dst (its value's place in the batch): the
 * field as it is. */
static ALWAYS_INLINE void store_default(void *dst, enum col_id id, const struct row *r,
                                        const struct format_ctx *ctx)
{
    switch (id) {
    case COL_TIME: *(struct batch_time *)dst = (struct batch_time){ r->ts_sec, r->ts_nsec }; break;
    case COL_SYM: *(struct qtext *)dst = (struct qtext){ ctx->sym, (uint32_t)ctx->sym_len }; break;
    case COL_SRC:
    case COL_DEST: {
        struct batch_addr *a = dst;
        memcpy(a->a, id == COL_SRC ? r->src : r->dst, 16);
        a->ver = r->ipver;
        break;
    }
    case COL_SRCPORT: *(uint16_t *)dst = r->sport; break;
    case COL_DESTPORT: *(uint16_t *)dst = r->dport; break;
    case COL_PROTOCOL: *(uint32_t *)dst = protocol_code(r); break;
    case COL_FLAGS: *(uint16_t *)dst = r->tcpflags & 0x1FF; break;
    case COL_SEQ: *(uint32_t *)dst = r->seq; break;
    case COL_ACK: *(uint32_t *)dst = r->ack; break;
    case COL_WIN: *(uint64_t *)dst = r->win; break;
    case COL_TSVAL: *(uint32_t *)dst = r->tsval; break;
    case COL_TSECR: *(uint32_t *)dst = r->tsecr; break;
    case COL_LENGTH: *(uint32_t *)dst = r->origlen; break;
    case COL_LEN: *(uint32_t *)dst = r->paylen; break;
    default: break;
    }
}

/* The 15 default columns of row i into the block, straight: with the
 * column a constant, each store is one or two instructions. */
static ALWAYS_INLINE void packet_block_row(struct packet_block *k, int i, const struct row *r,
                                           const struct format_ctx *ctx)
{
#pragma GCC unroll 16
    for (int c = 0; c < DEFAULT_COLUMNS; c++)
        store_default(packet_block_value(k, c, i), (enum col_id)c, r, ctx);
}

/* The schema of the selected packet columns; cols has room for cl->n. */
void columns_schema(struct table_schema *sc, struct table_column *cols,
                    const struct column_list *cl, const char *table);
/* A builder of batches of rows of schema sc (columns_schema of cl): in
 * batches of PACKET_BLOCK_ROWS the default columns chosen lie in a
 * packet_block, the others beside it (any other size: --publish's
 * --batch). -1: out of memory. */
int columns_batch_init(struct batch_builder *bb, const struct table_schema *sc,
                       const struct column_list *cl, int rows, bb_emit_fn emit,
                       void *emit_ctx);
/* One row into the builder (a no-op once it has failed). A block's rows
 * point at the input's sym: its writer hands them over before the input
 * ends (writer.h drain); any other batch holds copies. */
void columns_batch_row_any(struct batch_builder *bb, const struct column_list *cl,
                           const struct row *r, struct format_ctx *ctx);
/* The same, inline for a row of a block begun (the common case: the row's
 * stores and a count). A block's rows point at the input's sym: its writer
 * hands them over before the input ends (writer.h drain). */
static ALWAYS_INLINE void columns_batch_row(struct batch_builder *bb, const struct column_list *cl,
                                            const struct row *r, struct format_ctx *ctx)
{
    struct batch *b = &bb->b;
    if (bb->block_only && b->nrows) { /* a failed builder holds no rows */
        struct packet_block *k = b->block;
        k->valid[b->nrows] = r->present;
        packet_block_row(k, b->nrows, r, ctx);
        bb_row_done(bb);
        return;
    }
    columns_batch_row_any(bb, cl, r, ctx);
}

#endif
