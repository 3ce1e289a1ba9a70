/* fuzz_kdb_ipc.c: libFuzzer target for src/kdb_ipc.c, the pure kdb+ IPC
 * decoding functions: handshake, header, resynchronisation, prefix
 * decompression and payload summary, on arbitrary bytes.
 *
 * Besides the sanitizers it checks what the header promises: results stay
 * within the bytes given and the buffers, texts are NUL-terminated, and
 * decompression fed in arbitrary chunks gives the same bytes and status as
 * in one piece (the first input byte picks the chunk sizes and prefix cap). */
#include "kdb_ipc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CAP 4096

static void die(const char *what)
{
    fprintf(stderr, "fuzz_kdb_ipc: %s\n", what);
    abort();
}

/* A text lies inside the bytes given (the summary points into them). */
static void check_text(const struct kdb_text *t, const uint8_t *p, size_t n, const char *what)
{
    if (t->n && (t->p < p || t->n > n || t->p - p > (ptrdiff_t)(n - t->n)))
        die(what);
}

static void check_summary(const struct kdb_summary *s, enum kdb_status st, const uint8_t *p,
                          size_t n)
{
    if (s->status != st)
        die("summary status differs from the return value");
    if (!s->reason)
        die("summary without a reason string");
    check_text(&s->func, p, n, "func outside the payload");
    check_text(&s->table, p, n, "table outside the payload");
    check_text(&s->query, p, n, "query outside the payload");
    check_text(&s->error, p, n, "error outside the payload");
    if (!(s->has & KDB_HAS_ROWS) && s->rows != -1)
        die("rows set without KDB_HAS_ROWS");
    if ((s->has & KDB_HAS_ROWS) && s->rows < 0)
        die("negative row count");
}

static void summarise(const uint8_t *p, size_t n, uint64_t total, int little, unsigned msgtype)
{
    struct kdb_summary s;
    enum kdb_status st = kdb_summarise(p, n, total, little, msgtype, &s);
    check_summary(&s, st, p, n);
    size_t size = 0;
    const char *why = NULL;
    size_t have = n < total ? n : (size_t)total;
    if (kdb_obj_size(p, n, total, little, &size, &why) == KDB_OK && size > have)
        die("object size beyond the bytes given");
}

/* Decompression: in one piece, then in chunks whose sizes come from seed. */
static void unz(const uint8_t *msg, size_t n, const struct kdb_hdr *h, uint8_t seed)
{
    static uint8_t one[MAX_CAP], chunked[MAX_CAP];
    size_t cap = (size_t)(seed & 0x0F) * (seed & 0x10 ? 256 : 1);
    size_t out_len = 0;
    uint64_t plen = 0;
    const char *why = NULL;
    enum kdb_status st = kdb_unz_prefix(msg, n, one, cap, &out_len, &plen, &why);
    if (!why)
        die("kdb_unz_prefix gave no reason");
    if (out_len > cap)
        die("decompressed beyond the cap");
    if (st == KDB_OK && plen && out_len != (plen < cap ? plen : cap))
        die("KDB_OK without min(cap, ulen - 8) bytes");

    struct kdb_unz z;
    enum kdb_status zs = kdb_unz_init(&z, h, chunked, cap);
    if (zs == KDB_TRUNCATED) {
        uint64_t body = h->len - KDB_HDR_LEN;
        size_t k = n - KDB_HDR_LEN, off = 0;
        if (k > body)
            k = (size_t)body;
        size_t step = (size_t)(seed >> 5) + 1;
        while (off < k && zs == KDB_TRUNCATED) {
            size_t c = k - off < step ? k - off : step, used = 0;
            zs = kdb_unz_feed(&z, msg + KDB_HDR_LEN + off, c, &used);
            if (used > c)
                die("kdb_unz_feed used more than it was given");
            off += c;
            step = step * 3 % 17 + 1;
        }
    }
    if (zs != st)
        die("chunked decompression ends with another status");
    if (kdb_unz_out_len(&z) != out_len || memcmp(one, chunked, out_len) != 0)
        die("chunked decompression gives other bytes");
    if (st == KDB_OK && out_len)
        summarise(one, out_len, kdb_unz_payload_len(&z), h->little, h->msgtype);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t seed = data[0];
    const uint8_t *p = data + 1;
    size_t n = size - 1;

    struct kdb_hello hello;
    enum kdb_status st = kdb_hello_parse(p, n, &hello);
    check_text(&hello.user, p, n, "user outside the handshake");
    if (st == KDB_OK) {
        if (hello.len == 0 || hello.len > n || p[hello.len - 1] != '\0')
            die("handshake length wrong");
        if (hello.capability < -1 || hello.capability > 6)
            die("capability out of range");
        int cap = -2;
        if (hello.len < n)
            kdb_hello_reply(p + hello.len, n - hello.len, hello.capability, &cap);
    }
    int cap = 0;
    kdb_hello_reply(p, n, (int)(seed % 8) - 1, &cap);

    size_t at = SIZE_MAX;
    uint64_t decide_at = 0;
    st = kdb_find_chain(p, n, (seed & 3) + 1, &at, &decide_at);
    if (at > n)
        die("kdb_find_chain points past the data");
    /* an undecided search asks for more bytes than it had */
    if (st == KDB_TRUNCATED && decide_at <= n)
        die("kdb_find_chain asks to look again without new bytes");
    /* what kdb+ sends is a subset of what it decodes */
    if (kdb_hdr_plausible(p, n) && !kdb_hdr_consistent(p, n))
        die("plausible header not consistent");

    struct kdb_hdr h;
    const char *why = NULL;
    st = kdb_hdr_parse(p, n, &h, &why);
    if (st != KDB_OK) {
        if (!why)
            die("kdb_hdr_parse gave no reason");
        return 0;
    }
    if (h.len < KDB_HDR_LEN + 1)
        die("header length below 9 accepted");
    if (h.compressed == 1)
        unz(p, n, &h, seed);
    else
        summarise(p + KDB_HDR_LEN, n - KDB_HDR_LEN, h.len - KDB_HDR_LEN, h.little, h.msgtype);
    return 0;
}
