/*
 * kdb_ipc.c - kdb+ IPC handshake, header, prefix decompression and payload
 * summary. See kdb_ipc.h for the API and the public references of the wire
 * format.
 */
#include "kdb_ipc.h"
#include "bytes.h"

#include <string.h>

/* q type bytes (serialization) */
#define KT_LIST      0
#define KT_GUID      2
#define KT_CHAR      10
#define KT_SYMBOL    11
#define KT_TABLE     98
#define KT_DICT      99
#define KT_LAMBDA    100
#define KT_UNARY     101
#define KT_ITERATOR  103
#define KT_PROJ      104
#define KT_COMP      105
#define KT_EACH      106  /* 106..111: derived functions (adverbs) */
#define KT_EACHLEFT  111
#define KT_FOREIGN   112
#define KT_SORTDICT  127
#define KT_ERROR     (-128)

#define KDB_ATTR_MAX   4u    /* s# u# p# g# */
#define KDB_ATTR_LONG  0x80u /* capability 6: 8-byte count follows */
#define KDB_CAP_MAX    6     /* highest documented capability (ipc: handshake) */

const char *kdb_status_name(enum kdb_status st)
{
    switch (st) {
    case KDB_OK:          return "ok";
    case KDB_TRUNCATED:   return "truncated";
    case KDB_BAD:         return "bad";
    case KDB_UNSUPPORTED: return "unsupported";
    case KDB_OVER_BUDGET: return "over_budget";
    }
    return "bad";
}

const char *kdb_msgtype_name(unsigned msgtype)
{
    switch (msgtype) {
    case KDB_ASYNC:    return "async";
    case KDB_SYNC:     return "sync";
    case KDB_RESPONSE: return "response";
    default:           return NULL;
    }
}

/* ---- 1. handshake ------------------------------------------------------ */

/* Printable (UTF-8 passes): a handshake of these bytes only may still be
 * arriving, its NUL in a later segment. */
static bool cred_byte(uint8_t c)
{
    return c >= 0x20 && c != 0x7f;
}

enum kdb_status kdb_hello_parse(const uint8_t *p, size_t n, struct kdb_hello *h)
{
    memset(h, 0, sizeof *h);
    h->capability = -1;
    size_t lim = n < KDB_HELLO_MAX ? n : KDB_HELLO_MAX;
    const uint8_t *nul = memchr(p, 0, lim);
    if (!nul) {
        if (n >= KDB_HELLO_MAX)
            return KDB_BAD;
        /* Wait for the rest only while the bytes are printable (the last
         * may be the capability). kdb+ takes any byte but NUL in a user
         * name, so a control byte or DEL is taken too, but only with its
         * NUL in the same bytes: HTTP (CR LF), TLS and other binary first
         * segments are given up at once, not held. */
        for (size_t i = 0; i < n; i++)
            if (!cred_byte(p[i]) && !(i + 1 == n && p[i] <= KDB_CAP_MAX))
                return KDB_BAD;
        return KDB_TRUNCATED;
    }
    size_t cred = (size_t)(nul - p);
    h->len = cred + 1;
    /* the capability byte right before the NUL (absent before kdb+ 2.6) */
    if (cred > 0 && p[cred - 1] <= KDB_CAP_MAX)
        h->capability = p[--cred];
    const uint8_t *colon = memchr(p, ':', cred);
    size_t ulen = colon ? (size_t)(colon - p) : cred;
    h->has_password = colon != NULL;
    h->user = (struct kdb_text){ p, ulen };
    return KDB_OK;
}

enum kdb_status kdb_hello_reply(const uint8_t *p, size_t n, int client_cap,
                                int *cap)
{
    *cap = -1;
    if (n == 0)
        return KDB_TRUNCATED;
    if (p[0] > KDB_CAP_MAX)
        return KDB_BAD;
    if (client_cap >= 0 && p[0] > client_cap)
        return KDB_BAD;
    *cap = p[0];
    return KDB_OK;
}

/* ---- 2. header --------------------------------------------------------- */

