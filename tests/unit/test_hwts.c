/* Unit tests for the hardware-timestamp parsers and the packet fingerprint
 * (issue #17), on hand-written byte arrays. Expected values follow the
 * Wireshark 4.0 dissectors (expcap: exact-capture's layout); fingerprints
 * were computed by tests/gen_hwts.py's independent FNV-1a. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fingerprint.h"
#include "hwts.h"
#include "linktype.h"
#include "unit_main.h"

#define REC 1589458202 /* record time: 2020-05-14 12:10:02 UTC */

static struct hw_stamp hw;

static void reset(void) { memset(&hw, 0, sizeof hw); }

/* Metamako: orig FCS, seconds REC+1, ns 123456789, flags 1, device 0x1234, port 7 */
static const uint8_t mm_plain[] = {
    0xde, 0xad, 0xbe, 0xef,
    0x5e, 0xbd, 0x35, 0x1b, 0x07, 0x5b, 0xcd, 0x15, 0x01, 0x12, 0x34, 0x07,
};

START_TEST(metamako_plain_trailer)
{
    reset();
    ck_assert(hwts_metamako(mm_plain, sizeof mm_plain, REC, &hw));
    ck_assert_int_eq(hw.sec, REC + 1);
    ck_assert_uint_eq(hw.nsec, 123456789);
    ck_assert_uint_eq(hw.dev, 0x1234);
    ck_assert_uint_eq(hw.port, 7);
}
END_TEST

START_TEST(metamako_new_fcs_after_trailer)
{
    uint8_t t[sizeof mm_plain + 4];
    memcpy(t, mm_plain, sizeof mm_plain);
    memcpy(t + sizeof mm_plain, "\x11\x22\x33\x44", 4);
    reset();
    ck_assert(hwts_metamako(t, sizeof t, REC, &hw));
    ck_assert_uint_eq(hw.nsec, 123456789);
    ck_assert_uint_eq(hw.port, 7);
}
END_TEST

START_TEST(metamako_tlvs_seqnum_and_subns_skipped)
{
    /* orig FCS, seqnum tag (0), sub-ns tag (1, final), core with flag 0x02 */
    static const uint8_t t[] = {
        1, 2, 3, 4,
        0x00, 0xab, 0xcd, 0x00,
        0x80, 0x00, 0x00, 0x21,
        0x5e, 0xbd, 0x35, 0x1c, 0x3b, 0x9a, 0xc9, 0xff, 0x03, 0x01, 0x2c, 0xff,
    };
    reset();
    ck_assert(hwts_metamako(t, sizeof t, REC, &hw));
    ck_assert_int_eq(hw.sec, REC + 2);
    ck_assert_uint_eq(hw.nsec, 999999999); /* sub-nanoseconds truncated */
    ck_assert_uint_eq(hw.dev, 300);
    ck_assert_uint_eq(hw.port, 255);
}
END_TEST

START_TEST(metamako_tlv_longer_than_frame_rejected)
{
    /* a secondary tag claiming 1024 words, and no room for them */
    static const uint8_t t[] = {
        1, 2, 3, 4,
        0x00, 0x00, 0xff, 0xff,
        0x5e, 0xbd, 0x35, 0x1c, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x01,
    };
    reset();
    ck_assert(!hwts_metamako(t, sizeof t, REC, &hw));
    ck_assert(!hw.has_time);
}
END_TEST

START_TEST(metamako_outside_30_days_rejected)
{
    reset();
    ck_assert(!hwts_metamako(mm_plain, sizeof mm_plain, REC + 31 * 86400, &hw));
    ck_assert(hwts_metamako(mm_plain, sizeof mm_plain, REC + 29 * 86400, &hw));
}
END_TEST

START_TEST(metamako_needs_room_for_original_fcs)
{
    reset();
    ck_assert(!hwts_metamako(mm_plain + 4, 12, REC, &hw));
}
END_TEST

/* Exablaze: orig FCS, device 3, port 10, seconds REC, fraction, unused */
static const uint8_t exa[] = {
    1, 2, 3, 4, 3, 10, 0x5e, 0xbd, 0x35, 0x1a, 0xff, 0xff, 0xff, 0xff, 0xff, 0,
};

START_TEST(exablaze_fraction_truncated_to_ns)
{
    reset();
    ck_assert(hwts_exablaze(exa, sizeof exa, REC, &hw));
    ck_assert_int_eq(hw.sec, REC);
    ck_assert_uint_eq(hw.nsec, 999999999);
    ck_assert_uint_eq(hw.dev, 3);
    ck_assert_uint_eq(hw.port, 10);
}
END_TEST

