/* kdb_mode.c: the --kdb message table (kdb_mode.h). */
#include "kdb_mode.h"
#include "acktime.h"
#include "msg_columns.h"
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
    struct table_writer w;
    struct kdb_framer kf;
    struct reasm_framer fr;
    struct reasm ra;
    struct acktime *ack;       /* rows wait for their ACK: acktime is a column */
};

/* How column id's values are held: wire text as it came, our own names
 * as text, numbers in q's own types. */
static void column_encoding(struct mt_col *c)
{
    switch (c->id) {
    case KC_USER: case KC_FUNC: case KC_TABLE: case KC_QUERY: case KC_ERROR:
    /* Reasons are English text that may hold ',' ("compression flag not 0,
     * 1 or 2"): written as wire text, which CSV quotes when needed. */
    case KC_REASON:
        c->wire_text = 1;
        break;
    case KC_SEGS: c->enc = BENC_U32; break;
    default:
        if (c->id < MSGC_COUNT)
            c->enc = msg_common_encoding(c->id);
        break;
    }
}

static int mode_columns(const struct mode_opts *o, struct mt_columns *cols, char *err,
                     size_t errlen)
{
    if (o->columns) {
        if (mt_columns_parse(cols, kdb_coldefs, KC_COUNT, o->columns, NULL, NULL, err,
                             errlen) != 0)
            return -1;
    } else {
        cols->n = 0;
        for (int i = 0; i < KDB_DEFAULT_COLUMNS; i++)
            mt_columns_add(cols, kdb_coldefs[i].name, kdb_coldefs[i].qtype, i);
    }
    for (int i = 0; i < cols->n; i++)
        column_encoding(&cols->col[i]);
    return 0;
}

/* ------------------------------------------------------------ rows -- */

/* Wire text as it lies in the payload (a NUL byte inside it is text too:
 * each writer shows it as '?'); absent: null. */
static void wire(struct batch_builder *bb, int c, int r, const struct kdb_text *t, int present)
{
    bb_set_wire(bb, c, r, (const char *)t->p, present ? t->n : 0);
}

static size_t text_len(const char *s) { return s ? strlen(s) : 0; }

/* A name of ours (a static string), or null. */
static void name(struct batch_builder *bb, int c, int r, const char *s)
{
    bb_set_static(bb, c, r, s ? s : "", text_len(s));
}

/* A number, or null unless present. */
static void number(struct batch_builder *bb, int c, int r, int64_t v, int present)
{
    bb_set_num(bb, c, r, v, !present);
}

/* Sets column c of row r, the value of column id. */
static void value(struct kdb_mode *m, const struct kdb_message *msg, const struct msg_origin *o,
                  int id, struct batch_builder *bb, int c, int r)
{
    if (id < MSGC_COUNT) {
        msg_common_set(bb, c, r, id, o, m->o.fmt);
        return;
    }
    const struct kdb_summary *sum = msg->sum;
    switch (id) {
    case KC_SEGS: bb_set_u32(bb, c, r, msg->segs); break;
    case KC_SKIPPED: number(bb, c, r, (int64_t)msg->skipped, msg->skipped != 0); break;
    case KC_DIR: name(bb, c, r, msg->c2s ? "c2s" : "s2c"); break;
    case KC_USER: bb_set_wire(bb, c, r, msg->user, text_len(msg->user)); break;
    case KC_MSGTYPE:
        name(bb, c, r, msg->has_hdr ? kdb_msgtype_name(msg->hdr.msgtype) : NULL);
        break;
    case KC_COMPRESSED:
        if (msg->has_hdr)
            number(bb, c, r, msg->hdr.compressed != 0, 1);
        else
            bb_set_null(bb, c, r);
        break;
    case KC_LEN: number(bb, c, r, (int64_t)msg->hdr.len, msg->has_hdr); break;
    case KC_ULEN: number(bb, c, r, (int64_t)msg->ulen, msg->ulen != 0); break;
    case KC_PTYPE: number(bb, c, r, sum->ptype, sum->ptype != KDB_PTYPE_NONE); break;
    case KC_FUNC: wire(bb, c, r, &sum->func, (sum->has & KDB_HAS_FUNC) != 0); break;
    case KC_TABLE: wire(bb, c, r, &sum->table, (sum->has & KDB_HAS_TABLE) != 0); break;
    case KC_QUERY: wire(bb, c, r, &sum->query, (sum->has & KDB_HAS_QUERY) != 0); break;
    case KC_ERROR: wire(bb, c, r, &sum->error, (sum->has & KDB_HAS_ERROR) != 0); break;
    case KC_ROWS: number(bb, c, r, sum->rows, (sum->has & KDB_HAS_ROWS) != 0); break;
    case KC_LATENCY: number(bb, c, r, msg->latency, msg->has_latency); break;
    case KC_STATUS: name(bb, c, r, kdb_status_name(msg->status)); break;
    case KC_REASON: bb_set_wire(bb, c, r, msg->reason, text_len(msg->reason)); break;
    default: bb_set_null(bb, c, r); break; /* KC_ACKTIME: acktime.c sets it */
    }
}

/* Bytes of text a message's row may copy (bb_row's text_max). */
static size_t row_text(const struct kdb_mode *m, const struct kdb_message *msg)
{
    const struct kdb_summary *sum = msg->sum;
    return m->o.fmt->sym_len + text_len(msg->user) + text_len(msg->reason) + sum->func.n +
           sum->table.n + sum->query.n + sum->error.n;
}

static void on_message(void *ctx, const struct kdb_message *msg)
{
    struct kdb_mode *m = ctx;
    if (!out_in_window(m->w.out, msg->last->has_time, msg->last->ts_sec, msg->last->ts_nsec))
        return; /* --from/--to: the message's time */
    const struct flow *f = msg->flow;
    const struct msg_origin origin = { msg->first, msg->last, f->addr[msg->dir],
                                       f->addr[!msg->dir], f->ipver, f->port[msg->dir],
                                       f->port[!msg->dir], f->stream };
    size_t text = row_text(m, msg);
    int r = m->ack ? acktime_row_begin(m->ack, text) : tw_row(&m->w, text);
    if (r < 0)
        return;
    for (int c = 0; c < m->cols.n; c++)
        value(m, msg, &origin, m->cols.col[c].id, m->w.bb, c, r);
    if (m->ack)
        acktime_row(m->ack, r, msg->flow->stream, msg->dir, msg->end_seq,
                    reasm_pkt_qtime(msg->last), msg->last->has_time);
    else
        tw_row_done(&m->w);
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
    if (tw_open(&m->w, &m->cols, o->table, o->out, o->q, o->header, o->batch) != 0) {
        free(m);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int c = 0; c < m->cols.n; c++)
        if (m->cols.col[c].id == KC_ACKTIME && !(m->ack = acktime_new(&m->w, c))) {
            tw_free(&m->w);
            free(m);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
    m->kf.on_message = on_message;
    m->kf.ctx = m;
    if (kdb_reasm_framer(&m->kf, &m->fr) != 0) {
        acktime_free(m->ack);
        tw_free(&m->w);
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
    tw_begin(&m->w);
}

static void mode_pause(void *ctx)
{
    struct kdb_mode *m = ctx;
    tw_pause(&m->w);
}

static void mode_end(void *ctx)
{
    struct kdb_mode *m = ctx;
    tw_end(&m->w);
}

static void mode_free(void *ctx)
{
    struct kdb_mode *m = ctx;
    if (!m)
        return;
    kdb_framer_free(&m->kf);
    acktime_free(m->ack);
    tw_free(&m->w);
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
