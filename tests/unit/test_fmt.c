/* Unit tests for the value formatters: integers, addresses, q timestamps. */
#include <check.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "qspan.h"
#include "unit_main.h"

static char buf[128];

static const char *ipv6(const char *hex32)
{
    uint8_t a[16];
    for (int i = 0; i < 16; i++) {
        unsigned v;
        sscanf(hex32 + 2 * i, "%2x", &v);
        a[i] = (uint8_t)v;
    }
    *fmt_ipv6(buf, a) = '\0';
    return buf;
}

START_TEST(u64_formats_zero_and_extremes)
{
    *fmt_u64(buf, 0) = '\0';
    ck_assert_str_eq(buf, "0");
    *fmt_u64(buf, 4294967295u) = '\0';
    ck_assert_str_eq(buf, "4294967295");
    *fmt_u64(buf, UINT64_MAX) = '\0';
    ck_assert_str_eq(buf, "18446744073709551615");
    *fmt_i64(buf, -42) = '\0';
    ck_assert_str_eq(buf, "-42");
}
END_TEST

START_TEST(u32_every_digit_count_boundary)
{
    static const uint32_t v[] = { 0, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000,
                                  999999, 1000000, 9999999, 10000000, 99999999, 100000000,
                                  999999999, 1000000000, 4294967295u, 1234567890, 40265 };
    char want[32];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        snprintf(want, sizeof want, "%u", v[i]);
        *fmt_u32(buf, v[i]) = '\0';
        ck_assert_str_eq(buf, want);
        *fmt_u64(buf, v[i]) = '\0';
        ck_assert_str_eq(buf, want);
    }
}
END_TEST

START_TEST(ipv4_dotted_quad)
{
    const uint8_t a[4] = { 192, 0, 2, 255 }, b[4] = { 0, 10, 100, 7 };
    *fmt_ipv4(buf, a) = '\0';
    ck_assert_str_eq(buf, "192.0.2.255");
    *fmt_ipv4(buf, b) = '\0';
    ck_assert_str_eq(buf, "0.10.100.7");
}
END_TEST

START_TEST(ipv6_rfc5952_longest_zero_run_compressed)
{
    ck_assert_str_eq(ipv6("20010db8000000000000000000000001"), "2001:db8::1");
    /* a lone zero group is not compressed (RFC 5952 4.2.2) */
    ck_assert_str_eq(ipv6("20010db8000000010001000100010001"), "2001:db8:0:1:1:1:1:1");
    /* the first of two equal runs is compressed (4.2.3) */
    ck_assert_str_eq(ipv6("20010db8000000000001000000000001"), "2001:db8::1:0:0:1");
    /* the longer run wins even when it comes second */
    ck_assert_str_eq(ipv6("20010000000000010000000000000001"), "2001:0:0:1::1");
    ck_assert_str_eq(ipv6("00000000000000000000000000000000"), "::");
    ck_assert_str_eq(ipv6("00000000000000000000000000000001"), "::1");
    ck_assert_str_eq(ipv6("fe800000000000000000000000000000"), "fe80::");
    ck_assert_str_eq(ipv6("FE80000000000000020C29FFFE0ABCDE"), "fe80::20c:29ff:fe0a:bcde");
}
END_TEST

START_TEST(ipv6_mapped_ipv4_is_dotted)
{
    ck_assert_str_eq(ipv6("00000000000000000000ffffc0000201"), "::ffff:192.0.2.1");
}
END_TEST

START_TEST(time_q_literal_nanoseconds)
{
    struct time_cache c = { 0 };
    *fmt_time(buf, &c, 1589458202, 639526000) = '\0';
    ck_assert_str_eq(buf, "2020.05.14D12:10:02.639526000");
    *fmt_time(buf, &c, 1589458202, 1) = '\0'; /* cached date, new fraction */
    ck_assert_str_eq(buf, "2020.05.14D12:10:02.000000001");
    *fmt_time(buf, &c, 0, 0) = '\0';
    ck_assert_str_eq(buf, "1970.01.01D00:00:00.000000000");
    *fmt_time(buf, &c, 4294967295LL, 999999999) = '\0';
    ck_assert_str_eq(buf, "2106.02.07D06:28:15.999999999");
    *fmt_time(buf, &c, -1, 0) = '\0';
    ck_assert_str_eq(buf, "1969.12.31D23:59:59.000000000");
    *fmt_time(buf, &c, 951782400, 0) = '\0'; /* leap day 2000 */
    ck_assert_str_eq(buf, "2000.02.29D00:00:00.000000000");
}
END_TEST

START_TEST(time_outside_q_range_is_rejected)
{
    ck_assert(fmt_time_in_q_range(0, 0));
    ck_assert(fmt_time_in_q_range(4323283200LL, 0)); /* 2107 */
    ck_assert(!fmt_time_in_q_range(11000000000LL, 0)); /* 2318 */
    ck_assert(!fmt_time_in_q_range(-9000000000LL, 0)); /* 1684 */
    ck_assert(!fmt_time_in_q_range(INT64_MAX, 0));
    ck_assert(!fmt_time_in_q_range(INT64_MIN + 1, 0));
}
END_TEST

