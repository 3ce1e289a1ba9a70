/* flows_summary.c: the --flows rows (README "Connection rows"). Side
 * "s" is the connection's src (the sender of its first packet seen: the
 * client when the SYN was captured), side "d" its dest. */
#include "flows_summary.h"
#include "qtext.h"
#include "fmt.h"
#include "qspan.h"

#include <string.h>

const struct column_def flows_columns[FLOWS_COLUMNS] = {
    { "stream", 'J' },   { "sym", 'S' },      { "src", 'S' },      { "srcport", 'I' },
    { "dest", 'S' },     { "destport", 'I' }, { "start", 'P' },    { "finish", 'P' },
    { "spkts", 'J' },    { "dpkts", 'J' },    { "sbytes", 'J' },   { "dbytes", 'J' },
    { "swire", 'J' },    { "dwire", 'J' },    { "synack", 'N' },   { "rtt", 'N' },
    { "swscale", 'I' },  { "dwscale", 'I' },  { "smss", 'I' },     { "dmss", 'I' },
    { "sminwin", 'J' },  { "dminwin", 'J' },  { "szerowin", 'J' }, { "dzerowin", 'J' },
    { "szwtime", 'N' },  { "dzwtime", 'N' },  { "sretrans", 'J' }, { "dretrans", 'J' },
    { "sdupack", 'J' },  { "ddupack", 'J' },  { "closer", 'S' },   { "end", 'S' },
    /* #16: per side, its segments' largest bytes in flight and the RTT of
     * the peer's ACKs of them */
    { "smaxflight", 'J' }, { "dmaxflight", 'J' }, { "srttmin", 'N' }, { "srttavg", 'N' },
    { "srttmax", 'N' },  { "drttmin", 'N' },  { "drttavg", 'N' },  { "drttmax", 'N' },
    { "srttn", 'J' },    { "drttn", 'J' },
};

/* Longest field: an IPv6 address or a timestamp; the sym is at most 200. */
#define FLOWS_FIELD_MAX 256

struct field {
    char text[FLOWS_FIELD_MAX];
    size_t len;
    int null;
};

static void set_u(struct field *f, uint64_t v) { f->len = (size_t)(fmt_u64(f->text, v) - f->text); }

static void set_s(struct field *f, const char *s, size_t n)
{
    if (n > sizeof f->text)
        n = sizeof f->text;
    memcpy(f->text, s, n);
    f->len = n;
}

static void set_addr(struct field *f, const struct flow *fl, int side)
{
    char *e = fl->ipver == IPVER_4 ? fmt_ipv4(f->text, fl->addr[side])
                                   : fmt_ipv6(f->text, fl->addr[side]);
    f->len = (size_t)(e - f->text);
}

static void set_time(struct field *f, struct format_ctx *ctx, int ok, int64_t sec, uint32_t ns)
{
    if (!ok || !fmt_time_in_q_range(sec, ns)) {
        f->null = 1;
        return;
    }
    f->len = (size_t)(fmt_time(f->text, &ctx->time, sec, ns) - f->text);
}

/* A negative duration (the clock went backwards) is shown as such, as the
 * packet columns ackrtt and irtt show it: q timespans may be negative. One
 * that q cannot hold (QSPAN_NULL, qspan.h) is null. */
static void set_span(struct field *f, int ok, int64_t ns)
{
    if (!ok || ns == QSPAN_NULL) {
        f->null = 1;
        return;
    }
    f->len = (size_t)(fmt_timespan(f->text, ns) - f->text);
}

static void set_wscale(struct field *f, int ws)
{
    if (ws == WSCALE_UNKNOWN)
        f->null = 1;
    else
        set_u(f, ws < 0 ? 0 : (uint64_t)ws);
}

/* #16: smaxflight .. drttn; maxflight null when no segment had bytes in
 * flight, the RTT figures when there was no sample. */
