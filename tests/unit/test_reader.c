/* Unit tests for the pcap and pcapng readers, on hand-built files written
 * to a temporary file and read through the same buffered input as the CLI. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "reader.h"
#include "unit_main.h"

static uint8_t file[4096];
static size_t flen;
static struct input in;
static struct reader rd;
static struct capture_record rec;

static void put(const void *p, size_t n) { memcpy(file + flen, p, n); flen += n; }
static void put32(uint32_t v, int be)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    if (be) { uint8_t t = b[0]; b[0] = b[3]; b[3] = t; t = b[1]; b[1] = b[2]; b[2] = t; }
    put(b, 4);
}
static void put16(uint16_t v, int be)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    if (be) { uint8_t t = b[0]; b[0] = b[1]; b[1] = t; }
    put(b, 2);
}

static enum read_status open_file(void)
{
    FILE *f = tmpfile();
    fwrite(file, 1, flen, f);
    fflush(f);
    rewind(f);
    input_init_fd(&in, dup(fileno(f)), "t");
    fclose(f);
    return reader_open(&rd, &in);
}

static void done(void)
{
    reader_close(&rd);
    input_close(&in);
    flen = 0;
}

static void pcap_header(uint32_t magic, int be, uint32_t snaplen, uint32_t linktype)
{
    put32(magic, be);
    put16(2, be);
    put16(4, be);
    put32(0, be);
    put32(0, be);
    put32(snaplen, be);
    put32(linktype, be);
}

static void pcap_record(int be, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len)
{
    put32(sec, be);
    put32(frac, be);
    put32(caplen, be);
    put32(len, be);
    for (uint32_t i = 0; i < caplen; i++)
        file[flen++] = (uint8_t)i;
}

START_TEST(pcap_all_four_magics)
{
    static const struct { uint32_t magic; int be; uint32_t nsec; } cases[] = {
        { 0xa1b2c3d4, 0, 5000 }, { 0xa1b2c3d4, 1, 5000 },
        { 0xa1b23c4d, 0, 5 },    { 0xa1b23c4d, 1, 5 },
    };
    for (int i = 0; i < 4; i++) {
        pcap_header(cases[i].magic, cases[i].be, 65535, 1);
        pcap_record(cases[i].be, 1600000000, 5, 3, 60);
        ck_assert_int_eq(open_file(), READ_OK);
        ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
        ck_assert_int_eq(rec.ts_sec, 1600000000);
        ck_assert_uint_eq(rec.ts_nsec, cases[i].nsec);
        ck_assert_uint_eq(rec.caplen, 3);
        ck_assert_uint_eq(rec.origlen, 60);
        ck_assert_uint_eq(rec.linktype, 1);
        ck_assert_int_eq(rec.data[2], 2);
        ck_assert_int_eq(reader_next(&rd, &rec), READ_EOF);
        done();
    }
}
END_TEST

/* A record cut inside its data: the bytes that follow its header, counted
 * in good English. */
START_TEST(pcap_cut_record_counts_what_follows)
{
    for (uint32_t left = 0; left < 3; left++) {
        static const char *want[] = {
            "record cut short: caplen 10 but only 0 bytes follow the header",
            "record cut short: caplen 10 but only 1 byte follows the header",
            "record cut short: caplen 10 but only 2 bytes follow the header",
        };
        pcap_header(0xa1b2c3d4, 0, 65535, 1);
        pcap_record(0, 1, 0, 10, 10);
        flen -= 10 - left;
        ck_assert_int_eq(open_file(), READ_OK);
        ck_assert_int_eq(reader_next(&rd, &rec), READ_DAMAGED);
        ck_assert_uint_eq(rd.err_offset, 24);
        ck_assert_str_eq(rd.err, want[left]);
        done();
    }
}
END_TEST

