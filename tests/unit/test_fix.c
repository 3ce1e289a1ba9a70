/* Unit tests for the FIX framer and field extraction (src/fix.c), on
 * hand-written messages ('|' stands for SOH), alone and behind the
 * reassembler. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix.h"
#include "flow.h"
#include "reasm.h"
#include "row.h"
#include "unit_main.h"

/* '|' -> SOH, in place; returns the length. */
static size_t soh(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (s[i] == '|')
            s[i] = FIX_SOH;
    return n;
}

/* A well-formed message: BeginString, BodyLength and CheckSum computed.
 * chk_delta spoils the checksum, len_delta the BodyLength. */
static size_t fixmsg(char *out, const char *begin, const char *body, int len_delta, int chk_delta)
{
    char tmp[2048];
    int n = snprintf(tmp, sizeof tmp, "8=%s|9=%d|%s", begin, (int)strlen(body) + len_delta, body);
    soh(tmp);
    unsigned sum = 0;
    for (int i = 0; i < n; i++)
        sum += (unsigned char)tmp[i];
    n += snprintf(tmp + n, sizeof tmp - (size_t)n, "10=%03u|", (sum + (unsigned)chk_delta) & 0xFF);
    soh(tmp);
    memcpy(out, tmp, (size_t)n + 1);
    return (size_t)n;
}

#define BODY_D "35=D|34=7|49=CLI|56=EXCH|52=20260105-13:30:00.123|11=ORD1|55=VOD.L|54=1|38=100|44=101.25|"
#define BODY_8 "35=8|34=9|49=EXCH|56=CLI|52=20260105-13:30:00.125|11=ORD1|37=X1|39=0|150=0|"