static void fill_numbers(struct field *v, const struct flow_summary *sm)
{
    for (int side = 0; side < 2; side++) {
        const struct flow_dir_stats *st = &sm->dir[side];
        if (st->maxflight)
            set_u(&v[side], st->maxflight);
        else
            v[side].null = 1;
        struct field *rtt = &v[2 + 3 * side];
        int ok = st->rttn != 0;
        set_span(&rtt[0], ok, st->rttmin);
        /* the mean of finite samples is finite: toward zero, as C's / */
        set_span(&rtt[1], ok, ok ? (int64_t)(st->rttsum / (__int128)st->rttn) : 0);
        set_span(&rtt[2], ok, st->rttmax);
        set_u(&v[8 + side], st->rttn);
    }
}

static const char *end_name(const struct flow_summary *fl, enum flow_end why)
{
    if (fl->dir[0].rst || fl->dir[1].rst)
        return "rst";
    if (fl->dir[0].fin && fl->dir[1].fin)
        return "fin";
    if (fl->dir[0].fin || fl->dir[1].fin)
        return "half_closed";
    switch (why) {
    case FLOW_END_EVICTED: return "evicted";
    case FLOW_END_REUSED: return "reused";
    default: return "open";
    }
}

static void fill(struct field *v, const struct flow *fl, const struct flow_summary *sm,
                 enum flow_end why, struct format_ctx *ctx)
{
    const struct flow_dir_stats *s = &sm->dir[0], *d = &sm->dir[1];
    memset(v, 0, FLOWS_COLUMNS * sizeof *v);
    set_u(&v[0], fl->stream);
    set_s(&v[1], ctx->sym, ctx->sym_len);
    set_addr(&v[2], fl, 0);
    set_u(&v[3], fl->port[0]);
    set_addr(&v[4], fl, 1);
    set_u(&v[5], fl->port[1]);
    set_time(&v[6], ctx, sm->has_time, sm->first_sec, sm->first_nsec);
    set_time(&v[7], ctx, sm->has_time, sm->last_sec, sm->last_nsec);
    set_u(&v[8], s->pkts);
    set_u(&v[9], d->pkts);
    set_u(&v[10], s->bytes);
    set_u(&v[11], d->bytes);
    set_u(&v[12], s->wire);
    set_u(&v[13], d->wire);
    /* a further row of a connection (packets after its row was written):
     * the handshake's figures are the first row's */
    set_span(&v[14], sm->has_synack_rtt && !sm->continued, sm->synack_rtt);
    set_span(&v[15], sm->first_rtt != 0 && !sm->continued, sm->first_rtt);
    set_wscale(&v[16], fl->dir[0].win_scale);
    set_wscale(&v[17], fl->dir[1].win_scale);
    if (s->has_mss && !sm->continued)
        set_u(&v[18], s->mss);
    else
        v[18].null = 1;
    if (d->has_mss && !sm->continued)
        set_u(&v[19], d->mss);
    else
        v[19].null = 1;
    if (s->has_minwin)
        set_u(&v[20], s->minwin);
    else
        v[20].null = 1;
    if (d->has_minwin)
        set_u(&v[21], d->minwin);
    else
        v[21].null = 1;
    set_u(&v[22], s->zerowin);
    set_u(&v[23], d->zerowin);
    /* a window still closed counts until that side's last packet */
    int64_t szw = qspan_add(s->zw_ns, s->at_zero ? qspan_between(sm->end_ns, sm->end_hi,
                                                                  s->zw_since, s->zw_since_hi) : 0);
    int64_t dzw = qspan_add(d->zw_ns, d->at_zero ? qspan_between(sm->end_ns, sm->end_hi,
                                                                  d->zw_since, d->zw_since_hi) : 0);
    set_span(&v[24], 1, szw);
    set_span(&v[25], 1, dzw);
    set_u(&v[26], s->retrans);
    set_u(&v[27], d->retrans);
    set_u(&v[28], s->dupack);
    set_u(&v[29], d->dupack);
    if (sm->closer < 0)
        v[30].null = 1;
    else
        set_s(&v[30], sm->closer == 0 ? "src" : "dest", sm->closer == 0 ? 3 : 4);
    const char *e = end_name(sm, why);
    set_s(&v[31], e, strlen(e));
    fill_numbers(v + 32, sm);
}

