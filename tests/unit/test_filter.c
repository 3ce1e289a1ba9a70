/* Unit tests for the row filters (--port, --host, --proto). */
#include <check.h>
#include <stdlib.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "columns.h"
#include "filter.h"
#include "names.h"
#include "unit_main.h"

static char err[256];

static struct row v4_tcp(const char *src_last, uint16_t sport, uint16_t dport)
{
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_SRC | HAS_DST | HAS_IPPROTO | HAS_SPORT | HAS_DPORT;
    r.ipver = IPVER_4;
    r.ipproto = 6;
    r.src[0] = 10, r.src[1] = 1, r.src[2] = 2, r.src[3] = (uint8_t)atoi(src_last);
    r.dst[0] = 192, r.dst[1] = 0, r.dst[2] = 2, r.dst[3] = 1;
    r.sport = sport;
    r.dport = dport;
    return r;
}

START_TEST(empty_filter_keeps_everything)
{
    struct filter f;
    memset(&f, 0, sizeof f);
    struct row r = v4_tcp("5", 1, 2);
    ck_assert_int_eq(filter_active(&f), 0);
    ck_assert_int_eq(filter_match(&f, &r), 1);
}
END_TEST

START_TEST(port_matches_either_side)
{
    struct filter f;
    memset(&f, 0, sizeof f);
    ck_assert_int_eq(filter_add_port(&f, "443", err, sizeof err), 0);
    struct row a = v4_tcp("5", 443, 50000), b = v4_tcp("5", 50000, 443), c = v4_tcp("5", 80, 81);
    ck_assert_int_eq(filter_match(&f, &a), 1);
    ck_assert_int_eq(filter_match(&f, &b), 1);
    ck_assert_int_eq(filter_match(&f, &c), 0);
    c.present &= ~(uint32_t)(HAS_SPORT | HAS_DPORT); /* truncated: no ports */
    c.sport = 443;
    ck_assert_int_eq(filter_match(&f, &c), 0);
}
END_TEST

START_TEST(port_rejects_junk)
{
    struct filter f;
    memset(&f, 0, sizeof f);
    ck_assert_int_eq(filter_add_port(&f, "65536", err, sizeof err), -1);
    ck_assert_int_eq(filter_add_port(&f, "-1", err, sizeof err), -1);
    ck_assert_int_eq(filter_add_port(&f, "80x", err, sizeof err), -1);
    ck_assert_int_eq(filter_add_port(&f, "", err, sizeof err), -1);
    ck_assert_int_eq(f.n_ports, 0);
}
END_TEST

START_TEST(host_prefix_and_family)
{
    struct filter f;
    memset(&f, 0, sizeof f);
    ck_assert_int_eq(filter_add_host(&f, "10.1.0.0/23", err, sizeof err), 0);
    struct row in = v4_tcp("5", 1, 2);
    ck_assert_int_eq(filter_match(&f, &in), 0);   /* 10.1.2.5: outside 10.1.0.0/23 */
    in.src[2] = 1;                                 /* 10.1.1.5: inside */
    ck_assert_int_eq(filter_match(&f, &in), 1);
    /* an IPv6 row with the same leading bytes does not match an IPv4 host */
    in.ipver = IPVER_6;
    ck_assert_int_eq(filter_match(&f, &in), 0);
    ck_assert_int_eq(filter_add_host(&f, "10.1.0.0/33", err, sizeof err), -1);
    ck_assert_int_eq(filter_add_host(&f, "example.com", err, sizeof err), -1);
    ck_assert_int_eq(filter_add_host(&f, "2001:db8::1", err, sizeof err), 0);
}
END_TEST

START_TEST(proto_names_and_numbers)
{
    struct filter f;
    memset(&f, 0, sizeof f);
    ck_assert_int_eq(filter_add_proto(&f, "UdP", err, sizeof err), 0);
    ck_assert_int_eq(filter_add_proto(&f, "132", err, sizeof err), 0);
    ck_assert_int_eq(filter_add_proto(&f, "arp", err, sizeof err), 0);
    ck_assert_int_eq(filter_add_proto(&f, "tcpp", err, sizeof err), -1);
    ck_assert_int_eq(filter_add_proto(&f, "256", err, sizeof err), -1);
    struct row r = v4_tcp("5", 1, 2);
    ck_assert_int_eq(filter_match(&f, &r), 0);
    r.ipproto = 17;
    ck_assert_int_eq(filter_match(&f, &r), 1);
    r.ipproto = 132;
    ck_assert_int_eq(filter_match(&f, &r), 1);
    memset(&r, 0, sizeof r);
    r.present = HAS_ETHTYPE;
    r.ethertype = 0x0806;
    ck_assert_int_eq(filter_match(&f, &r), 1);
    r.ethertype = 0x88CC;
    ck_assert_int_eq(filter_match(&f, &r), 0);
}
END_TEST

/* Whether --proto NAME is accepted and keeps r, as written and in lower case. */
static int proto_keeps(const char *name, const struct row *r)
{
    char lower[64];
    size_t n = strlen(name);
    ck_assert_uint_lt(n, sizeof lower);
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    int kept = 1;
    for (int pass = 0; pass < 2; pass++) {
        struct filter f;
        memset(&f, 0, sizeof f);
        if (filter_add_proto(&f, pass ? lower : name, err, sizeof err) != 0)
            return 0;
        kept &= filter_match(&f, r);
    }
    return kept;
}

