/* bytes.h: integer reads from and writes to a byte view, never by casting
 * pointers. Every caller checks the length first (or reserved the room); these
 * helpers only assemble and spread bytes. */
#ifndef PCAP2KDB_BYTES_H
#define PCAP2KDB_BYTES_H

#include <stdint.h>

static inline uint16_t get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t get_le16(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }
static inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Reads in the byte order a capture file (or pcapng section) declared. */
static inline uint16_t get_16(const uint8_t *p, int big_endian)
{
    return big_endian ? get_be16(p) : get_le16(p);
}
static inline uint32_t get_32(const uint8_t *p, int big_endian)
{
    return big_endian ? get_be32(p) : get_le32(p);
}
static inline uint64_t get_64(const uint8_t *p, int big_endian)
{
    uint64_t a = get_32(p, big_endian), b = get_32(p + 4, big_endian);
    return big_endian ? (a << 32 | b) : (b << 32 | a);
}

/* Little-endian stores, byte by byte: the compiler makes one move of them
 * (q IPC messages are written little-endian, qipc_encode.c). */
static inline void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#endif
