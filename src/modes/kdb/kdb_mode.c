/* kdb_mode.c: the --kdb message table (kdb_mode.h). */
#include "kdb_mode.h"
#include "acktime.h"
#include "msg_columns.h"
#include "fmt.h"
#include "kdb_framer.h"
#include "reasm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kdb_col {
    KC_DIR = MSGC_COUNT, KC_USER, KC_MSGTYPE, KC_COMPRESSED, KC_LEN, KC_ULEN, KC_PTYPE, KC_FUNC,
    KC_TABLE, KC_ROWS, KC_QUERY, KC_ERROR, KC_LATENCY, KC_STATUS, KC_REASON,
    /* optional */
    KC_SEGS, KC_SKIPPED, KC_ACKTIME,
    KC_COUNT
};
#define KDB_DEFAULT_COLUMNS 24

static const struct column_def kdb_coldefs[KC_COUNT] = {
    MSG_COMMON_COLUMN_DEFS,
    [KC_DIR] = { "dir", 'S' },
    [KC_USER] = { "user", 'S' },           [KC_MSGTYPE] = { "msgtype", 'S' },
    [KC_COMPRESSED] = { "compressed", 'B' }, [KC_LEN] = { "len", 'J' },
    [KC_ULEN] = { "ulen", 'J' },           [KC_PTYPE] = { "ptype", 'H' },
    [KC_FUNC] = { "func", 'S' },           [KC_TABLE] = { "table", 'S' },
    [KC_ROWS] = { "rows", 'J' },           [KC_QUERY] = { "query", '*' },
    [KC_ERROR] = { "error", 'S' },         [KC_LATENCY] = { "latency", 'N' },
    [KC_STATUS] = { "status", 'S' },       [KC_REASON] = { "reason", 'S' },
    [KC_SEGS] = { "segs", 'I' },           [KC_SKIPPED] = { "skipped", 'J' },
    [KC_ACKTIME] = { "acktime", 'N' },
};

const struct column_def *kdb_mode_coldefs(int *n)
{
    *n = KC_COUNT;
    return kdb_coldefs;
}


struct kdb_mode {
    struct mode_opts o;
    struct mt_columns cols;
    struct mt_writer w;
    struct kdb_framer kf;
    struct reasm_framer fr;
    struct reasm ra;
    struct msg_time_caches tc;
    struct acktime *ack;       /* rows wait for their ACK: acktime is a column */
};

static int mode_columns(const struct mode_opts *o, struct mt_columns *cols, char *err,
                     size_t errlen)
{
    if (o->columns)
        return mt_columns_parse(cols, kdb_coldefs, KC_COUNT, o->columns, NULL, NULL, err, errlen);
    cols->n = 0;
    for (int i = 0; i < KDB_DEFAULT_COLUMNS; i++)
        mt_columns_add(cols, kdb_coldefs[i].name, kdb_coldefs[i].qtype, i);
    return 0;
}

/* ------------------------------------------------------------ rows -- */

static void text(struct mt_val *v, const char *s)
{
    v->kind = s && *s ? MV_TEXT : MV_NULL;
    v->p = s;
    v->n = s ? (uint32_t)strlen(s) : 0;
}

/* Wire text as it lies in the payload (a NUL byte inside it is text too:
 * each writer shows it as '?'); the writer copies it at once. */
static void wire(struct mt_val *v, const struct kdb_text *t, int present)
{
    v->kind = present && t->n > 0 ? MV_STR : MV_NULL;
    v->p = (const char *)t->p;
    v->n = present ? (uint32_t)t->n : 0;
}

static void wire_str(struct mt_val *v, const char *s)
{
    const struct kdb_text t = { (const uint8_t *)s, s ? strlen(s) : 0 };
    wire(v, &t, s != NULL);
}

