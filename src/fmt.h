/* fmt.h: fast formatters for the values of a row: decimal integers, IP
 * addresses (RFC 5952 for IPv6) and q timestamps. Each writes at p (the
 * caller has reserved room) and returns the new end. */
#ifndef PCAP2KDB_FMT_H
#define PCAP2KDB_FMT_H

#include <stdint.h>

#define FMT_IPV6_MAX 46
#define FMT_TIME_LEN 29 /* 2020.05.14D12:10:02.639526000 */

char *fmt_u64(char *p, uint64_t v);
char *fmt_i64(char *p, int64_t v);
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