enum kdb_status kdb_hdr_parse(const uint8_t *p, size_t n, struct kdb_hdr *h,
                              const char **reason)
{
    const char *dummy;
    if (!reason)
        reason = &dummy;
    *reason = "";
    memset(h, 0, sizeof *h);
    if (n < KDB_HDR_LEN) {
        *reason = "header incomplete";
        return KDB_TRUNCATED;
    }
    h->little = p[0];
    h->msgtype = p[1];
    h->compressed = p[2];
    h->reserved = p[3];
    if (p[0] > 1) {
        *reason = "byte order byte not 0 or 1";
        return KDB_BAD;
    }
    h->len = (uint64_t)p[3] << 32 | get_32(p + 4, !p[0]);
    if (p[1] > KDB_RESPONSE) {
        *reason = "message type not async/sync/response";
        return KDB_BAD;
    }
    if (p[2] > 2) {
        *reason = "compression flag not 0, 1 or 2";
        return KDB_BAD;
    }
    if (h->len < KDB_HDR_LEN + 1) {
        *reason = "message length below 9";
        return KDB_BAD;
    }
    if (p[2] == 2) {
        *reason = "compressed message with 8-byte length (>2 GB form)";
        return KDB_UNSUPPORTED;
    }
    if (p[3] != 0) {
        *reason = "message length above 4 GiB (capability 5/6 form)";
        return KDB_UNSUPPORTED;
    }
    if (p[2] == 1 && h->len < 14) {
        *reason = "compressed message shorter than 14 bytes";
        return KDB_BAD;
    }
    return KDB_OK;
}

bool kdb_type_valid(int8_t t)
{
    if (t == KT_ERROR)
        return true;
    if (t >= -19 && t <= 19)
        return t != 3 && t != -3;
    return (t >= KT_TABLE && t <= KT_FOREIGN) || t == KT_SORTDICT;
}

static size_t atom_size(int t);

/* The first bytes of an uncompressed payload q[0..k) of length plen agree
 * with its type: atoms have their exact size, vectors a valid attribute and
 * a count that fits. */
static bool payload_start_ok(const uint8_t *q, size_t k, uint64_t plen,
                             int little)
{
    if (k == 0)
        return true;
    int t = (int8_t)q[0];
    if (!kdb_type_valid((int8_t)t))
        return false;
    if (t < 0 && t != KT_ERROR && t != -KT_SYMBOL)
        return plen == 1 + (uint64_t)atom_size(-t);
    if (t == KT_TABLE)
        return (k < 2 || q[1] <= KDB_ATTR_MAX) && (k < 3 || q[2] == KT_DICT);
    if (t < 0 || t > 19)
        return true;
    if (k >= 2 && q[1] > KDB_ATTR_MAX)
        return false;
    if (plen < 6)
        return false;
    if (k < 6)
        return true;
    uint64_t count = get_32(q + 2, !little);
    if (t == KT_LIST || t == KT_SYMBOL)
        return count <= plen - 6;
    return count * atom_size(t) == plen - 6;
}

/* With the decompressor in kdb_ipc.h; the header checks below use it too. */
bool kdb_unz_len_fits(uint64_t ulen, uint64_t clen)
{
    if (ulen < KDB_HDR_LEN + 1)
        return false;
    /* An item reads at most the bytes it writes (a literal 1 for 1, a
     * back-reference 2 for at least 2), and a flag byte is read before
     * each 8 items, only when an item follows (c.java uncompress). */
    uint64_t out = ulen - KDB_HDR_LEN;
    return clen <= KDB_HDR_LEN + 4 + out + (out + 7) / 8;
}

/* kdb_hdr_consistent(), and with kdb_sends also what kdb+ itself sends:
 * a compressed message no longer than its uncompressed form. */
static bool hdr_check(const uint8_t *p, size_t n, bool kdb_sends)
{
    struct kdb_hdr h;
    if (kdb_hdr_parse(p, n, &h, NULL) != KDB_OK)
        return false;
    if (!h.compressed)
        return payload_start_ok(p + KDB_HDR_LEN, n - KDB_HDR_LEN < 6 ?
                                n - KDB_HDR_LEN : 6, h.len - KDB_HDR_LEN,
                                h.little);
    if (n >= 12) {
        uint32_t ulen = get_32(p + 8, !h.little);
        if (!kdb_unz_len_fits(ulen, h.len))
            return false;
        /* kdb+ keeps a compression only when it pays (c.java gives up at
         * half), but its decompressor takes a longer one too */
        if (kdb_sends && ulen < h.len)
            return false;
    }
    /* the table is empty at first: the first two items must be literals */
    if (n >= 13 && (p[12] & 3) != 0)
        return false;
    return n < 14 || kdb_type_valid((int8_t)p[13]);
}