/* Text of one value at p. */
static char *value(struct kdb_mode *m, const struct kdb_message *msg,
                   const struct msg_origin *o, int id, char *p, struct mt_val *v)
{
    if (id < MSGC_COUNT)
        return msg_common_value(id, o, &m->tc, m->o.fmt, p, v);
    const struct kdb_summary *sum = msg->sum;
    char *s = p;
    int ok = 1;
    v->kind = MV_TEXT;
    switch (id) {
    case KC_SEGS: p = fmt_u64(p, msg->segs); break;
    case KC_SKIPPED:
        if (!(ok = msg->skipped != 0))
            break;
        p = fmt_u64(p, msg->skipped);
        break;
    case KC_DIR: text(v, msg->c2s ? "c2s" : "s2c"); return p;
    case KC_USER: wire_str(v, msg->user); return p;
    case KC_MSGTYPE: text(v, msg->has_hdr ? kdb_msgtype_name(msg->hdr.msgtype) : NULL); return p;
    case KC_COMPRESSED:
        if (!(ok = msg->has_hdr))
            break;
        *p++ = msg->hdr.compressed ? '1' : '0';
        break;
    case KC_LEN:
        if (!(ok = msg->has_hdr))
            break;
        p = fmt_u64(p, msg->hdr.len);
        break;
    case KC_ULEN:
        if (!(ok = msg->ulen != 0))
            break;
        p = fmt_u64(p, msg->ulen);
        break;
    case KC_PTYPE:
        if (!(ok = sum->ptype != KDB_PTYPE_NONE))
            break;
        p = fmt_i64(p, sum->ptype);
        break;
    case KC_FUNC: wire(v, &sum->func, (sum->has & KDB_HAS_FUNC) != 0); return p;
    case KC_TABLE: wire(v, &sum->table, (sum->has & KDB_HAS_TABLE) != 0); return p;
    case KC_QUERY: wire(v, &sum->query, (sum->has & KDB_HAS_QUERY) != 0); return p;
    case KC_ERROR: wire(v, &sum->error, (sum->has & KDB_HAS_ERROR) != 0); return p;
    case KC_ROWS:
        if (!(ok = (sum->has & KDB_HAS_ROWS) != 0))
            break;
        p = fmt_i64(p, sum->rows);
        break;
    case KC_LATENCY:
        if (!(ok = msg->has_latency))
            break;
        p = fmt_timespan(p, msg->latency);
        break;
    case KC_STATUS: text(v, kdb_status_name(msg->status)); return p;
    /* Reasons are English text that may hold ',' ("compression flag not 0,
     * 1 or 2"): written as a string value, which CSV quotes when needed. */
    case KC_REASON: wire_str(v, msg->reason); return p;
    default: ok = 0; break;
    }
    if (!ok) {
        v->kind = MV_NULL;
        return s;
    }
    v->p = s;
    v->n = (uint32_t)(p - s);
    return p;
}

static void on_message(void *ctx, const struct kdb_message *msg)
{
    struct kdb_mode *m = ctx;
    if (!out_in_window(m->w.out, msg->last->has_time, msg->last->ts_sec, msg->last->ts_nsec))
        return; /* --from/--to: the message's time */
    struct mt_val vals[MT_MAX_COLS];
    char scratch[MT_MAX_COLS * 64];
    char *p = scratch;
    const struct flow *f = msg->flow;
    const struct msg_origin origin = { msg->first, msg->last, f->addr[msg->dir],
                                       f->addr[!msg->dir], f->ipver, f->port[msg->dir],
                                       f->port[!msg->dir], f->stream };
    for (int c = 0; c < m->cols.n; c++)
        p = value(m, msg, &origin, m->cols.col[c].id, p, &vals[c]);
    if (m->ack)
        acktime_row(m->ack, vals, msg->flow->stream, msg->dir, msg->end_seq,
                    reasm_pkt_qtime(msg->last), msg->last->has_time);
    else
        mt_row(&m->w, vals);
}

