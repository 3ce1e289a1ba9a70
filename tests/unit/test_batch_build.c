/* The batch builder (output/batch_build.h): typed values as set, q nulls,
 * hand-over when full, on pause, and when the text arena is full (the
 * arena never moves under rows). Expected values are computed here by
 * hand: 2020.05.14 is day 7439 after 2000.01.01. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "batch_build.h"
#include "unit_main.h"

static const struct table_column cols[] = {
    { "time", 'P', 0, 0, 0 }, { "sym", 'S', 0, 0, 0 }, { "port", 'I', 0, 0, 0 },
    { "n", 'J', 0, 0, 0 },
    { "rtt", 'N', 0, 0, 0 }, { "px", 'F', 0, 0, 0 }, { "ok", 'B', 0, 0, 0 },
    { "h", 'H', 0, 0, 0 },
};
static const struct table_schema schema = { "t", 8, cols };

struct got {
    int batches, rows;
    int64_t time0, rtt0, n0;
    int32_t port0;
    int16_t h0;
    double px0;
    uint8_t ok0;
    char sym0[32];
    uint32_t sym0_len;
    int fail;
};

static int take(void *ctx, const struct batch *b)
{
    struct got *g = ctx;
    if (g->batches++ == 0) {
        g->time0 = b->col[0].j[0];
        memcpy(g->sym0, b->col[1].s[0].p, b->col[1].s[0].n);
        g->sym0_len = b->col[1].s[0].n;
        g->port0 = b->col[2].i[0];
        g->n0 = b->col[3].j[0];
        g->rtt0 = b->col[4].j[0];
        g->px0 = b->col[5].f[0];
        g->ok0 = b->col[6].b[0];
        g->h0 = b->col[7].h[0];
    }
    g->rows += b->nrows;
    return g->fail;
}

/* A row of the schema's eight columns: each value, or its q null. */
struct vals {
    int64_t time, n, rtt;
    const char *sym;
    int32_t port;
    double px;
    int ok, h;
};

static void put_row(struct batch_builder *bb, const struct vals *v, int null, size_t text)
{
    int r = bb_row(bb, text);
    ck_assert_int_ge(r, 0);
    if (null) {
        for (int c = 0; c < 8; c++)
            bb_set_null(bb, c, r);
    } else {
        bb_set_j(bb, 0, r, v->time);
        bb_set_text(bb, 1, r, v->sym, strlen(v->sym));
        bb_set_num(bb, 2, r, v->port, 0);
        bb_set_num(bb, 3, r, v->n, 0);
        bb_set_num(bb, 4, r, v->rtt, 0);
        bb_set_float(bb, 5, r, v->px);
        bb_set_num(bb, 6, r, v->ok, 0);
        bb_set_num(bb, 7, r, v->h, 0);
    }
    bb_row_done(bb);
}

START_TEST(typed_values)
{
    struct batch_builder bb;
    struct got g = { 0 };
    ck_assert_int_eq(bb_init(&bb, &schema, 10, take, &g), 0);
    const struct vals v = { bb_q_time(1589458202, 639526001), -42, 1000123456, "feed", 5001,
                            12.5, 1, 7 };
    put_row(&bb, &v, 0, 64);
    ck_assert_int_eq(g.batches, 0); /* not full, not paused */
    ck_assert_int_eq(bb_pause(&bb), 0);
    ck_assert_int_eq(g.batches, 1);
    /* 2020.05.14 is day 7439 after 2000.01.01 */
    int64_t want = (int64_t)7439 * 86400000000000 +
                   ((12 * 60 + 10) * 60 + 2) * (int64_t)1000000000 + 639526001;
    ck_assert_int_eq(g.time0, want);
    ck_assert_uint_eq(g.sym0_len, 4);
    ck_assert(memcmp(g.sym0, "feed", 4) == 0);
    ck_assert_int_eq(g.port0, 5001);
    ck_assert_int_eq(g.n0, -42);
    ck_assert_int_eq(g.rtt0, 1000123456);
    ck_assert(g.px0 == 12.5);
    ck_assert_int_eq(g.ok0, 1);
    ck_assert_int_eq(g.h0, 7);
    ck_assert_int_eq(bb_pause(&bb), 0); /* nothing waits: nothing handed over */
    ck_assert_int_eq(g.batches, 1);
    bb_free(&bb);
}
END_TEST

START_TEST(nulls_are_q_nulls)
{
    struct batch_builder bb;
    struct got g = { 0 };
    ck_assert_int_eq(bb_init(&bb, &schema, 10, take, &g), 0);
    put_row(&bb, NULL, 1, 0);
    bb_pause(&bb);
    ck_assert_int_eq(g.time0, INT64_MIN);
    ck_assert_uint_eq(g.sym0_len, 0);
    ck_assert_int_eq(g.port0, INT32_MIN);
    ck_assert_int_eq(g.n0, INT64_MIN);
    ck_assert_int_eq(g.rtt0, INT64_MIN);
    ck_assert(isnan(g.px0));
    ck_assert_int_eq(g.ok0, 0);
    ck_assert_int_eq(g.h0, INT16_MIN);
    bb_free(&bb);
}
END_TEST

START_TEST(full_batches_and_failure)
{
    struct batch_builder bb;
    struct got g = { 0 };
    ck_assert_int_eq(bb_init(&bb, &schema, 3, take, &g), 0);
    const struct vals v = { 0, 2, 0, "a", 1, 0.0, 0, 0 };
    for (int i = 0; i < 7; i++)
        put_row(&bb, &v, 0, 8);
    ck_assert_int_eq(g.batches, 2); /* 3 + 3, one row waits */
    ck_assert_int_eq(g.rows, 6);
    g.fail = 1;
    ck_assert_int_eq(bb_pause(&bb), -1);
    ck_assert_int_eq(g.rows, 7);
    ck_assert_int_eq(bb_row(&bb, 8), -1); /* no more rows after a failure */
    ck_assert_int_eq(bb.no_memory, 0);
    bb_free(&bb);
}
END_TEST

/* Text that does not fit the arena: the rows before it are handed over
 * first (their text is not moved), then the empty arena grows. */
START_TEST(arena_full_hands_over)
{
    struct batch_builder bb;
    struct got g = { 0 };
    ck_assert_int_eq(bb_init(&bb, &schema, 100, take, &g), 0);
    const struct vals v = { 0, 0, 0, "first", 0, 0.0, 0, 0 };
    put_row(&bb, &v, 0, 8);
    int r = bb_row(&bb, BB_ARENA_START + 10);
    ck_assert_int_eq(r, 0);
    ck_assert_int_eq(g.batches, 1);
    ck_assert_uint_eq(g.sym0_len, 5);
    ck_assert(memcmp(g.sym0, "first", 5) == 0);
    ck_assert_uint_ge(bb.b.arena_cap, BB_ARENA_START + 10);
    char *p = bb_text_room(&bb);
    memset(p, 'x', BB_ARENA_START + 10);
    bb_text_done(&bb, 1, r, BB_ARENA_START + 10);
    for (int c = 0; c < 8; c++)
        if (c != 1)
            bb_set_null(&bb, c, r);
    bb_row_done(&bb);
    ck_assert_uint_eq(bb.b.col[1].s[0].n, BB_ARENA_START + 10);
    bb_free(&bb);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("batch_build");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, typed_values);
    tcase_add_test(tc, nulls_are_q_nulls);
    tcase_add_test(tc, full_batches_and_failure);
    tcase_add_test(tc, arena_full_hands_over);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