bool kdb_hdr_consistent(const uint8_t *p, size_t n)
{
    return hdr_check(p, n, false);
}

bool kdb_hdr_plausible(const uint8_t *p, size_t n)
{
    return hdr_check(p, n, true);
}

/* The k < 8 first bytes of a header do not rule it out. */
static bool hdr_prefix_ok(const uint8_t *p, size_t k, uint8_t order)
{
    static const uint8_t max[4] = {1, KDB_RESPONSE, 1, 0};
    if (k > 0 && p[0] != order)
        return false;
    for (size_t i = 0; i < k && i < 4; i++)
        if (p[i] > max[i])
            return false;
    return true;
}

/* Follow the chain of headers from off: KDB_OK confirmed, KDB_TRUNCATED
 * undecided (it runs past n; *decide_at = the bytes that decide its next
 * link), KDB_BAD refuted. */
static enum kdb_status chain_at(const uint8_t *p, size_t n, size_t off,
                                unsigned need, uint64_t *decide_at)
{
    size_t cur = off;
    for (unsigned links = 1;; links++) {
        uint64_t len = (uint64_t)get_32(p + cur + 4, !p[cur]);
        if (links >= need)
            return KDB_OK;
        if (len > n - cur) {                    /* message runs past the data */
            *decide_at = cur + len + KDB_HDR_CHECK_LEN;
            return KDB_TRUNCATED;
        }
        size_t next = cur + (size_t)len;
        if (next == n) {    /* one header landing on the end proves little */
            *decide_at = (uint64_t)next + KDB_HDR_CHECK_LEN;
            return links >= 2 ? KDB_OK : KDB_TRUNCATED;
        }
        if (n - next < KDB_HDR_LEN) {
            *decide_at = (uint64_t)next + KDB_HDR_CHECK_LEN;
            return hdr_prefix_ok(p + next, n - next, p[off]) ? KDB_TRUNCATED : KDB_BAD;
        }
        /* one sender writes one byte order (its own, or c.java's big) */
        if (p[next] != p[off] || !kdb_hdr_plausible(p + next, n - next))
            return KDB_BAD;
        cur = next;
    }
}

enum kdb_status kdb_find_chain(const uint8_t *p, size_t n, unsigned need,
                               size_t *at, uint64_t *decide_at)
{
    size_t undecided = SIZE_MAX;
    uint64_t soonest = UINT64_MAX;
    if (need == 0)
        need = 1;
    /* A confirmed chain wins over an earlier undecided candidate: an
     * undecided one is often a zero run read as a big-endian length. */
    for (size_t off = 0; off + KDB_HDR_LEN <= n; off++) {
        /* what kdb_hdr_plausible asks of the header's bytes first, and
         * inline: most offsets fail it (zero runs too), and the search runs
         * again as bytes come, mostly over bytes that are no kdb+ at all */
        const uint8_t *h = p + off;
        if (h[0] > 1 || h[1] > KDB_RESPONSE || h[2] > 1 || h[3] != 0 ||
            get_32(h + 4, !h[0]) <= KDB_HDR_LEN)
            continue;
        if (!kdb_hdr_plausible(h, n - off))
            continue;
        uint64_t decide = UINT64_MAX;
        enum kdb_status st = chain_at(p, n, off, need, &decide);
        if (st == KDB_OK) {
            *at = off;
            return KDB_OK;
        }
        if (st == KDB_TRUNCATED) {
            if (undecided == SIZE_MAX)
                undecided = off;
            if (decide < soonest)
                soonest = decide;
        }
    }
    if (undecided != SIZE_MAX) {
        *at = undecided;
        if (decide_at)
            *decide_at = soonest;
        return KDB_TRUNCATED;
    }
    *at = n > KDB_HDR_LEN - 1 ? n - (KDB_HDR_LEN - 1) : 0;
    return KDB_BAD;
}

/* ---- 3. prefix decompression ------------------------------------------- */

static enum kdb_status unz_fail(struct kdb_unz *z, enum kdb_status st,
                                const char *why)
{
    z->st = st;
    z->reason = why;
    return st;
}