/* ------------------------------------------------------------ hooks -- */

static void reassemble(struct kdb_mode *m, struct row *r, struct flow *f, int dir)
{
    struct reasm_pkt pkt = { r->frame, r->ts_sec, r->ts_nsec, (r->present & HAS_TIME) != 0 };
    reasm_packet(&m->ra, f, dir, r, &pkt);
}

/* With acktime: then the packet's ACK settles held rows. Out of line so
 * that mode_packet stays as lean as without it. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void held_packet(struct kdb_mode *m, struct row *r, struct flow *f, int dir)
{
    if (f)
        reassemble(m, r, f, dir);
    acktime_packet(m->ack, r, f != NULL, f ? f->stream : 0, dir);
}

static void mode_packet(void *ctx, struct row *r, struct flow *f, int dir)
{
    struct kdb_mode *m = ctx;
    if (m->ack)
        held_packet(m, r, f, dir);
    else if (f)
        reassemble(m, r, f, dir);
}

/* A packet the filters drop: only acktime's clock sees it. */
static void mode_clock(void *ctx, const struct row *r)
{
    struct kdb_mode *m = ctx;
    if (m->ack)
        acktime_clock(m->ack, r);
}

/* Messages are written as they are framed: nothing is held at the end of an
 * input once the driver has ended its connections, but rows waiting for
 * their ACK (acktime). */
static void mode_end_input(void *ctx)
{
    struct kdb_mode *m = ctx;
    if (m->ack)
        acktime_flush(m->ack);
}

static void mode_evict(void *ctx, struct flow *f)
{
    struct kdb_mode *m = ctx;
    reasm_flow_end(&m->ra, f);
    if (m->ack)
        acktime_stream_end(m->ack, f->stream);
}

static void *mode_create(const struct mode_opts *o, char *err, size_t errlen)
{
    struct kdb_mode *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->o = *o;
    if (mode_columns(o, &m->cols, err, errlen) != 0) {
        free(m);
        return NULL;
    }
    m->w = (struct mt_writer){ .out = o->out, .cols = &m->cols, .q = o->q, .header = o->header,
                               .table = o->table, .bb = o->batch };
    for (int c = 0; c < m->cols.n; c++)
        if (m->cols.col[c].id == KC_ACKTIME && !(m->ack = acktime_new(&m->w, c))) {
            free(m);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
    m->kf.on_message = on_message;
    m->kf.ctx = m;
    if (kdb_reasm_framer(&m->kf, &m->fr) != 0) {
        acktime_free(m->ack);
        free(m);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    reasm_init(&m->ra, &m->fr, REASM_DEFAULT_BUDGET);
    return m;
}

static void mode_begin(void *ctx)
{
    struct kdb_mode *m = ctx;
    mt_begin(&m->w);
}

static void mode_pause(void *ctx)
{
    struct kdb_mode *m = ctx;
    mt_pause(&m->w);
}

static void mode_end(void *ctx)
{
    struct kdb_mode *m = ctx;
    mt_end(&m->w);
}

static void mode_free(void *ctx)
{
    struct kdb_mode *m = ctx;
    if (!m)
        return;
    kdb_framer_free(&m->kf);
    acktime_free(m->ack);
    free(m);
}

static void mode_stats(void *ctx, FILE *f)
{
    struct kdb_mode *m = ctx;
    reasm_stats_print(&m->ra, f);
    if (m->ack)
        acktime_stats_print(m->ack, f);
}

const struct mode_ops kdb_mode_ops = {
    .name = "kdb",
    .help = "one row per kdb+ IPC message instead of per packet",
    .columns = mode_columns,
    .create = mode_create,
    .begin = mode_begin,
    .packet = mode_packet,
    .clock = mode_clock,
    .end_input = mode_end_input,
    .pause = mode_pause,
    .evict = mode_evict,
    .end = mode_end,
    .free = mode_free,
    .stats = mode_stats,
};
