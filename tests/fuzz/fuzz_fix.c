/* fuzz_fix.c: libFuzzer target for src/fix.c, the pure FIX functions: the
 * framer (fix_frame, fix_next_start) walked over the input as one TCP
 * byte stream the way the reassembler drives it, field extraction
 * (fix_parse, with extra tags) on every framed message and on the raw
 * bytes, and SendingTime parsing (fix_parse_utc).
 *
 * Checks besides the sanitizers: results stay inside the bytes given
 * (message length, skip length, next start, every value pointer), FIX_MORE
 * asks for more than it had, and parsed times are well-formed. The whole
 * conversion path of --fix (reassembly, mode, writers) is fuzzed by
 * fuzz_convert. */
#include "fix.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what)
{
    fprintf(stderr, "fuzz_fix: %s\n", what);
    abort();
}

static const uint32_t extra_tags[] = { 37, 17, 58, 10, 8, 9, 0, 999999999 };
#define N_EXTRA ((int)(sizeof extra_tags / sizeof extra_tags[0]))

static void check_val(const struct fix_val *v, const uint8_t *msg, size_t len)
{
    if (v->n == FIX_ABSENT)
        return;
    if (v->off > len || v->n > len - v->off)
        die("a field value lies outside its message");
    if (memchr(msg + v->off, FIX_SOH, v->n))
        die("a field value holds SOH");
}

static void parse(const uint8_t *msg, size_t len)
{
    struct fix_fields f;
    memset(&f, 0xA5, sizeof f); /* fix_parse must set what it reports */
    fix_parse(msg, len, extra_tags, N_EXTRA, &f);
    for (int i = 0; i < FIXV_COUNT + N_EXTRA; i++)
        check_val(&f.v[i], msg, len);
    const struct fix_val *t = &f.v[FIXV_SENDTIME];
    if (t->n != FIX_ABSENT) {
        int64_t sec;
        uint32_t nsec;
        if (fix_parse_utc(msg + t->off, t->n, &sec, &nsec) == 0 && nsec >= 1000000000u)
            die("SendingTime with a fraction of a second or more");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The input as a stream: frame, skip, or stop for more bytes. */
    size_t pos = 0;
    while (pos < size) {
        struct fix_frame_res res;
        memset(&res, 0, sizeof res);
        enum fix_frame_status st = fix_frame(data + pos, size - pos, &res);
        if (st == FIX_FRAME_OK) {
            if (res.len == 0 || res.len > size - pos)
                die("framed message of impossible length");
            parse(data + pos, res.len);
            pos += res.len;
        } else if (st == FIX_FRAME_NOSTART) {
            if (res.len == 0 || res.len > size - pos)
                die("impossible skip length");
            size_t next = fix_next_start(data, size, pos);
            if (next < pos || next > size)
                die("fix_next_start outside the bytes");
            pos += res.len;
        } else if (st == FIX_FRAME_MORE) {
            if (res.want <= size - pos)
                die("FIX_FRAME_MORE without asking for more bytes");
            break;
        } else {
            die("unknown frame status");
        }
    }
    parse(data, size);
    int64_t sec;
    uint32_t nsec;
    if (fix_parse_utc(data, size, &sec, &nsec) == 0 && nsec >= 1000000000u)
        die("time with a fraction of a second or more");
    return 0;
}
