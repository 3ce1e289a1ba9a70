/* qspan.c: the far case of qspan_between (qspan.h). */
#include "qspan.h"

/* Nanoseconds since 1970 of the time kept as (ns, hi): its seconds are
 * hi * 2^32 + x with x < 2^32, so ns - hi * 2^32 * 10^9 (modulo 2^64) is
 * x * 10^9 + its nanoseconds, less than 2^64: exact. */
static __int128 whole(uint64_t ns, int32_t hi)
{
    const uint64_t block = (uint64_t)1000000000u << 32; /* 2^32 s in ns */
    uint64_t v = ns - (uint64_t)(int64_t)hi * block;
    return (__int128)hi * block + v;
}

int64_t qspan_far(uint64_t ns_later, int32_t hi_later, uint64_t ns_earlier, int32_t hi_earlier)
{
    __int128 d = whole(ns_later, hi_later) - whole(ns_earlier, hi_earlier);
    if (d > (__int128)INT64_MAX - 1 || d < -(__int128)INT64_MAX + 1)
        return QSPAN_NULL;
    return (int64_t)d;
}
