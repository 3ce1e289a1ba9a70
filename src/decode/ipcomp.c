/* ipcomp.c (#15): IPComp (RFC 3173) payloads inflated and decoded. The
 * decoders only describe the compressed payload (row.ipcomp): they are pure
 * functions over the record's bytes, and the inflated bytes need a buffer
 * that outlives them, so the driver's decode_record (convert.c) calls this
 * after the link decoder, as it calls ipfrag_row, with a buffer it owns. */
#include "ipcomp.h"
#include "decode.h"
#include "inflate.h"

#include <stdlib.h>

/* An IP datagram carries at most 65,535 bytes, and so does what an IPComp
 * header in it inflates to (RFC 3173 section 2). */
#define IPCOMP_MAX_INFLATED 65535
/* RFC 1950 stream header: method 8, check bits, no preset dictionary */
#define ZLIB_HEADER_LEN 2
#define ZLIB_METHOD_DEFLATE 8
#define ZLIB_FLAG_DICT 0x20

void ipcomp_row(uint8_t **buf, struct row *r)
{
    /* nested IPComp headers (each inflated payload may carry another) reuse
     * the buffer, so only the outermost is followed */
    struct row_frag c = r->ipcomp;
    r->present &= ~(uint32_t)HAS_IPCOMP;
    if (*buf == NULL && (*buf = malloc(IPCOMP_MAX_INFLATED)) == NULL)
        return;
    /* Wireshark's tvb_uncompress() takes a zlib header when there is one */
    const uint8_t *in = c.data;
    size_t inlen = c.len;
    if (inlen > ZLIB_HEADER_LEN && (in[0] & 0x0F) == ZLIB_METHOD_DEFLATE &&
        ((unsigned)in[0] << 8 | in[1]) % 31 == 0 && !(in[1] & ZLIB_FLAG_DICT)) {
        in += ZLIB_HEADER_LEN;
        inlen -= ZLIB_HEADER_LEN;
    }
    long n = inflate_raw(in, inlen, *buf, IPCOMP_MAX_INFLATED);
    if (n < 0)
        return;
    decode_ip_inflated(&c, *buf, (size_t)n, r);
    r->present &= ~(uint32_t)HAS_IPCOMP;
}

void ipcomp_free(uint8_t **buf)
{
    free(*buf);
    *buf = NULL;
}
