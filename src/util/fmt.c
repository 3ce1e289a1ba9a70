/* fmt.c: value formatters on the hot path: no stdio, no locale, no division
 * by ten per digit where a table does. */
#include "fmt.h"

#include <string.h>

const char fmt_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

char fmt_pad4[10000][4];

/* Runs before main (GCC and Clang): the table is ready for every caller,
 * the unit tests included, with no check on the hot path. */
__attribute__((constructor)) static void init_pad4(void)
{
    for (unsigned v = 0; v < 10000; v++) {
        fmt_pad4[v][0] = (char)('0' + v / 1000);
        fmt_pad4[v][1] = (char)('0' + v / 100 % 10);
        fmt_pad4[v][2] = (char)('0' + v / 10 % 10);
        fmt_pad4[v][3] = (char)('0' + v % 10);
    }
}

char *fmt_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return fmt_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return fmt_u64(p, (uint64_t)v);
}

/* "0.".."255." packed four bytes apiece, with their lengths, the dot
 * included: one 4-byte copy and one add per octet. */
static char octet_text[256][4];
static uint8_t octet_len[256];
static int octets_ready;

/* Out of line: inlined, its registers were saved and restored on every
 * call of fmt_ipv4 (12 of its 57 instructions). */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static void init_octets(void)
{
    for (unsigned v = 0; v < 256; v++) {
        char digits[12];
        size_t n = (size_t)(fmt_u32(digits, v) - digits);
        memcpy(octet_text[v], digits, n);
        octet_text[v][n] = '.'; /* at most "255.": four bytes */
        octet_len[v] = (uint8_t)(n + 1);
    }
    octets_ready = 1;
}

/* Aligned to a cache line, by measurement: where the link put it decided
 * 15% of the CSV path's wall time on the benchmark machine (Zen 4), with the
 * same instructions (README "Benchmark"). The last octet's dot is left
 * past the end. */
#if defined(__GNUC__)
__attribute__((aligned(64)))
#endif
char *fmt_ipv4(char *p, const uint8_t a[4])
{
    if (!octets_ready)
        init_octets();
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        unsigned v = a[i];
        memcpy(p, octet_text[v], 4);
        p += octet_len[v];
    }
    return p - 1;
}

static const char hexdig[] = "0123456789abcdef";

/* RFC 5952: lowercase, no leading zeros, the longest run of two or more zero
 * groups (the first on a tie) as "::", IPv4-mapped addresses dotted (4.x). */
char *fmt_ipv6(char *p, const uint8_t a[16])
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (memcmp(a, mapped, 12) == 0) {
        memcpy(p, "::ffff:", 7);
        return fmt_ipv4(p + 7, a + 12);
    }
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    int best = -1, bestlen = 1;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            *p++ = ':';
            *p++ = ':';
            i += bestlen - 1;
            continue;
        }
        if (i > 0 && i != best + bestlen)
            *p++ = ':';
        unsigned v = g[i];
        int started = 0;
        for (int s = 12; s >= 0; s -= 4) {
            unsigned d = (v >> s) & 0xF;
            if (d || started || s == 0) {
                *p++ = hexdig[d];
                started = 1;
            }
        }
    }
    return p;
}

char *fmt_hex(char *p, const uint8_t *bytes, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        *p++ = hexdig[bytes[i] >> 4];
        *p++ = hexdig[bytes[i] & 0xF];
    }
    return p;
}

void fmt_shown(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    dst[n] = '\0';
}

/* Civil date from days since 1970-01-01 (H. Hinnant's algorithm), valid
 * for negative days too. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static char *two(char *p, unsigned v)
{
    *p++ = fmt_digit_pairs[v * 2];
    *p++ = fmt_digit_pairs[v * 2 + 1];
    return p;
}

char *fmt_time(char *p, struct time_cache *c, int64_t sec, uint32_t nsec)
{
    if (!c->valid || c->sec != sec) {
        int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
        int64_t tod = sec - days * 86400;
        int64_t y;
        unsigned m, d;
        civil_from_days(days, &y, &m, &d);
        char *t = c->text;
        t = two(t, (unsigned)(y / 100));
        t = two(t, (unsigned)(y % 100));
        *t++ = '.';
        t = two(t, m);
        *t++ = '.';
        t = two(t, d);
        *t++ = 'D';
        t = two(t, (unsigned)(tod / 3600));
        *t++ = ':';
        t = two(t, (unsigned)(tod / 60 % 60));
        *t++ = ':';
        t = two(t, (unsigned)(tod % 60));
        *t++ = '.';
        c->sec = sec;
        c->valid = 1;
    }
    memcpy(p, c->text, 20);
    p += 20;
    /* nine fraction digits: one, then two zero-padded groups of four */
    p[0] = (char)('0' + nsec / 100000000);
    nsec %= 100000000;
    memcpy(p + 1, fmt_pad4[nsec / 10000], 4);
    memcpy(p + 5, fmt_pad4[nsec % 10000], 4);
    return p + 9;
}

char *fmt_timespan_parts(char *p, uint64_t sec, uint32_t nsec)
{
    if (sec == 0) {
        /* under a second, as most latencies: no division for the day */
        memcpy(p, "0D00:00:00.", 11);
        p += 11;
    } else {
        p = fmt_u64(p, sec / 86400);
        *p++ = 'D';
        fmt_pair(p, (unsigned)(sec / 3600 % 24));
        p[2] = ':';
        fmt_pair(p + 3, (unsigned)(sec / 60 % 60));
        p[5] = ':';
        fmt_pair(p + 6, (unsigned)(sec % 60));
        p[8] = '.';
        p += 9;
    }
    /* nine fraction digits: one, then two zero-padded groups of four (the
     * last nine digits of a fraction out of range, as ever) */
    if (nsec >= 1000000000u)
        nsec %= 1000000000u;
    p[0] = (char)('0' + nsec / 100000000);
    nsec %= 100000000;
    memcpy(p + 1, fmt_pad4[nsec / 10000], 4);
    memcpy(p + 5, fmt_pad4[nsec % 10000], 4);
    return p + 9;
}

char *fmt_timespan(char *p, int64_t ns)
{
    uint64_t v = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    if (ns < 0)
        *p++ = '-';
    return fmt_timespan_parts(p, v / 1000000000u, (uint32_t)(v % 1000000000u));
}
