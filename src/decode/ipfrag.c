/* ipfrag.c: the fragment table (see ipfrag.h for what it follows of
 * Wireshark and what it bounds). */
#include "ipfrag.h"
#include "decode.h"

#include <stdlib.h>
#include <string.h>

#define IPFRAG_FIRST_PIECES 4

/* What malloc(n) takes from the heap, as the table charges it: n rounded up
 * to 16 plus 16 of header, at least 32. glibc on 64 bits takes n + 8 rounded
 * up to 16, at least 32, so this is never less; charging n alone let tiny
 * fragments (8 bytes kept in a 32-byte chunk) hold twice the bound. */
static size_t alloc_cost(size_t n)
{
    if (n == 0)
        return 0;
    size_t c = (n + 15) / 16 * 16 + 16;
    return c < 32 ? 32 : c;
}

int ipfrag_init(struct ipfrag_table *t, uint32_t max_datagrams, size_t max_bytes)
{
    memset(t, 0, sizeof *t);
    uint32_t n = 64;
    while (n < max_datagrams && n < (1u << 20))
        n <<= 1;
    t->buckets = calloc(n, sizeof *t->buckets);
    if (!t->buckets)
        return -1;
    t->nbuckets = n;
    t->max_datagrams = max_datagrams ? max_datagrams : 1;
    t->max_bytes = max_bytes;
    return 0;
}

static void unlink_recency(struct ipfrag_table *t, struct ipfrag_dgram *d)
{
    if (d->newer)
        d->newer->older = d->older;
    else
        t->newest = d->older;
    if (d->older)
        d->older->newer = d->newer;
    else
        t->oldest = d->newer;
    d->newer = d->older = NULL;
}

static void push_newest(struct ipfrag_table *t, struct ipfrag_dgram *d)
{
    d->older = t->newest;
    d->newer = NULL;
    if (t->newest)
        t->newest->newer = d;
    else
        t->oldest = d;
    t->newest = d;
}

static void drop_datagram(struct ipfrag_table *t, struct ipfrag_dgram *d)
{
    struct ipfrag_dgram **pp = &t->buckets[d->hash & (t->nbuckets - 1)];
    while (*pp != d)
        pp = &(*pp)->hnext;
    *pp = d->hnext;
    unlink_recency(t, d);
    /* d->bytes: everything below, charged as allocated */
    for (uint32_t i = 0; i < d->npieces; i++)
        free(d->pieces[i].bytes);
    free(d->pieces);
    t->bytes -= d->bytes;
    t->count--;
    free(d);
}

void ipfrag_reset(struct ipfrag_table *t)
{
    while (t->oldest)
        drop_datagram(t, t->oldest);
    t->out_frame = 0;
}

void ipfrag_free(struct ipfrag_table *t)
{
    if (t->buckets)
        ipfrag_reset(t);
    free(t->buckets);
    for (int i = 0; i < IPFRAG_OUT_BUFFERS; i++)
        free(t->out[i]);
    memset(t, 0, sizeof *t);
}

static uint32_t key_hash(uint8_t ver, const uint8_t *src, const uint8_t *dst, uint32_t id)
{
    uint32_t h = 2166136261u ^ ver; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ src[i]) * 16777619u;
    for (int i = 0; i < 16; i++)
        h = (h ^ dst[i]) * 16777619u;
    for (int i = 0; i < 4; i++)
        h = (h ^ ((id >> (8 * i)) & 0xFF)) * 16777619u;
    return h;
}

/* Forgets the least recently touched datagrams other than keep until need
 * more bytes fit; 0 when they do. */
static int make_room(struct ipfrag_table *t, size_t need, const struct ipfrag_dgram *keep)
{
    while (t->bytes + need > t->max_bytes && t->oldest && t->oldest != keep) {
        drop_datagram(t, t->oldest);
        t->evicted++;
    }
    return t->bytes + need <= t->max_bytes ? 0 : -1;
}

static struct ipfrag_dgram *find_or_add(struct ipfrag_table *t, uint8_t ver, const uint8_t *src,
                                        const uint8_t *dst, uint32_t id)
{
    uint32_t h = key_hash(ver, src, dst, id);
    struct ipfrag_dgram **head = &t->buckets[h & (t->nbuckets - 1)];
    for (struct ipfrag_dgram *d = *head; d; d = d->hnext)
        if (d->hash == h && d->id == id && d->ver == ver && !memcmp(d->src, src, 16) &&
            !memcmp(d->dst, dst, 16)) {
            unlink_recency(t, d);
            push_newest(t, d);
            return d;
        }
    if (t->count >= t->max_datagrams) {
        drop_datagram(t, t->oldest);
        t->evicted++;
    }
    if (make_room(t, alloc_cost(sizeof(struct ipfrag_dgram)), NULL) != 0)
        return NULL;
    struct ipfrag_dgram *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->ver = ver;
    memcpy(d->src, src, 16);
    memcpy(d->dst, dst, 16);
    d->id = id;
    d->hash = h;
    d->bytes = alloc_cost(sizeof *d);
    t->bytes += d->bytes;
    t->count++;
    head = &t->buckets[h & (t->nbuckets - 1)]; /* unchanged by the eviction */
    d->hnext = *head;
    *head = d;
    push_newest(t, d);
    return d;
}

