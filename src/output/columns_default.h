/* columns_default.h: the text of each of the 15 default columns, inline:
 * one formatter per column, shared by format_field's dispatch, the CSV
 * writer's straight-line default row and the q writer's column loops
 * (write_q.c), which call format_default_field with a constant column so
 * that no dispatch is left. Each writes nothing for a null. */
#ifndef PCAP2KDB_COLUMNS_DEFAULT_H
#define PCAP2KDB_COLUMNS_DEFAULT_H

#include <string.h>
#include "batch.h"
#include "columns.h"

/* How a batch holds each default column (batch.h): the row's own field, as
 * it is, valid by these present bits of the row. Inline, so that a
 * writer's loop over the default columns folds it away. */
struct default_column_enc {
    uint8_t enc;
    uint32_t valid_mask;
};
static inline struct default_column_enc default_column_enc(int c)
{
    switch (c) {
    case COL_TIME: return (struct default_column_enc){ BENC_UNIX_TIME, HAS_TIME };
    case COL_SRC: return (struct default_column_enc){ BENC_ADDR, HAS_SRC };
    case COL_DEST: return (struct default_column_enc){ BENC_ADDR, HAS_DST };
    case COL_SRCPORT: return (struct default_column_enc){ BENC_U16, HAS_SPORT };
    case COL_DESTPORT: return (struct default_column_enc){ BENC_U16, HAS_DPORT };
    case COL_PROTOCOL:
        return (struct default_column_enc){ BENC_PROTOCOL, HAS_IPPROTO | HAS_ETHTYPE | HAS_LLCNAME };
    case COL_FLAGS: return (struct default_column_enc){ BENC_TCP_FLAGS, HAS_TCPHDR };
    case COL_SEQ: return (struct default_column_enc){ BENC_U32, HAS_TCPSEQ };
    case COL_ACK: return (struct default_column_enc){ BENC_U32, HAS_TCPHDR };
    case COL_WIN: return (struct default_column_enc){ BENC_U64, HAS_WIN };
    case COL_TSVAL: return (struct default_column_enc){ BENC_U32, HAS_TSOPT | HAS_TSVAL };
    case COL_TSECR: return (struct default_column_enc){ BENC_U32, HAS_TSOPT };
    case COL_LENGTH: return (struct default_column_enc){ BENC_U32, 0 };
    case COL_LEN: return (struct default_column_enc){ BENC_U32, HAS_PAYLEN };
    default: return (struct default_column_enc){ BENC_Q, 0 }; /* COL_SYM */
    }
}

/* The protocol column's text of a row that has one (HAS_IPPROTO,
 * HAS_ETHTYPE or HAS_LLCNAME): at most PROTOCOL_TEXT_MAX bytes. */
char *format_protocol_text(char *p, const struct row *r);
/* The same through the protocol's code (batch.h BENC_PROTOCOL), which
 * protocol_code() takes from a row that has one. */
static inline uint32_t protocol_code(const struct row *r)
{
    if (r->present & HAS_IPPROTO)
        return BPROTO_IP | r->ipproto;
    if (r->present & HAS_ETHTYPE)
        return BPROTO_ETHERTYPE | r->ethertype;
    return BPROTO_LINK | r->link_proto;
}
char *protocol_code_text(char *p, uint32_t code);
#define PROTOCOL_TEXT_MAX 40
/* The text of each of the 512 combinations of the nine TCP flags, names
 * joined by '|' ("ACK|PSH"), made once (tcp_flags_init): one copy per row
 * instead of nine tests and joins. */
#define TCP_FLAGS_TEXT_MAX 35
extern char tcp_flag_text[512][TCP_FLAGS_TEXT_MAX + 1];
extern uint8_t tcp_flag_len[512];
extern int tcp_flags_ready;
void tcp_flags_init(void);
/* Writes the whole entry (room for TCP_FLAGS_TEXT_MAX + 1 bytes). */
static inline char *format_tcp_flags(char *p, uint16_t f)
{
    if (!tcp_flags_ready)
        tcp_flags_init();
    f &= 0x1FF;
    memcpy(p, tcp_flag_text[f], sizeof tcp_flag_text[f]);
    return p + tcp_flag_len[f];
}

