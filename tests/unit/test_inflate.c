/* Unit tests for the raw DEFLATE decoder (IPComp, #15): each block type
 * (the streams were made by Python's zlib, wbits -15) and damaged streams,
 * which must fail without reading or writing out of bounds. */
#include <check.h>
#include <string.h>

#include "inflate.h"
#include "unit_main.h"

static uint8_t out[64];

/* zlib.compressobj(6, 8, -15, 9, Z_FIXED) of "hello hello hello" */
static const uint8_t fixed_hello[] = {0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x90, 0x00};
/* level 0 of "abc": one stored block */
static const uint8_t stored_abc[] = {0x01, 0x03, 0x00, 0xfc, 0xff, 0x61, 0x62, 0x63};

START_TEST(fixed_huffman_with_a_back_reference)
{
    long n = inflate_raw(fixed_hello, sizeof fixed_hello, out, sizeof out);
    ck_assert_int_eq(n, 17);
    ck_assert_int_eq(memcmp(out, "hello hello hello", 17), 0);
}
END_TEST

START_TEST(stored_block)
{
    long n = inflate_raw(stored_abc, sizeof stored_abc, out, sizeof out);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(memcmp(out, "abc", 3), 0);
}
END_TEST

START_TEST(output_that_does_not_fit_fails)
{
    ck_assert_int_eq(inflate_raw(fixed_hello, sizeof fixed_hello, out, 16), -1);
    ck_assert_int_eq(inflate_raw(stored_abc, sizeof stored_abc, out, 2), -1);
}
END_TEST

START_TEST(damaged_streams_fail)
{
    /* every truncation of both streams */
    for (size_t n = 0; n < sizeof fixed_hello; n++)
        ck_assert_int_eq(inflate_raw(fixed_hello, n, out, sizeof out), -1);
    for (size_t n = 0; n < sizeof stored_abc; n++)
        ck_assert_int_eq(inflate_raw(stored_abc, n, out, sizeof out), -1);
    /* block type 3 is reserved */
    static const uint8_t reserved[] = {0x07, 0x00};
    ck_assert_int_eq(inflate_raw(reserved, sizeof reserved, out, sizeof out), -1);
    /* stored length whose complement does not match */
    static const uint8_t badlen[] = {0x01, 0x03, 0x00, 0xfc, 0xfe, 0x61, 0x62, 0x63};
    ck_assert_int_eq(inflate_raw(badlen, sizeof badlen, out, sizeof out), -1);
    /* fixed block starting with a match (length 3, distance 1) before any
     * output: the distance reaches before the start */
    static const uint8_t far[] = {0x03, 0x02, 0x00};
    ck_assert_int_eq(inflate_raw(far, sizeof far, out, sizeof out), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("inflate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, fixed_huffman_with_a_back_reference);
    tcase_add_test(tc, stored_block);
    tcase_add_test(tc, output_that_does_not_fit_fails);
    tcase_add_test(tc, damaged_streams_fail);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
