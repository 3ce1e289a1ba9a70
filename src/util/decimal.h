/* decimal.h: the one reading of a whole number written on the command line:
 * -c, --port, --threads, --batch, --data-max, --retry-for's whole seconds,
 * a --host prefix, --proto's IP protocol number, --publish's port and
 * --tags' tag numbers. Every option takes the same text for a number. */
#ifndef PCAP2KDB_DECIMAL_H
#define PCAP2KDB_DECIMAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum decimal_status {
    DECIMAL_OK = 0,
    DECIMAL_NOT_A_NUMBER = -1, /* empty, or a byte that is not a digit */
    DECIMAL_TOO_LARGE = -2,    /* digits alone, but above max */
};

/* The n bytes at s as a decimal number from 0 to max into *v: digits alone
 * (no sign, space or 0x; leading zeros are fine, "080" is 80). *v is left
 * as it was unless DECIMAL_OK. A lower bound is the caller's. */
enum decimal_status decimal_parse_n(const char *s, size_t n, uint64_t max, uint64_t *v);

/* The same for a whole string. */
static inline enum decimal_status decimal_parse(const char *s, uint64_t max, uint64_t *v)
{
    return decimal_parse_n(s, strlen(s), max, v);
}

#endif