enum kdb_status kdb_unz_init(struct kdb_unz *z, const struct kdb_hdr *h,
                             uint8_t *out, size_t cap)
{
    memset(z, 0, sizeof *z);
    z->out = out;
    z->cap = out ? cap : 0;
    z->little = h->little;
    z->clen = h->len;
    z->d = z->s = z->p = KDB_HDR_LEN;
    z->st = KDB_TRUNCATED;
    z->reason = "";
    if (h->compressed == 2 || h->reserved != 0)
        return unz_fail(z, KDB_UNSUPPORTED,
                        "compressed >2 GB form (capability 5/6)");
    if (h->compressed != 1)
        return unz_fail(z, KDB_BAD, "message not compressed");
    if (h->len < 14)
        return unz_fail(z, KDB_BAD, "compressed message shorter than 14 bytes");
    return KDB_TRUNCATED;
}

size_t kdb_unz_out_len(const struct kdb_unz *z)
{
    uint64_t got = z->s - KDB_HDR_LEN;
    return got < z->cap ? (size_t)got : z->cap;
}

uint64_t kdb_unz_payload_len(const struct kdb_unz *z)
{
    return z->ulen ? z->ulen - KDB_HDR_LEN : 0;
}

/* Hash output positions p while p+1 < s, as c.java does, but only over bytes
 * that were stored (decoding stops before the unstored ones matter). */
static void unz_hash(struct kdb_unz *z, uint64_t stored_end)
{
    while (z->p + 1 < z->s && z->p + 1 < stored_end) {
        const uint8_t *o = z->out + (z->p - KDB_HDR_LEN);
        z->aa[o[0] ^ o[1]] = (uint32_t)z->p;
        z->p++;
    }
}

enum kdb_status kdb_unz_feed(struct kdb_unz *z, const uint8_t *in, size_t n,
                             size_t *used)
{
    size_t i = 0;
    uint64_t stored_end = KDB_HDR_LEN + (uint64_t)z->cap;

    while (z->st == KDB_TRUNCATED) {
        if (z->ulen == 0) {                     /* uncompressed length */
            while (z->npend < 4 && i < n && z->d < z->clen) {
                z->pend[z->npend++] = in[i++];
                z->d++;
            }
            if (z->npend < 4)
                break;
            z->npend = 0;
            uint32_t ulen = get_32(z->pend, !z->little);
            if (ulen < KDB_HDR_LEN + 1) {
                unz_fail(z, KDB_BAD, "uncompressed length below 9");
                break;
            }
            z->ulen = ulen;
            if (!kdb_unz_len_fits(ulen, z->clen)) {
                /* found now, not only once the whole payload is decoded
                 * (never, for a payload beyond the caller's buffer) */
                unz_fail(z, KDB_BAD, "bytes left after the compressed data");
                break;
            }
            continue;
        }
        if (z->s >= z->ulen) {                  /* whole payload decoded */
            if (z->d != z->clen)
                unz_fail(z, KDB_BAD, "bytes left after the compressed data");
            else
                z->st = KDB_OK;
            break;
        }
        if (z->s >= stored_end) {               /* prefix complete */
            z->st = KDB_OK;
            break;
        }
        if (z->d >= z->clen && z->npend == 0) {
            unz_fail(z, KDB_BAD, "compressed data ends before its "
                     "uncompressed length");
            break;
        }
        if (z->mask == 0) {                     /* new group: flag byte */
            if (i >= n)
                break;
            z->flags = in[i++];
            z->d++;
            z->mask = 1;
            continue;
        }
        if (z->flags & z->mask) {               /* back-reference (h, n) */
            while (z->npend < 2 && i < n && z->d < z->clen) {
                z->pend[z->npend++] = in[i++];
                z->d++;
            }
            if (z->npend < 2) {
                if (z->d >= z->clen)
                    unz_fail(z, KDB_BAD, "compressed data ends inside a "
                             "back-reference");
                break;
            }
            z->npend = 0;
            uint64_t r = z->aa[z->pend[0]];
            uint64_t cnt = (uint64_t)z->pend[1] + 2;
            if (r < KDB_HDR_LEN) {
                unz_fail(z, KDB_BAD, "back-reference to an unset hash slot");
                break;
            }
            if (r >= z->s) {                    /* cannot happen: defensive */
                unz_fail(z, KDB_BAD, "back-reference not behind the output");
                break;
            }
            if (z->s + cnt > z->ulen) {
                unz_fail(z, KDB_BAD, "back-reference copies past the "
                         "uncompressed length");
                break;
            }
            /* forward, byte by byte: source may overlap the target; a source
             * byte is always before its target, so stored if the target is */
            for (uint64_t k = 0; k < cnt && z->s + k < stored_end; k++)
                z->out[z->s + k - KDB_HDR_LEN] = z->out[r + k - KDB_HDR_LEN];
            z->s += 2;
            unz_hash(z, stored_end);
            z->s += cnt - 2;                    /* match interior not hashed */
            z->p = z->s;
        } else {                                /* literal */
            if (i >= n)
                break;
            if (z->s < stored_end)
                z->out[z->s - KDB_HDR_LEN] = in[i];
            i++;
            z->d++;
            z->s++;
            unz_hash(z, stored_end);
        }
        z->mask = (z->mask << 1) & 0xffu;
    }
    if (used)
        *used = i;
    return z->st;
}

