/* Unit tests for the buffered input (input.c): growth for large records,
 * and the memory input of the fuzz targets. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decompress.h"
#include "input.h"
#include "unit_main.h"

/* An fd reading n bytes of pattern (a temporary file). */
static int fd_with(size_t n)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)(i * 7 % 251), f);
    fflush(f);
    rewind(f);
    return dup(fileno(f));
}

START_TEST(input_claimed_length_costs_no_allocation)
{
    /* A corrupt 200 MiB record length in a 100-byte input: the buffer grows
     * only as bytes arrive, never to the claimed size. */
    struct input in;
    ck_assert_int_eq(input_init_fd(&in, fd_with(100), "t"), 0);
    ck_assert_int_eq(input_need(&in, 200u << 20), 100);
    ck_assert_uint_le(in.cap, INPUT_BUFFER_SIZE);
    input_close(&in);
}
END_TEST

START_TEST(input_large_record_grows_to_fit)
{
    struct input in;
    size_t n = 3 * INPUT_BUFFER_SIZE + 17;
    ck_assert_int_eq(input_init_fd(&in, fd_with(n + 5), "t"), 0);
    ck_assert_int_eq(input_need(&in, 5), 5);
    input_consume(&in, 5);
    ck_assert_int_eq(input_need(&in, n), (long)n);
    ck_assert_uint_ge(in.cap, n);
    ck_assert_uint_lt(in.cap, 2 * n);
    const uint8_t *p = input_data(&in);
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)((i + 5) * 7 % 251))
            ck_abort_msg("byte %zu differs", i);
    input_consume(&in, n);
    ck_assert_int_eq(input_need(&in, 1), 0);
    ck_assert(in.eof);
    input_close(&in);
}
END_TEST

START_TEST(input_after_large_record_reads_a_buffer_ahead)
{
    /* A record of three buffers, then small ones: never more than a
     * buffer's worth read ahead of what was asked, and the buffer back to
     * its size once the large record is behind (README: at most 1 MiB
     * ahead; memory that of the buffer). */
    struct input in;
    size_t big = 3 * INPUT_BUFFER_SIZE + 17, total = big + 4 * INPUT_BUFFER_SIZE;
    ck_assert_int_eq(input_init_fd(&in, fd_with(total), "t"), 0);
    ck_assert_int_eq(input_need(&in, big), (long)big);
    input_consume(&in, big);
    for (size_t at = big; at + 16 <= total; at += 16) {
        ck_assert_int_eq(input_need(&in, 16), 16);
        ck_assert_uint_lt(input_avail(&in), 16 + INPUT_BUFFER_SIZE);
        if (input_data(&in)[0] != (uint8_t)(at * 7 % 251))
            ck_abort_msg("byte %zu differs", at);
        input_consume(&in, 16);
    }
    ck_assert_uint_eq(in.cap, INPUT_BUFFER_SIZE);
    input_close(&in);
}
END_TEST

START_TEST(input_mem_is_exact_and_at_end)
{
    static const uint8_t data[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    struct input in;
    ck_assert_int_eq(input_init_mem(&in, data, sizeof data, "m"), 0);
    ck_assert_uint_eq(in.cap, sizeof data);
    ck_assert_int_eq(input_need(&in, 4), 4);
    input_consume(&in, 4);
    ck_assert_int_eq(input_need(&in, 100), 5); /* no growth, no read */
    ck_assert_uint_eq(in.cap, sizeof data);
    ck_assert_uint_eq(input_data(&in)[0], 5);
    ck_assert_uint_eq(input_skip(&in, 10), 5);
    ck_assert_uint_eq(in.offset, sizeof data);
    input_close(&in);

    ck_assert_int_eq(input_init_mem(&in, NULL, 0, "empty"), 0);
    ck_assert_int_eq(input_need(&in, 4), 0);
    input_close(&in);
}
END_TEST

/* gzip(1): exit 1 is an error, 2 a warning only (trailing garbage after the
 * last member); zstd and xz are trusted with 0 alone; a signal (-1) never. */
START_TEST(decompressor_exit_status)
{
    ck_assert(decompress_output_whole("gzip", 0));
    ck_assert(decompress_output_whole("gzip", 2));
    ck_assert(!decompress_output_whole("gzip", 1));
    ck_assert(!decompress_output_whole("gzip", -1));
    ck_assert(decompress_output_whole("zstd", 0));
    ck_assert(!decompress_output_whole("zstd", 2));
    ck_assert(!decompress_output_whole("xz", 2));
    ck_assert(!decompress_output_whole("xz", 1));
}
END_TEST

/* RFC 1952, RFC 8878 (a frame, or a skippable frame 0x184D2A50..5F, little
 * endian), xz's 6-byte magic; a pcap magic is none of them. */
START_TEST(decompressor_magics)
{
    static const uint8_t gz[] = { 0x1f, 0x8b, 8 }, zst[] = { 0x28, 0xb5, 0x2f, 0xfd },
                         skip50[] = { 0x50, 0x2a, 0x4d, 0x18 }, skip5f[] = { 0x5f, 0x2a, 0x4d, 0x18 },
                         not60[] = { 0x60, 0x2a, 0x4d, 0x18 }, xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 },
                         pcap[] = { 0xd4, 0xc3, 0xb2, 0xa1 };
    ck_assert_str_eq(decompressor_for(gz, sizeof gz), "gzip");
    ck_assert_str_eq(decompressor_for(zst, sizeof zst), "zstd");
    ck_assert_str_eq(decompressor_for(skip50, sizeof skip50), "zstd");
    ck_assert_str_eq(decompressor_for(skip5f, sizeof skip5f), "zstd");
    ck_assert_ptr_null(decompressor_for(skip5f, 3));
    ck_assert_ptr_null(decompressor_for(not60, sizeof not60));
    ck_assert_str_eq(decompressor_for(xz, sizeof xz), "xz");
    ck_assert_ptr_null(decompressor_for(pcap, sizeof pcap));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("input");
    TCase *tc = tcase_create("input");
    tcase_add_test(tc, input_claimed_length_costs_no_allocation);
    tcase_add_test(tc, input_large_record_grows_to_fit);
    tcase_add_test(tc, input_after_large_record_reads_a_buffer_ahead);
    tcase_add_test(tc, input_mem_is_exact_and_at_end);
    tcase_add_test(tc, decompressor_exit_status);
    tcase_add_test(tc, decompressor_magics);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
