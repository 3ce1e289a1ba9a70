/* timewin.h: --from / --to, a window of capture time [from, to).
 *
 * A time is given in q timestamp syntax, 2024.01.02D10:00:00.123456789
 * (shorter forms: the date alone is its midnight; D10:00 and D10:00:00; 1
 * to 9 fraction digits; 'T' may stand for 'D'), or as seconds since the
 * epoch with up to 9 fraction digits (1704189600.5; at most 999999999999,
 * leading zeros not counted). Times are UTC, like the time column. */
#ifndef PCAP2KDB_TIMEWIN_H
#define PCAP2KDB_TIMEWIN_H

#include <stdint.h>

struct time_window {
    int has_from, has_to;
    int64_t from_sec, to_sec;  /* UTC seconds since 1970 */
    uint32_t from_nsec, to_nsec;
};

/* Parses TIME into seconds and nanoseconds; -1 when it is not one of the
 * forms above (or names no real date and time). */
int timewin_parse(const char *s, int64_t *sec, uint32_t *nsec);

static inline int timewin_active(const struct time_window *w)
{
    return w->has_from | w->has_to;
}

/* Whether a record's time lies in the window: from inclusive, to exclusive.
 * A record without a timestamp (sec == INT64_MIN) is in no window. */
static inline int timewin_contains(const struct time_window *w, int64_t sec, uint32_t nsec)
{
    if (sec == INT64_MIN)
        return 0;
    if (w->has_from && (sec < w->from_sec || (sec == w->from_sec && nsec < w->from_nsec)))
        return 0;
    if (w->has_to && (sec > w->to_sec || (sec == w->to_sec && nsec >= w->to_nsec)))
        return 0;
    return 1;
}

#endif
