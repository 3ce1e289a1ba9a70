/* fingerprint.c: see fingerprint.h for the exact bytes and function. */
#include "fingerprint.h"
#include "bytes.h"
#include "decode.h"

#include <string.h>

#define FNV64_OFFSET_BASIS 0xcbf29ce484222325u
#define FNV64_PRIME 0x100000001b3u
/* The bytes that may be zeroed all lie here; every IP packet hashed is longer. */
#define FINGERPRINT_HEAD 12
#define FINGERPRINT_MAX (INT64_MAX - 1)

/* How many bytes the fingerprint covers, or 0 when it cannot be taken. */
static size_t fingerprint_len(const uint8_t *ip, size_t caplen)
{
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
    return caplen < len ? 0 : len;
}

int ip_fingerprint_possible(const uint8_t *ip, size_t caplen)
{
    return fingerprint_len(ip, caplen) != 0;
}

int ip_fingerprint(const uint8_t *ip, size_t caplen, int64_t *out)
{
    size_t len = fingerprint_len(ip, caplen);
    if (len == 0)
        return 0;
    /* What a router changes lies in the first 12 bytes: a copy of those
     * with it zeroed, then the packet's own bytes. */
    uint8_t head[FINGERPRINT_HEAD];
    memcpy(head, ip, FINGERPRINT_HEAD);
    if (ip[0] >> 4 == 4) {
        head[1] = 0;                  /* DSCP/ECN */
        head[8] = 0;                  /* TTL */
        head[10] = head[11] = 0;      /* header checksum */
    } else {
        head[0] &= 0xF0;              /* traffic class */
        head[1] &= 0x0F;
        head[7] = 0;                  /* hop limit */
    }
    uint64_t h = FNV64_OFFSET_BASIS;
    for (size_t i = 0; i < FINGERPRINT_HEAD; i++)
        h = (h ^ head[i]) * FNV64_PRIME;
    size_t i = FINGERPRINT_HEAD;
    /* eight bytes a turn: the same sequence, fewer loop tests */
    for (; i + 8 <= len; i += 8) {
        h = (h ^ ip[i]) * FNV64_PRIME;
        h = (h ^ ip[i + 1]) * FNV64_PRIME;
        h = (h ^ ip[i + 2]) * FNV64_PRIME;
        h = (h ^ ip[i + 3]) * FNV64_PRIME;
        h = (h ^ ip[i + 4]) * FNV64_PRIME;
        h = (h ^ ip[i + 5]) * FNV64_PRIME;
        h = (h ^ ip[i + 6]) * FNV64_PRIME;
        h = (h ^ ip[i + 7]) * FNV64_PRIME;
    }
    for (; i < len; i++)
        h = (h ^ ip[i]) * FNV64_PRIME;
    int64_t v;
    memcpy(&v, &h, sizeof v); /* two's complement, without implementation-defined casts */
    /* q reads -2^63 as null (0Nj) and +-(2^63 - 1) as infinities (0Wj):
     * clamped to the finite longs */
    if (v > FINGERPRINT_MAX)
        v = FINGERPRINT_MAX;
    else if (v < -FINGERPRINT_MAX)
        v = -FINGERPRINT_MAX;
    *out = v;
    return 1;
}