START_TEST(exablaze_fcs_and_window)
{
    uint8_t t[4 + sizeof exa + 4] = { 0 }; /* padding, trailer, FCS */
    memcpy(t + 4, exa, sizeof exa);
    t[4 + 10] = 0x80; /* fraction 0x80ffffffff */
    t[4 + 11] = t[4 + 12] = t[4 + 13] = t[4 + 14] = 0;
    memset(t + 4 + sizeof exa, 0x77, 4);
    reset();
    ck_assert(hwts_exablaze(t, sizeof t, REC, &hw));
    ck_assert_uint_eq(hw.nsec, 500000000);
    reset();
    ck_assert(!hwts_exablaze(t, sizeof t, REC + 8 * 86400, &hw));
}
END_TEST

/* Ixia: a PTP timestamp TLV (REC+100 s, 987654321 ns), length 10, AF12, checksum */
static uint8_t ixia_t[15] = {
    6, 8, 0x5e, 0xbd, 0x35, 0x7e, 0x3a, 0xde, 0x68, 0xb1, 10, 0xaf, 0x12, 0, 0,
};

static void ixia_checksum(void)
{
    uint32_t s = 0;
    for (int i = 0; i < 13; i += 2)
        s += (uint32_t)ixia_t[i] << 8 | (i + 1 < 13 ? ixia_t[i + 1] : 0);
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    s = ~s & 0xFFFF;
    ixia_t[13] = (uint8_t)(s >> 8);
    ixia_t[14] = (uint8_t)s;
}

START_TEST(ixia_timestamp_tlv)
{
    ixia_checksum();
    reset();
    ck_assert(hwts_ixia(ixia_t, sizeof ixia_t, &hw));
    ck_assert_int_eq(hw.sec, REC + 100);
    ck_assert_uint_eq(hw.nsec, 987654321);
    ck_assert(!hw.has_dev && !hw.has_port);
}
END_TEST

START_TEST(ixia_with_fcs_and_bad_checksum)
{
    uint8_t t[19];
    ixia_checksum();
    memcpy(t, ixia_t, 15);
    memset(t + 15, 0xee, 4);
    reset();
    ck_assert(hwts_ixia(t, sizeof t, &hw));
    t[14] ^= 1;
    reset();
    ck_assert(!hwts_ixia(t, sizeof t, &hw));
    /* padding before the trailer: its length byte no longer matches */
    uint8_t p[16] = { 0 };
    memcpy(p + 1, ixia_t, 15);
    ck_assert(!hwts_ixia(p, sizeof p, &hw));
}
END_TEST

START_TEST(arista_64bit_and_48bit)
{
    static const uint8_t h64[] = { 0, 1, 0x01, 0x10, 0x5e, 0xbd, 0x35, 0x4c, 0, 0, 0, 5, 8, 0 };
    reset();
    ck_assert(hwts_arista(h64, sizeof h64, REC, &hw));
    ck_assert_int_eq(hw.sec, REC + 50);
    ck_assert_uint_eq(hw.nsec, 5);
    /* 48-bit: low 16 bits 0x3524 are REC + 10's; the nearest to the record */
    static const uint8_t h48[] = { 0, 1, 0x00, 0x20, 0x35, 0x24, 0, 0, 0, 9, 8, 0 };
    reset();
    ck_assert(hwts_arista(h48, sizeof h48, REC, &hw));
    ck_assert_int_eq(hw.sec, REC + 10);
    reset();
    ck_assert(hwts_arista(h48, sizeof h48, REC + 65536 - 100, &hw));
    ck_assert_int_eq(hw.sec, REC + 10 + 65536);
}
END_TEST

START_TEST(arista_r3_versions_same_layouts)
{
    /* the hardware-generation nibble 1 (R3, tcpdump's print-arista.c) */
    static const uint8_t h64[] = { 0, 1, 0x00, 0x11, 0x5e, 0xbd, 0x35, 0x4c, 0, 0, 0, 5, 8, 0 };
    static const uint8_t h48[] = { 0, 1, 0x01, 0x21, 0x35, 0x24, 0, 0, 0, 9, 8, 0 };
    reset();
    ck_assert(hwts_arista(h64, sizeof h64, REC, &hw));
    ck_assert_int_eq(hw.sec, REC + 50);
    ck_assert_uint_eq(hw.nsec, 5);
    reset();
    ck_assert(hwts_arista(h48, sizeof h48, REC, &hw));
    ck_assert_int_eq(hw.sec, REC + 10);
    ck_assert_uint_eq(hw.nsec, 9);
    ck_assert_uint_eq(arista_timestamp_len(0x0111), 8);
    ck_assert_uint_eq(arista_timestamp_len(0x0021), 6);
    ck_assert_uint_eq(arista_timestamp_len(0x0030), 0);
}
END_TEST

