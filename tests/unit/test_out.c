/* Unit tests for the output buffer's pieces (out_write_pieces): text in
 * pieces reaches the file in order, after what was buffered, whether it is
 * copied (small, or a sink) or written where it lies (large). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "unit_main.h"

/* Big enough to be written where it lies. */
#define BIG (300u << 10)

static char *file_text(FILE *f, size_t *n)
{
    fflush(f);
    long len = ftell(f);
    char *s = malloc((size_t)len + 1);
    rewind(f);
    *n = fread(s, 1, (size_t)len, f);
    return s;
}

/* Writes "head", then pieces a, b (BIG bytes of a pattern), c; checks the
 * file holds exactly that. */
static void check_pieces(size_t big)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    struct out o;
    ck_assert_int_eq(out_init(&o, fileno(f), "tmp"), 0);
    char *b = malloc(big);
    for (size_t i = 0; i < big; i++)
        b[i] = (char)('a' + i % 26);
    out_write(&o, "head", 4);
    struct out_pieces ps;
    out_pieces_begin(&ps);
    out_piece(&ps, "<", 1);
    out_piece(&ps, "", 0); /* nothing: no piece */
    out_piece(&ps, b, big);
    out_piece(&ps, ">\n", 2);
    ck_assert_int_eq(ps.n, 3);
    ck_assert_uint_eq(ps.total, big + 3);
    out_write_pieces(&o, &ps);
    ck_assert_int_eq(ps.n, 0);
    out_write(&o, "tail", 4);
    ck_assert_int_eq(out_flush(&o), 0);
    size_t n;
    char *got = file_text(f, &n);
    ck_assert_uint_eq(n, 4 + 1 + big + 2 + 4);
    ck_assert_int_eq(memcmp(got, "head<", 5), 0);
    ck_assert_int_eq(memcmp(got + 5, b, big), 0);
    ck_assert_int_eq(memcmp(got + 5 + big, ">\ntail", 6), 0);
    free(got);
    free(b);
    out_free(&o);
    fclose(f);
}

START_TEST(small_pieces_are_copied_in_order)
{
    check_pieces(1000);
}
END_TEST

START_TEST(large_pieces_are_written_in_order)
{
    check_pieces(BIG);
}
END_TEST

static char sunk[BIG + 64];
static size_t sunk_len;
static int sink(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    ck_assert_uint_le(sunk_len + n, sizeof sunk);
    memcpy(sunk + sunk_len, p, n);
    sunk_len += n;
    return 0;
}

START_TEST(a_sink_gets_large_pieces_too)
{
    struct out o;
    ck_assert_int_eq(out_init(&o, -1, "sink"), 0);
    o.sink = sink;
    static char b[BIG];
    memset(b, 'x', sizeof b);
    struct out_pieces ps;
    out_pieces_begin(&ps);
    out_piece(&ps, "[", 1);
    out_piece(&ps, b, sizeof b);
    out_piece(&ps, "]", 1);
    out_write_pieces(&o, &ps);
    ck_assert_int_eq(out_flush(&o), 0);
    ck_assert_uint_eq(sunk_len, BIG + 2);
    ck_assert_int_eq(sunk[0], '[');
    ck_assert_int_eq(sunk[BIG + 1], ']');
    ck_assert_int_eq(sunk[BIG / 2], 'x');
    out_free(&o);
}
END_TEST

START_TEST(a_failed_write_is_recorded)
{
    struct out o;
    ck_assert_int_eq(out_init(&o, -1, "closed"), 0); /* fd -1: EBADF */
    static char b[BIG];
    struct out_pieces ps;
    out_pieces_begin(&ps);
    out_piece(&ps, b, sizeof b);
    out_write_pieces(&o, &ps);
    ck_assert_int_eq(o.failed, 1);
    ck_assert(out_dead(&o));
    out_free(&o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("out");
    TCase *tc = tcase_create("out");
    tcase_add_test(tc, small_pieces_are_copied_in_order);
    tcase_add_test(tc, large_pieces_are_written_in_order);
    tcase_add_test(tc, a_sink_gets_large_pieces_too);
    tcase_add_test(tc, a_failed_write_is_recorded);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