START_TEST(pcap_fraction_of_a_second_or_more_carries)
{
    pcap_header(0xa1b2c3d4, 0, 65535, 1);
    pcap_record(0, 10, 1000000, 0, 0);
    /* rx_serviceid_oobr.pcap's frame 2 (corpus): 3841.916976 s */
    pcap_record(0, 0, 3841916976u, 0, 0);
    ck_assert_int_eq(open_file(), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
    ck_assert_int_eq(rec.ts_sec, 11);
    ck_assert_uint_eq(rec.ts_nsec, 0);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
    ck_assert_int_eq(rec.ts_sec, 3841);
    ck_assert_uint_eq(rec.ts_nsec, 916976000u);
    done();
    /* nanosecond pcap: 2^32 - 1 ns is 4.294967295 s */
    pcap_header(0xa1b23c4d, 0, 65535, 1);
    pcap_record(0, 4294967295u, 4294967295u, 0, 0);
    ck_assert_int_eq(open_file(), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
    ck_assert_int_eq(rec.ts_sec, 4294967295LL + 4);
    ck_assert_uint_eq(rec.ts_nsec, 294967295u);
    done();
}
END_TEST

START_TEST(pcap_empty_and_wrong_magic_are_not_captures)
{
    ck_assert_int_eq(open_file(), READ_NOT_CAPTURE);
    ck_assert_str_eq(rd.err, "empty input, not a capture");
    done();
    put16(0xc3d4, 0);
    put(&file[0], 1); /* 3 bytes */
    ck_assert_int_eq(open_file(), READ_NOT_CAPTURE);
    ck_assert_str_eq(rd.err, "only 3 bytes, not a capture");
    done();
    file[flen++] = 0xd4;
    ck_assert_int_eq(open_file(), READ_NOT_CAPTURE);
    ck_assert_str_eq(rd.err, "only 1 byte, not a capture");
    done();
    put32(0x12345678, 1);
    put32(0, 0);
    ck_assert_int_eq(open_file(), READ_NOT_CAPTURE);
    ck_assert_uint_eq(rd.err_offset, 0);
    done();
}
END_TEST

START_TEST(pcap_record_cut_short_is_damage_at_its_offset)
{
    pcap_header(0xa1b2c3d4, 0, 65535, 1);
    pcap_record(0, 1, 0, 10, 10);
    pcap_record(0, 2, 0, 10, 10);
    flen -= 4;
    ck_assert_int_eq(open_file(), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_DAMAGED);
    ck_assert_uint_eq(rd.err_offset, 24 + 26);
    done();
}
END_TEST

START_TEST(pcap_caplen_over_limit_is_damage)
{
    pcap_header(0xa1b2c3d4, 0, 65535, 1);
    put32(1, 0); put32(0, 0); put32(300000, 0); put32(300000, 0);
    ck_assert_int_eq(open_file(), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_DAMAGED);
    ck_assert_uint_eq(rd.err_offset, 24);
    done();
}
END_TEST

static void block_start(uint32_t type, uint32_t len, int be) { put32(type, be); put32(len, be); }

static void shb(int be)
{
    block_start(0x0A0D0D0A, 28, be);
    put32(0x1A2B3C4D, be);
    put16(1, be);
    put16(0, be);
    put32(0xFFFFFFFF, be);
    put32(0xFFFFFFFF, be);
    put32(28, be);
}

/* IDB with if_tsresol (and optional if_tsoffset). */
static void idb(int be, uint16_t linktype, uint8_t tsresol, int64_t tsoffset)
{
    uint32_t len = 20 + 8 + (tsoffset ? 12 : 0) + 4;
    block_start(1, len, be);
    put16(linktype, be);
    put16(0, be);
    put32(65535, be);
    put16(9, be); put16(1, be);
    uint8_t v[4] = { tsresol, 0, 0, 0 };
    put(v, 4);
    if (tsoffset) {
        put16(14, be); put16(8, be);
        uint64_t u = (uint64_t)tsoffset;
        if (be) { put32((uint32_t)(u >> 32), be); put32((uint32_t)u, be); }
        else { put32((uint32_t)u, be); put32((uint32_t)(u >> 32), be); }
    }
    put16(0, be); put16(0, be);
    put32(len, be);
}

static void epb(int be, uint32_t iface, uint64_t ts, uint32_t caplen)
{
    uint32_t padded = (caplen + 3) & ~3u;
    uint32_t len = 32 + padded;
    block_start(6, len, be);
    put32(iface, be);
    put32((uint32_t)(ts >> 32), be);
    put32((uint32_t)ts, be);
    put32(caplen, be);
    put32(caplen + 100, be);
    for (uint32_t i = 0; i < padded; i++)
        file[flen++] = (uint8_t)(i < caplen ? 0xEE : 0);
    put32(len, be);
}

START_TEST(pcapng_sections_of_both_byte_orders_and_interfaces)
{
    shb(0);
    idb(0, 1, 6, 0);
    idb(0, 101, 9, 0);
    epb(0, 1, 1500000000123456789ull, 5);
    shb(1);
    idb(1, 228, 3, 0);
    block_start(0x00000BAD - 0xBAD + 4, 16, 1); /* name resolution block: skipped */
    put32(0, 1);
    put32(16, 1);
    epb(1, 0, 1500000000123ull, 2);
    ck_assert_int_eq(open_file(), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
    ck_assert_uint_eq(rec.linktype, 101);
    ck_assert_uint_eq(rec.iface, 1);
    ck_assert_int_eq(rec.ts_sec, 1500000000);
    ck_assert_uint_eq(rec.ts_nsec, 123456789);
    ck_assert_uint_eq(rec.caplen, 5);
    ck_assert_uint_eq(rec.origlen, 105);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
    ck_assert_uint_eq(rec.linktype, 228);
    ck_assert_uint_eq(rec.iface, 0);
    ck_assert_int_eq(rec.ts_sec, 1500000000);
    ck_assert_uint_eq(rec.ts_nsec, 123000000);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_EOF);
    done();
}
END_TEST

START_TEST(pcapng_power_of_two_resolution_and_offset)
{
    shb(0);
    idb(0, 1, 0x80 | 10, 1000); /* 1/1024 s units, +1000 s */
    epb(0, 0, 1024 * 5 + 512 + 1, 1);
    ck_assert_int_eq(open_file(), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
    ck_assert_int_eq(rec.ts_sec, 1005);
    ck_assert_uint_eq(rec.ts_nsec, 500976562); /* floor(513 * 1e9 / 1024) */
    done();
}
END_TEST

START_TEST(pcapng_packet_on_undescribed_interface_is_skipped)
{
    shb(0);
    idb(0, 1, 6, 0);
    epb(0, 3, 0, 1);
    epb(0, 0, 0, 1);
    ck_assert_int_eq(open_file(), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_SKIPPED);
    ck_assert_uint_eq(rd.err_offset, 28 + 32);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
    done();
}
END_TEST

START_TEST(pcapng_trailing_length_disagreeing_is_damage)
{
    shb(0);
    idb(0, 1, 6, 0);
    epb(0, 0, 0, 4);
    file[flen - 4] = 0x99;
    ck_assert_int_eq(open_file(), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_DAMAGED);
    ck_assert_uint_eq(rd.err_offset, 60);
    done();
}
END_TEST

START_TEST(pcapng_bad_block_lengths_are_damage)
{
    static const uint32_t lens[] = { 8, 30, 0x7FFFFFF0 };
    for (int i = 0; i < 3; i++) {
        shb(0);
        block_start(1, lens[i], 0);
        put32(0, 0);
        ck_assert_int_eq(open_file(), READ_OK);
        ck_assert_int_eq(reader_next(&rd, &rec), READ_DAMAGED);
        ck_assert_uint_eq(rd.err_offset, 28);
        done();
    }
}
END_TEST

/* An SPB's packet is min(original length, snaplen) bytes (padding may
 * follow); a block holding fewer lost packet bytes: skipped as damage. */
START_TEST(pcapng_simple_packet_block_holds_its_packet)
{
    shb(0);
    idb(0, 1, 6, 0);
    block_start(3, 16 + 8, 0);   /* 6 bytes of packet, 2 of padding */
    put32(6, 0);
    put32(0xAAAAAAAA, 0);
    put32(0xBBBBBBBB, 0);
    put32(16 + 8, 0);
    block_start(3, 16 + 8, 0);   /* 200 bytes of packet in 8 */
    put32(200, 0);
    put32(0xAAAAAAAA, 0);
    put32(0xBBBBBBBB, 0);
    put32(16 + 8, 0);
    ck_assert_int_eq(open_file(), READ_OK);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_OK);
    ck_assert_uint_eq(rec.origlen, 6);
    ck_assert_uint_eq(rec.caplen, 6);
    ck_assert(rec.ts_sec == INT64_MIN);
    ck_assert_int_eq(reader_next(&rd, &rec), READ_SKIPPED);
    ck_assert_str_eq(rd.err, "simple packet block of 24 bytes too short for its 200 bytes of packet");
    ck_assert_int_eq(reader_next(&rd, &rec), READ_EOF);
    done();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, pcap_all_four_magics);
    tcase_add_test(tc, pcap_fraction_of_a_second_or_more_carries);
    tcase_add_test(tc, pcap_cut_record_counts_what_follows);
    tcase_add_test(tc, pcap_empty_and_wrong_magic_are_not_captures);
    tcase_add_test(tc, pcap_record_cut_short_is_damage_at_its_offset);
    tcase_add_test(tc, pcap_caplen_over_limit_is_damage);
    tcase_add_test(tc, pcapng_sections_of_both_byte_orders_and_interfaces);
    tcase_add_test(tc, pcapng_power_of_two_resolution_and_offset);
    tcase_add_test(tc, pcapng_packet_on_undescribed_interface_is_skipped);
    tcase_add_test(tc, pcapng_trailing_length_disagreeing_is_damage);
    tcase_add_test(tc, pcapng_bad_block_lengths_are_damage);
    tcase_add_test(tc, pcapng_simple_packet_block_holds_its_packet);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