/* The edges to the nanosecond: 2^63 - 2 ns after 2000.01.01 is the last
 * finite q timestamp (2^63 - 1 is 0Wp), -(2^63 - 2) the first (-2^63 + 1 is
 * -0Wp, -2^63 0Np); they print as q prints them. */
START_TEST(time_q_range_edges)
{
    ck_assert(fmt_time_in_q_range(10170056836LL, 854775806u));
    ck_assert(!fmt_time_in_q_range(10170056836LL, 854775807u));
    ck_assert(!fmt_time_in_q_range(10170056837LL, 0));
    ck_assert(fmt_time_in_q_range(10170056835LL, 999999999u));
    ck_assert(fmt_time_in_q_range(-8276687237LL, 145224194u));
    ck_assert(!fmt_time_in_q_range(-8276687237LL, 145224193u));
    ck_assert(!fmt_time_in_q_range(-8276687238LL, 999999999u));
    ck_assert(fmt_time_in_q_range(-8276687236LL, 0));
    struct time_cache c = { 0 };
    *fmt_time(buf, &c, 10170056836LL, 854775806u) = '\0';
    ck_assert_str_eq(buf, "2292.04.10D23:47:16.854775806");
    *fmt_time(buf, &c, -8276687237LL, 145224194u) = '\0';
    ck_assert_str_eq(buf, "1707.09.22D00:12:43.145224194");
}
END_TEST

START_TEST(timespan_days_and_sign)
{
    /* q's nD hh:mm:ss.nnnnnnnnn: days past 24 hours, a sign, every field */
    *fmt_timespan(buf, 0) = '\0';
    ck_assert_str_eq(buf, "0D00:00:00.000000000");
    *fmt_timespan(buf, 123456) = '\0';
    ck_assert_str_eq(buf, "0D00:00:00.000123456");
    *fmt_timespan(buf, 999999999) = '\0';
    ck_assert_str_eq(buf, "0D00:00:00.999999999");
    /* a fraction out of range keeps its last nine digits */
    *fmt_timespan_parts(buf, 0, 1234567890u) = '\0';
    ck_assert_str_eq(buf, "0D00:00:00.234567890");
    *fmt_timespan_parts(buf, 61, 1000000001u) = '\0';
    ck_assert_str_eq(buf, "0D00:01:01.000000001");
    *fmt_timespan(buf, 86399999999999LL) = '\0';
    ck_assert_str_eq(buf, "0D23:59:59.999999999");
    *fmt_timespan(buf, 86400000000000LL) = '\0';
    ck_assert_str_eq(buf, "1D00:00:00.000000000");
    *fmt_timespan(buf, 2 * 86400000000000LL + 3723000000001LL) = '\0';
    ck_assert_str_eq(buf, "2D01:02:03.000000001");
    *fmt_timespan(buf, -(86400000000000LL + 1)) = '\0';
    ck_assert_str_eq(buf, "-1D00:00:00.000000001");
    *fmt_timespan(buf, 106751LL * 86400000000000LL) = '\0';
    ck_assert_str_eq(buf, "106751D00:00:00.000000000");
    *fmt_timespan(buf, -1) = '\0';
    ck_assert_str_eq(buf, "-0D00:00:00.000000001");
    *fmt_timespan(buf, INT64_MIN) = '\0';
    ck_assert_str_eq(buf, "-106751D23:47:16.854775808");
}
END_TEST

/* --stats span: seconds beyond what int64_t nanoseconds hold */
START_TEST(timespan_parts_longest)
{
    *fmt_timespan_parts(buf, 2 * 86400 + 59, 999999999u) = '\0';
    ck_assert_str_eq(buf, "2D00:00:59.999999999");
    char *end = fmt_timespan_parts(buf, UINT64_MAX, 999999999u);
    *end = '\0';
    ck_assert_str_eq(buf, "213503982334601D07:00:15.999999999");
    ck_assert_int_eq(end - buf, FMT_TIMESPAN_PARTS_LEN);
}
END_TEST

