/* timewin.c: the time syntax of --from / --to (timewin.h). */
#include "timewin.h"
#include "civil.h"

#include <stddef.h>

/* Reads exactly n digits at *s into *v. */
static int digits(const char **s, int n, int64_t *v)
{
    int64_t x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return -1;
        x = x * 10 + (c - '0');
    }
    *s += n;
    *v = x;
    return 0;
}

/* ".f" with 1 to 9 digits, or nothing, then the end of the text. */
static int fraction_then_end(const char *s, uint32_t *nsec)
{
    *nsec = 0;
    if (*s == '\0')
        return 0;
    if (*s++ != '.')
        return -1;
    uint32_t scale = 100000000u;
    int n = 0;
    for (; *s >= '0' && *s <= '9'; s++, n++) {
        if (n == 9)
            return -1;
        *nsec += (uint32_t)(*s - '0') * scale;
        scale /= 10;
    }
    return n > 0 && *s == '\0' ? 0 : -1;
}

/* Seconds since the epoch: digits, an optional fraction. At most 12
 * significant integer digits (999999999999 s, year 33658), so that no sum
 * overflows; leading zeros are fine, as in every number of the command line
 * (0001704189600 is 1704189600). */
static int parse_epoch(const char *s, int64_t *sec, uint32_t *nsec)
{
    int64_t v = 0;
    int n = 0, significant = 0;
    for (; *s >= '0' && *s <= '9'; s++, n++) {
        if (v == 0 && *s == '0')
            continue;
        if (significant++ == 12)
            return -1;
        v = v * 10 + (*s - '0');
    }
    if (n == 0 || fraction_then_end(s, nsec) != 0)
        return -1;
    *sec = v;
    return 0;
}

int timewin_parse(const char *s, int64_t *sec, uint32_t *nsec)
{
    /* a q date starts with four digits and a dot; epoch seconds never have
     * a dot after four digits unless they are a fraction of 4-digit seconds,
     * which the date's second dot tells apart */
    int64_t y, mo, d, h = 0, mi = 0, se = 0;
    const char *p = s;
    if (digits(&p, 4, &y) != 0 || *p != '.' || p[1] < '0' || p[1] > '9' || p[2] < '0' ||
        p[2] > '9' || p[3] != '.')
        return parse_epoch(s, sec, nsec);
    p++;
    if (digits(&p, 2, &mo) != 0 || *p++ != '.' || digits(&p, 2, &d) != 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    *nsec = 0;
    if (*p == 'D' || *p == 'T') {
        p++;
        if (digits(&p, 2, &h) != 0 || *p++ != ':' || digits(&p, 2, &mi) != 0)
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &se) != 0 || fraction_then_end(p, nsec) != 0)
                return -1;
        } else if (*p != '\0') {
            return -1;
        }
        if (h > 23 || mi > 59 || se > 59)
            return -1;
    } else if (*p != '\0') {
        return -1;
    }
    *sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}
