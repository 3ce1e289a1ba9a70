/* Unit tests for the table writer (src/output/write_table.c): a mode's
 * typed rows as CSV and as a q script, written to a temporary file; and
 * a row held apart from its batch (bb_row_save / bb_row_load). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_build.h"
#include "msgtab.h"
#include "out.h"
#include "unit_main.h"
#include "write_table.h"

static struct out out;
static struct mt_columns cols;
static struct table_writer tw;
static FILE *tmp;
static char text[1 << 16];

/* Columns: seq (J, decimal text), px (F, decimal text), ok (B), who (S,
 * wire text), t (P, Unix time). */
static void open_writer(int q)
{
    tmp = tmpfile();
    ck_assert_ptr_nonnull(tmp);
    ck_assert_int_eq(out_init(&out, fileno(tmp), "tmp"), 0);
    out.max_rows = UINT64_MAX;
    cols.n = 0;
    mt_columns_add(&cols, "seq", 'J', 0);
    mt_columns_add(&cols, "px", 'F', 1);
    mt_columns_add(&cols, "ok", 'B', 2);
    mt_columns_add(&cols, "who", 'S', 3);
    mt_columns_add(&cols, "t", 'P', 4);
    cols.col[0].enc = cols.col[1].enc = BENC_DECIMAL;
    cols.col[3].wire_text = 1;
    cols.col[4].enc = BENC_UNIX_TIME;
    ck_assert_int_eq(tw_open(&tw, &cols, "t", &out, q, 1, NULL), 0);
}

static void close_writer(void)
{
    tw_free(&tw);
    out_free(&out);
    fclose(tmp);
}

/* Everything written so far, after the q table's definition lines. */
static const char *written(void)
{
    out_flush(&out);
    unit_file_text(tmp, text, sizeof text);
    const char *insert = strstr(text, "`t insert");
    return insert ? insert : text;
}

/* One row; ok < 0: null; t_sec < 0: null. */
static void row(const char *seq, const char *px, int ok, const char *who, size_t who_n,
                int64_t t_sec)
{
    int r = tw_row(&tw, 0);
    ck_assert_int_ge(r, 0);
    bb_set_ref(tw.bb, 0, r, seq, strlen(seq));
    bb_set_ref(tw.bb, 1, r, px, strlen(px));
    if (ok < 0)
        bb_set_null(tw.bb, 2, r);
    else
        bb_set_b(tw.bb, 2, r, ok);
    bb_set_wire(tw.bb, 3, r, who, who_n);
    if (t_sec < 0)
        bb_set_null(tw.bb, 4, r);
    else
        bb_set_time(tw.bb, 4, r, t_sec, 5);
    tw_row_done(&tw);
}

START_TEST(csv_prints_decimals_as_sent_and_escapes_wire_text)
{
    open_writer(0);
    tw_begin(&tw);
    row("0001", "-0.5", 1, "a,b", 3, 946684800);
    row("", "", -1, "x\0y", 3, -1);
    ck_assert_str_eq(written(), "seq,px,ok,who,t\n"
                                "0001,-0.5,1,\"a,b\",2000.01.01D00:00:00.000000005\n"
                                ",,,x?y,\n");
    close_writer();
}
END_TEST

START_TEST(q_script_gives_a_float_its_dot_and_nulls_their_type)
{
    open_writer(1);
    tw_begin(&tw);
    row("0001", "100", 0, "a\"b", 3, 946684800);
    row("", "", -1, "x\0y", 3, -1);
    tw_pause(&tw);
    const char *t = written();
    ck_assert_msg(strstr(t, "0001 0N") != NULL, "seq: %s", t);
    ck_assert_msg(strstr(t, "100. 0n") != NULL, "px: %s", t);
    ck_assert_msg(strstr(t, "\"a\\\"b\";\"x?y\"") != NULL, "who: %s", t);
    ck_assert_msg(strstr(t, "2000.01.01D00:00:00.000000005 0Np") != NULL, "t: %s", t);
    close_writer();
}
END_TEST

START_TEST(a_saved_row_loads_as_it_was)
{
    open_writer(0);
    tw_begin(&tw);
    int r = tw_row_staged(&tw, 0);
    bb_set_ref(tw.bb, 0, r, "42", 2);
    bb_set_ref(tw.bb, 1, r, "1.25", 4);
    bb_set_null(tw.bb, 2, r);
    bb_set_wire(tw.bb, 3, r, "who", 3);
    bb_set_time(tw.bb, 4, r, 946684801, 0);
    size_t n = bb_row_size(&tw.bb->b, r);
    char *saved = malloc(n);
    ck_assert_ptr_nonnull(saved);
    bb_row_save(&tw.bb->b, r, saved);
    bb_row_cancel(tw.bb);
    ck_assert_uint_eq(bb_row_text(&tw.bb->b, saved), 2 + 4 + 3);
    ck_assert_str_eq(written(), "seq,px,ok,who,t\n"); /* nothing written yet */
    r = tw_row(&tw, bb_row_text(&tw.bb->b, saved));
    bb_row_load(tw.bb, r, saved);
    tw_row_done(&tw);
    ck_assert_str_eq(written(), "seq,px,ok,who,t\n42,1.25,,who,2000.01.01D00:00:01.000000000\n");
    free(saved);
    close_writer();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("write_table");
    TCase *tc = tcase_create("write_table");
    tcase_add_test(tc, csv_prints_decimals_as_sent_and_escapes_wire_text);
    tcase_add_test(tc, q_script_gives_a_float_its_dot_and_nulls_their_type);
    tcase_add_test(tc, a_saved_row_loads_as_it_was);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
