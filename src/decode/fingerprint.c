/* fingerprint.c: see fingerprint.h for the exact bytes and function. */
#include "fingerprint.h"
#include "bytes.h"

#include <string.h>

#define FNV64_OFFSET_BASIS 0xcbf29ce484222325u
#define FNV64_PRIME 0x100000001b3u
#define IPV4_MIN_HEADER 20
#define IPV6_HEADER_LEN 40

int ip_fingerprint(const uint8_t *ip, size_t caplen, int64_t *out)
{
    uint8_t b[FINGERPRINT_MAX_BYTES];
    size_t len;
    if (caplen < 1)
        return 0;
    if (ip[0] >> 4 == 4) {
        if (caplen < 4)
            return 0;
        len = get_be16(ip + 2);
        if (len < IPV4_MIN_HEADER)
            return 0;
    } else if (ip[0] >> 4 == 6) {
        if (caplen < 6)
            return 0;
        len = IPV6_HEADER_LEN + (size_t)get_be16(ip + 4);
    } else {
        return 0;
    }
    if (len > FINGERPRINT_MAX_BYTES)
        len = FINGERPRINT_MAX_BYTES;
    if (caplen < len)
        return 0;
    memcpy(b, ip, len);
    /* what a router changes */
    if (ip[0] >> 4 == 4) {
        b[1] = 0;
        b[8] = 0;
        b[10] = b[11] = 0;
    } else {
        b[0] &= 0xF0;
        b[1] &= 0x0F;
        b[7] = 0;
    }
    uint64_t h = FNV64_OFFSET_BASIS;
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= FNV64_PRIME;
    }
    if (h == UINT64_C(0x8000000000000000))
        h = UINT64_C(0x8000000000000001); /* 0Nj would read as null */
    int64_t v;
    memcpy(&v, &h, sizeof v); /* two's complement, without implementation-defined casts */
    *out = v;
    return 1;
}