enum kdb_status kdb_unz_prefix(const uint8_t *msg, size_t n, uint8_t *out,
                               size_t cap, size_t *out_len,
                               uint64_t *payload_len, const char **reason)
{
    struct kdb_hdr h;
    struct kdb_unz z;
    const char *why = "";
    enum kdb_status st = kdb_hdr_parse(msg, n, &h, &why);
    if (out_len)
        *out_len = 0;
    if (payload_len)
        *payload_len = 0;
    if (st != KDB_OK)
        goto done;
    st = kdb_unz_init(&z, &h, out, cap);
    if (st == KDB_TRUNCATED) {
        uint64_t body = h.len - KDB_HDR_LEN;
        size_t k = n - KDB_HDR_LEN;
        if (k > body)
            k = (size_t)body;
        st = kdb_unz_feed(&z, msg + KDB_HDR_LEN, k, NULL);
    }
    why = z.reason;
    if (out_len)
        *out_len = kdb_unz_out_len(&z);
    if (payload_len)
        *payload_len = kdb_unz_payload_len(&z);
    if (st == KDB_TRUNCATED)
        why = "compressed message incomplete";
done:
    if (reason)
        *reason = why;
    return st;
}

/* ---- 4. object walker and summary -------------------------------------- */

struct cur {
    const uint8_t *p;
    size_t n;          /* bytes present (<= total) */
    size_t total;      /* bytes the object may span */
    size_t off;
    int little;
    const char *why;
};

static enum kdb_status fail(struct cur *c, enum kdb_status st, const char *why)
{
    c->why = why;
    return st;
}

/* Are k more bytes there? BAD beyond the payload, TRUNCATED beyond n. */
static enum kdb_status need(struct cur *c, uint64_t k)
{
    if (k > c->total - c->off)
        return fail(c, KDB_BAD, "length beyond the end of the message");
    if (k > c->n - c->off)
        return fail(c, KDB_TRUNCATED, "bytes end inside an object");
    return KDB_OK;
}

/* Bytes of an atom of type -t (t = 1..19), 0 for no such type. */
static size_t atom_size(int t)
{
    static const uint8_t sz[20] = {
        0, 1, 16, 0, 1, 2, 4, 8, 4, 8,  /* -, b, g, -, x, h, i, j, e, f */
        1, 0, 8, 4, 4, 8, 8, 4, 4, 4    /* c, s, p, m, d, z, n, u, v, t */
    };
    return t >= 1 && t <= 19 ? sz[t] : 0;
}

/* NUL-terminated string at c->off: text in *s, *len; advances past the NUL. */
static enum kdb_status cstr(struct cur *c, const uint8_t **s, size_t *len)
{
    const uint8_t *start = c->p + c->off;
    const uint8_t *z = memchr(start, 0, c->n - c->off);
    if (!z) {
        if (c->n < c->total)
            return fail(c, KDB_TRUNCATED, "bytes end inside a string");
        return fail(c, KDB_BAD, "string without terminating NUL");
    }
    if (s)
        *s = start;
    if (len)
        *len = (size_t)(z - start);
    c->off += (size_t)(z - start) + 1;
    return KDB_OK;
}

