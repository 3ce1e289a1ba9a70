/* columns_batch.c: packet rows into typed batches (columns_batch.h). The
 * common columns are stored from the row's numbers; the others (names,
 * addresses, timespans, hex) from the text format_field() gives the CSV
 * writer, so both writers cannot disagree. */
#include "columns_batch.h"

void columns_schema(struct table_schema *sc, struct table_column *cols,
                    const struct column_list *cl, const char *table)
{
    for (int i = 0; i < cl->n; i++)
        cols[i] = (struct table_column){ column_defs[cl->id[i]].name,
                                         column_defs[cl->id[i]].qtype, 0 };
    *sc = (struct table_schema){ .name = table, .ncols = cl->n, .cols = cols };
}

/* Stores column c (id) of row r from its number; 0 when it is not one of
 * these, to be stored from its text. */
static int store_number(struct batch_builder *bb, int c, int i, enum col_id id,
                        const struct row *r)
{
    int64_t v;
    switch (id) {
    case COL_TIME:
        if (!fmt_time_in_q_range(r->ts_sec))
            return 0;
        v = bb_q_time(r->ts_sec, r->ts_nsec);
        break;
    case COL_SRCPORT: v = r->sport; break;
    case COL_DESTPORT: v = r->dport; break;
    case COL_SEQ: v = r->seq; break;
    case COL_ACK: v = r->ack; break;
    case COL_WIN: v = (int64_t)r->win; break;
    case COL_TSVAL: v = r->tsval; break;
    case COL_TSECR: v = r->tsecr; break;
    case COL_LENGTH: v = r->origlen; break;
    case COL_LEN: v = r->paylen; break;
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

void columns_batch_row(struct batch_builder *bb, const struct column_list *cl,
                       const struct row *r, struct format_ctx *ctx)
{
    size_t text_max = (size_t)cl->n * FIELD_MAX + ctx->sym_len + 2 * (size_t)data_bytes(r, ctx);
    int i = bb_row(bb, text_max);
    if (i < 0)
        return;
    for (int c = 0; c < cl->n; c++) {
        enum col_id id = cl->id[c];
        if (id == COL_SYM) {
            bb_set_text(bb, c, i, ctx->sym, ctx->sym_len); /* a batch may span inputs */
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
    bb_row_done(bb);
}