/* Adds the piece in offset order, after those with the same offset (as
 * reassemble.c's LINK_FRAG); 0 on success. The piece's bytes are one
 * allocation and the pieces array grows by doubling: each is charged at
 * alloc_cost, the array at its new size less its old. Fragments arriving
 * last first make each insert move the pieces after it (O(k) a fragment,
 * O(k^2) a datagram), bounded by IPFRAG_MAX_PIECES: at worst a few times
 * slower than in order, never unbounded. */
static int add_piece(struct ipfrag_table *t, struct ipfrag_dgram *d, const struct row_frag *f)
{
    uint32_t kept = f->len;
    uint32_t cap = d->npieces < d->cap ? d->cap : d->cap ? d->cap * 2 : IPFRAG_FIRST_PIECES;
    size_t grow = alloc_cost(cap * sizeof(struct ipfrag_piece)) -
                  alloc_cost(d->cap * sizeof(struct ipfrag_piece));
    size_t charge = alloc_cost(kept) + grow;
    if (make_room(t, charge, d) != 0)
        return -1;
    if (cap != d->cap) {
        struct ipfrag_piece *np = realloc(d->pieces, cap * sizeof *np);
        if (!np)
            return -1;
        d->pieces = np;
        d->cap = cap;
    }
    uint8_t *bytes = NULL;
    if (kept) {
        bytes = malloc(kept);
        if (!bytes) {
            /* the array grew: charge it, the bytes were not kept */
            d->bytes += grow;
            t->bytes += grow;
            return -1;
        }
        memcpy(bytes, f->data, kept);
    }
    uint32_t i = d->npieces;
    while (i > 0 && d->pieces[i - 1].offset > f->offset)
        i--;
    memmove(d->pieces + i + 1, d->pieces + i, (d->npieces - i) * sizeof *d->pieces);
    d->pieces[i] = (struct ipfrag_piece){ f->offset, f->len, bytes };
    d->npieces++;
    d->bytes += charge;
    t->bytes += charge;
    return 0;
}

/* reassemble.c: the bytes from 0 on that the pieces cover without a gap. */
static uint64_t contiguous_end(const struct ipfrag_dgram *d)
{
    uint64_t max = 0;
    for (uint32_t i = 0; i < d->npieces; i++) {
        uint64_t end = (uint64_t)d->pieces[i].offset + d->pieces[i].len;
        if (d->pieces[i].offset <= max && end > max)
            max = end;
    }
    return max;
}

/* Copies the datagram out: walking the pieces in order, each adds only what
 * lies past what the ones before it gave (reassemble.c keeps the first
 * bytes it has for a position). */
static void build(const struct ipfrag_dgram *d, uint8_t *out)
{
    uint64_t dfpos = 0;
    for (uint32_t i = 0; i < d->npieces; i++) {
        const struct ipfrag_piece *pc = &d->pieces[i];
        if (pc->offset >= d->datalen)
            continue; /* past the end the last fragment gave */
        uint64_t end = (uint64_t)pc->offset + pc->len;
        if (end > d->datalen)
            end = d->datalen;
        if (end <= dfpos)
            continue;
        memcpy(out + dfpos, pc->bytes + (dfpos - pc->offset), (size_t)(end - dfpos));
        dfpos = end;
    }
}

const uint8_t *ipfrag_add(struct ipfrag_table *t, const struct row_frag *f, const uint8_t *src,
                          const uint8_t *dst, size_t *len, size_t *caplen)
{
    struct ipfrag_dgram *d = find_or_add(t, f->ver, src, dst, f->id);
    if (!d) {
        t->dropped++;
        return NULL;
    }
    if (d->npieces >= IPFRAG_MAX_PIECES || add_piece(t, d, f) != 0) {
        t->dropped++;
        return NULL;
    }
    if (!f->more && !d->datalen_set) {
        /* The first last fragment gives the length; a later one that
         * disagrees is Wireshark's "multiple tails" and changes nothing. */
        d->datalen = f->offset + f->len;
        d->datalen_set = 1;
    }
    if (!d->datalen_set || contiguous_end(d) < d->datalen)
        return NULL;

    size_t n = d->datalen;
    unsigned k = t->out_next++ % IPFRAG_OUT_BUFFERS;
    if (n > t->out_cap[k]) {
        uint8_t *o = realloc(t->out[k], n);
        if (!o) {
            drop_datagram(t, d);
            t->dropped++;
            return NULL;
        }
        t->out[k] = o;
        t->out_cap[k] = n;
    }
    build(d, t->out[k]);
    *len = n;
    *caplen = n;
    drop_datagram(t, d);
    t->completed++;
    return t->out[k];
}

void ipfrag_row(struct ipfrag_table *t, struct row *r)
{
    if (r->frame != t->out_frame) { /* this record's first completion: out[0] on */
        t->out_frame = r->frame;
        t->out_next = 0;
    }
    /* A reassembled datagram may hold a fragment of a tunnelled one. */
    for (int n = 0; n <= DECODE_MAX_TUNNELS && (r->present & HAS_FRAG); n++) {
        struct row_frag f = r->frag;
        r->present &= ~(uint32_t)HAS_FRAG;
        size_t len, cap;
        /* keyed as Wireshark's: on the final destination of an unfinished
         * IPv6 routing header and the home address of a Home Address
         * option before the fragment header (row_key_dst, row_key_src) */
        const uint8_t *p = ipfrag_add(t, &f, row_key_src(r), row_key_dst(r), &len, &cap);
        if (!p)
            return;
        decode_ip_reassembled(&f, p, cap, len, r);
    }
}