/* Attribute + int32 count of a vector or list. */
static enum kdb_status vec_hdr(struct cur *c, uint32_t *count)
{
    enum kdb_status st = need(c, 1);
    if (st != KDB_OK)
        return st;
    uint8_t attr = c->p[c->off];
    if (attr & KDB_ATTR_LONG)
        return fail(c, KDB_UNSUPPORTED,
                    "vector with 8-byte count (capability 6)");
    if (attr > KDB_ATTR_MAX)
        return fail(c, KDB_BAD, "invalid vector attribute");
    if ((st = need(c, 5)) != KDB_OK)
        return st;
    *count = get_32(c->p + c->off + 1, !c->little);
    if (*count > INT32_MAX)
        return fail(c, KDB_BAD, "negative count");
    c->off += 5;
    return KDB_OK;
}

/* Every object takes at least one byte: a count above the bytes left is bad. */
static enum kdb_status items_fit(struct cur *c, uint64_t count)
{
    if (count > c->total - c->off)
        return fail(c, KDB_BAD, "count larger than the message");
    return KDB_OK;
}

/* A vector of type t (0..19) and this count fits in the bytes left. */
static enum kdb_status vec_fits(struct cur *c, int t, uint64_t count)
{
    if (t == KT_LIST || t == KT_SYMBOL)
        return items_fit(c, count);
    if (count * atom_size(t) > c->total - c->off)
        return fail(c, KDB_BAD, "count larger than the message");
    return KDB_OK;
}

static enum kdb_status skip_obj(struct cur *c, unsigned depth);

static enum kdb_status skip_objs(struct cur *c, uint64_t count, unsigned depth)
{
    enum kdb_status st = items_fit(c, count);
    for (uint64_t k = 0; st == KDB_OK && k < count; k++)
        st = skip_obj(c, depth);
    return st;
}

static enum kdb_status skip_obj(struct cur *c, unsigned depth)
{
    enum kdb_status st;
    uint32_t count;
    if (depth >= KDB_MAX_DEPTH)
        return fail(c, KDB_UNSUPPORTED, "objects nested too deeply");
    if ((st = need(c, 1)) != KDB_OK)
        return st;
    int t = (int8_t)c->p[c->off++];

    if (t == KT_ERROR || t == -KT_SYMBOL)
        return cstr(c, NULL, NULL);
    if (t < 0) {
        size_t sz = atom_size(-t);
        if (sz == 0)
            return fail(c, KDB_BAD, "invalid atom type");
        if ((st = need(c, sz)) != KDB_OK)
            return st;
        c->off += sz;
        return KDB_OK;
    }
    if (t <= 19) {
        if (t == 3)
            return fail(c, KDB_BAD, "invalid vector type");
        if ((st = vec_hdr(c, &count)) != KDB_OK)
            return st;
        if (t == KT_LIST)
            return skip_objs(c, count, depth + 1);
        if (t == KT_SYMBOL) {
            if ((st = items_fit(c, count)) != KDB_OK)
                return st;
            for (uint32_t k = 0; st == KDB_OK && k < count; k++)
                st = cstr(c, NULL, NULL);
            return st;
        }
        uint64_t bytes = (uint64_t)count * atom_size(t);
        if ((st = need(c, bytes)) != KDB_OK)
            return st;
        c->off += (size_t)bytes;
        return KDB_OK;
    }
    switch (t) {
    case KT_TABLE:
        if ((st = need(c, 2)) != KDB_OK)
            return st;
        if (c->p[c->off] > KDB_ATTR_MAX)
            return fail(c, KDB_BAD, "invalid table attribute");
        if (c->p[c->off + 1] != KT_DICT)
            return fail(c, KDB_BAD, "table not over a dictionary");
        c->off++;
        return skip_obj(c, depth + 1);
    case KT_DICT:
    case KT_SORTDICT:
        return skip_objs(c, 2, depth + 1);
    case KT_LAMBDA:
        if ((st = cstr(c, NULL, NULL)) != KDB_OK)
            return st;
        return skip_obj(c, depth + 1);
    case KT_UNARY:
    case KT_UNARY + 1:
    case KT_ITERATOR:
        if ((st = need(c, 1)) != KDB_OK)
            return st;
        c->off++;
        return KDB_OK;
    case KT_PROJ:
    case KT_COMP:
        if ((st = need(c, 4)) != KDB_OK)
            return st;
        count = get_32(c->p + c->off, !c->little);
        if (count > INT32_MAX)
            return fail(c, KDB_BAD, "negative count");
        c->off += 4;
        return skip_objs(c, count, depth + 1);
    case KT_FOREIGN:
        return fail(c, KDB_UNSUPPORTED, "foreign object");
    default:
        if (t >= KT_EACH && t <= KT_EACHLEFT)
            return skip_obj(c, depth + 1);
        return fail(c, KDB_BAD, "invalid type");
    }
}