START_TEST(arista_unknown_version_or_short)
{
    static const uint8_t h[] = { 0, 1, 0x00, 0x30, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t s[] = { 0, 1, 0x00, 0x10, 0, 0, 0 };
    reset();
    ck_assert(!hwts_arista(h, sizeof h, REC, &hw));
    ck_assert(!hwts_arista(s, sizeof s, REC, &hw));
}
END_TEST

START_TEST(expcap_picoseconds_truncated)
{
    /* seconds REC+20, 999999999999 ps (0xe8d4a50fff), flags, dev 255, port 7 */
    static const uint8_t f[16] = { 0x2e, 0x35, 0xbd, 0x5e, 0xff, 0x0f, 0xa5, 0xd4, 0xe8,
                                   0, 255, 7, 0, 0, 0, 0 };
    reset();
    ck_assert(hwts_expcap(f, &hw));
    ck_assert_int_eq(hw.sec, REC + 20);
    ck_assert_uint_eq(hw.nsec, 999999999);
    ck_assert_uint_eq(hw.dev, 255);
    ck_assert_uint_eq(hw.port, 7);
}
END_TEST

START_TEST(expcap_picoseconds_out_of_range)
{
    /* 10^12 ps (0xe8d4a51000) and 2^40 - 1: not a fraction of a second */
    static const uint8_t one_s[16] = { 0x2e, 0x35, 0xbd, 0x5e, 0x00, 0x10, 0xa5, 0xd4, 0xe8,
                                       0, 1, 2, 0, 0, 0, 0 };
    static const uint8_t max[16] = { 0x2e, 0x35, 0xbd, 0x5e, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0, 1, 2, 0, 0, 0, 0 };
    reset();
    ck_assert(!hwts_expcap(one_s, &hw));
    ck_assert(!hwts_expcap(max, &hw));
    ck_assert(!hw.has_time && !hw.has_dev && !hw.has_port);
}
END_TEST

START_TEST(expcap_padding_record_has_no_footer)
{
    /* exact-capture's padding records: wire length 0 */
    ck_assert(!hwts_expcap_has_footer(64, 0));
    ck_assert(hwts_expcap_has_footer(76, 60));
    ck_assert(!hwts_expcap_has_footer(EXPCAP_FOOTER_LEN - 1, 60));
}
END_TEST

/* Ethernet + IPv4/UDP (28 bytes, 0 payload), padding to 60, then a Metamako trailer */
static uint8_t frame[60 + sizeof mm_plain];

static void build_frame(void)
{
    static const uint8_t head[] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
        0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x04, 0xd2, 0x16, 0x2e, 0, 8, 0, 0,
    };
    memset(frame, 0, sizeof frame);
    memcpy(frame, head, sizeof head);
    memcpy(frame + 60, mm_plain, sizeof mm_plain);
}

START_TEST(find_trailer_after_ip_datagram_and_padding)
{
    build_frame();
    reset();
    hwts_find(HWTS_METAMAKO, LINKTYPE_ETHERNET, frame, sizeof frame, sizeof frame, REC, &hw);
    ck_assert(hw.has_time);
    ck_assert_uint_eq(hw.port, 7);
    /* not asked for: nothing */
    hwts_find(HWTS_AUTO, LINKTYPE_ETHERNET, frame, sizeof frame, sizeof frame, REC, &hw);
    ck_assert(!hw.has_time);
    /* cut by the snaplen: the end of the frame is not the trailer's */
    hwts_find(HWTS_METAMAKO, LINKTYPE_ETHERNET, frame, sizeof frame - 1, sizeof frame, REC, &hw);
    ck_assert(!hw.has_time);
}
END_TEST

/* An IPv6 jumbogram (RFC 2675: payload length 0, a hop-by-hop header with
 * a Jumbo Payload option of 65,536 + 16 bytes), then a Metamako trailer:
 * the datagram ends where the option says, as packet-ipv6.c bounds it
 * (tshark 4.0 shows the stamp); a jumbo length running into the trailer,
 * or no option (BIG TCP, to the frame's end), leaves none. Too big for a
 * capture in testdata/. */
