/* inflate.h: raw DEFLATE (RFC 1951) decompression, for IPComp (RFC 3173,
 * RFC 2394) payloads, which Wireshark inflates. libc only; every read and
 * write is bounds-checked, so damaged input only fails. */
#ifndef PCAP2KDB_INFLATE_H
#define PCAP2KDB_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/* Inflates in[0..inlen) into out[0..outcap). Returns the number of bytes
 * written, or -1 when the data is not valid DEFLATE or does not fit. */
long inflate_raw(const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap);

#endif