static void cur_init(struct cur *c, const uint8_t *p, size_t n, uint64_t total,
                     int little)
{
    c->p = p;
    c->total = total > SIZE_MAX ? SIZE_MAX : (size_t)total;
    c->n = n < c->total ? n : c->total;
    c->off = 0;
    c->little = little;
    c->why = "";
}

enum kdb_status kdb_obj_size(const uint8_t *p, size_t n, uint64_t total,
                             int little, size_t *size, const char **reason)
{
    struct cur c;
    cur_init(&c, p, n, total, little);
    enum kdb_status st = skip_obj(&c, 0);
    *size = st == KDB_OK ? c.off : 0;
    if (reason)
        *reason = c.why;
    return st;
}

/* A name: symbol atom or char vector. KDB_OK with *got false if it is
 * neither (then nothing is consumed). */
static enum kdb_status read_name(struct cur *c, struct kdb_text *name, bool *got)
{
    enum kdb_status st;
    const uint8_t *s;
    size_t len;
    uint32_t count;
    *got = false;
    if ((st = need(c, 1)) != KDB_OK)
        return st;
    int t = (int8_t)c->p[c->off];
    if (t == -KT_SYMBOL) {
        c->off++;
        if ((st = cstr(c, &s, &len)) != KDB_OK)
            return st;
    } else if (t == KT_CHAR) {
        c->off++;
        if ((st = vec_hdr(c, &count)) != KDB_OK)
            return st;
        if ((st = need(c, count)) != KDB_OK)
            return st;
        s = c->p + c->off;
        len = count;
        c->off += count;
    } else {
        return KDB_OK;
    }
    *name = (struct kdb_text){ s, len };
    *got = true;
    return KDB_OK;
}

/* Rows of the data argument at c->off (see kdb_ipc.h). */
static enum kdb_status data_rows(struct cur *c, int64_t *rows, unsigned depth)
{
    enum kdb_status st;
    uint32_t count;
    *rows = -1;
    if (depth >= 4)                     /* keyed table of a keyed table ... */
        return KDB_OK;
    if ((st = need(c, 1)) != KDB_OK)
        return st;
    int t = (int8_t)c->p[c->off];
    if (t == KT_TABLE) {
        /* 62 attr 63 <symbol vector of names> 00 attr count <first column> */
        if ((st = need(c, 3)) != KDB_OK)
            return st;
        if (c->p[c->off + 1] > KDB_ATTR_MAX)
            return fail(c, KDB_BAD, "invalid table attribute");
        if (c->p[c->off + 2] != KT_DICT)
            return fail(c, KDB_BAD, "table not over a dictionary");
        c->off += 3;
        if ((st = skip_obj(c, depth + 1)) != KDB_OK)      /* column names */
            return st;
        if ((st = need(c, 1)) != KDB_OK)
            return st;
        if (c->p[c->off] != KT_LIST)
            return fail(c, KDB_BAD, "table columns not a general list");
        c->off++;
        if ((st = vec_hdr(c, &count)) != KDB_OK)
            return st;
        if (count == 0) {
            *rows = 0;
            return KDB_OK;
        }
        if ((st = need(c, 1)) != KDB_OK)
            return st;
        t = (int8_t)c->p[c->off];
        if (t < 0 || t > 19 || t == 3)
            return fail(c, KDB_BAD, "table column not a list");
        c->off++;
        if ((st = vec_hdr(c, &count)) != KDB_OK)
            return st;
        if ((st = vec_fits(c, t, count)) != KDB_OK)
            return st;
        *rows = count;
        return KDB_OK;
    }
    if (t == KT_DICT || t == KT_SORTDICT) {
        /* keyed table: dict of two tables; rows are the key table's */
        if ((st = need(c, 2)) != KDB_OK)
            return st;
        if (c->p[c->off + 1] != KT_TABLE)
            return KDB_OK;
        c->off++;
        return data_rows(c, rows, depth + 1);
    }
    if (t >= 0 && t <= 19) {
        if (t == 3)
            return fail(c, KDB_BAD, "invalid vector type");
        c->off++;
        if ((st = vec_hdr(c, &count)) != KDB_OK)
            return st;
        if ((st = vec_fits(c, t, count)) != KDB_OK)
            return st;
        if (t != KT_LIST) {             /* one row of same-typed atoms */
            *rows = count > 0 ? 1 : 0;
            return KDB_OK;
        }
        if (count == 0) {
            *rows = 0;
            return KDB_OK;
        }
        if ((st = need(c, 1)) != KDB_OK)
            return st;
        t = (int8_t)c->p[c->off];
        if (t >= 0 && t <= 19) {        /* list of columns */
            if (t == 3)
                return fail(c, KDB_BAD, "invalid vector type");
            c->off++;
            if ((st = vec_hdr(c, &count)) != KDB_OK)
                return st;
            if ((st = vec_fits(c, t, count)) != KDB_OK)
                return st;
            *rows = count;
        } else if (t < 0) {             /* one row of atoms */
            *rows = 1;
        }
        return KDB_OK;
    }
    return KDB_OK;
}

