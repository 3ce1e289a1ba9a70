/* Unit tests for decimal_parse: the one reading of a number given on the
 * command line (-c, --port, --threads, --data-max, a /prefix...). */
#include <check.h>
#include <stdint.h>

#include "decimal.h"
#include "unit_main.h"

START_TEST(digits_alone_leading_zeros_fine)
{
    uint64_t v = 7;
    ck_assert_int_eq(decimal_parse("03", UINT64_MAX, &v), DECIMAL_OK);
    ck_assert_uint_eq(v, 3);
    ck_assert_int_eq(decimal_parse("0", 10, &v), DECIMAL_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(decimal_parse("000080", 65535, &v), DECIMAL_OK);
    ck_assert_uint_eq(v, 80);
    ck_assert_int_eq(decimal_parse("18446744073709551615", UINT64_MAX, &v), DECIMAL_OK);
    ck_assert_uint_eq(v, UINT64_MAX);
    /* a part of a longer text */
    ck_assert_int_eq(decimal_parse_n("5010:user", 4, 65535, &v), DECIMAL_OK);
    ck_assert_uint_eq(v, 5010);
}
END_TEST

START_TEST(anything_else_is_not_a_number)
{
    static const char *const bad[] = { "", "+3", "-3", " 3", "3 ", "0x3", "3.0", "1e3", "３" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 7;
        ck_assert_msg(decimal_parse(bad[i], UINT64_MAX, &v) == DECIMAL_NOT_A_NUMBER, "'%s'",
                      bad[i]);
        ck_assert_uint_eq(v, 7); /* untouched */
    }
    uint64_t v = 7;
    ck_assert_int_eq(decimal_parse_n("80", 0, 65535, &v), DECIMAL_NOT_A_NUMBER);
    /* past UINT64_MAX, then a byte that is no digit: not a number */
    ck_assert_int_eq(decimal_parse("99999999999999999999x", UINT64_MAX, &v),
                     DECIMAL_NOT_A_NUMBER);
}
END_TEST

START_TEST(above_max_is_too_large)
{
    uint64_t v = 7;
    ck_assert_int_eq(decimal_parse("65536", 65535, &v), DECIMAL_TOO_LARGE);
    ck_assert_int_eq(decimal_parse("18446744073709551616", UINT64_MAX, &v), DECIMAL_TOO_LARGE);
    ck_assert_int_eq(decimal_parse("99999999999999999999", UINT64_MAX, &v), DECIMAL_TOO_LARGE);
    ck_assert_int_eq(decimal_parse("033", 32, &v), DECIMAL_TOO_LARGE);
    ck_assert_uint_eq(v, 7);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decimal");
    TCase *tc = tcase_create("decimal");
    tcase_add_test(tc, digits_alone_leading_zeros_fine);
    tcase_add_test(tc, anything_else_is_not_a_number);
    tcase_add_test(tc, above_max_is_too_large);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
