/* fmt.h: fast formatters for the values of a row: decimal integers, IP
 * addresses (RFC 5952 for IPv6) and q timestamps. Each writes at p (the
 * caller has reserved room) and returns the new end. */
#ifndef PCAP2KDB_FMT_H
#define PCAP2KDB_FMT_H

#include <stdint.h>

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
static inline char *fmt_u64(char *p, uint64_t v)
{
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

static inline void fmt_pair(char *q, unsigned v)
{
    q[0] = fmt_digit_pairs[v * 2];
    q[1] = fmt_digit_pairs[v * 2 + 1];
}

/* Values known to fit 32 bits: split into 4-digit groups first, so the
 * divisions do not wait on each other all the way down. */
static inline char *fmt_u32(char *p, uint32_t v)
{
    if (v < 100) {
        if (v < 10) {
            *p = (char)('0' + v);
            return p + 1;
        }
        fmt_pair(p, v);
        return p + 2;
    }
    if (v < 10000) {
        unsigned hi = v / 100, lo = v % 100;
        if (hi < 10) {
            *p = (char)('0' + hi);
            fmt_pair(p + 1, lo);
            return p + 3;
        }
        fmt_pair(p, hi);
        fmt_pair(p + 2, lo);
        return p + 4;
    }
    char *end = p + fmt_digits(v), *q = end;
    uint32_t low4 = v % 10000;
    v /= 10000;
    fmt_pair(q - 4, low4 / 100);
    fmt_pair(q - 2, low4 % 100);
    q -= 4;
    if (v >= 10000) {
        uint32_t mid4 = v % 10000;
        v /= 10000;
        fmt_pair(q - 4, mid4 / 100);
        fmt_pair(q - 2, mid4 % 100);
        q -= 4;
    }
    /* 1 to 4 leading digits */
    if (v >= 100) {
        fmt_pair(q - 2, v % 100);
        q -= 2;
        v /= 100;
    }
    if (v >= 10)
        fmt_pair(q - 2, v);
    else
        q[-1] = (char)('0' + v);
    return end;
}

char *fmt_i64(char *p, int64_t v);
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
/* True when the instant lies within q's timestamp range (1707..2292). */
int fmt_time_in_q_range(int64_t sec);
char *fmt_time(char *p, struct time_cache *c, int64_t sec, uint32_t nsec);

#endif
