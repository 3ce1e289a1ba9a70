/* fmt.h: fast formatters for the values of a row: decimal integers, IP
 * addresses (RFC 5952 for IPv6) and q timestamps. Each writes at p (the
 * caller has reserved room) and returns the new end. */
#ifndef PCAP2KDB_FMT_H
#define PCAP2KDB_FMT_H

#include <stdint.h>
#include <string.h>

#define FMT_IPV6_MAX 46
#define FMT_TIME_LEN 29 /* 2020.05.14D12:10:02.639526000 */

/* Two-digit strings "00".."99", for writing digits in pairs. */
extern const char fmt_digit_pairs[201];

/* Decimal digits of v. */
static inline unsigned fmt_digits(uint64_t v)
{
    unsigned n = 1;
    for (;;) {
        if (v < 10) return n;
        if (v < 100) return n + 1;
        if (v < 1000) return n + 2;
        if (v < 10000) return n + 3;
        v /= 10000;
        n += 4;
    }
}

/* Writes v in decimal: the length is known first, so the digits go
 * straight to their place, two at a time, with no copy. Inline: it is the
 * hottest code of the whole conversion. */
static inline char *fmt_u32(char *p, uint32_t v);

static inline char *fmt_u64(char *p, uint64_t v)
{
    if (v <= UINT32_MAX)
        return fmt_u32(p, (uint32_t)v);
    char *end = p + fmt_digits(v), *q = end;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        q -= 2;
        q[0] = fmt_digit_pairs[d];
        q[1] = fmt_digit_pairs[d + 1];
    }
    if (v >= 10) {
        q[-2] = fmt_digit_pairs[v * 2];
        q[-1] = fmt_digit_pairs[v * 2 + 1];
    } else {
        q[-1] = (char)('0' + v);
    }
    return end;
}

/* Copies n bytes of text (a sym, a name): up to 16 in two loads and
 * stores that may overlap, touching nothing outside s[0..n) and p[0..n),
 * where a call of memcpy for a few bytes costs more than the copy. */
static inline char *fmt_copy(char *p, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(p, &a, 8);
        memcpy(p + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(p, &a, 4);
        memcpy(p + n - 4, &b, 4);
    } else if (n) {
        memcpy(p, s, n);
    }
    return p + n;
}

static inline void fmt_pair(char *q, unsigned v)
{
    q[0] = fmt_digit_pairs[v * 2];
    q[1] = fmt_digit_pairs[v * 2 + 1];
}

/* "0000".."9999": every 4-digit group as four zero-padded characters, so
 * that all but the leading group of a number is one 4-byte copy. Filled
 * before main runs (fmt.c). */
extern char fmt_pad4[10000][4];

/* 1 to 4 digits of a value below 10000, without leading zeros. */
static inline char *fmt_lead4(char *p, uint32_t v)
{
    if (v < 100) {
        if (v < 10) {
            *p = (char)('0' + v);
            return p + 1;
        }
        fmt_pair(p, v);
        return p + 2;
    }
    if (v < 1000) {
        *p = (char)('0' + v / 100);
        fmt_pair(p + 1, v % 100);
        return p + 3;
    }
    memcpy(p, fmt_pad4[v], 4);
    return p + 4;
}

/* Values known to fit 32 bits: the leading group, then whole 4-digit
 * groups from the table (a 10-digit TCP sequence number costs two
 * divisions by constants and two 4-byte copies). */
static inline char *fmt_u32(char *p, uint32_t v)
{
    if (v < 10000)
        return fmt_lead4(p, v);
    if (v < 100000000) {
        p = fmt_lead4(p, v / 10000);
        memcpy(p, fmt_pad4[v % 10000], 4);
        return p + 4;
    }
    uint32_t low8 = v % 100000000;
    p = fmt_lead4(p, v / 100000000);
    memcpy(p, fmt_pad4[low8 / 10000], 4);
    memcpy(p + 4, fmt_pad4[low8 % 10000], 4);
    return p + 8;
}

char *fmt_i64(char *p, int64_t v);
/* q timespan literal of ns nanoseconds: 0D00:00:00.000123456 (negative
 * with a leading '-'). */
char *fmt_timespan(char *p, int64_t ns);
/* The same text for a span of sec seconds and nsec (< 10^9) nanoseconds, which
 * may be longer than int64_t nanoseconds hold (292 years; a pcapng time can
 * lie further apart). At most FMT_TIMESPAN_PARTS_LEN bytes. */
#define FMT_TIMESPAN_PARTS_LEN 34 /* 213503982334601D07:00:15.999999999 */
char *fmt_timespan_parts(char *p, uint64_t sec, uint32_t nsec);
/* Needs 19 bytes of room: octets are copied four bytes at a time. */
char *fmt_ipv4(char *p, const uint8_t a[4]);
char *fmt_ipv6(char *p, const uint8_t a[16]);
char *fmt_hex(char *p, const uint8_t *bytes, uint32_t n);

/* The date and time of day change once a second: the text up to the
 * fraction's dot is cached per second. */
struct time_cache {
    int64_t sec;
    int valid;
    char text[20]; /* YYYY.MM.DDDhh:mm:ss. */
};
/* q timestamps are 64-bit nanoseconds from 2000.01.01; the finite ones lie
 * within +-(2^63 - 2) ns (2^63 - 1 is 0Wp, -2^63 + 1 -0Wp, -2^63 0Np): from
 * 1707.09.22D00:12:43.145224194 to 2292.04.10D23:47:16.854775806. In Unix
 * seconds, the last and first whole seconds: */
#define Q_LAST_UNIX_SEC (9223372036LL + 946684800LL)    /* ...with at most: */
#define Q_LAST_NSEC 854775806u
#define Q_FIRST_UNIX_SEC (-9223372037LL + 946684800LL)  /* ...with at least: */
#define Q_FIRST_NSEC 145224194u

/* True when the instant (Unix seconds, nanoseconds) is a finite q
 * timestamp. Inline: every record asks. */
static inline int fmt_time_in_q_range(int64_t sec, uint32_t nsec)
{
    if (sec > Q_FIRST_UNIX_SEC && sec < Q_LAST_UNIX_SEC)
        return 1;
    return (sec == Q_LAST_UNIX_SEC && nsec <= Q_LAST_NSEC) ||
           (sec == Q_FIRST_UNIX_SEC && nsec >= Q_FIRST_NSEC);
}
char *fmt_time(char *p, struct time_cache *c, int64_t sec, uint32_t nsec);

/* Outside text (a file name, a receiver's error) as a message shows it:
 * src[0..n) into dst with control bytes as '?', so that the message stays
 * one line; dst gets a NUL after n bytes. */
void fmt_shown(char *dst, const char *src, size_t n);

#endif
