/* columns.c: column names, q types and value text (README "Columns"). */
#include "columns.h"
#include "columns_default.h"
#include "columns_number.h"
#include "fingerprint.h"
#include "linktype.h"
#include "msgtab.h"
#include "names.h"
#include "qtext.h"
#include "tunnel.h"

#include <stdio.h>
#include <string.h>

/* Records that are not packets (pcapng custom blocks) have no link type. */
#define LINKTYPE_NONE_TEXT 0xFFFFFFFFu
#define IPPROTO_TCP_NUMBER 6

const struct column_def column_defs[COL_COUNT] = {
    [COL_TIME] = { "time", 'P' },       [COL_SYM] = { "sym", 'S' },
    [COL_SRC] = { "src", 'S' },         [COL_DEST] = { "dest", 'S' },
    [COL_SRCPORT] = { "srcport", 'I' }, [COL_DESTPORT] = { "destport", 'I' },
    [COL_PROTOCOL] = { "protocol", 'S' }, [COL_FLAGS] = { "flags", 'S' },
    [COL_SEQ] = { "seq", 'J' },         [COL_ACK] = { "ack", 'J' },
    [COL_WIN] = { "win", 'J' },         [COL_TSVAL] = { "tsval", 'J' },
    [COL_TSECR] = { "tsecr", 'J' },     [COL_LENGTH] = { "length", 'I' },
    [COL_LEN] = { "len", 'I' },         [COL_FRAME] = { "frame", 'J' },
    [COL_CAPLEN] = { "caplen", 'I' },   [COL_IFACE] = { "iface", 'I' },
    [COL_LINKTYPE] = { "linktype", 'S' }, [COL_VLAN] = { "vlan", 'I' },
    [COL_TTL] = { "ttl", 'I' },         [COL_IPID] = { "ipid", 'I' },
    [COL_STREAM] = { "stream", 'J' },   [COL_RSEQ] = { "rseq", 'J' },
    [COL_RACK] = { "rack", 'J' },       [COL_RAWWIN] = { "rawwin", 'I' },
    [COL_WSCALE] = { "wscale", 'I' },   [COL_MSS] = { "mss", 'I' },
    [COL_ANALYSIS] = { "analysis", 'S' }, [COL_DATA] = { "data", '*' },
    /* #17 */
    [COL_HWTIME] = { "hwtime", 'P' },   [COL_HWDEV] = { "hwdev", 'I' },
    [COL_HWPORT] = { "hwport", 'I' },   [COL_HASH] = { "hash", 'J' },
    /* #15 tunnels */
    [COL_TUNNEL] = { "tunnel", 'S' },   [COL_TSRC] = { "tsrc", 'S' },
    [COL_TDEST] = { "tdest", 'S' },     [COL_TID] = { "tid", 'J' },
    /* #16 */
    [COL_INFLIGHT] = { "inflight", 'J' }, [COL_PUSHBYTES] = { "pushbytes", 'J' },
    [COL_ACKRTT] = { "ackrtt", 'N' },   [COL_ACKED] = { "acked", 'J' },
    [COL_IRTT] = { "irtt", 'N' },
    /* #18 */
    [COL_FILE] = { "file", 'S' },       [COL_SMAC] = { "smac", 'S' },
    [COL_DMAC] = { "dmac", 'S' },       [COL_ETHERTYPE] = { "ethertype", 'S' },
};

void columns_default(struct column_list *cl)
{
    cl->n = DEFAULT_COLUMNS;
    for (int i = 0; i < DEFAULT_COLUMNS; i++)
        cl->id[i] = (enum col_id)i;
    cl->is_default = 1;
}

static int list_is_default(const struct column_list *cl)
{
    if (cl->n != DEFAULT_COLUMNS)
        return 0;
    for (int i = 0; i < DEFAULT_COLUMNS; i++)
        if (cl->id[i] != (enum col_id)i)
            return 0;
    return 1;
}

int column_names_parse(const char *list, const struct column_def *defs, int ndefs,
                       int (*extra)(void *ctx, const char *name, size_t n, char *qtype),
                       void *extra_ctx, const struct column_name_sink *sink, char *err,
                       size_t errlen)
{
    const char *s = list;
    /* the columns so far, by id: two names of one column (a FIX tag as
     * tag35 and tag035) are the same column given twice */
    int ids[MAX_SELECTED_COLUMNS > MT_MAX_COLS ? MAX_SELECTED_COLUMNS : MT_MAX_COLS];
    int nids = 0;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int id = -1;
        char qtype = 0;
        for (int c = 0; c < ndefs && id < 0; c++)
            if (strlen(defs[c].name) == n && memcmp(defs[c].name, s, n) == 0) {
                id = c;
                qtype = defs[c].qtype;
            }
        if (id < 0 && extra)
            id = extra(extra_ctx, s, n, &qtype);
        if (id < 0 || n >= sink->name_max) {
            size_t off = (size_t)snprintf(err, errlen, "unknown column '%.*s'; valid columns:",
                                          (int)(n > 60 ? 60 : n), s);
            for (int c = 0; c < ndefs && off < errlen; c++)
                off += (size_t)snprintf(err + off, errlen - off, "%s%s", c ? "," : " ",
                                        defs[c].name);
            return -1;
        }
        for (int i = 0; i < nids; i++)
            if (ids[i] == id) {
                snprintf(err, errlen, "column '%.*s' given twice in --columns",
                         (int)(n > 60 ? 60 : n), s);
                return -1;
            }
        if (nids == (int)(sizeof ids / sizeof ids[0]) || sink->add(sink->ctx, id, qtype, s, n) != 0) {
            snprintf(err, errlen, "more than %d columns", sink->max);
            return -1;
        }
        ids[nids++] = id;
        if (!e)
            return 0;
        s = e + 1;
    }
}