START_TEST(fix_frame_complete_message)
{
    char m[512];
    size_t n = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    struct fix_frame_res r;
    ck_assert_int_eq(fix_frame((uint8_t *)m, n, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, n);
    ck_assert_uint_eq(r.bodylen, strlen(BODY_D));
    ck_assert_int_eq(r.checksum_ok, 1);
    ck_assert_uint_eq(r.flags, 0);
}
END_TEST

START_TEST(fix_frame_fixt_begin_string)
{
    char m[512];
    size_t n = fixmsg(m, "FIXT.1.1", BODY_D, 0, 0);
    struct fix_frame_res r;
    ck_assert_int_eq(fix_frame((uint8_t *)m, n, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, n);
    ck_assert_uint_eq(r.begin_len, 8);
}
END_TEST

START_TEST(fix_frame_needs_more_for_every_prefix)
{
    char m[512];
    size_t n = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    struct fix_frame_res r;
    for (size_t k = 0; k < n; k++) {
        ck_assert_int_eq(fix_frame((uint8_t *)m, k, &r), FIX_FRAME_MORE);
        ck_assert(r.want > k);
    }
}
END_TEST

START_TEST(fix_frame_bad_checksum_flagged)
{
    char m[512];
    size_t n = fixmsg(m, "FIX.4.4", BODY_D, 0, 3);
    struct fix_frame_res r;
    ck_assert_int_eq(fix_frame((uint8_t *)m, n, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, n);
    ck_assert_int_eq(r.checksum_ok, 0);
    ck_assert_uint_eq(r.flags, FIXF_BAD_CHECKSUM);
}
END_TEST

START_TEST(fix_frame_bodylength_too_long_ends_at_trailer)
{
    char m[1024];
    size_t n = fixmsg(m, "FIX.4.4", BODY_D, 500, 0);
    size_t n2 = fixmsg(m + n, "FIX.4.4", BODY_8, 0, 0);
    struct fix_frame_res r;
    /* decided from the trailer alone, without waiting for 500 more bytes */
    ck_assert_int_eq(fix_frame((uint8_t *)m, n, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, n);
    ck_assert(r.flags & FIXF_BAD_LENGTH);
    ck_assert_int_eq(fix_frame((uint8_t *)m + n, n2, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.flags, 0);
}
END_TEST

/* RawData (96) and XmlData (213) may hold any byte: a "|10=ddd|" or
 * "|8=FIX" inside them ends nothing, however the message is cut: every
 * prefix waits (read afresh or resumed), the whole is one message. */
START_TEST(fix_frame_data_field_holds_trailer_and_start)
{
    static const char *const bodies[] = {
        "35=A|34=1|49=CLI|56=EXCH|95=12|96=ab|10=123|cd|553=user|",
        "35=A|34=1|49=CLI|56=EXCH|212=18|213=<x>|8=FIX.4.4|</x>|",
    };
    for (size_t b = 0; b < 2; b++) {
        char m[512], body[256];
        strcpy(body, bodies[b]);
        size_t n = fixmsg(m, "FIX.4.4", body, 0, 0);
        struct fix_frame_res r;
        size_t scanned = 0;
        for (size_t k = 1; k < n; k++) {
            ck_assert_msg(fix_frame((uint8_t *)m, k, &r) == FIX_FRAME_MORE, "body %zu prefix %zu of %zu", b, k, n);
            ck_assert_int_eq(fix_frame_from((uint8_t *)m, k, scanned, &r), FIX_FRAME_MORE);
            scanned = r.scanned;
        }
        ck_assert_int_eq(fix_frame_from((uint8_t *)m, n, scanned, &r), FIX_FRAME_OK);
        ck_assert_uint_eq(r.len, n);
        ck_assert_uint_eq(r.flags, 0);
        ck_assert_int_eq(r.checksum_ok, 1);
    }
}
END_TEST

/* A data length that does not point at an SOH is not trusted: the trailer
 * inside the value ends the message, as any lying BodyLength's would. */
START_TEST(fix_frame_data_length_lying_not_trusted)
{
    char m[512], body[] = "35=A|34=1|95=5|96=ab|10=123|cd|";
    size_t n = fixmsg(m, "FIX.4.4", body, 0, 0);
    struct fix_frame_res r;
    size_t cut = (size_t)(strstr(m, "10=123") - m) + 7;
    ck_assert_int_eq(fix_frame((uint8_t *)m, cut, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, cut);
    ck_assert_uint_eq(r.flags, FIXF_BAD_LENGTH | FIXF_BAD_CHECKSUM);
    ck_assert_int_eq(fix_frame((uint8_t *)m, n, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, n);
    ck_assert_uint_eq(r.flags, 0);
}
END_TEST

/* FIX's int allows leading zeros: up to 16 of them before BodyLength's
 * (at most 8) digits; every prefix waits, the whole is one message. */
START_TEST(fix_frame_bodylength_leading_zeros)
{
    static const char *const lens[] = { "00000000050", "000000000000000050", "0000000000000000050" };
    const char *body = "35=0|34=2|49=CLI|56=EXCH|52=20260105-13:30:01.000|";   /* 50 bytes */
    for (size_t z = 0; z < 3; z++) {
        char m[512];
        int n = snprintf(m, sizeof m, "8=FIX.4.4|9=%s|%s", lens[z], body);
        soh(m);
        unsigned sum = 0;
        for (int i = 0; i < n; i++)
            sum += (unsigned char)m[i];
        n += snprintf(m + n, sizeof m - (size_t)n, "10=%03u|", sum & 0xFF);
        soh(m);
        struct fix_frame_res r;
        for (int k = 1; k < n; k++)
            ck_assert_int_eq(fix_frame((uint8_t *)m, (size_t)k, &r), FIX_FRAME_MORE);
        ck_assert_int_eq(fix_frame((uint8_t *)m, (size_t)n, &r), FIX_FRAME_OK);
        ck_assert_uint_eq(r.len, (size_t)n);
        ck_assert_uint_eq(r.bodylen, 50);
        ck_assert_uint_eq(r.flags, 0);
        ck_assert_int_eq(r.checksum_ok, 1);
    }
    /* 17 zeros and 8 more digits: 25 in all, no BodyLength */
    char bad[] = "8=FIX.4.4|9=0000000000000000012345678|35=0|";
    soh(bad);
    struct fix_frame_res r;
    ck_assert_int_eq(fix_frame((uint8_t *)bad, strlen(bad), &r), FIX_FRAME_NOSTART);
}
END_TEST

START_TEST(fix_frame_bodylength_too_short_ends_at_trailer)
{
    char m[1024];
    size_t n = fixmsg(m, "FIX.4.4", BODY_D, -20, 0);
    struct fix_frame_res r;
    ck_assert_int_eq(fix_frame((uint8_t *)m, n, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, n);
    ck_assert(r.flags & FIXF_BAD_LENGTH);
}
END_TEST

START_TEST(fix_frame_no_trailer_before_next_message)
{
    char m[1024];
    strcpy(m, "8=FIX.4.4|9=300|35=0|34=1|");
    size_t n = soh(m);
    size_t n2 = fixmsg(m + n, "FIX.4.4", BODY_8, 0, 0);
    struct fix_frame_res r;
    ck_assert_int_eq(fix_frame((uint8_t *)m, n + n2, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, n);
    ck_assert_uint_eq(r.flags, FIXF_BAD_LENGTH | FIXF_NO_CHECKSUM);
}
END_TEST

START_TEST(fix_frame_not_fix_skips_to_next_start)
{
    char m[512] = "GET / HTTP/1.1\r\nX: 18=FIXY\r\n";
    size_t g = strlen(m);
    size_t n = fixmsg(m + g, "FIX.4.4", BODY_D, 0, 0);
    struct fix_frame_res r;
    ck_assert_int_eq(fix_frame((uint8_t *)m, g + n, &r), FIX_FRAME_NOSTART);
    ck_assert_uint_eq(r.len, g);   /* "18=FIX" follows a digit: no start */
}
END_TEST

START_TEST(fix_frame_missing_bodylength_is_no_message)
{
    char m[64] = "8=FIX.4.4|35=0|10=000|";
    size_t n = soh(m);
    struct fix_frame_res r;
    ck_assert_int_eq(fix_frame((uint8_t *)m, n, &r), FIX_FRAME_NOSTART);
    ck_assert_uint_eq(r.len, n);
}
END_TEST

/* "8=FIX.4.4|9=..|35=0|58=xyz|10=<chk_text>|", xyz chosen so that the byte
 * sum before "10=" is `sum` modulo 256; len_delta spoils the BodyLength. */
static size_t fixmsg_sum(char *out, unsigned sum, const char *chk_text, int len_delta)
{
    for (char a = '!'; a <= '~'; a++)
        for (char b = '!'; b <= '~'; b++)
            for (char c = '!'; c <= '~'; c++) {
                if (a == '|' || b == '|' || c == '|')
                    continue;
                char body[32], tmp[128];
                snprintf(body, sizeof body, "35=0|58=%c%c%c|", a, b, c);
                int n = snprintf(tmp, sizeof tmp, "8=FIX.4.4|9=%d|%s",
                                 (int)strlen(body) + len_delta, body);
                soh(tmp);
                unsigned s = 0;
                for (int i = 0; i < n; i++)
                    s += (unsigned char)tmp[i];
                if ((s & 0xFF) != sum)
                    continue;
                n += snprintf(tmp + n, sizeof tmp - (size_t)n, "10=%s|", chk_text);
                soh(tmp);
                memcpy(out, tmp, (size_t)n + 1);
                return (size_t)n;
            }
    ck_abort_msg("no pad gives sum %u", sum);
    return 0;
}

/* A CheckSum not padded to three digits ("10=2", "10=02") where BodyLength
 * points is the trailer, as Wireshark's packet-fix.c takes it: the message
 * ends there, its value compared as a number; every prefix waits. Four
 * digits are no trailer, and the scan past a lying BodyLength keeps to
 * three: an unpadded trailer there ends nothing. */
START_TEST(fix_frame_unpadded_checksum_where_bodylength_points)
{
    static const struct {
        unsigned sum;
        const char *text;
        int ok;
    } cases[] = { { 2, "2", 1 }, { 2, "02", 1 }, { 2, "3", 0 }, { 47, "47", 1 }, { 7, "70", 0 } };
    char m[256];
    struct fix_frame_res r;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = fixmsg_sum(m, cases[c].sum, cases[c].text, 0);
        size_t scanned = 0;
        for (size_t k = 0; k < n; k++) {
            ck_assert_int_eq(fix_frame((uint8_t *)m, k, &r), FIX_FRAME_MORE);
            ck_assert_int_eq(fix_frame_from((uint8_t *)m, k, scanned, &r), FIX_FRAME_MORE);
            scanned = r.scanned;
        }
        ck_assert_int_eq(fix_frame_from((uint8_t *)m, n, scanned, &r), FIX_FRAME_OK);
        ck_assert_uint_eq(r.len, n);
        ck_assert_int_eq(r.checksum_ok, cases[c].ok);
        ck_assert_uint_eq(r.flags, cases[c].ok ? 0 : FIXF_BAD_CHECKSUM);
        /* followed by another message: the same */
        size_t n2 = fixmsg(m + n, "FIX.4.4", BODY_8, 0, 0);
        ck_assert_int_eq(fix_frame((uint8_t *)m, n + n2, &r), FIX_FRAME_OK);
        ck_assert_uint_eq(r.len, n);
        ck_assert_int_eq(r.checksum_ok, cases[c].ok);
    }
    /* 10=1234: no trailer; the message ends before the next one */
    size_t n = fixmsg_sum(m, 2, "1234", 0);
    size_t n2 = fixmsg(m + n, "FIX.4.4", BODY_8, 0, 0);
    ck_assert_int_eq(fix_frame((uint8_t *)m, n, &r), FIX_FRAME_MORE);
    ck_assert_int_eq(fix_frame((uint8_t *)m, n + n2, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, n);
    ck_assert_int_eq(r.checksum_ok, 0);
    ck_assert_uint_eq(r.flags, FIXF_BAD_LENGTH | FIXF_NO_CHECKSUM);
    /* BodyLength 3 too long: "|10=2|" is not where it points, no trailer */
    n = fixmsg_sum(m, 2, "2", 3);
    n2 = fixmsg(m + n, "FIX.4.4", BODY_8, 0, 0);
    ck_assert_int_eq(fix_frame((uint8_t *)m, n + n2, &r), FIX_FRAME_OK);
    ck_assert_uint_eq(r.len, n);
    ck_assert_uint_eq(r.flags, FIXF_BAD_LENGTH | FIXF_NO_CHECKSUM);
}
END_TEST

/* fix_frame_from, resumed where each FIX_FRAME_MORE left off as bytes are
 * added one at a time, decides exactly as fix_frame on every prefix: for
 * an honest message, BodyLength too long or too short, no trailer before
 * the next message, and a bad checksum. */
START_TEST(fix_frame_from_resumed_agrees_with_fix_frame)
{
    char m[4096];
    size_t a = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    a += fixmsg(m + a, "FIX.4.4", BODY_8, 0, 0);
    size_t b = a + fixmsg(m + a, "FIX.4.4", BODY_D, 9000, 0);
    b += fixmsg(m + b, "FIX.4.4", BODY_8, 0, 0);
    size_t c = b + fixmsg(m + b, "FIXT.1.1", BODY_D, -12, 3);
    c += fixmsg(m + c, "FIX.4.4", BODY_8, 0, 0);
    char *cut = m + c;
    size_t d = c + (size_t)sprintf(cut, "8=FIX.4.4|9=300|35=D|11=X|");
    d += fixmsg(m + d, "FIX.4.4", BODY_8, 0, 0);
    soh(cut);
    const uint8_t *p = (const uint8_t *)m;
    for (size_t start = 0; start < d;) {
        size_t scanned = 0, n;
        struct fix_frame_res whole, resumed;
        enum fix_frame_status st = FIX_FRAME_MORE;
        for (n = 1; start + n <= d && st == FIX_FRAME_MORE; n++) {
            st = fix_frame(p + start, n, &whole);
            ck_assert_int_eq(fix_frame_from(p + start, n, scanned, &resumed), st);
            ck_assert_uint_eq(resumed.flags, whole.flags);
            if (st == FIX_FRAME_MORE) {
                ck_assert_uint_eq(resumed.want, whole.want);
                scanned = resumed.scanned;
            } else {
                ck_assert_uint_eq(resumed.len, whole.len);
            }
        }
        ck_assert_int_ne(st, FIX_FRAME_MORE);
        start += whole.len;
    }
}
END_TEST

/* A value fix_parse found, in the message it parsed. */
#define TEXT(msg, val) ((const char *)(msg) + (val).off)

START_TEST(fix_parse_extracts_first_occurrence_and_extra_tags)
{
    char m[512];
    size_t n = fixmsg(m, "FIX.4.4", "35=8|34=9|49=EXCH|56=CLI|11=A|37=X1|55=S1|55=S2|150=F|", 0, 0);
    uint32_t tags[2] = { 37, 150 };
    struct fix_fields f;
    fix_parse((uint8_t *)m, n, tags, 2, &f);
    ck_assert(f.v[FIXV_MSGTYPE].n == 1 && TEXT(m, f.v[FIXV_MSGTYPE])[0] == '8');
    ck_assert(f.v[FIXV_SYMBOL].n == 2 && memcmp(TEXT(m, f.v[FIXV_SYMBOL]), "S1", 2) == 0);
    ck_assert(f.v[FIXV_BEGIN].n == 7 && memcmp(TEXT(m, f.v[FIXV_BEGIN]), "FIX.4.4", 7) == 0);
    ck_assert(f.v[FIXV_EXTRA].n == 2 && memcmp(TEXT(m, f.v[FIXV_EXTRA]), "X1", 2) == 0);
    ck_assert(f.v[FIXV_EXTRA + 1].n == 1 && TEXT(m, f.v[FIXV_EXTRA + 1])[0] == 'F');
    ck_assert(f.v[FIXV_PRICE].n == FIX_ABSENT);
}
END_TEST

START_TEST(fix_parse_tags_of_any_width_and_malformed_fields)
{
    /* One-, two- and three-digit tags, leading zeros (035 is 35), a
     * ten-digit tag and fields without '=' or tag are skipped whole. */
    char m[512];
    size_t n = fixmsg(m, "FIX.4.4",
                      "=X|35|0000000035=Y|1234567890=Z|035=D|34=7|150=F|6=1.5|"
                      "000000055=SYM|99999999999=Q|54=|",
                      0, 0);
    uint32_t tags[3] = { 150, 6, 999999999 };
    struct fix_fields f;
    fix_parse((uint8_t *)m, n, tags, 3, &f);
    ck_assert(f.v[FIXV_MSGTYPE].n == 1 && TEXT(m, f.v[FIXV_MSGTYPE])[0] == 'D');
    ck_assert(f.v[FIXV_SEQNUM].n == 1 && TEXT(m, f.v[FIXV_SEQNUM])[0] == '7');
    ck_assert(f.v[FIXV_SYMBOL].n == 3 && memcmp(TEXT(m, f.v[FIXV_SYMBOL]), "SYM", 3) == 0);
    ck_assert(f.v[FIXV_SIDE].n != FIX_ABSENT && f.v[FIXV_SIDE].n == 0);
    ck_assert(f.v[FIXV_EXTRA].n == 1 && TEXT(m, f.v[FIXV_EXTRA])[0] == 'F');
    ck_assert(f.v[FIXV_EXTRA + 1].n == 3 && memcmp(TEXT(m, f.v[FIXV_EXTRA + 1]), "1.5", 3) == 0);
    ck_assert(f.v[FIXV_EXTRA + 2].n == FIX_ABSENT);
}
END_TEST

START_TEST(fix_parse_fields_across_64_byte_blocks)
{
    /* SOHs are found 64 bytes at a time: fields that straddle a block,
     * end one, or sit in a short last block are read alike, and no byte
     * past the message is read (each copy is allocated to its length). */
    for (size_t pad = 0; pad < 160; pad++) {
        char body[256], m[512];
        memset(body, 0, sizeof body);
        memcpy(body, "35=8|58=", 8);
        memset(body + 8, 'x', pad);
        strcpy(body + 8 + pad, "|55=SYM|44=1.5|39=2|55=NO|");
        size_t n = fixmsg(m, "FIX.4.4", body, 0, 0);
        uint8_t *copy = malloc(n);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, m, n);
        uint32_t tag = 10;
        struct fix_fields f;
        fix_parse(copy, n, &tag, 1, &f);
        ck_assert(f.v[FIXV_SYMBOL].n == 3 && memcmp(TEXT(copy, f.v[FIXV_SYMBOL]), "SYM", 3) == 0);
        ck_assert(f.v[FIXV_PRICE].n == 3 && memcmp(TEXT(copy, f.v[FIXV_PRICE]), "1.5", 3) == 0);
        ck_assert(f.v[FIXV_ORDSTATUS].n == 1 && TEXT(copy, f.v[FIXV_ORDSTATUS])[0] == '2');
        ck_assert(f.v[FIXV_EXTRA].n == 3 && f.v[FIXV_EXTRA].off == n - 4);
        /* without the trailer's SOH the last field is no field */
        fix_parse(copy, n - 1, &tag, 1, &f);
        ck_assert(f.v[FIXV_EXTRA].n == FIX_ABSENT);
        ck_assert(f.v[FIXV_SYMBOL].n == 3 && memcmp(TEXT(copy, f.v[FIXV_SYMBOL]), "SYM", 3) == 0);
        free(copy);
    }
}
END_TEST

START_TEST(fix_parse_utc_cached_agrees_with_uncached)
{
    const char *t[] = { "20260105-13:30:00.123", "20260105-13:30:00.9", "20260105-13:30:00",
                        "20260105-13:30:00.", "20260105-13:30:00.12x", "20260105-13:30:01.5",
                        "20261305-13:30:01.5", "20260105-13:30:01.123456789",
                        "20260105-13:30:01.1234567890", "20260105-13:30:00.001" };
    struct fix_utc_cache c = { 0 };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t s1 = 0, s2 = 0;
        uint32_t n1 = 0, n2 = 0;
        size_t n = strlen(t[i]);
        int r1 = fix_parse_utc((const uint8_t *)t[i], n, &s1, &n1);
        int r2 = fix_parse_utc_cached(&c, (const uint8_t *)t[i], n, &s2, &n2);
        ck_assert_int_eq(r1, r2);
        if (r1 == 0) {
            ck_assert_int_eq(s1, s2);
            ck_assert_uint_eq(n1, n2);
        }
    }
}
END_TEST

START_TEST(fix_parse_utc_millis_and_nanos)
{
    int64_t s;
    uint32_t ns;
    ck_assert_int_eq(fix_parse_utc((const uint8_t *)"20260105-13:30:00.123", 21, &s, &ns), 0);
    ck_assert_int_eq(s, 1767619800);
    ck_assert_uint_eq(ns, 123000000);
    ck_assert_int_eq(fix_parse_utc((const uint8_t *)"20260105-13:30:00.123456789", 27, &s, &ns), 0);
    ck_assert_uint_eq(ns, 123456789);
    ck_assert_int_eq(fix_parse_utc((const uint8_t *)"20260105-13:30:00", 17, &s, &ns), 0);
    ck_assert_int_eq(fix_parse_utc((const uint8_t *)"2026-01-05 13:30", 16, &s, &ns), -1);
}
END_TEST

/* A day the month does not have is no UTCTimestamp (null), not a day of
 * the next month; leap years as the Gregorian calendar has them. */
START_TEST(fix_parse_utc_calendar_dates)
{
    static const struct { const char *t; int ok; int64_t sec; } c[] = {
        { "20240229-00:00:00", 1, 1709164800 }, { "20000229-00:00:00", 1, 951782400 },
        { "20261231-23:59:59", 1, 1798761599 }, { "20260430-10:00:00", 1, 1777543200 },
        { "20250229-23:59:59", 0, 0 },          { "21000229-00:00:00", 0, 0 },
        { "20260230-00:00:00", 0, 0 },          { "20260231-10:00:00", 0, 0 },
        { "20260431-10:00:00", 0, 0 },          { "20261131-10:00:00", 0, 0 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int64_t s = -1, s2 = -1;
        uint32_t ns = 1, ns2 = 1;
        struct fix_utc_cache cache = { 0 };
        int r = fix_parse_utc((const uint8_t *)c[i].t, 17, &s, &ns);
        int r2 = fix_parse_utc_cached(&cache, (const uint8_t *)c[i].t, 17, &s2, &ns2);
        ck_assert_msg(r == (c[i].ok ? 0 : -1) && r2 == r, "%s", c[i].t);
        if (c[i].ok) {
            ck_assert_int_eq(s, c[i].sec);
            ck_assert_int_eq(s2, c[i].sec);
            ck_assert_uint_eq(ns, 0);
        }
    }
}
END_TEST

/* ---------------------------------------- behind the reassembler -- */

struct got {
    char text[64][512];
    uint32_t flags[64], segs[64];
    uint64_t first[64], last[64];
    int n;
};
static struct got got;
static struct flow_table ft;
static struct fix_framer fx;
static struct reasm_framer fr;
static struct reasm ra;
static uint64_t frame_no;
static uint32_t next_seq;

static void on_msg(void *ctx, const struct fix_message *m)
{
    (void)ctx;
    ck_assert_int_lt(got.n, 64);
    memcpy(got.text[got.n], m->p, m->len < 511 ? m->len : 511);
    got.flags[got.n] = m->flags;
    got.segs[got.n] = m->segs;
    got.first[got.n] = m->first->frame;
    got.last[got.n] = m->last->frame;
    got.n++;
}

static void on_evict(void *ctx, struct flow *f)
{
    (void)ctx;
    reasm_flow_end(&ra, f);
}

static void setup(void)
{
    memset(&got, 0, sizeof got);
    ck_assert_int_eq(flow_table_init(&ft, 64), 0);
    memset(&fx, 0, sizeof fx);
    fx.on_message = on_msg;
    fr = fix_reasm_framer(&fx);
    reasm_init(&ra, &fr, REASM_DEFAULT_BUDGET);
    ft.on_evict = on_evict;
    frame_no = 0;
    next_seq = 1000;
}

static void teardown(void) { flow_table_free(&ft); }

/* Data from client port sport at seq. */
static void seg_from(uint16_t sport, uint32_t seq, const char *p, size_t n)
{
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_SRC | HAS_DST | HAS_SPORT | HAS_DPORT | HAS_TCPSEQ | HAS_TCPHDR | HAS_PAYLEN;
    r.ipver = IPVER_4;
    uint8_t c[4] = { 10, 0, 0, 1 }, s[4] = { 10, 0, 0, 2 };
    memcpy(r.src, c, 4);
    memcpy(r.dst, s, 4);
    r.sport = sport;
    r.dport = 9878;
    r.tcpflags = TCP_ACK | TCP_PSH;
    r.seq = seq;
    r.paylen = (uint32_t)n;
    r.payload = (const uint8_t *)p;
    r.payload_caplen = (uint32_t)n;
    r.frame = ++frame_no;
    int dir;
    struct flow *f = flow_track_tcp(&ft, &r, &dir);
    struct reasm_pkt pkt = { r.frame, 0, 0, 0 };
    reasm_packet(&ra, f, dir, &r, &pkt);
}

/* Client data at seq on the tests' one connection. */
static void seg_at(uint32_t seq, const char *p, size_t n) { seg_from(1000, seq, p, n); }

static void seg(const char *p, size_t n)
{
    seg_at(next_seq, p, n);
    next_seq += (uint32_t)n;
}

START_TEST(fix_framer_message_split_over_three_segments)
{
    char m[512];
    size_t n = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    seg(m, 10);
    seg(m + 10, 60);
    ck_assert_int_eq(got.n, 0);
    seg(m + 70, n - 70);
    ck_assert_int_eq(got.n, 1);
    ck_assert_uint_eq(got.segs[0], 3);
    ck_assert_uint_eq(got.first[0], 1);
    ck_assert_uint_eq(got.last[0], 3);
    ck_assert_uint_eq(got.flags[0], 0);
    ck_assert_str_eq(got.text[0], m);
}
END_TEST

START_TEST(fix_framer_five_messages_in_one_segment)
{
    char m[4096];
    size_t n = 0;
    for (int i = 0; i < 5; i++)
        n += fixmsg(m + n, "FIX.4.4", BODY_8, 0, 0);
    seg(m, n);
    ck_assert_int_eq(got.n, 5);
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_eq(got.segs[i], 1);
        ck_assert_uint_eq(got.last[i], 1);
        ck_assert_uint_eq(got.flags[i], 0);
    }
}
END_TEST

START_TEST(fix_framer_split_header_and_trailer_bytes)
{
    /* every split point of two messages into two segments */
    char m[1024];
    size_t a = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    size_t n = a + fixmsg(m + a, "FIXT.1.1", BODY_8, 0, 0);
    for (size_t k = 1; k < n; k++) {
        teardown();
        setup();
        seg(m, k);
        seg(m + k, n - k);
        ck_assert_int_eq(got.n, 2);
        ck_assert_uint_eq(got.flags[0] | got.flags[1], 0);
        ck_assert_uint_eq(got.last[0], k >= a ? 1 : 2);
    }
}
END_TEST

START_TEST(fix_framer_gap_drops_cut_message_and_flags_next)
{
    char m[2048];
    size_t a = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    size_t b = fixmsg(m + a, "FIX.4.4", BODY_8, 0, 0);
    size_t c = fixmsg(m + a + b, "FIX.4.4", BODY_D, 0, 0);
    seg_at(1000, m, a + 20);                     /* message 1, start of 2 */
    seg_at(1000 + (uint32_t)(a + 40), m + a + 40, b - 40 + c);   /* 20 bytes lost */
    /* the peer acknowledges everything: the hole is a gap */
    struct row r;
    memset(&r, 0, sizeof r);
    r.present = HAS_SRC | HAS_DST | HAS_SPORT | HAS_DPORT | HAS_TCPSEQ | HAS_TCPHDR | HAS_PAYLEN;
    r.ipver = IPVER_4;
    uint8_t cl[4] = { 10, 0, 0, 1 }, sv[4] = { 10, 0, 0, 2 };
    memcpy(r.src, sv, 4);
    memcpy(r.dst, cl, 4);
    r.sport = 9878;
    r.dport = 1000;
    r.tcpflags = TCP_ACK;
    r.ack = 1000 + (uint32_t)(a + b + c);
    r.frame = ++frame_no;
    int dir;
    struct flow *f = flow_track_tcp(&ft, &r, &dir);
    struct reasm_pkt pkt = { r.frame, 0, 0, 0 };
    reasm_packet(&ra, f, dir, &r, &pkt);
    ck_assert_int_eq(got.n, 2);                  /* message 2 is never invented */
    ck_assert_uint_eq(got.flags[0], 0);
    ck_assert_uint_eq(got.flags[1], FIXF_GAP);
    ck_assert_uint_eq(got.last[1], 2);          /* its own last packet completes it */
    ck_assert_uint_eq(fx.dropped, 1);
}
END_TEST

/* A message whose middle was captured before its start and whose end came
 * in order: some of its bytes arrived out of order (README: reordered). */
START_TEST(fix_framer_reordered_middle_flags_message)
{
    char m[1024];
    size_t a = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    size_t b = fixmsg(m + a, "FIX.4.4", BODY_8, 0, 0);
    seg_at(1000, m, a);                          /* frame 1, in order */
    seg_at(1000 + (uint32_t)a + 3, m + a + 3, 47);   /* frame 2: the middle first */
    seg_at(1000 + (uint32_t)a, m + a, 3);        /* frame 3: fills the hole */
    seg_at(1000 + (uint32_t)a + 50, m + a + 50, b - 50);   /* frame 4, in order */
    ck_assert_int_eq(got.n, 2);
    ck_assert_uint_eq(got.flags[0], 0);
    ck_assert_uint_eq(got.flags[1], FIXF_REORDERED);
    ck_assert_uint_eq(got.last[1], 4);
}
END_TEST

/* Bytes captured out of order that turn out to be no message flag only the
 * skip, not the message after them, whose bytes came in order. */
START_TEST(fix_framer_reordered_bytes_of_no_message_flag_nothing)
{
    char m[1024];
    size_t a = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    strcpy(m + a, "8=FIX.4.4|35=D|");            /* no BodyLength: no message */
    size_t g = soh(m + a);
    size_t b = fixmsg(m + a + g, "FIX.4.4", BODY_8, 0, 0);
    seg_at(1000, m, 10);
    seg_at(1000 + (uint32_t)a, m + a, 5);       /* "8=FIX" ahead of the hole */
    seg_at(1010, m + 10, a - 10);               /* fills it */
    seg_at(1000 + (uint32_t)a + 5, m + a + 5, g - 5 + b);
    ck_assert_int_eq(got.n, 2);
    ck_assert_uint_eq(got.flags[0], 0);
    ck_assert_uint_eq(got.flags[1], FIXF_SKIPPED);
}
END_TEST

START_TEST(fix_framer_garbage_between_messages_flagged_skipped)
{
    char m[2048];
    size_t a = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    strcpy(m + a, "garbage 8=FI!");
    size_t g = strlen(m + a);
    size_t b = fixmsg(m + a + g, "FIX.4.4", BODY_8, 0, 0);
    seg(m, a + g + b);
    ck_assert_int_eq(got.n, 2);
    ck_assert_uint_eq(got.flags[1], FIXF_SKIPPED);
}
END_TEST

START_TEST(fix_framer_lying_bodylength_does_not_swallow_stream)
{
    char m[2048];
    size_t a = fixmsg(m, "FIX.4.4", BODY_D, 9000, 0);
    size_t b = fixmsg(m + a, "FIX.4.4", BODY_8, 0, 0);
    seg(m, 30);
    seg(m + 30, a + b - 30);
    ck_assert_int_eq(got.n, 2);
    ck_assert_uint_eq(got.flags[0], FIXF_BAD_LENGTH);
    ck_assert_uint_eq(got.flags[1], 0);
    ck_assert_uint_eq(got.last[0], 2);
}
END_TEST

/* Issue: a direction's buffer stayed charged to the budget after its
 * message completed, so ordinary split messages on many connections used the
 * budget up and later ones were lost (a budget of 4 KiB holds 8 buffers). */
START_TEST(fix_framer_budget_counts_only_messages_arriving)
{
    reasm_init(&ra, &fr, 4096);
    char m[512];
    size_t n = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    for (uint16_t c = 0; c < 20; c++) {
        seg_from((uint16_t)(2000 + c), 1000, m, 30);
        ck_assert_uint_eq(ra.held, 512);
        seg_from((uint16_t)(2000 + c), 1030, m + 30, n - 30);
        ck_assert_uint_eq(ra.held, 0);
    }
    ck_assert_int_eq(got.n, 20);
    for (int i = 0; i < 20; i++)
        ck_assert_uint_eq(got.flags[i], 0);
    ck_assert_uint_eq(ra.stats.msgs_over_budget, 0);
}
END_TEST

/* When the budget really is used up (another connection holds a big
 * partial message), the message that cannot be held is dropped and counted,
 * and the next one says over_budget: not too_long (no message over 256 KiB
 * came) nor skipped. */
START_TEST(fix_framer_over_budget_drop_is_flagged_and_counted)
{
    reasm_init(&ra, &fr, 4096);
    char big[3001];
    int h = snprintf(big, sizeof big, "8=FIX.4.4|9=5000|35=D|58=");
    memset(big + h, 'x', sizeof big - 1 - (size_t)h);
    big[sizeof big - 1] = 0;
    soh(big);
    seg_from(2000, 1000, big, 3000);             /* holds the whole budget */
    ck_assert_uint_eq(ra.held, 4096);
    char m[1024];
    size_t a = fixmsg(m, "FIX.4.4", BODY_D, 0, 0);
    size_t b = fixmsg(m + a, "FIX.4.4", BODY_8, 0, 0);
    seg(m, 30);                                  /* cannot be held */
    seg(m + 30, a - 30 + b);
    ck_assert_int_eq(got.n, 1);
    ck_assert_str_eq(got.text[0], m + a);
    ck_assert_uint_eq(got.flags[0], FIXF_OVER_BUDGET);
    ck_assert_uint_eq(ra.stats.msgs_over_budget, 1);
    ck_assert_uint_eq(fx.dropped, 1);
    ck_assert_uint_eq(ra.held, 4096);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fix");
    TCase *tf = tcase_create("framer");
    tcase_add_test(tf, fix_frame_complete_message);
    tcase_add_test(tf, fix_frame_fixt_begin_string);
    tcase_add_test(tf, fix_frame_needs_more_for_every_prefix);
    tcase_add_test(tf, fix_frame_bad_checksum_flagged);
    tcase_add_test(tf, fix_frame_bodylength_too_long_ends_at_trailer);
    tcase_add_test(tf, fix_frame_data_field_holds_trailer_and_start);
    tcase_add_test(tf, fix_frame_data_length_lying_not_trusted);
    tcase_add_test(tf, fix_frame_bodylength_leading_zeros);
    tcase_add_test(tf, fix_frame_bodylength_too_short_ends_at_trailer);
    tcase_add_test(tf, fix_frame_no_trailer_before_next_message);
    tcase_add_test(tf, fix_frame_not_fix_skips_to_next_start);
    tcase_add_test(tf, fix_frame_missing_bodylength_is_no_message);
    tcase_add_test(tf, fix_frame_from_resumed_agrees_with_fix_frame);
    tcase_add_test(tf, fix_frame_unpadded_checksum_where_bodylength_points);
    tcase_add_test(tf, fix_parse_extracts_first_occurrence_and_extra_tags);
    tcase_add_test(tf, fix_parse_tags_of_any_width_and_malformed_fields);
    tcase_add_test(tf, fix_parse_fields_across_64_byte_blocks);
    tcase_add_test(tf, fix_parse_utc_cached_agrees_with_uncached);
    tcase_add_test(tf, fix_parse_utc_millis_and_nanos);
    tcase_add_test(tf, fix_parse_utc_calendar_dates);
    suite_add_tcase(s, tf);
    TCase *tr = tcase_create("reassembled");
    tcase_add_checked_fixture(tr, setup, teardown);
    tcase_add_test(tr, fix_framer_message_split_over_three_segments);
    tcase_add_test(tr, fix_framer_five_messages_in_one_segment);
    tcase_add_test(tr, fix_framer_split_header_and_trailer_bytes);
    tcase_add_test(tr, fix_framer_gap_drops_cut_message_and_flags_next);
    tcase_add_test(tr, fix_framer_reordered_middle_flags_message);
    tcase_add_test(tr, fix_framer_reordered_bytes_of_no_message_flag_nothing);
    tcase_add_test(tr, fix_framer_garbage_between_messages_flagged_skipped);
    tcase_add_test(tr, fix_framer_lying_bodylength_does_not_swallow_stream);
    tcase_add_test(tr, fix_framer_budget_counts_only_messages_arriving);
    tcase_add_test(tr, fix_framer_over_budget_drop_is_flagged_and_counted);
    suite_add_tcase(s, tr);
    return run_suite(s);
}