/* The protocol column's text of r. */
static const char *protocol_text(const struct row *r)
{
    static char text[FIELD_MAX];
    *format_protocol(text, r) = '\0';
    return text;
}

/* --proto takes whatever the protocol column can show and keeps the rows
 * showing it: every IP protocol (keyword or number), every Ethertype (name
 * or 0xhhhh) and every other link payload's name; a decoder can name a
 * payload only from these lists (names.h), so a name added there is taken
 * here too. */
START_TEST(proto_takes_every_protocol_column_value)
{
    struct row r;
    for (unsigned p = 0; p < 256; p++) {
        memset(&r, 0, sizeof r);
        r.present = HAS_IPPROTO;
        r.ipproto = (uint8_t)p;
        ck_assert_msg(proto_keeps(protocol_text(&r), &r), "IP protocol %u: %s", p,
                      protocol_text(&r));
    }
    for (unsigned t = 0; t < 65536; t++) {
        memset(&r, 0, sizeof r);
        r.present = HAS_ETHTYPE;
        r.ethertype = (uint16_t)t;
        ck_assert_msg(proto_keeps(protocol_text(&r), &r), "Ethertype %04x: %s", t,
                      protocol_text(&r));
        char hex[8];
        snprintf(hex, sizeof hex, "0x%04X", t);
        ck_assert_msg(proto_keeps(hex, &r), "Ethertype %s", hex);
    }
    for (int p = LINK_PROTO_NONE + 1; p < LINK_PROTO_COUNT; p++) {
        memset(&r, 0, sizeof r);
        r.present = HAS_LLCNAME;
        r.link_proto = (uint8_t)p;
        ck_assert_str_eq(protocol_text(&r), link_proto_name((enum link_proto)p));
        ck_assert_msg(proto_keeps(protocol_text(&r), &r), "link payload %s", protocol_text(&r));
    }
}
END_TEST

/* 0xhhhh keeps a row that is not IP when the ethertype column shows it: a
 * Cisco HDLC SLARP row (protocol SLARP, ethertype 0x8035), whose payload
 * is not RARP's; an IP row is chosen by its IP protocol alone. */
START_TEST(proto_ethertype_number_matches_the_ethertype_column)
{
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_LLCNAME;
    r.link_proto = LINK_SLARP;
    r.l2type = 0x8035;
    r.has_l2type = 1;
    ck_assert_str_eq(protocol_text(&r), "SLARP");
    ck_assert_int_eq(proto_keeps("0x8035", &r), 1);
    ck_assert_int_eq(proto_keeps("SLARP", &r), 1);
    ck_assert_int_eq(proto_keeps("RARP", &r), 0);
    ck_assert_int_eq(proto_keeps("0x0806", &r), 0);
    /* ARCnet's ARP: named by the Ethertype, no Ethertype field to show */
    memset(&r, 0, sizeof r);
    r.present = HAS_ETHTYPE;
    r.ethertype = 0x0806;
    ck_assert_int_eq(proto_keeps("0x0806", &r), 1);
    /* no protocol column, no match */
    memset(&r, 0, sizeof r);
    r.l2type = 0x8100;
    r.has_l2type = 1;
    ck_assert_int_eq(proto_keeps("0x8100", &r), 0);
    struct row ip = v4_tcp("5", 1, 2);
    ip.l2type = 0x0800;
    ip.has_l2type = 1;
    ck_assert_int_eq(proto_keeps("0x0800", &ip), 0);
    ck_assert_int_eq(proto_keeps("tcp", &ip), 1);
}
END_TEST

START_TEST(kinds_and_values_combine)
{
    struct filter f;
    memset(&f, 0, sizeof f);
    filter_add_proto(&f, "tcp", err, sizeof err);
    filter_add_port(&f, "80", err, sizeof err);
    filter_add_port(&f, "443", err, sizeof err);
    struct row a = v4_tcp("5", 80, 9), b = v4_tcp("5", 9, 443), c = v4_tcp("5", 9, 9);
    ck_assert_int_eq(filter_match(&f, &a), 1);
    ck_assert_int_eq(filter_match(&f, &b), 1);
    ck_assert_int_eq(filter_match(&f, &c), 0);
    b.ipproto = 17; /* UDP on 443: fails the proto kind */
    ck_assert_int_eq(filter_match(&f, &b), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("filter");
    TCase *tc = tcase_create("filter");
    /* every Ethertype twice: past Check's 4 s under ASan on a busy machine */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, empty_filter_keeps_everything);
    tcase_add_test(tc, port_matches_either_side);
    tcase_add_test(tc, port_rejects_junk);
    tcase_add_test(tc, host_prefix_and_family);
    tcase_add_test(tc, proto_names_and_numbers);
    tcase_add_test(tc, proto_takes_every_protocol_column_value);
    tcase_add_test(tc, proto_ethertype_number_matches_the_ethertype_column);
    tcase_add_test(tc, kinds_and_values_combine);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