static int add_packet_column(void *ctx, int id, char qtype, const char *name, size_t n)
{
    (void)qtype, (void)name, (void)n;
    struct column_list *cl = ctx;
    if (cl->n == MAX_SELECTED_COLUMNS)
        return -1;
    cl->id[cl->n++] = (enum col_id)id;
    return 0;
}

int columns_parse(struct column_list *cl, const char *list, char *err, size_t errlen)
{
    cl->n = 0;
    const struct column_name_sink sink = { add_packet_column, cl, MAX_SELECTED_COLUMNS,
                                           (size_t)-1 };
    if (column_names_parse(list, column_defs, COL_COUNT, NULL, NULL, &sink, err, errlen) != 0)
        return -1;
    cl->is_default = list_is_default(cl);
    return 0;
}

int columns_has(const struct column_list *cl, enum col_id id)
{
    for (int i = 0; i < cl->n; i++)
        if (cl->id[i] == id)
            return 1;
    return 0;
}

int columns_read_packet_bytes(const struct column_list *cl)
{
    for (int i = 0; i < cl->n; i++)
        switch (cl->id[i]) {
        case COL_DATA: /* r->payload */
        case COL_HASH: /* r->ip */
        case COL_SMAC: /* r->mac */
        case COL_DMAC:
            return 1;
        default:
            break;
        }
    return 0;
}

int columns_need_flows(const struct column_list *cl)
{
    for (int i = 0; i < cl->n; i++)
        switch (cl->id[i]) {
        case COL_WIN: case COL_STREAM: case COL_RSEQ: case COL_RACK: case COL_WSCALE:
        case COL_ANALYSIS:
        /* whether tshark reads a TCP option may depend on the connection
         * (decode_tcp.c: a short SACK, SCPS) */
        case COL_TSVAL: case COL_TSECR: case COL_MSS:
            return 1;
        default:
            if (cl->id[i] >= COL_INFLIGHT && cl->id[i] <= COL_IRTT)
                return 1;
            break;
        }
    return 0;
}

/* #17 */
int columns_need_hwts(const struct column_list *cl)
{
    for (int i = 0; i < cl->n; i++)
        if (cl->id[i] == COL_HWTIME || cl->id[i] == COL_HWDEV || cl->id[i] == COL_HWPORT)
            return 1;
    return 0;
}

int columns_need_tcp_numbers(const struct column_list *cl)
{
    for (int i = 0; i < cl->n; i++)
        if (cl->id[i] >= COL_INFLIGHT && cl->id[i] <= COL_IRTT)
            return 1;
    return 0;
}

int field_is_null(enum col_id c, const struct row *r)
{
    switch (c) {
    case COL_LINKTYPE: return r->linktype == LINKTYPE_NONE_TEXT; /* not a packet */
    case COL_ANALYSIS: return r->analysis[0] == '\0';
    case COL_DATA: return r->payload_caplen == 0;
    /* #15 tunnels */
    case COL_TUNNEL: return r->tunnel == TUNNEL_NONE;
    case COL_TSRC: return r->tunnel == TUNNEL_NONE || !(r->tunnel_addrs & TUNNEL_HAS_SRC);
    case COL_TDEST: return r->tunnel == TUNNEL_NONE || !(r->tunnel_addrs & TUNNEL_HAS_DST);
    /* #18 */
    case COL_FILE: return 0;
    case COL_SMAC: return r->mac == NULL;
    case COL_DMAC: return r->mac == NULL || (r->present & HAS_NO_DMAC);
    case COL_ETHERTYPE: return !r->has_l2type;
    default: break; /* numbers: column_number; the default columns: default_column_enc */
    }
    return 1;
}

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

char tcp_flag_text[512][TCP_FLAGS_TEXT_MAX + 1];
uint8_t tcp_flag_len[512];
int tcp_flags_ready;

