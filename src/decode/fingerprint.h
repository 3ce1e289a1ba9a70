/* fingerprint.h: the hash column (issue #17), a packet fingerprint that
 * survives router hops, to join captures taken at two points.
 *
 * Bytes: the first min(L, 128) bytes of the IP packet, L being its length
 * from its header (IPv4 total length; IPv6 40 + payload length), with these
 * taken as zero: IPv4 byte 1 (DSCP/ECN), byte 8 (TTL), bytes 10-11 (header
 * checksum); IPv6 the traffic class (low nibble of byte 0, high nibble of
 * byte 1) and byte 7 (hop limit). Function: 64-bit FNV-1a (offset basis
 * 0xcbf29ce484222325, prime 0x100000001b3) over those bytes. As a q long:
 * the same 64 bits in two's complement, except 0x8000000000000000 (q's null
 * 0Nj), which becomes 0x8000000000000001. Both are fixed forever: hashes
 * from every release join. */
#ifndef PCAP2KDB_FINGERPRINT_H
#define PCAP2KDB_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define FINGERPRINT_MAX_BYTES 128

/* 1 and the fingerprint in *out, or 0 when fewer than min(L, 128) bytes
 * were captured or the length field is below the fixed header. */
int ip_fingerprint(const uint8_t *ip, size_t caplen, int64_t *out);
/* Whether ip_fingerprint would give one, without computing it. */
int ip_fingerprint_possible(const uint8_t *ip, size_t caplen);

#endif
