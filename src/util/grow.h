/* grow.h: the one rule by which every growing buffer grows. */
#ifndef PCAP2KDB_GROW_H
#define PCAP2KDB_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* The capacity for len + need bytes: doubling from cap (from first when
 * cap is 0), so that a buffer filled byte by byte is copied O(log n)
 * times. 0 when no size_t can hold it (the caller fails as without
 * memory). */
static inline size_t grown_capacity(size_t cap, size_t first, size_t len, size_t need)
{
    if (need > SIZE_MAX - len)
        return 0;
    size_t want = len + need, c = cap ? cap : first;
    while (c < want) {
        if (c > SIZE_MAX / 2)
            return 0;
        c *= 2;
    }
    return c;
}

/* Makes room in the byte buffer *buf (capacity *cap, len bytes in use) for
 * need more bytes, growing it by grown_capacity from first; -1 without
 * memory, the buffer as it was. */
static inline int grow_chars(char **buf, size_t *cap, size_t first, size_t len, size_t need)
{
    size_t c = grown_capacity(*cap, first, len, need);
    char *b = c ? realloc(*buf, c) : NULL;
    if (!b)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

#endif
