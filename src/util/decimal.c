/* decimal.c: whole numbers written on the command line (decimal.h). */
#include "decimal.h"

enum decimal_status decimal_parse_n(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    if (n == 0)
        return DECIMAL_NOT_A_NUMBER;
    uint64_t x = 0;
    int over = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return DECIMAL_NOT_A_NUMBER;
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            over = 1; /* read on: a later byte may still make it no number */
        else
            x = x * 10 + d;
    }
    if (over || x > max)
        return DECIMAL_TOO_LARGE;
    *v = x;
    return DECIMAL_OK;
}