START_TEST(qspan_durations_q_can_hold)
{
    /* q times: the ends of q's range, 2000.01.01 and a second after */
    int64_t first = qspan_time(Q_FIRST_UNIX_SEC, Q_FIRST_NSEC);
    int64_t last = qspan_time(Q_LAST_UNIX_SEC, Q_LAST_NSEC);
    ck_assert_int_eq(first, -INT64_MAX + 1);
    ck_assert_int_eq(last, INT64_MAX - 1);
    ck_assert_int_eq(qspan_time(946684800, 0), 0);
    ck_assert_int_eq(qspan_time(946684801, 5), 1000000005);
    /* 2292 less 1707 does not fit a timespan, either way: null */
    ck_assert_int_eq(qspan_diff(last, first), QSPAN_NULL);
    ck_assert_int_eq(qspan_diff(first, last), QSPAN_NULL);
    /* the longest finite ones, and one more is 0Wn or -0Wn: null */
    ck_assert_int_eq(qspan_diff(last, 0), INT64_MAX - 1);
    ck_assert_int_eq(qspan_diff(first, 0), -INT64_MAX + 1);
    ck_assert_int_eq(qspan_diff(last, -1), QSPAN_NULL);
    ck_assert_int_eq(qspan_diff(first, 1), QSPAN_NULL);
    ck_assert_int_eq(qspan_diff(first, 2), QSPAN_NULL); /* INT64_MIN itself */
    ck_assert_int_eq(qspan_diff(5, 7), -2);
    /* totals: null once a part is, or the sum does not fit */
    ck_assert_int_eq(qspan_add(INT64_MAX - 2, 1), INT64_MAX - 1);
    ck_assert_int_eq(qspan_add(INT64_MAX - 2, 2), QSPAN_NULL);
    ck_assert_int_eq(qspan_add(QSPAN_NULL, 0), QSPAN_NULL);
    ck_assert_int_eq(qspan_add(-3, 1), -2);
    ck_assert(qspan_exceeds(last, first, INT64_MAX));
    ck_assert(!qspan_exceeds(last, first, UINT64_MAX));
    ck_assert(!qspan_exceeds(first, last, 0));
    ck_assert(!qspan_exceeds(10, 0, 10));
    ck_assert(qspan_exceeds(11, 0, 10));
    /* times kept as (ns modulo 2^64, seconds >> 32): exact whatever the
     * year, null beyond a timespan */
#define AT(s, n) (uint64_t)(s) * 1000000000u + (n), qspan_hi(s)
    ck_assert_int_eq(qspan_between(AT(5, 1), AT(4, 2)), 999999999);
    ck_assert_int_eq(qspan_between(AT(4, 2), AT(5, 1)), -999999999);
    /* 9223372035 s and 9223372036.854775806 s apart: the longest finite */
    ck_assert_int_eq(qspan_between(AT(9223372036LL, 854775806), AT(0, 0)), INT64_MAX - 1);
    ck_assert_int_eq(qspan_between(AT(9223372036LL, 854775807), AT(0, 0)), QSPAN_NULL);
    ck_assert_int_eq(qspan_between(AT(0, 0), AT(9223372036LL, 854775806)), -INT64_MAX + 1);
    ck_assert_int_eq(qspan_between(AT(-1, 0), AT(9223372036LL, 854775806)), QSPAN_NULL);
    /* far from 1970 and far apart in the high words */
    ck_assert_int_eq(qspan_between(AT(INT64_MAX, 999999999), AT(INT64_MAX - 9000000000LL, 0)),
                     9000000000999999999LL);
    ck_assert_int_eq(qspan_between(AT(INT64_MIN + 1, 0), AT(INT64_MAX, 0)), QSPAN_NULL);
    ck_assert_int_eq(qspan_between(AT(-5000000000LL, 7), AT(-5000000000LL, 8)), -1);
    ck_assert_int_eq(qspan_between(AT(4294967296LL * 3, 0), AT(4294967296LL, 0)),
                     4294967296LL * 2 * 1000000000);
    ck_assert_int_eq(qspan_between(AT(4294967296LL * 3 + 700000000, 0), AT(4294967296LL, 0)),
                     QSPAN_NULL);
    ck_assert_int_eq(qspan_between(AT(4294967296LL * 3 - 1, 0), AT(4294967296LL + 5000000000LL, 0)),
                     (4294967296LL * 2 - 1 - 5000000000LL) * 1000000000);
#undef AT
}
END_TEST

START_TEST(hex_lowercase)
{
    const uint8_t b[3] = { 0x00, 0xAB, 0x5F };
    *fmt_hex(buf, b, 3) = '\0';
    ck_assert_str_eq(buf, "00ab5f");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("fmt");
    tcase_add_test(tc, u64_formats_zero_and_extremes);
    tcase_add_test(tc, u32_every_digit_count_boundary);
    tcase_add_test(tc, ipv4_dotted_quad);
    tcase_add_test(tc, ipv6_rfc5952_longest_zero_run_compressed);
    tcase_add_test(tc, ipv6_mapped_ipv4_is_dotted);
    tcase_add_test(tc, time_q_literal_nanoseconds);
    tcase_add_test(tc, time_outside_q_range_is_rejected);
    tcase_add_test(tc, time_q_range_edges);
    tcase_add_test(tc, timespan_days_and_sign);
    tcase_add_test(tc, timespan_parts_longest);
    tcase_add_test(tc, qspan_durations_q_can_hold);
    tcase_add_test(tc, hex_lowercase);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
