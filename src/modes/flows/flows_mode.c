/* flows_mode.c: --flows as a table mode (mode.h): one row per TCP
 * connection, written when the flow table ends its record (flow_end); the
 * packets themselves give no rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flows_summary.h"
#include "mode.h"

struct flows_mode {
    struct mt_columns cols;
    struct table_writer w;
    const struct format_ctx *fmt; /* the sym */
};

static int flows_columns_of(const struct mode_opts *o, struct mt_columns *cols, char *err,
                            size_t errlen)
{
    if (o->columns) {
        snprintf(err, errlen, "--columns does not apply to --flows (its columns are fixed)");
        return -1;
    }
    cols->n = 0;
    for (int i = 0; i < FLOWS_COLUMNS; i++)
        mt_columns_add(cols, flows_columns[i].name, flows_columns[i].qtype, i);
    flows_column_encodings(cols);
    return 0;
}

static void *flows_create(const struct mode_opts *o, char *err, size_t errlen)
{
    struct flows_mode *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    flows_columns_of(o, &m->cols, err, errlen);
    if (tw_open(&m->w, &m->cols, o->table, o->out, o->q, o->header, o->batch) != 0) {
        free(m);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* the rows are few: each its own insert statement */
    m->w.row_statements = 1;
    m->w.mode_option = "--flows";
    m->fmt = o->fmt;
    return m;
}

static void flows_begin(void *ctx)
{
    struct flows_mode *m = ctx;
    tw_begin(&m->w);
}

static void flows_packet(void *ctx, struct row *r, struct flow *f, int dir)
{
    (void)ctx, (void)r, (void)f, (void)dir; /* rows come from flow_end */
}

static void flows_nothing(void *ctx) { (void)ctx; }

static void flows_evict(void *ctx, struct flow *f) { (void)ctx, (void)f; }

static void flows_flow_end(void *ctx, const struct flow *f, const struct flow_summary *s,
                           enum flow_end why)
{
    struct flows_mode *m = ctx;
    flows_row(&m->w, f, s, why, m->fmt);
}

static void flows_end(void *ctx)
{
    struct flows_mode *m = ctx;
    tw_end(&m->w);
}

static void flows_free(void *ctx)
{
    struct flows_mode *m = ctx;
    if (!m)
        return;
    tw_free(&m->w);
    free(m);
}

const struct mode_ops flows_mode_ops = {
    .name = "flows",
    .help = "one row per TCP connection instead of one per packet",
    .columns = flows_columns_of,
    .create = flows_create,
    .begin = flows_begin,
    .packet = flows_packet,
    .end_input = flows_nothing,
    .evict = flows_evict,
    .flow_end = flows_flow_end,
    .end = flows_end,
    .free = flows_free,
};
