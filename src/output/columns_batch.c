/* columns_batch.c: packet rows into typed batches (columns_batch.h). The
 * default columns are copied from the row's fields as they are (batch.h's
 * compact encodings; the row's present bits are the valid word); the
 * others hold q's own values: numbers from column_number(), text from
 * format_field() (names, addresses, hex). */
#include "columns_batch.h"
#include "columns_default.h"
#include "columns_number.h"
#include "inline.h"

#include <stdlib.h>
#include <string.h>

void columns_schema(struct table_schema *sc, struct table_column *cols,
                    const struct column_list *cl, const char *table)
{
    for (int i = 0; i < cl->n; i++) {
        enum col_id id = cl->id[i];
        cols[i] = (struct table_column){ column_defs[id].name, column_defs[id].qtype, 0, 0, 0 };
        struct column_copy k;
        if (id < DEFAULT_COLUMNS) {
            cols[i].enc = default_column_enc(id).enc;
            cols[i].valid_mask = default_column_enc(id).valid_mask;
        } else if (column_copy(id, &k)) {
            cols[i].enc = k.enc;
            cols[i].valid_mask = k.valid_mask;
        }
        /* a file name may hold any byte; the sym holds none CSV must
         * escape (main.c) */
        cols[i].wire_text = id == COL_FILE;
    }
    *sc = (struct table_schema){ .name = table, .ncols = cl->n, .cols = cols };
}

/* The default columns of row i of a batch that is no block (another
 * size: --publish's --batch), straight: each column's value size and store
 * are constants once the loop is unrolled. Its sym is a copy (the batch may
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
        size_t size = batch_enc_size(default_column_enc(c).enc, column_defs[c].qtype);
        store_default((char *)bb->b.col[c].j + size * (size_t)i, (enum col_id)c, r, ctx);
    }
}

/* How general_row fills each column (the builder's fill codes), made once:
 * a switch on it per value instead of one on the column and one on its type. */
enum fill_code {
    FILL_NOT_MADE = 0, FILL_SYM, FILL_FILE, FILL_DEFAULT, FILL_LONG, FILL_INT, FILL_TEXT,
    FILL_COPY8, FILL_COPY16, FILL_COPY32, FILL_COPY64, /* a row field at fill_arg */
    FILL_IN_BLOCK,             /* a default column: the block's row fills it */
};

static void make_fill_codes(struct batch_builder *bb, const struct column_list *cl)
{
    for (int c = 0; c < cl->n; c++) {
        enum col_id id = cl->id[c];
        char t = column_defs[id].qtype;
        struct column_copy k;
        if (id >= DEFAULT_COLUMNS && column_copy(id, &k)) {
            bb->fill[c] = k.enc == BENC_U8 ? FILL_COPY8 : k.enc == BENC_U16 ? FILL_COPY16
                        : k.enc == BENC_U32 ? FILL_COPY32 : FILL_COPY64;
            bb->fill_arg[c] = k.offset;
            continue;
        }
        bb->fill[c] = bb->b.block && id < DEFAULT_COLUMNS ? FILL_IN_BLOCK
                    : id == COL_SYM ? FILL_SYM
                    : id == COL_FILE ? FILL_FILE
                    : id < DEFAULT_COLUMNS ? FILL_DEFAULT
                    : t == 'I' ? FILL_INT
                    : t == 'S' || t == '*' ? FILL_TEXT
                    : FILL_LONG; /* J, N, P: 64 bits */
    }
}

/* Any other choice of columns, or a batch of any other size: a dispatch
 * per column. A batch that may outlive the input holds copies of its sym
 * and file name. */
static void general_row(struct batch_builder *bb, int i, const struct column_list *cl,
                        const struct row *r, struct format_ctx *ctx)
{
    if (!bb->fill[0])
        make_fill_codes(bb, cl);
    union batch_values *col = bb->b.col;
    for (int c = 0; c < cl->n; c++) {
        enum col_id id = cl->id[c];
        int64_t v = 0;
        switch (bb->fill[c]) {
        case FILL_SYM:
        case FILL_FILE: {
            const char *t = bb->fill[c] == FILL_SYM ? ctx->sym : ctx->file;
            size_t n = bb->fill[c] == FILL_SYM ? ctx->sym_len : ctx->file_len;
            if (bb->within_input)
                col[c].s[i] = (struct qtext){ t, (uint32_t)n };
            else
                bb_set_text(bb, c, i, t, n);
            break;
        }
        case FILL_DEFAULT: store_default(batch_value_at(&bb->b, c, i), id, r, ctx); break;
        case FILL_IN_BLOCK: break;
        case FILL_COPY8: memcpy(&col[c].u8[i], (const char *)r + bb->fill_arg[c], 1); break;
        case FILL_COPY16: memcpy(&col[c].u16[i], (const char *)r + bb->fill_arg[c], 2); break;
        case FILL_COPY32: memcpy(&col[c].u32[i], (const char *)r + bb->fill_arg[c], 4); break;
        case FILL_COPY64: memcpy(&col[c].u64[i], (const char *)r + bb->fill_arg[c], 8); break;
        case FILL_LONG: col[c].j[i] = column_number(id, r, &v) ? v : Q_NULL_LONG; break;
        case FILL_INT:
            /* an int column cannot hold a value over Q_INT_MAX */
            col[c].i[i] = column_number(id, r, &v) && (uint64_t)v <= Q_INT_MAX ? (int32_t)v
                                                                              : Q_NULL_INT;
            break;
        default: /* FILL_TEXT */
            if (field_is_null(id, r)) {
                col[c].s[i] = (struct qtext){ "", 0 };
            } else {
                char *p = bb_text_room(bb);
                bb_text_done(bb, c, i, (size_t)(format_field(p, id, r, ctx) - p));
            }
            break;
        }
    }
}

int columns_batch_init(struct batch_builder *bb, const struct table_schema *sc,
                       const struct column_list *cl, int rows, bb_emit_fn emit,
                       void *emit_ctx)
{
    if (rows != PACKET_BLOCK_ROWS)
        return bb_init(bb, sc, rows, emit, emit_ctx);
    /* the default columns chosen lie in the block, the others beside it */
    struct packet_block *k = malloc(sizeof *k);
    union batch_values col[MAX_SELECTED_COLUMNS];
    memset(col, 0, sizeof col);
    for (int c = 0; k && c < cl->n; c++)
        if (cl->id[c] < DEFAULT_COLUMNS)
            col[c].j = packet_block_value(k, cl->id[c], 0);
    int ok = bb_init_block(bb, sc, rows, emit, emit_ctx, k, col, k ? k->valid : NULL);
    if (!k || ok != 0) { /* bb_free is safe, every row is refused */
        bb->failed = bb->no_memory = 1;
        return -1;
    }
    bb->block_only = cl->is_default;
    return 0;
}

void columns_batch_row_any(struct batch_builder *bb, const struct column_list *cl,
                           const struct row *r, struct format_ctx *ctx)
{
    struct batch *b = &bb->b;
    int i = bb_row(bb, bb->block_only ? 0 : (size_t)cl->n * FIELD_MAX + ctx->text_len +
                                               2 * (size_t)data_bytes(r, ctx));
    if (i < 0)
        return;
    if (b->block)
        packet_block_row(b->block, i, r, ctx);
    if (bb->block_only)
        ;
    else if (cl->is_default && !b->block)
        default_row(bb, i, r, ctx);
    else
        general_row(bb, i, cl, r, ctx);
    if (b->valid)
        b->valid[i] = r->present;
    bb_row_done(bb);
}
