/* qspan.h: every difference of two capture times that a column shows
 * (ackrtt, irtt, the --flows durations, --fix and --kdb latency and
 * acktime) is made here, so that none turns round and none overflows.
 *
 * A q timespan is int64 nanoseconds: INT64_MIN is its null (0Nn), +-INT64_MAX
 * its infinities (0Wn, -0Wn); the finite ones lie within +-(2^63 - 2) ns
 * (292 years), as the finite q timestamps do around 2000.01.01
 * (fmt_time_in_q_range). Two capture times may lie further apart: two in
 * q's range up to twice that (1707 and 2292), two pcapng times (64-bit
 * units, if_tsoffset) up to 2^64 s. Such a duration is null. Any other is
 * exact, whatever the years: tshark shows a 1 ms ack_rtt between packets of
 * the year 586,000 (a corpus capture), and so do the TCP columns here,
 * though the time column is null there. The message modes pair only times
 * in q's range (q times, qspan_time). */
#ifndef PCAP2KDB_QSPAN_H
#define PCAP2KDB_QSPAN_H

#include <stdint.h>

/* The null of a q time or span held here: q's own (0Np, 0Nn). */
#define QSPAN_NULL INT64_MIN
/* 2000.01.01 in Unix seconds */
#define QSPAN_EPOCH_UNIX_SEC 946684800LL

/* The q time of an instant in q's range (fmt_time_in_q_range): exact; the
 * arithmetic is unsigned, modulo 2^64 (the Unix nanoseconds of a time in
 * range may not fit int64_t), the result is in range. Of another time, a
 * meaningless value, but never undefined behaviour. */
static inline int64_t qspan_time(int64_t sec, uint32_t nsec)
{
    return (int64_t)((uint64_t)sec * 1000000000u + nsec -
                     (uint64_t)QSPAN_EPOCH_UNIX_SEC * 1000000000u);
}


/* A finite q timespan: neither null nor an infinity. */
static inline int qspan_finite(int64_t ns)
{
    return ns > -INT64_MAX && ns < INT64_MAX;
}

/* later - earlier, two q times in q's range (qspan_time), as a q timespan
 * (negative when the clock went back), or QSPAN_NULL when it is not
 * finite (they lie up to 2^64 - 4 ns apart). */
static inline int64_t qspan_diff(int64_t later, int64_t earlier)
{
    int64_t d;
    if (__builtin_sub_overflow(later, earlier, &d) || !qspan_finite(d))
        return QSPAN_NULL;
    return d;
}

/* a + b, two timespans (a total of several): null when either is, or when
 * the sum is not finite. */
static inline int64_t qspan_add(int64_t a, int64_t b)
{
    int64_t s;
    if (a == QSPAN_NULL || b == QSPAN_NULL || __builtin_add_overflow(a, b, &s) || !qspan_finite(s))
        return QSPAN_NULL;
    return s;
}

/* A capture time as the TCP state keeps it, whatever its year (a pcapng
 * time may lie up to 2^63 s either side of 1970): ns, its Unix nanoseconds
 * modulo 2^64 (the flow table's clock), and hi, its Unix seconds >> 32.
 * Together they are exact. */
static inline int32_t qspan_hi(int64_t sec)
{
    return (int32_t)(sec >> 32);
}

/* later - earlier of two such times, as a q timespan (qspan_far beyond 2^33
 * s). */
int64_t qspan_far(uint64_t ns_later, int32_t hi_later, uint64_t ns_earlier, int32_t hi_earlier);

/* later - earlier of two capture times kept so (qspan_hi), as a q timespan:
 * exact, QSPAN_NULL when it is not finite. When the seconds' high words
 * differ by at most 1, the times lie less than 2^33 s (272 years) apart,
 * and the nanoseconds modulo 2^64 give the difference, finite; further
 * apart, qspan_far works it out in full. */
static inline int64_t qspan_between(uint64_t ns_later, int32_t hi_later, uint64_t ns_earlier,
                                    int32_t hi_earlier)
{
    if ((uint64_t)((int64_t)hi_later - hi_earlier + 1) <= 2u)
        return (int64_t)(ns_later - ns_earlier);
    return qspan_far(ns_later, hi_later, ns_earlier, hi_earlier);
}

/* Whether later - earlier is more than ns >= 0, exactly, for two q times
 * in q's range: when later is the later, the difference is below 2^64 and
 * held by uint64_t. */
static inline int qspan_exceeds(int64_t later, int64_t earlier, uint64_t ns)
{
    return later > earlier && (uint64_t)later - (uint64_t)earlier > ns;
}

#endif
