/* civil.h: days since 1970-01-01 of a proleptic Gregorian date, for the
 * parsers of dates in text (--from/--to, FIX SendingTime). H. Hinnant's
 * days_from_civil ("chrono-Compatible Low-Level Date Algorithms"). */
#ifndef PCAP2KDB_CIVIL_H
#define PCAP2KDB_CIVIL_H

#include <stdint.h>

/* m 1..12, d 1..31; any year. */
static inline int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Days in month m (1..12) of year y, proleptic Gregorian. */
static inline int days_in_month(int64_t y, int64_t m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

#endif
