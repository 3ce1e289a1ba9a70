/* columns_batch.c: packet rows into typed batches (columns_batch.h). The
 * default columns are copied from the row's fields as they are (batch.h's
 * compact encodings; the row's present bits are the valid word); the
 * others are stored from the row's numbers, or from the text format_field()
 * gives (names, addresses, timespans, hex). */
#include "columns_batch.h"
#include "columns_default.h"
#include "inline.h"

#include <stdlib.h>
#include <string.h>

void columns_schema(struct table_schema *sc, struct table_column *cols,
                    const struct column_list *cl, const char *table)
{
    for (int i = 0; i < cl->n; i++) {
        enum col_id id = cl->id[i];
        cols[i] = (struct table_column){ column_defs[id].name, column_defs[id].qtype, 0, 0, 0 };
        if (id < DEFAULT_COLUMNS) {
            cols[i].enc = default_column_enc(id).enc;
            cols[i].valid_mask = default_column_enc(id).valid_mask;
        }
        /* a file name may hold any byte; the sym holds none CSV must
         * escape (main.c) */
        cols[i].wire_text = id == COL_FILE;
    }
    *sc = (struct table_schema){ .name = table, .ncols = cl->n, .cols = cols };
}

/* Stores optional column c (id) of row r from its number; 0 when it is not
 * one of these, to be stored from its text. */
static int store_number(struct batch_builder *bb, int c, int i, enum col_id id,
                        const struct row *r)
{
    int64_t v;
    switch (id) {
    case COL_FRAME: v = (int64_t)r->frame; break;
    case COL_CAPLEN: v = r->caplen; break;
    case COL_STREAM: v = (int64_t)r->stream; break;
    case COL_RSEQ: v = r->rseq; break;
    case COL_RACK: v = r->rack; break;
    default: return 0;
    }
    bb_set_num(bb, c, i, v, 0);
    return 1;
}

/* The default columns of row i of a batch that is no block (another
 * size: --publish's --batch), straight: each column's value size is a
 * constant once the loop is unrolled. Its sym is a copy (the batch may
 * outlive the input). */
static void default_row(struct batch_builder *bb, int i, const struct row *r,
                        const struct format_ctx *ctx)
{
#pragma GCC unroll 16
    for (int c = 0; c < DEFAULT_COLUMNS; c++) {
        if (c == COL_SYM) {
            bb_set_text(bb, c, i, ctx->sym, ctx->sym_len);
            continue;
        }
        struct table_column tc = { "", column_defs[c].qtype, 0, default_column_enc(c).enc, 0 };
        store_default((char *)bb->b.col[c].j + batch_value_size(&tc) * (size_t)i,
                      (enum col_id)c, r, ctx);
    }
}

/* Any other choice of columns, or a batch of any other size: a dispatch
 * per column. */
static void general_row(struct batch_builder *bb, int i, const struct column_list *cl,
                        const struct row *r, struct format_ctx *ctx)
{
    for (int c = 0; c < cl->n; c++) {
        enum col_id id = cl->id[c];
        /* a batch that is not a block may outlive the input: its sym and
         * file name are copies */
        if (id == COL_SYM || id == COL_FILE) {
            bb_set_text(bb, c, i, id == COL_SYM ? ctx->sym : ctx->file,
                        id == COL_SYM ? ctx->sym_len : ctx->file_len);
            continue;
        }
        if (id < DEFAULT_COLUMNS) {
            store_default(batch_value_at(&bb->b, c, i), id, r, ctx);
            continue;
        }
        if (field_is_null(id, r)) {
            bb_set_null(bb, c, i);
            continue;
        }
        if (store_number(bb, c, i, id, r))
            continue;
        char *p = bb_text_room(bb);
        size_t n = (size_t)(format_field(p, id, r, ctx) - p);
        char t = column_defs[id].qtype;
        if (t == 'S' || t == '*')
            bb_text_done(bb, c, i, n);
        else
            bb_set_parsed(bb, c, i, p, n); /* the text stays in unused room */
    }
}

int columns_batch_init(struct batch_builder *bb, const struct table_schema *sc,
                       const struct column_list *cl, int rows, bb_emit_fn emit,
                       void *emit_ctx)
{
    if (!cl->is_default || rows != PACKET_BLOCK_ROWS)
        return bb_init(bb, sc, rows, emit, emit_ctx);
    struct packet_block *k = malloc(sizeof *k);
    union batch_values col[DEFAULT_COLUMNS];
    memset(col, 0, sizeof col);
    for (int c = 0; k && c < DEFAULT_COLUMNS; c++)
        col[c].j = packet_block_value(k, c, 0);
    if (!k) { /* an empty builder: bb_free is safe, every row is refused */
        bb_init_block(bb, sc, rows, emit, emit_ctx, NULL, col, NULL);
        bb->failed = bb->no_memory = 1;
        return -1;
    }
    return bb_init_block(bb, sc, rows, emit, emit_ctx, k, col, k->valid);
}

void columns_batch_row_any(struct batch_builder *bb, const struct column_list *cl,
                           const struct row *r, struct format_ctx *ctx)
{
    struct batch *b = &bb->b;
    int i = bb_row(bb, b->block ? 0 : (size_t)cl->n * FIELD_MAX + ctx->text_len +
                                          2 * (size_t)data_bytes(r, ctx));
    if (i < 0)
        return;
    if (b->block)
        packet_block_row(b->block, i, r, ctx);
    else if (cl->is_default)
        default_row(bb, i, r, ctx);
    else
        general_row(bb, i, cl, r, ctx);
    if (b->valid)
        b->valid[i] = r->present;
    bb_row_done(bb);
}
