/* columns_batch.c: packet rows into typed batches (columns_batch.h). The
 * common columns are stored from the row's numbers; the others (names,
 * addresses, timespans, hex) from the text format_field() gives the CSV
 * writer, so both writers cannot disagree. */
#include "columns_batch.h"
#include "columns_default.h"

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
        if (!fmt_time_in_q_range(r->ts_sec, r->ts_nsec))
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

/* Text column c of row i from formatter output at the arena's end. */
#define TEXT_COLUMN(c, present, format)                                     \
    do {                                                                    \
        if (present) {                                                      \
            char *p = bb_text_room(bb);                                     \
            bb_text_done(bb, c, i, (size_t)(format - p));                   \
        } else {                                                            \
            bb_set_null(bb, c, i);                                          \
        }                                                                   \
    } while (0)

/* The 15 default columns of row i, straight: the same values as the loop
 * below gives them (its nulls are field_is_null's), without a dispatch per
 * column or a number printed and parsed back. The flags point at the static
 * texts of the 512 combinations. */
static void default_row(struct batch_builder *bb, int i, const struct row *r,
                        struct format_ctx *ctx)
{
    uint32_t h = r->present;
    union batch_values *col = bb->b.col;
    col[0].j[i] = (h & HAS_TIME) ? bb_q_time(r->ts_sec, r->ts_nsec) : Q_NULL_LONG;
    bb_set_text(bb, 1, i, ctx->sym, ctx->sym_len); /* a batch may span inputs */
    TEXT_COLUMN(2, h & HAS_SRC, col_addr(p, r, r->src));
    TEXT_COLUMN(3, h & HAS_DST, col_addr(p, r, r->dst));
    col[4].i[i] = (h & HAS_SPORT) ? (int32_t)r->sport : Q_NULL_INT;
    col[5].i[i] = (h & HAS_DPORT) ? (int32_t)r->dport : Q_NULL_INT;
    TEXT_COLUMN(6, h & (HAS_IPPROTO | HAS_ETHTYPE | HAS_LLCNAME), format_protocol_text(p, r));
    if ((h & HAS_TCPHDR) && r->tcpflags != 0) {
        if (!tcp_flags_ready)
            tcp_flags_init();
        uint16_t f = r->tcpflags & 0x1FF;
        bb_set_static(bb, 7, i, tcp_flag_text[f], tcp_flag_len[f]);
    } else {
        bb_set_null(bb, 7, i);
    }
    col[8].j[i] = (h & HAS_TCPSEQ) ? (int64_t)r->seq : Q_NULL_LONG;
    col[9].j[i] = (h & HAS_TCPHDR) ? (int64_t)r->ack : Q_NULL_LONG;
    col[10].j[i] = (h & HAS_WIN) ? (int64_t)r->win : Q_NULL_LONG;
    col[11].j[i] = (h & (HAS_TSOPT | HAS_TSVAL)) ? (int64_t)r->tsval : Q_NULL_LONG;
    col[12].j[i] = (h & HAS_TSOPT) ? (int64_t)r->tsecr : Q_NULL_LONG;
    col[13].i[i] = r->origlen <= Q_INT_MAX ? (int32_t)r->origlen : Q_NULL_INT;
    col[14].i[i] = ((h & HAS_PAYLEN) && r->paylen <= Q_INT_MAX) ? (int32_t)r->paylen : Q_NULL_INT;
}

void columns_batch_row(struct batch_builder *bb, const struct column_list *cl,
                       const struct row *r, struct format_ctx *ctx)
{
    size_t text_max = (size_t)cl->n * FIELD_MAX + ctx->sym_len + 2 * (size_t)data_bytes(r, ctx);
    int i = bb_row(bb, text_max);
    if (i < 0)
        return;
    /* a time outside q's range is parsed from its text below, as ever */
    if (cl->is_default && (!(r->present & HAS_TIME) || fmt_time_in_q_range(r->ts_sec, r->ts_nsec))) {
        default_row(bb, i, r, ctx);
        bb_row_done(bb);
        return;
    }
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