static void sum_set(struct kdb_summary *s, struct cur *c, enum kdb_status st)
{
    s->status = st;
    s->reason = st == KDB_OK ? "" : c->why;
}

enum kdb_status kdb_summarise(const uint8_t *p, size_t n, uint64_t total,
                              int little, unsigned msgtype,
                              struct kdb_summary *s)
{
    struct cur c;
    enum kdb_status st;
    const uint8_t *txt;
    size_t len;
    uint32_t count;
    bool got;
    bool call = msgtype != KDB_RESPONSE;

    memset(s, 0, sizeof *s);
    s->ptype = KDB_PTYPE_NONE;
    s->rows = -1;
    cur_init(&c, p, n, total, little);
    if (c.total == 0) {
        sum_set(s, &c, fail(&c, KDB_BAD, "empty payload"));
        return s->status;
    }
    if ((st = need(&c, 1)) != KDB_OK)
        goto out;
    int t = (int8_t)c.p[c.off++];
    s->ptype = (int16_t)t;
    if (!kdb_type_valid((int8_t)t)) {
        st = fail(&c, KDB_BAD, "invalid payload type");
        goto out;
    }

    if (t == KT_ERROR) {
        const uint8_t *z = memchr(c.p + c.off, 0, c.n - c.off);
        len = z ? (size_t)(z - (c.p + c.off)) : c.n - c.off;
        s->error = (struct kdb_text){ c.p + c.off, len };
        s->has |= KDB_HAS_ERROR;
        st = z ? KDB_OK : cstr(&c, NULL, NULL);
        goto out;
    }
    if (!call)
        goto out;

    if (t == KT_CHAR) {
        if ((st = vec_hdr(&c, &count)) != KDB_OK)
            goto out;
        st = need(&c, count);
        if (st == KDB_BAD)
            goto out;
        txt = c.p + c.off;
        len = st == KDB_OK ? count : c.n - c.off;
        s->query = (struct kdb_text){ txt, len };
        s->has |= KDB_HAS_QUERY;
        goto out;
    }
    if (t != KT_LIST)
        goto out;

    if ((st = vec_hdr(&c, &count)) != KDB_OK)
        goto out;
    if ((st = items_fit(&c, count)) != KDB_OK)
        goto out;
    if (count >= 1) {
        if ((st = read_name(&c, &s->func, &got)) != KDB_OK)
            goto out;
        if (got) {
            s->has |= KDB_HAS_FUNC;
        } else if ((st = skip_obj(&c, 1)) != KDB_OK) {
            goto out;
        }
    }
    if (count >= 2) {
        if ((st = need(&c, 1)) != KDB_OK)
            goto out;
        if ((int8_t)c.p[c.off] == -KT_SYMBOL) {
            c.off++;
            if ((st = cstr(&c, &txt, &len)) != KDB_OK)
                goto out;
            s->table = (struct kdb_text){ txt, len };
            s->has |= KDB_HAS_TABLE;
        } else if ((st = skip_obj(&c, 1)) != KDB_OK) {
            goto out;
        }
    }
    if (count >= 3) {
        int64_t rows;
        st = data_rows(&c, &rows, 1);
        if (st == KDB_OK && rows >= 0) {
            s->rows = rows;
            s->has |= KDB_HAS_ROWS;
        }
    }
out:
    sum_set(s, &c, st);
    return st;
}