/* An IPv4 or IPv6 address. Out of line: inline it measured no faster (the
 * 15% swing first put down to it was fmt_ipv4's alignment, fmt.c). */
char *col_addr(char *p, const struct row *r, const uint8_t *a);
static inline char *col_time(char *p, const struct row *r, struct format_ctx *ctx)
{
    return (r->present & HAS_TIME) ? fmt_time(p, &ctx->time, r->ts_sec, r->ts_nsec) : p;
}
static inline char *col_sym(char *p, struct format_ctx *ctx)
{
    memcpy(p, ctx->sym, ctx->sym_len);
    return p + ctx->sym_len;
}
static inline char *col_src(char *p, const struct row *r)
{
    return (r->present & HAS_SRC) ? col_addr(p, r, r->src) : p;
}
static inline char *col_dest(char *p, const struct row *r)
{
    return (r->present & HAS_DST) ? col_addr(p, r, r->dst) : p;
}
static inline char *col_u32(char *p, const struct row *r, uint32_t need, uint32_t v)
{
    return (r->present & need) ? fmt_u32(p, v) : p;
}
static inline char *col_protocol(char *p, const struct row *r)
{
    return (r->present & (HAS_IPPROTO | HAS_ETHTYPE | HAS_LLCNAME)) ? format_protocol_text(p, r) : p;
}
static inline char *col_flags(char *p, const struct row *r)
{
    return (r->present & HAS_TCPHDR) ? format_tcp_flags(p, r->tcpflags) : p;
}
static inline char *col_length(char *p, const struct row *r)
{
    return r->origlen <= Q_INT_MAX ? fmt_u32(p, r->origlen) : p;
}
static inline char *col_len(char *p, const struct row *r)
{
    return ((r->present & HAS_PAYLEN) && r->paylen <= Q_INT_MAX) ? fmt_u32(p, r->paylen) : p;
}
static inline char *col_win(char *p, const struct row *r)
{
    return (r->present & HAS_WIN) ? fmt_u64(p, r->win) : p;
}

/* The cases of a switch on a column that format the default columns: one
 * list for format_field's dispatch and format_default_field below (a
 * function for them that format_field called would be a second switch on
 * its general path, 4% of its instructions). */
#define DEFAULT_COLUMN_CASES(p, c, r, ctx)                                  \
    case COL_TIME: return col_time(p, r, ctx);                              \
    case COL_SYM: return col_sym(p, ctx);                                   \
    case COL_SRC: return col_src(p, r);                                     \
    case COL_DEST: return col_dest(p, r);                                   \
    case COL_SRCPORT: return col_u32(p, r, HAS_SPORT, r->sport);            \
    case COL_DESTPORT: return col_u32(p, r, HAS_DPORT, r->dport);           \
    case COL_PROTOCOL: return col_protocol(p, r);                           \
    case COL_FLAGS: return col_flags(p, r);                                 \
    case COL_SEQ: return col_u32(p, r, HAS_TCPSEQ, r->seq);                 \
    case COL_ACK: return col_u32(p, r, HAS_TCPHDR, r->ack);                 \
    case COL_WIN: return col_win(p, r);                                     \
    case COL_TSVAL: return col_u32(p, r, HAS_TSOPT | HAS_TSVAL, r->tsval);  \
    case COL_TSECR: return col_u32(p, r, HAS_TSOPT, r->tsecr);              \
    case COL_LENGTH: return col_length(p, r);                               \
    case COL_LEN: return col_len(p, r)

/* Default column c (< DEFAULT_COLUMNS) of row r; with c a constant, the
 * switch folds away. */
static inline char *format_default_field(char *p, enum col_id c, const struct row *r,
                                         struct format_ctx *ctx)
{
    switch (c) {
    DEFAULT_COLUMN_CASES(p, c, r, ctx);
    default: return p;
    }
}

#endif