#define JUMBO_PAYLOAD (65536u + 16u)
START_TEST(find_trailer_after_ipv6_jumbogram)
{
    static const uint8_t head[] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x86, 0xdd,
        0x60, 0, 0, 0, 0, 0, 0 /* hop-by-hop */, 64,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
        59 /* no next header */, 0, 0xc2, 4, 0x00, 0x01, 0x00, 0x10,
    };
    size_t len = 14 + 40 + JUMBO_PAYLOAD + sizeof mm_plain;
    uint8_t *f = calloc(1, len);
    ck_assert_ptr_nonnull(f);
    memcpy(f, head, sizeof head);
    memcpy(f + len - sizeof mm_plain, mm_plain, sizeof mm_plain);
    reset();
    hwts_find(HWTS_METAMAKO, LINKTYPE_ETHERNET, f, len, len, REC, &hw);
    ck_assert(hw.has_time);
    ck_assert_int_eq(hw.sec, REC + 1);
    ck_assert_uint_eq(hw.nsec, 123456789);
    ck_assert_uint_eq(hw.port, 7);
    f[14 + 40 + 7] = 0x11; /* 4 bytes more: into the trailer */
    hwts_find(HWTS_METAMAKO, LINKTYPE_ETHERNET, f, len, len, REC, &hw);
    ck_assert(!hw.has_time);
    f[14 + 6] = 59; /* no hop-by-hop header: BIG TCP */
    hwts_find(HWTS_METAMAKO, LINKTYPE_ETHERNET, f, len, len, REC, &hw);
    ck_assert(!hw.has_time);
    free(f);
}
END_TEST

START_TEST(parse_list_names)
{
    unsigned m;
    ck_assert_int_eq(hwts_parse_list("metamako,arista", &m), 0);
    ck_assert_uint_eq(m, HWTS_METAMAKO | HWTS_ARISTA);
    ck_assert_int_eq(hwts_parse_list("auto", &m), 0);
    ck_assert_uint_eq(m, HWTS_IXIA | HWTS_ARISTA);
    ck_assert_int_eq(hwts_parse_list("none", &m), 0);
    ck_assert_uint_eq(m, 0);
    ck_assert_int_eq(hwts_parse_list("metamak", &m), HWTS_LIST_UNKNOWN);
    ck_assert_int_eq(hwts_parse_list("ixia,", &m), HWTS_LIST_UNKNOWN);
    /* none stands alone: beside a format it would be ignored */
    m = 99;
    ck_assert_int_eq(hwts_parse_list("none,metamako", &m), HWTS_LIST_NONE_COMBINED);
    ck_assert_int_eq(hwts_parse_list("ixia,none", &m), HWTS_LIST_NONE_COMBINED);
    ck_assert_int_eq(hwts_parse_list("none,none", &m), HWTS_LIST_NONE_COMBINED);
    ck_assert_uint_eq(m, 99);
    ck_assert_int_eq(hwts_parse_list("auto,metamako", &m), 0);
    ck_assert_uint_eq(m, HWTS_IXIA | HWTS_ARISTA | HWTS_METAMAKO);
    /* a format named twice is refused, as a column or a tag (audit 15); a
     * different name for the same format (auto beside ixia) is not */
    m = 99;
    ck_assert_int_eq(hwts_parse_list("ixia,ixia", &m), HWTS_LIST_REPEATED);
    ck_assert_int_eq(hwts_parse_list("auto,metamako,auto", &m), HWTS_LIST_REPEATED);
    ck_assert_int_eq(hwts_parse_list("ixia,ixia,bogus", &m), HWTS_LIST_UNKNOWN);
    ck_assert_uint_eq(m, 99);
    ck_assert_int_eq(hwts_parse_list("auto,ixia", &m), 0);
    ck_assert_uint_eq(m, HWTS_IXIA | HWTS_ARISTA);
}
END_TEST

START_TEST(fingerprint_ignores_ttl_checksum_dscp)
{
    uint8_t ip[28];
    int64_t a, b;
    build_frame();
    memcpy(ip, frame + 14, 28);
    ck_assert(ip_fingerprint(ip, sizeof ip, &a));
    ck_assert(a == INT64_C(4354097352926362175));
    ip[1] = 0xb8;
    ip[8] = 1;
    ip[10] = 0x12;
    ip[11] = 0x34;
    ck_assert(ip_fingerprint(ip, sizeof ip, &b));
    ck_assert(a == b);
    ip[5] = 2; /* another IP ID: another packet */
    ck_assert(ip_fingerprint(ip, sizeof ip, &b));
    ck_assert(a != b);
    /* link bytes after the datagram (padding, a trailer) do not count */
    ck_assert(ip_fingerprint(frame + 14, sizeof frame - 14, &b));
    ck_assert(a == b);
    /* fewer bytes than the datagram's 28 */
    ck_assert(!ip_fingerprint(ip, 27, &b));
}
END_TEST