void tcp_flags_init(void)
{
    static const struct { uint16_t bit; const char *name; } order[] = {
        { TCP_NS, "NS" }, { TCP_CWR, "CWR" }, { TCP_ECE, "ECE" }, { TCP_URG, "URG" },
        { TCP_ACK, "ACK" }, { TCP_PSH, "PSH" }, { TCP_RST, "RST" }, { TCP_SYN, "SYN" },
        { TCP_FIN, "FIN" },
    };
    for (unsigned f = 0; f < 512; f++) {
        char *p = tcp_flag_text[f];
        for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
            if (!(f & order[i].bit))
                continue;
            if (p != tcp_flag_text[f])
                *p++ = '|';
            p = put_str(p, order[i].name);
        }
        tcp_flag_len[f] = (uint8_t)(p - tcp_flag_text[f]);
    }
    tcp_flags_ready = 1;
}

static const char hex_digit[] = "0123456789abcdef";

/* 0x and four lowercase hex digits, as Wireshark shows an Ethertype. */
static char *put_ethertype(char *p, uint16_t t)
{
    *p++ = '0';
    *p++ = 'x';
    for (int s = 12; s >= 0; s -= 4)
        *p++ = hex_digit[(t >> s) & 0xF];
    return p;
}

/* aa:bb:cc:dd:ee:ff */
static char *put_mac(char *p, const uint8_t *m)
{
    for (int i = 0; i < 6; i++) {
        if (i)
            *p++ = ':';
        *p++ = hex_digit[m[i] >> 4];
        *p++ = hex_digit[m[i] & 0xF];
    }
    return p;
}

char *protocol_code_text(char *p, uint32_t code)
{
    const char *name;
    uint32_t v = code & 0xFFFFFF;
    switch (code & 0xFF000000u) {
    case BPROTO_IP:
        if (v == IPPROTO_TCP_NUMBER) { /* the common case, without strlen */
            memcpy(p, "TCP", 3);
            return p + 3;
        }
        name = ipproto_name((uint8_t)v);
        return name ? put_str(p, name) : fmt_u64(p, v);
    case BPROTO_ETHERTYPE:
        name = ethertype_name((uint16_t)v);
        return name ? put_str(p, name) : put_ethertype(p, (uint16_t)v);
    default:
        return put_str(p, link_proto_name((enum link_proto)v));
    }
}

char *format_protocol_text(char *p, const struct row *r)
{
    return protocol_code_text(p, protocol_code(r));
}

uint32_t data_bytes(const struct row *r, const struct format_ctx *ctx)
{
    return r->payload_caplen < ctx->data_max ? r->payload_caplen : ctx->data_max;
}

char *format_protocol(char *p, const struct row *r)
{
    return (r->present & (HAS_IPPROTO | HAS_ETHTYPE | HAS_LLCNAME)) ? format_protocol_text(p, r) : p;
}

/* The text of optional column c, or nothing for a null: one switch, the
 * presence test inside each case. */
char *format_field(char *p, enum col_id c, const struct row *r, struct format_ctx *ctx)
{
    switch (c) {
    case COL_LINKTYPE: {
        if (r->linktype == LINKTYPE_NONE_TEXT)
            return p;
        const char *name = linktype_name(r->linktype);
        return name ? put_str(p, name) : fmt_u32(p, r->linktype);
    }
    case COL_ANALYSIS: return put_str(p, r->analysis);
    case COL_DATA: return fmt_hex(p, r->payload, data_bytes(r, ctx));
    /* #15 tunnels */
    case COL_TUNNEL: return put_str(p, tunnel_name(r->tunnel));
    case COL_TSRC: case COL_TDEST:
        if (field_is_null(c, r))
            return p;
        {
            const uint8_t *a = c == COL_TSRC ? r->tsrc : r->tdst;
            return r->tunnel_ipver == IPVER_4 ? fmt_ipv4(p, a) : fmt_ipv6(p, a);
        }
    /* #18 */
    case COL_FILE:
        memcpy(p, ctx->file, ctx->file_len);
        return p + ctx->file_len;
    case COL_SMAC: return r->mac ? put_mac(p, r->mac + 6) : p;
    case COL_DMAC: return field_is_null(c, r) ? p : put_mac(p, r->mac);
    case COL_ETHERTYPE: return r->has_l2type ? put_ethertype(p, r->l2type) : p;
    default: break; /* the default columns: batch values (columns_batch.h) */
    }
    return p;
}

void format_set_input(struct format_ctx *ctx, const char *sym, const char *path)
{
    ctx->sym = sym;
    ctx->sym_len = strlen(sym);
    ctx->sym_escape = q_needs_escape(sym, ctx->sym_len);
    ctx->input++;
    size_t n = strnlen(path, FILE_NAME_MAX);
    ctx->file = ctx->file_text;
    memcpy(ctx->file_text, path, n);
    ctx->file_len = n;
    ctx->text_len = ctx->sym_len + ctx->file_len;
}
