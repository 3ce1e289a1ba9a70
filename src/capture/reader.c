/* reader.c: recognises the capture format by its magic and dispatches. */
#include "reader.h"
#include "bytes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAPNG_SHB_TYPE 0x0A0D0D0Au

enum read_status reader_fail(struct reader *rd, enum read_status status, uint64_t offset,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rd->err, sizeof rd->err, fmt, ap);
    va_end(ap);
    rd->err_offset = offset;
    return status;
}

enum read_status reader_open(struct reader *rd, struct input *in)
{
    memset(rd, 0, sizeof *rd);
    rd->in = in;
    long got = input_need(in, 4);
    if (got < 0)
        return READ_NO_MEMORY;
    if (got == 0) {
        if (in->read_errno)
            return reader_fail(rd, READ_NOT_CAPTURE, 0, "read error: %s", strerror(in->read_errno));
        return reader_fail(rd, READ_NOT_CAPTURE, 0, "empty input, not a capture");
    }
    const uint8_t *p = input_data(in);
    if (got < 4)
        return reader_fail(rd, READ_NOT_CAPTURE, 0, "only %ld %s, not a capture", got,
                           got == 1 ? "byte" : "bytes");
    if (get_be32(p) == PCAPNG_SHB_TYPE) {
        rd->format = READER_PCAPNG;
        return pcapng_open(rd);
    }
    rd->format = READER_PCAP;
    return pcap_open(rd, p);
}

enum read_status reader_next(struct reader *rd, struct capture_record *rec)
{
    if (rd->format == READER_PCAP)
        return pcap_next(rd, rec);
    if (rd->format == READER_PCAPNG)
        return pcapng_next(rd, rec);
    if (rd->format == READER_PCAPNG_SHB_SKIPPED) { /* its message is set */
        rd->format = READER_PCAPNG;
        return READ_SKIPPED;
    }
    return rd->format == READER_PCAP_MODIFIED ? pcap_modified_next(rd, rec)
                                              : pcap_old_next(rd, rec);
}

void reader_close(struct reader *rd)
{
    free(rd->ifaces);
    rd->ifaces = NULL;
}