START_TEST(fingerprint_ipv6_hop_limit_and_class)
{
    uint8_t ip[48] = { 0x60, 0, 0, 0, 0, 8, 17, 64 };
    for (int i = 0; i < 32; i++)
        ip[8 + i] = (uint8_t)i;
    memcpy(ip + 40, "\x00\x01\x00\x02\x00\x08\x00\x00", 8);
    int64_t a, b;
    ck_assert(ip_fingerprint(ip, sizeof ip, &a));
    ck_assert(a == INT64_C(4016722984377035261));
    ip[0] = 0x6f; /* traffic class spans the nibbles */
    ip[1] = 0xf0;
    ip[7] = 3;
    ck_assert(ip_fingerprint(ip, sizeof ip, &b));
    ck_assert(a == b);
}
END_TEST

START_TEST(fingerprint_first_128_bytes_only)
{
    uint8_t ip[200] = { 0x45, 0, 0, 200 };
    int64_t a, b;
    ck_assert(ip_fingerprint(ip, 128, &a)); /* 128 of 200 captured is enough */
    ip[150] = 1;
    ck_assert(ip_fingerprint(ip, sizeof ip, &b));
    ck_assert(a == b);
    ck_assert(!ip_fingerprint(ip, 127, &b));
    ip[3] = 19; /* total length below the header */
    ck_assert(!ip_fingerprint(ip, sizeof ip, &b));
}
END_TEST

START_TEST(fingerprint_follows_the_innermost_ip_header)
{
    /* Ethernet, IPv4 (protocol 4), IPv4/UDP: the row's IP packet is the
     * inner one, whose addresses the row shows (what a tunnel decoder must
     * keep: the hash is over what r.ip points at) */
    static const uint8_t f[] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
        0x45, 0, 0, 48, 0, 9, 0, 0, 64, 4, 0, 0, 192, 168, 0, 1, 192, 168, 0, 2,
        0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x04, 0xd2, 0x16, 0x2e, 0, 8, 0, 0,
    };
    struct row r;
    int64_t v;
    memset(&r, 0, sizeof r);
    row_reset(&r);
    decode_link(LINKTYPE_ETHERNET, f, sizeof f, sizeof f, &r);
    ck_assert(r.ip == f + 34);
    ck_assert_uint_eq(r.ip_caplen, 28);
    ck_assert(ip_fingerprint(r.ip, r.ip_caplen, &v));
    ck_assert(v == INT64_C(4354097352926362175)); /* the same packet, untunnelled */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hwts");
    TCase *tc = tcase_create("hwts");
    tcase_add_test(tc, metamako_plain_trailer);
    tcase_add_test(tc, metamako_new_fcs_after_trailer);
    tcase_add_test(tc, metamako_tlvs_seqnum_and_subns_skipped);
    tcase_add_test(tc, metamako_tlv_longer_than_frame_rejected);
    tcase_add_test(tc, metamako_outside_30_days_rejected);
    tcase_add_test(tc, metamako_needs_room_for_original_fcs);
    tcase_add_test(tc, exablaze_fraction_truncated_to_ns);
    tcase_add_test(tc, exablaze_fcs_and_window);
    tcase_add_test(tc, ixia_timestamp_tlv);
    tcase_add_test(tc, ixia_with_fcs_and_bad_checksum);
    tcase_add_test(tc, arista_64bit_and_48bit);
    tcase_add_test(tc, arista_r3_versions_same_layouts);
    tcase_add_test(tc, arista_unknown_version_or_short);
    tcase_add_test(tc, expcap_picoseconds_truncated);
    tcase_add_test(tc, expcap_picoseconds_out_of_range);
    tcase_add_test(tc, expcap_padding_record_has_no_footer);
    tcase_add_test(tc, find_trailer_after_ip_datagram_and_padding);
    tcase_add_test(tc, find_trailer_after_ipv6_jumbogram);
    tcase_add_test(tc, parse_list_names);
    tcase_add_test(tc, fingerprint_ignores_ttl_checksum_dscp);
    tcase_add_test(tc, fingerprint_ipv6_hop_limit_and_class);
    tcase_add_test(tc, fingerprint_first_128_bytes_only);
    tcase_add_test(tc, fingerprint_follows_the_innermost_ip_header);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