static void put(struct out *o, const char *s) { out_write(o, s, strlen(s)); }

static void csv_begin(struct writer *w)
{
    if (!w->header)
        return;
    for (int i = 0; i < FLOWS_COLUMNS; i++) {
        if (i)
            put(w->out, ",");
        put(w->out, flows_columns[i].name);
    }
    put(w->out, "\n");
}

static const char *flows_column(const void *ctx, int i, char *qtype)
{
    (void)ctx;
    *qtype = flows_columns[i].qtype;
    return flows_columns[i].name;
}

static void q_begin(struct writer *w)
{
    q_table_definition(w->out, "--flows", w->table, FLOWS_COLUMNS, flows_column, NULL);
}

static void no_end(struct writer *w) { (void)w; }

/* --publish: the same values, typed (batch_build.h). */
static void to_batch(struct writer *w, const struct field *v)
{
    int r = bb_row(w->batch, sizeof v[0].text * FLOWS_COLUMNS);
    if (r >= 0) {
        for (int i = 0; i < FLOWS_COLUMNS; i++)
            bb_set_parsed(w->batch, i, r, v[i].text, v[i].null ? 0 : v[i].len);
        bb_row_done(w->batch);
    }
    batch_writer_check(w);
}

void flows_on_end(struct writer *w, int q, const struct flow *f, const struct flow_summary *s,
                  enum flow_end why)
{
    if (!out_take_row(w->out))
        return;
    struct field v[FLOWS_COLUMNS];
    fill(v, f, s, why, w->fmt);
    if (w->batch) {
        to_batch(w, v);
        return;
    }
    /* + 3 * FLOWS_FIELD_MAX: a sym escaped in q (\ooo: 4 bytes for 1) */
    if (out_reserve(w->out, FLOWS_COLUMNS * (FLOWS_FIELD_MAX + 8) + 3 * FLOWS_FIELD_MAX + 64) != 0)
        return;
    char *p = out_cursor(w->out);
    if (q) {
        *p++ = '`';
        size_t n = strlen(w->table);
        memcpy(p, w->table, n);
        p += n;
        memcpy(p, " insert (", 9);
        p += 9;
    }
    for (int i = 0; i < FLOWS_COLUMNS; i++) {
        char t = flows_columns[i].qtype;
        if (i)
            *p++ = q ? ';' : ',';
        if (q && t == 'S') {
            memcpy(p, "`$\"", 3);
            p += 3;
        }
        if (q && v[i].null && t != 'S') {
            p = q_null_put(p, t);
            if (t == 'I') /* bare integers are longs */
                *p++ = 'i';
            continue;
        }
        if (q && t == 'S') {
            /* inside a q string: the sym may hold a backslash or a control
             * byte (--sym, the file name); no other S column can */
            for (size_t k = 0; !v[i].null && k < v[i].len; k++)
                p = q_string_byte(p, (unsigned char)v[i].text[k]);
        } else if (!v[i].null) {
            memcpy(p, v[i].text, v[i].len);
            p += v[i].len;
        }
        if (q && t == 'S')
            *p++ = '"';
        if (q && t == 'I')
            *p++ = 'i';
    }
    if (q)
        *p++ = ')';
    *p++ = '\n';
    out_advance(w->out, p);
}

const struct writer_ops flows_csv_writer_ops = { csv_begin, NULL, no_end, NULL, NULL };
const struct writer_ops flows_q_writer_ops = { q_begin, NULL, no_end, NULL, NULL };
