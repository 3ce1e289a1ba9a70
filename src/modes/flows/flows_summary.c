/* flows_summary.c: the --flows rows (README "Connection rows"), as typed
 * values (write_table.h writes them). Side "s" is the connection's src
 * (the sender of its first packet seen: the client when the SYN was
 * captured), side "d" its dest. */
#include "flows_summary.h"
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

/* How each column's values are held: counts, addresses and ports as they
 * are, times as Unix time, what may be missing in q's own types with their
 * nulls; the names are ours. */
static const uint8_t flows_encodings[FLOWS_COLUMNS] = {
    [0] = BENC_U64,                                     /* stream */
    [2] = BENC_ADDR, [3] = BENC_U16, [4] = BENC_ADDR, [5] = BENC_U16,
    [6] = BENC_UNIX_TIME, [7] = BENC_UNIX_TIME,         /* start, finish */
    [8] = BENC_U64, [9] = BENC_U64, [10] = BENC_U64,    /* spkts .. dwire */
    [11] = BENC_U64, [12] = BENC_U64, [13] = BENC_U64,
    [22] = BENC_U64, [23] = BENC_U64,                   /* szerowin, dzerowin */
    [26] = BENC_U64, [27] = BENC_U64, [28] = BENC_U64, [29] = BENC_U64,
    [40] = BENC_U64, [41] = BENC_U64,                   /* srttn, drttn */
};

void flows_column_encodings(struct mt_columns *cols)
{
    for (int i = 0; i < cols->n; i++)
        cols->col[i].enc = flows_encodings[cols->col[i].id];
}

/* A time, null unless ok and within q's range. */
static void set_time(struct batch_builder *bb, int c, int r, int ok, int64_t sec, uint32_t ns)
{
    if (ok && fmt_time_in_q_range(sec, ns))
        bb_set_time(bb, c, r, sec, ns);
    else
        bb_set_null(bb, c, r);
}

/* A negative duration (the clock went backwards) is shown as such, as the
 * packet columns ackrtt and irtt show it: q timespans may be negative. One
 * that q cannot hold (QSPAN_NULL, qspan.h, q's null) is null. */
static void set_span(struct batch_builder *bb, int c, int r, int ok, int64_t ns)
{
    bb_set_j(bb, c, r, ok ? ns : QSPAN_NULL);
}

/* A number of a q type with a null, null unless present. */
static void set_num(struct batch_builder *bb, int c, int r, int64_t v, int present)
{
    bb_set_num(bb, c, r, v, !present);
}

static void set_wscale(struct batch_builder *bb, int c, int r, int ws)
{
    set_num(bb, c, r, ws < 0 ? 0 : ws, ws != WSCALE_UNKNOWN);
}

static void set_name(struct batch_builder *bb, int c, int r, const char *s)
{
    bb_set_static(bb, c, r, s, strlen(s));
}

/* #16: smaxflight .. drttn (columns c ..); maxflight null when no segment
 * had bytes in flight, the RTT figures when there was no sample. */
static void set_numbers(struct batch_builder *bb, int c, int r, const struct flow_summary *sm)
{
    for (int side = 0; side < 2; side++) {
        const struct flow_dir_stats *st = &sm->dir[side];
        set_num(bb, c + side, r, (int64_t)st->maxflight, st->maxflight != 0);
        int rtt = c + 2 + 3 * side;
        int ok = st->rttn != 0;
        set_span(bb, rtt, r, ok, st->rttmin);
        /* the mean of finite samples is finite: toward zero, as C's / */
        set_span(bb, rtt + 1, r, ok, ok ? (int64_t)(st->rttsum / (__int128)st->rttn) : 0);
        set_span(bb, rtt + 2, r, ok, st->rttmax);
        bb_set_u64(bb, c + 8 + side, r, st->rttn);
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

void flows_row(struct table_writer *tw, const struct flow *fl, const struct flow_summary *sm,
               enum flow_end why, const struct format_ctx *ctx)
{
    int r = tw_row(tw, ctx->sym_len);
    if (r < 0)
        return;
    struct batch_builder *bb = tw->bb;
    const struct flow_dir_stats *s = &sm->dir[0], *d = &sm->dir[1];
    bb_set_u64(bb, 0, r, fl->stream);
    bb_set_ref(bb, 1, r, ctx->sym, ctx->sym_len);
    bb_set_addr(bb, 2, r, fl->addr[0], fl->ipver);
    bb_set_u16(bb, 3, r, fl->port[0]);
    bb_set_addr(bb, 4, r, fl->addr[1], fl->ipver);
    bb_set_u16(bb, 5, r, fl->port[1]);
    set_time(bb, 6, r, sm->has_time, sm->first_sec, sm->first_nsec);
    set_time(bb, 7, r, sm->has_time, sm->last_sec, sm->last_nsec);
    bb_set_u64(bb, 8, r, s->pkts);
    bb_set_u64(bb, 9, r, d->pkts);
    bb_set_u64(bb, 10, r, s->bytes);
    bb_set_u64(bb, 11, r, d->bytes);
    bb_set_u64(bb, 12, r, s->wire);
    bb_set_u64(bb, 13, r, d->wire);
    /* a further row of a connection (packets after its row was written):
     * the handshake's figures are the first row's */
    set_span(bb, 14, r, sm->has_synack_rtt && !sm->continued, sm->synack_rtt);
    set_span(bb, 15, r, sm->first_rtt != 0 && !sm->continued, sm->first_rtt);
    set_wscale(bb, 16, r, fl->dir[0].win_scale);
    set_wscale(bb, 17, r, fl->dir[1].win_scale);
    set_num(bb, 18, r, s->mss, s->has_mss && !sm->continued);
    set_num(bb, 19, r, d->mss, d->has_mss && !sm->continued);
    set_num(bb, 20, r, (int64_t)s->minwin, s->has_minwin);
    set_num(bb, 21, r, (int64_t)d->minwin, d->has_minwin);
    bb_set_u64(bb, 22, r, s->zerowin);
    bb_set_u64(bb, 23, r, d->zerowin);
    /* a window still closed counts until that side's last packet */
    int64_t szw = qspan_add(s->zw_ns, s->at_zero ? qspan_between(sm->end_ns, sm->end_hi,
                                                                  s->zw_since, s->zw_since_hi) : 0);
    int64_t dzw = qspan_add(d->zw_ns, d->at_zero ? qspan_between(sm->end_ns, sm->end_hi,
                                                                  d->zw_since, d->zw_since_hi) : 0);
    set_span(bb, 24, r, 1, szw);
    set_span(bb, 25, r, 1, dzw);
    bb_set_u64(bb, 26, r, s->retrans);
    bb_set_u64(bb, 27, r, d->retrans);
    bb_set_u64(bb, 28, r, s->dupack);
    bb_set_u64(bb, 29, r, d->dupack);
    if (sm->closer < 0)
        bb_set_null(bb, 30, r);
    else
        set_name(bb, 30, r, sm->closer == 0 ? "src" : "dest");
    set_name(bb, 31, r, end_name(sm, why));
    set_numbers(bb, 32, r, sm);
    tw_row_done(tw);
}
