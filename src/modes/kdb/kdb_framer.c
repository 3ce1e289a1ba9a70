/* kdb_framer.c: the kdb+ IPC framer for the generic reassembler (see
 * kdb_framer.h; the protocol itself is kdb_ipc.h). */
#include "kdb_framer.h"
#include "bytes.h"
#include "grow.h"
#include "qspan.h"

#include <stdlib.h>
#include <string.h>

enum dir_mode {
    D_START = 0,   /* nothing delivered yet */
    D_HELLO,       /* client: reading the handshake */
    D_REPLY,       /* server: reading the 1-byte answer */
    D_SYNC,        /* framing messages */
    D_RESYNC,      /* looking for a chain of headers */
    D_OFF,         /* not kdb+: ignored */
};

/* Where a run of held bytes came from: from byte off of the held bytes on
 * (up to the next mark) they are the bytes of packet pkt, starting at TCP
 * sequence number seq; known 0 when that is not known (today's bound: the
 * packet being processed, the end of what was read). */
struct seg_mark {
    uint32_t off, seq;
    uint8_t known;
    struct reasm_pkt pkt;
};

/* The marks of the bytes a direction holds: the resync window (buf, then
 * the bytes kept in hb) and, once a chain is found, the bytes handed back
 * (refeed). At most KDB_FRAMER_MARKS; the last one past the bound is an
 * unknown mark, so the bytes after it take today's bound. */
struct seg_marks {
    uint32_t n;
    struct seg_mark m[];
};

/* One direction of one connection. */
struct kdb_dir {
    uint8_t mode, role, hello_seen;
    uint8_t closed;                  /* closed first: kept for the other's last row */
    int8_t cap;                      /* capability (client: offered, server: answer) */
    /* the handshake's user name, whole (at most KDB_HELLO_MAX bytes): its
     * own allocation, as long as the name, so that the usual short name
     * costs little per connection; NULL when none or empty */
    char *user;
    /* header being read, when it does not lie whole in a chunk (D_SYNC);
     * bytes still to be searched, at most 13, when the last search found
     * nothing (D_RESYNC) */
    uint8_t hb[KDB_HDR_CHECK_LEN];
    uint8_t nhb;
    /* D_RESYNC: the bytes in hb all came with packet `first` (and end just
     * before the next bytes delivered); else their origin is not known */
    uint8_t hb_first;
    /* the message in progress */
    uint8_t in_msg, cut, pfx_done, unsup, unconfirmed;
    uint8_t not_held;                /* its payload could not be held: over budget */
    struct kdb_hdr h;
    const char *unsup_why;
    uint64_t got;                    /* its bytes so far, header included */
    struct reasm_pkt first, last;    /* its first packet; the last that added bytes */
    struct reasm_span span;          /* the packets it spans (segs) */
    /* the last captured of the packets that completed its bytes so far:
     * a truncated row whose last byte is lost goes with it */
    struct reasm_pkt done;
    /* where the last packet's bytes begin in the payload prefix (buf):
     * when the object ends before the header's length, the bytes after it
     * from there on are framed again with their packet and sequence number
     * (those before, of earlier packets, as bytes of unknown origin: no
     * mark per packet is held for every message) */
    struct seg_mark tail;
    uint64_t skipped;                /* bytes lost or skipped before the next message */
    /* payload prefix (D_SYNC), handshake (D_HELLO) or search window
     * (D_RESYNC): charged to the budget, and released as soon as what it
     * holds is complete, so that the budget counts only what is arriving */
    uint8_t *buf;
    size_t len, cap_bytes;
    size_t rescan_at;                /* D_RESYNC: search again once len reaches it */
    /* D_RESYNC: the packet being processed when bytes last came to the
     * search window: a chain found when the connection ends comes with it */
    struct reasm_pkt window_done;
    struct kdb_unz *z;               /* a compressed message in progress */
    /* bytes handed back for framing again, before the rest of the chunk */
    uint8_t *refeed;
    size_t refeed_len, refeed_cap;
    /* where the held bytes (resync window, then refeed) came from; NULL
     * when not known (KDB_FRAMER_MARKS) */
    struct seg_marks *marks;
    /* sync requests this direction sent and not yet answered, oldest first */
    int64_t req[KDB_FRAMER_PENDING];
    uint32_t req_head, req_n;
    /* unanswered requests pushed out of the full ring (older than all in
     * it): the next responses answer them, and get no latency */
    uint32_t req_dropped;
};

static const struct kdb_summary empty_summary = { .ptype = KDB_PTYPE_NONE, .rows = -1 };

/* ------------------------------------------------------------ buffers -- */

static int buf_reserve(struct reasm *ra, struct kdb_dir *d, size_t want)
{
    if (d->cap_bytes >= want)
        return 0;
    size_t cap = grown_capacity(d->cap_bytes, 1024, 0, want);
    if (!cap || reasm_budget_take(ra, cap - d->cap_bytes) != 0)
        return -1;
    uint8_t *b = realloc(d->buf, cap);
    if (!b) {
        reasm_budget_give(ra, cap - d->cap_bytes);
        return -1;
    }
    d->buf = b;
    d->cap_bytes = cap;
    return 0;
}

static int buf_append(struct reasm *ra, struct kdb_dir *d, const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    if (buf_reserve(ra, d, d->len + n) != 0)
        return -1;
    memcpy(d->buf + d->len, p, n);
    d->len += n;
    return 0;
}

/* What buf held is done with (a message complete, a handshake read, a search
 * window handed back or found empty): its memory goes back to the budget. */
static void buf_release(struct reasm *ra, struct kdb_dir *d)
{
    reasm_budget_give(ra, d->cap_bytes);
    free(d->buf);
    d->buf = NULL;
    d->len = d->cap_bytes = 0;
}

static void buf_drop_front(struct kdb_dir *d, size_t n)
{
    if (n >= d->len) {
        d->len = 0;
        return;
    }
    memmove(d->buf, d->buf + n, d->len - n);
    d->len -= n;
}

/* ------------------------------------------------------------ marks -- */

static size_t marks_size(uint32_t n)
{
    return sizeof(struct seg_marks) + n * sizeof(struct seg_mark);
}

static void marks_free(struct reasm *ra, struct seg_marks **mp)
{
    if (*mp)
        reasm_budget_give(ra, marks_size((*mp)->n));
    free(*mp);
    *mp = NULL;
}

/* Resizes to n marks (n at least the marks kept); -1 when the budget or
 * memory is used up. */
static int marks_resize(struct reasm *ra, struct seg_marks **mp, uint32_t n)
{
    uint32_t had = *mp ? (*mp)->n : 0;
    if (n > had && reasm_budget_take(ra, marks_size(n) - marks_size(had)) != 0)
        return -1;
    struct seg_marks *b = realloc(*mp, marks_size(n));
    if (!b) {
        if (n > had)
            reasm_budget_give(ra, marks_size(n) - marks_size(had));
        return -1;
    }
    if (n < had)
        reasm_budget_give(ra, marks_size(had) - marks_size(n));
    if (!*mp)
        b->n = 0;
    *mp = b;
    return 0;
}

/* The held bytes from off on are packet pkt's from sequence number seq
 * (known) or of unknown origin. When the marks cannot be held, all the held
 * bytes are of unknown origin (no marks). */
static void marks_add(struct reasm *ra, struct seg_marks **mp, size_t off, int known,
                      uint32_t seq, const struct reasm_pkt *pkt)
{
    struct seg_marks *ms = *mp;
    if (!ms && !known)
        return;
    if (ms && ms->n > 0) {
        struct seg_mark *l = &ms->m[ms->n - 1];
        if (l->off == off) {
            ms->n--;          /* the bytes it marked were none */
            l = ms->n ? &ms->m[ms->n - 1] : NULL;
        }
        if (l && !l->known && (!known || ms->n == KDB_FRAMER_MARKS))
            return;           /* unknown already, up to the end */
        if (l && known && l->known && l->pkt.frame == pkt->frame &&
            l->seq + (uint32_t)(off - l->off) == seq)
            return;           /* the same packet's bytes, one after the other */
    }
    uint32_t n = ms ? ms->n : 0;
    uint32_t add = (!ms && off > 0) ? 2 : 1;  /* bytes before it: unknown */
    if (known && n + add > KDB_FRAMER_MARKS - 1) {
        /* the bound: the last mark is an unknown one, and the held bytes
         * from it on take the bound of bytes of unknown origin */
        known = 0;
        add = 1;
    }
    if (marks_resize(ra, mp, n + add) != 0) {
        marks_free(ra, mp);
        return;
    }
    ms = *mp;
    ms->n = n;
    if (add == 2)
        ms->m[ms->n++] = (struct seg_mark){ .off = 0, .known = 0 };
    ms->m[ms->n++] = (struct seg_mark){ .off = (uint32_t)off, .seq = seq,
                                        .known = (uint8_t)known, .pkt = *pkt };
}

/* The mark whose bytes hold held byte off (the last one starting at or
 * before it; 0 when none does). */
static uint32_t marks_at(const struct seg_marks *ms, size_t off)
{
    uint32_t i = 0;
    while (i + 1 < ms->n && ms->m[i + 1].off <= off)
        i++;
    return i;
}

/* The first at held bytes are gone. */
static void marks_drop_front(struct reasm *ra, struct seg_marks *ms, size_t at)
{
    if (!ms || at == 0)
        return;
    uint32_t had = ms->n;
    uint32_t i = marks_at(ms, at);
    uint32_t k = 0;
    for (uint32_t j = i; j < ms->n; j++, k++) {
        struct seg_mark m = ms->m[j];
        if (m.off < at) {
            if (m.known)
                m.seq += (uint32_t)(at - m.off);
            m.off = 0;
        } else {
            m.off -= (uint32_t)at;
        }
        ms->m[k] = m;
    }
    ms->n = k;
    /* the budget counts the marks kept (marks_size(n)); their memory goes
     * back when the marks are resized or freed */
    reasm_budget_give(ra, marks_size(had) - marks_size(k));
}

/* Hands buf[from..len) back for framing before the rest of the input (after
 * what was handed back already and not yet taken). */
static void refeed_from_buf(struct reasm *ra, struct kdb_dir *d, size_t from)
{
    size_t n = from < d->len ? d->len - from : 0;
    /* the marks of the window become those of the bytes handed back (all
     * unknown when bytes were handed back already) */
    if (n == 0 || d->refeed_len)
        marks_free(ra, &d->marks);
    else
        marks_drop_front(ra, d->marks, from);
    if (n > 0) {
        size_t want = d->refeed_len + n;
        if (want > d->refeed_cap) {
            int took = reasm_budget_take(ra, want - d->refeed_cap) == 0;
            uint8_t *b = took ? malloc(want) : NULL;
            if (b) {
                memcpy(b, d->buf + from, n);
                if (d->refeed_len)
                    memcpy(b + n, d->refeed, d->refeed_len);
                free(d->refeed);
                d->refeed = b;
                d->refeed_len = want;
                d->refeed_cap = want;
            } else {
                if (took)
                    reasm_budget_give(ra, want - d->refeed_cap);
                d->skipped += n;
                reasm_message_over_budget(ra);
                marks_free(ra, &d->marks);
            }
        } else {
            memmove(d->refeed + n, d->refeed, d->refeed_len);
            memcpy(d->refeed, d->buf + from, n);
            d->refeed_len = want;
        }
    }
    buf_release(ra, d);
}

/* The payload bytes p of packet own go to the prefix at d->len: the tail
 * mark moves to them when they are another packet's. Their sequence number
 * is known when p lies in the chunk being framed (not a header's overflow). */
static void note_tail(const struct kdb_framer *kf, struct kdb_dir *d, const uint8_t *p,
                      const struct reasm_pkt *own)
{
    /* compared as integers: p may point into another buffer */
    uintptr_t e = (uintptr_t)p, at = (uintptr_t)kf->at_p;
    int known = kf->at_p && e >= at && e - at < kf->at_n;
    if (d->len && own->frame == d->tail.pkt.frame && (d->tail.known || !known))
        return;                /* the same packet's bytes go on */
    d->tail = (struct seg_mark){ .off = (uint32_t)d->len, .known = (uint8_t)known,
                                 .seq = known ? kf->at_seq + (uint32_t)(e - at) : 0,
                                 .pkt = *own };
}

/* The object of the message in progress ends at prefix byte end, before
 * the header's length: the bytes after it are handed back, to be framed in
 * sync, the last packet's with their own packet (the tail mark). */
static void refeed_after_object(struct reasm *ra, struct kdb_dir *d, size_t end)
{
    if (!d->refeed_len && d->tail.known && d->len > end) {
        size_t off = d->tail.off > end ? d->tail.off - end : 0;
        uint32_t seq = d->tail.seq + (uint32_t)(end > d->tail.off ? end - d->tail.off : 0);
        marks_free(ra, &d->marks);
        marks_add(ra, &d->marks, off, 1, seq, &d->tail.pkt);
        /* marks are now those of buf[end..) */
        if (d->marks) {
            memmove(d->buf, d->buf + end, d->len - end);
            d->len -= end;
            end = 0;
        }
    }
    refeed_from_buf(ra, d, end);
}

/* ------------------------------------------------------------ rows -- */

/* The next message ends just before byte end of the step's input: its
 * sequence number. Bytes handed back for framing again are framed one
 * packet's bytes at a time with their own sequence number (marks); those
 * of unknown origin (past KDB_FRAMER_MARKS, after a corrupt length) and
 * bytes from elsewhere (a header's overflow) take the end of what was read,
 * an upper bound. */
static void ends_at(struct kdb_framer *kf, const uint8_t *end)
{
    /* compared as integers: end may point into another buffer */
    uintptr_t e = (uintptr_t)end, at = (uintptr_t)kf->at_p;
    if (kf->at_p && e >= at && e - at <= kf->at_n)
        kf->end_seq = kf->at_seq + (uint32_t)(e - at);
    else
        kf->end_seq = kf->at_seq + (kf->at_p ? (uint32_t)kf->at_n : 0);
}

static int is_c2s(const struct reasm_stream *s, const struct kdb_dir *d, const struct kdb_dir *o)
{
    if (d->role)
        return d->role == KDB_ROLE_CLIENT;
    if (o && o->role)
        return o->role == KDB_ROLE_SERVER;
    /* Neither handshake nor response seen: the ephemeral (higher) port is
     * the client's. */
    uint16_t sp = s->flow->port[s->dir], dp = s->flow->port[!s->dir];
    return sp != dp ? sp > dp : s->dir == 0;
}

static void emit(struct reasm *ra, struct reasm_stream *s, struct kdb_dir *d, int has_hdr,
                 const struct kdb_hdr *h, uint64_t ulen, const struct kdb_summary *sum,
                 enum kdb_status st, const char *why, const struct reasm_pkt *first,
                 const struct reasm_pkt *last, uint32_t segs)
{
    struct kdb_framer *kf = ra->fr->ctx;
    struct kdb_dir *o = s->peer;
    struct kdb_message m = {
        .flow = s->flow, .dir = s->dir, .has_hdr = has_hdr, .ulen = ulen,
        .sum = sum ? sum : &empty_summary, .status = st, .reason = st == KDB_OK ? "" : why,
        .first = first, .last = last, .segs = segs, .skipped = d->skipped,
        .end_seq = kf->end_seq,
    };
    if (has_hdr) {
        m.hdr = *h;
        /* A response comes from the server: learn the roles from it. */
        if (h->msgtype == KDB_RESPONSE && st != KDB_BAD && !d->role) {
            d->role = KDB_ROLE_SERVER;
            if (o && !o->role)
                o->role = KDB_ROLE_CLIENT;
        }
        if (st != KDB_BAD && last->has_time) {
            if (h->msgtype == KDB_SYNC) {
                uint32_t at = (d->req_head + d->req_n) % KDB_FRAMER_PENDING;
                d->req[at] = reasm_pkt_qtime(last);
                if (d->req_n < KDB_FRAMER_PENDING) {
                    d->req_n++;
                } else {
                    d->req_head = (d->req_head + 1) % KDB_FRAMER_PENDING;
                    d->req_dropped++;
                }
            } else if (h->msgtype == KDB_RESPONSE && o && o->req_dropped > 0) {
                /* It answers a request no longer remembered: pairing it
                 * with the oldest one remembered would give a wrong
                 * latency, and shift every later one. */
                o->req_dropped--;
            } else if (h->msgtype == KDB_RESPONSE && o && o->req_n > 0) {
                /* null when the two times lie too far apart */
                m.latency = qspan_diff(reasm_pkt_qtime(last), o->req[o->req_head]);
                m.has_latency = m.latency != QSPAN_NULL;
                o->req_head = (o->req_head + 1) % KDB_FRAMER_PENDING;
                o->req_n--;
            }
        }
    }
    m.c2s = is_c2s(s, d, o);
    const struct kdb_dir *cl = d->role == KDB_ROLE_CLIENT ? d
                               : o && o->role == KDB_ROLE_CLIENT ? o : NULL;
    if (cl)
        m.user = cl->user;
    kf->messages++;
    kf->on_message(kf->ctx, &m);
    d->skipped = 0;
}

/* ------------------------------------------------------------ messages -- */

static void msg_reset(struct reasm *ra, struct kdb_dir *d)
{
    d->in_msg = d->cut = d->pfx_done = d->unsup = d->unconfirmed = d->not_held = 0;
    d->nhb = 0;
    d->got = 0;
    d->span.segs = 0;
    d->span.nbelow = 0;
    buf_release(ra, d);
    if (d->z) {
        free(d->z);
        d->z = NULL;
        reasm_budget_give(ra, sizeof(struct kdb_unz));
    }
}

static void to_resync(struct reasm *ra, struct kdb_dir *d)
{
    d->mode = D_RESYNC;
    buf_release(ra, d);
    marks_free(ra, &d->marks);
    d->rescan_at = 0;
}

/* The payload is walked whole when it fits the prefix, or when its object
 * ends inside the prefix: *end = where the object ends when that is before
 * the header's length (a corrupt length), else 0. */
static enum kdb_status check_object(const uint8_t *p, size_t n, uint64_t plen, int little,
                                    size_t *end, const char **why)
{
    size_t size;
    *end = 0;
    enum kdb_status st = kdb_obj_size(p, n, plen, little, &size, why);
    if (st == KDB_TRUNCATED)
        return KDB_OK;         /* runs past the prefix: not checked */
    if (st != KDB_OK)
        return st;
    if (size < plen) {
        *end = size;
        *why = "object ends before the header's length";
        return KDB_BAD;
    }
    return KDB_OK;
}

/* Final status of a whole message from its parts. */
static enum kdb_status combine(enum kdb_status sum_st, const char *sum_why, enum kdb_status chk,
                               const char *chk_why, const char **why)
{
    if (chk != KDB_OK) {
        *why = chk_why;
        return chk;
    }
    if (sum_st == KDB_TRUNCATED) {
        *why = "fields lie past the first 64 KiB of the payload";
        return KDB_UNSUPPORTED;
    }
    *why = sum_why;
    return sum_st;
}

/* A whole uncompressed or compressed message at p[0..h->len), in one chunk.
 * Returns the bytes it took (less than h->len when the object ends early). */
static size_t whole_in_place(struct reasm *ra, struct reasm_stream *s, struct kdb_dir *d,
                             const uint8_t *p, const struct kdb_hdr *h,
                             const struct reasm_pkt *own, const struct reasm_pkt *done)
{
    struct kdb_framer *kf = ra->fr->ctx;
    struct kdb_summary sum;
    const char *why = "";
    size_t end = 0;
    uint64_t plen = h->len - KDB_HDR_LEN;
    enum kdb_status chk;
    uint64_t ulen = h->len;
    if (!h->compressed) {
        size_t n = plen < KDB_FRAMER_PREFIX ? (size_t)plen : KDB_FRAMER_PREFIX;
        kdb_summarise(p + KDB_HDR_LEN, n, plen, h->little, h->msgtype, &sum);
        chk = check_object(p + KDB_HDR_LEN, n, plen, h->little, &end, &why);
    } else {
        size_t out = 0;
        uint64_t upl = 0;
        chk = kdb_unz_prefix(p, (size_t)h->len, kf->scratch, KDB_FRAMER_PREFIX, &out, &upl, &why);
        ulen = upl ? upl + KDB_HDR_LEN : 0;
        kdb_summarise(kf->scratch, out, upl, h->little, h->msgtype, &sum);
        if (chk == KDB_OK) {
            size_t cend;
            chk = check_object(kf->scratch, out, upl, h->little, &cend, &why);
        } else if (chk == KDB_TRUNCATED) {
            chk = KDB_BAD;     /* the whole message was there */
        }
    }
    const char *fwhy;
    enum kdb_status st = combine(sum.status, sum.reason, chk, why, &fwhy);
    ends_at(kf, p + h->len);
    emit(ra, s, d, 1, h, ulen, &sum, st, fwhy, own, done, 1);
    return end ? KDB_HDR_LEN + end : (size_t)h->len;
}

/* The message in progress is complete (or cut short by a gap or the end). */
static void finish(struct reasm *ra, struct reasm_stream *s, struct kdb_dir *d,
                   const struct reasm_pkt *done, enum kdb_status forced, const char *forced_why)
{
    struct kdb_summary sum;
    const struct kdb_hdr *h = &d->h;
    uint64_t plen = h->len - KDB_HDR_LEN;
    uint64_t ulen = h->len;
    enum kdb_status chk = KDB_OK, st;
    const char *why = "", *fwhy = "";
    size_t end = 0;
    if (d->unsup) {
        sum = empty_summary;
        st = KDB_UNSUPPORTED;
        fwhy = d->unsup_why;
    } else if (d->not_held) {
        /* Nothing of the payload was read: no field, no made-up verdict. */
        sum = empty_summary;
        if (h->compressed)
            ulen = 0;
        /* not held wins over bytes the capture lost (forced): --stats counted
         * it, and its row says so (README: over_budget) */
        st = KDB_OVER_BUDGET;
        fwhy = "payload not held: the reassembly budget was used up";
    } else {
        const uint8_t *q = d->buf;
        size_t n = d->len;
        uint64_t total = plen;
        if (h->compressed) {
            n = d->z ? kdb_unz_out_len(d->z) : 0;
            total = d->z ? kdb_unz_payload_len(d->z) : 0;
            ulen = total ? total + KDB_HDR_LEN : 0;
            if (d->z && d->z->st == KDB_BAD) {
                chk = KDB_BAD;
                why = d->z->reason;
            }
        }
        kdb_summarise(q, n, total, h->little, h->msgtype, &sum);
        /* Walked whole here when it fits the prefix (a longer one was
         * checked when its prefix filled). */
        if (chk == KDB_OK && !forced && total <= KDB_FRAMER_PREFIX &&
            (!h->compressed || (d->z && d->z->st == KDB_OK)))
            chk = check_object(q, n, total, h->little, &end, &why);
        st = combine(sum.status, sum.reason, chk, why, &fwhy);
        if (forced) {
            st = forced;
            fwhy = forced_why;
        }
    }
    emit(ra, s, d, 1, h, ulen, &sum, st, fwhy, &d->first, done, d->span.segs);
    if (end && !h->compressed && !forced) {
        /* A corrupt length: the next message starts where the object ends,
         * framed in sync (its header is checked as any). */
        refeed_after_object(ra, d, end);
        msg_reset(ra, d);
        return;
    }
    msg_reset(ra, d);
}

/* The payload prefix of the message in progress cannot be held: the budget
 * is used up. What part of it was held is dropped too (a summary of part of
 * it would be made up); the row will say over_budget. */
static void prefix_not_held(struct reasm *ra, struct kdb_dir *d)
{
    d->pfx_done = d->not_held = 1;
    buf_release(ra, d);
    reasm_message_over_budget(ra);
}

/* Sets up, at the first payload bytes p[0..k) of a compressed message, the
 * decompressor and its output buffer: up to the prefix or the uncompressed
 * length (the first 4 bytes), whichever is less, not a whole prefix for a
 * small message. -1 when the budget is used up. */
static int hold_decompressor(struct reasm *ra, struct kdb_dir *d, const uint8_t *p, size_t k)
{
    size_t out = KDB_FRAMER_PREFIX;
    if (k >= 4) {
        uint32_t ulen = get_32(p, !d->h.little);
        /* below 9 the decompressor rejects it before writing anything */
        uint32_t upl = ulen > KDB_HDR_LEN ? ulen - KDB_HDR_LEN : 0;
        if (upl < out)
            out = upl;
    }
    if (reasm_budget_take(ra, sizeof(struct kdb_unz)) != 0)
        return -1;
    d->z = malloc(sizeof *d->z);
    if (!d->z || buf_reserve(ra, d, out) != 0) {
        free(d->z);
        d->z = NULL;
        reasm_budget_give(ra, sizeof(struct kdb_unz));
        return -1;
    }
    kdb_unz_init(d->z, &d->h, d->buf, out);
    return 0;
}

/* Payload bytes of the message in progress (message offset got >= 8). */
static size_t body(struct reasm *ra, struct reasm_stream *s, struct kdb_dir *d,
                   const uint8_t *p, size_t n, const struct reasm_pkt *own,
                   const struct reasm_pkt *done)
{
    uint64_t left = d->h.len - d->got;
    size_t k = left < n ? (size_t)left : n;
    if (done->frame > d->done.frame)
        d->done = *done;
    if (own->frame != d->last.frame) {
        reasm_span_add(&d->span, own->frame);
        d->last = *own;
    }
    if (!d->unsup && !d->cut && !d->pfx_done) {
        uint64_t plen = d->h.len - KDB_HDR_LEN;
        if (!d->h.compressed) {
            size_t target = plen < KDB_FRAMER_PREFIX ? (size_t)plen : KDB_FRAMER_PREFIX;
            size_t c = target - d->len < k ? target - d->len : k;
            /* where each packet's bytes begin in the prefix: when the
             * object ends before the header's length, the bytes after it
             * are framed again with their own packets */
            if (c)
                note_tail(ra->fr->ctx, d, p, own);
            /* grown as the bytes come: a header claiming 1 GB costs what
             * has arrived, not a whole prefix at once */
            if (buf_append(ra, d, p, c) != 0) {
                prefix_not_held(ra, d);
            } else if (d->len == target) {
                d->pfx_done = 1;
                size_t end;
                const char *why;
                if (plen > KDB_FRAMER_PREFIX &&
                    check_object(d->buf, d->len, plen, d->h.little, &end, &why) == KDB_BAD &&
                    end) {
                    /* The object ended inside the prefix: the length lies. */
                    d->got += k;
                    ends_at(ra->fr->ctx, p + c);
                    struct kdb_summary sum;
                    kdb_summarise(d->buf, d->len, plen, d->h.little, d->h.msgtype, &sum);
                    emit(ra, s, d, 1, &d->h, d->h.len, &sum, KDB_BAD, why, &d->first, done,
                         d->span.segs);
                    refeed_after_object(ra, d, end);
                    /* the rest of this chunk follows the handed-back bytes */
                    msg_reset(ra, d);
                    return c;
                }
            }
        } else if (!d->z && hold_decompressor(ra, d, p, k) != 0) {
            prefix_not_held(ra, d);
        } else {
            size_t used;
            if (kdb_unz_feed(d->z, p, k, &used) != KDB_TRUNCATED)
                d->pfx_done = 1;
        }
    }
    d->got += k;
    if (d->got == d->h.len) {
        ends_at(ra->fr->ctx, p + k);
        if (d->cut)
            finish(ra, s, d, done, KDB_TRUNCATED, "bytes of the message missing in the capture");
        else
            finish(ra, s, d, done, KDB_OK, "");
    }
    return k;
}

/* The verdict on a header read in sync, from the have bytes at hp (the
 * header and as much of its payload's start as came, at most KDB_HDR_CHECK_LEN):
 * kdb_hdr_parse's, but bad when the payload start does not fit it. In sync
 * (after a handshake, a confirmed chain or a message read by its length)
 * any message kdb+ decodes is taken; what only real senders do
 * (compression that pays) helps to confirm a resync candidate. */
static enum kdb_status sync_header_verdict(const struct kdb_dir *d, const uint8_t *hp,
                                           size_t have, struct kdb_hdr *h, const char **why)
{
    enum kdb_status st = kdb_hdr_parse(hp, have, h, why);
    size_t pl = have < KDB_HDR_CHECK_LEN ? have : KDB_HDR_CHECK_LEN;
    if (st == KDB_OK && pl > h->len)
        pl = (size_t)h->len;   /* the next message's bytes say nothing */
    bool fits = d->unconfirmed ? kdb_hdr_plausible(hp, pl) : kdb_hdr_consistent(hp, pl);
    if (st == KDB_OK && !fits) {
        st = KDB_BAD;
        *why = d->unconfirmed ? "header after a resync candidate is not plausible"
                              : "payload start does not match the header";
    }
    return st;
}

/* The header read (h, with its verdict st) starts the message in progress.
 * Its bytes held in hb past the 8 are payload already taken: they go to the
 * body as bytes of own, completed by done. */
static void begin_message(struct reasm *ra, struct reasm_stream *s, struct kdb_dir *d,
                          const struct kdb_hdr *h, enum kdb_status st, const char *why,
                          const struct reasm_pkt *own, const struct reasm_pkt *done)
{
    d->h = *h;
    d->in_msg = 1;
    d->len = 0;
    d->got = KDB_HDR_LEN;
    if (st == KDB_UNSUPPORTED) {
        d->unsup = 1;
        d->unsup_why = why;
    }
    uint8_t extra[KDB_HDR_CHECK_LEN];
    size_t ne = d->nhb > KDB_HDR_LEN ? d->nhb - KDB_HDR_LEN : 0;
    memcpy(extra, d->hb + KDB_HDR_LEN, ne);
    d->nhb = 0;
    if (ne)
        body(ra, s, d, extra, ne, own, done);
}

/* Framing at a message boundary or inside a header. Returns bytes taken. */
static size_t sync_step(struct reasm *ra, struct reasm_stream *s, struct kdb_dir *d,
                        const uint8_t *p, size_t n, const struct reasm_pkt *own,
                        const struct reasm_pkt *done)
{
    if (d->in_msg)
        return body(ra, s, d, p, n, own, done);

    struct kdb_hdr h;
    const char *why;
    const uint8_t *hp;
    size_t taken = 0, have;
    if (d->nhb == 0 && n >= KDB_HDR_CHECK_LEN) {
        hp = p;
        have = n;
    } else {
        if (d->nhb == 0) {
            d->first = *own;
            d->last = *own;
            d->done = *done;
            reasm_span_start(&d->span, own->frame);
        } else {
            if (own->frame != d->last.frame) {
                reasm_span_add(&d->span, own->frame);
                d->last = *own;
            }
            if (done->frame > d->done.frame)
                d->done = *done;
        }
        size_t want = KDB_HDR_LEN;
        if (d->nhb >= KDB_HDR_LEN) {
            kdb_hdr_parse(d->hb, KDB_HDR_LEN, &h, NULL);
            want = h.len < KDB_HDR_CHECK_LEN ? (size_t)h.len : KDB_HDR_CHECK_LEN;
            if (want < KDB_HDR_LEN)
                want = KDB_HDR_LEN;
        }
        for (;;) {
            size_t c = want - d->nhb < n - taken ? want - d->nhb : n - taken;
            memcpy(d->hb + d->nhb, p + taken, c);
            d->nhb += (uint8_t)c;
            taken += c;
            if (d->nhb < want)
                return taken;  /* wait for more */
            if (want > KDB_HDR_LEN)
                break;
            kdb_hdr_parse(d->hb, KDB_HDR_LEN, &h, NULL);
            want = h.len < KDB_HDR_CHECK_LEN ? (size_t)h.len : KDB_HDR_CHECK_LEN;
            if (want <= KDB_HDR_LEN)
                break;
        }
        hp = d->hb;
        have = d->nhb;
    }
    const struct reasm_pkt *first = d->nhb ? &d->first : own;
    enum kdb_status st = sync_header_verdict(d, hp, have, &h, &why);
    if (st == KDB_BAD) {
        /* No length to trust: search from the byte after. */
        ends_at(ra->fr->ctx, p + (d->nhb ? taken : 1));
        emit(ra, s, d, 0, &h, 0, NULL, KDB_BAD, why, first, done, d->nhb ? d->span.segs : 1);
        to_resync(ra, d);
        if (d->nhb) {
            /* the header's bytes after its first are searched first */
            d->nhb--;
            memmove(d->hb, d->hb + 1, d->nhb);
            d->hb_first = d->first.frame == d->last.frame;
            return taken;
        }
        return 1;
    }
    if (d->unconfirmed)
        d->unconfirmed--;
    if (st == KDB_OK && d->nhb == 0 && h.len <= n) {
        return whole_in_place(ra, s, d, p, &h, own, done);
    }
    /* A message that spans chunks. */
    if (d->nhb == 0) {
        d->first = *own;
        d->last = *own;
        d->done = *done;
        reasm_span_start(&d->span, own->frame);
    }
    size_t used = d->nhb ? taken : KDB_HDR_LEN;
    begin_message(ra, s, d, &h, st, why, own, done);
    return used;
}

/* ------------------------------------------------------------ modes -- */

/* A search window up to this size is searched again whenever a candidate
 * may be decided; a larger one after it has grown by an eighth. */
#define KDB_RESCAN_SMALL (16u << 10)

/* The search window's first at bytes start no chain: skipped. */
static void drop_searched(struct reasm *ra, struct kdb_dir *d, size_t at)
{
    d->skipped += at;
    buf_drop_front(d, at);
    marks_drop_front(ra, d->marks, at);
}

/* A chain starts the window: framing is in sync from it (the window's
 * bytes handed back); unconfirmed: its successor's header decides. */
static void sync_on_chain(struct reasm *ra, struct kdb_framer *kf, struct kdb_dir *d,
                          int unconfirmed)
{
    kf->resyncs++;
    d->mode = D_SYNC;
    d->unconfirmed = unconfirmed ? 2 : 0;
    refeed_from_buf(ra, d, 0);
}

static size_t resync_step(struct reasm *ra, struct kdb_framer *kf, struct kdb_dir *d,
                          const uint8_t *p, size_t n, const struct reasm_pkt *own)
{
    /* The bytes kept from the last search (hb) go first. */
    size_t room = KDB_FRAMER_WINDOW - d->len - d->nhb;
    size_t c = n < room ? n : room;
    if (buf_reserve(ra, d, d->len + d->nhb + c) != 0) {
        d->skipped += d->len + d->nhb + c;
        d->nhb = 0;
        buf_release(ra, d);
        marks_free(ra, &d->marks);
        reasm_message_over_budget(ra);
        return c;
    }
    if (d->nhb && d->hb_first)
        marks_add(ra, &d->marks, 0, kf->at_p != NULL, kf->at_seq - d->nhb, &d->first);
    d->hb_first = 0;
    buf_append(ra, d, d->hb, d->nhb);
    d->nhb = 0;
    if (c)
        marks_add(ra, &d->marks, d->len, kf->at_p != NULL, kf->at_seq, own);
    buf_append(ra, d, p, c);
    int full = d->len == KDB_FRAMER_WINDOW;
    if (d->len < d->rescan_at && !full)
        return c;
    size_t at;
    uint64_t decide_at;
    enum kdb_status st = kdb_find_chain(d->buf, d->len, KDB_FRAMER_CHAIN, &at, &decide_at);
    if (st == KDB_BAD) {
        /* Only the last 7 bytes may start a header: they wait in hb and the
         * window's memory goes back (a connection that is no kdb+ holds
         * nothing between its segments). */
        d->skipped += at;
        d->nhb = (uint8_t)(d->len - at);
        memcpy(d->hb, d->buf + at, d->nhb);
        buf_release(ra, d);
        /* hb's bytes keep their packet: in `first` when they all came
         * with one (nothing is held between segments), else in marks (at
         * most one per byte) */
        marks_drop_front(ra, d->marks, at);
        if (!d->nhb) {
            marks_free(ra, &d->marks);
        } else if (d->marks && d->marks->n == 1 && d->marks->m[0].known) {
            d->first = d->marks->m[0].pkt;
            d->hb_first = 1;
            marks_free(ra, &d->marks);
        } else if (d->marks && marks_resize(ra, &d->marks, d->marks->n) != 0) {
            marks_free(ra, &d->marks);
        }
        d->rescan_at = 0;
        return c;
    }
    drop_searched(ra, d, at);
    if (st == KDB_TRUNCATED && !full) {
        /* Look again once a candidate's next header may be there (any
         * candidate's: a later one is often decided first), or after 4 KiB
         * more for another chain; but a window past 16 KiB not before it
         * has grown by an eighth, so that ever new small candidates cost
         * a bounded number of searches (each reads the whole window): a
         * chain is then found at most an eighth later (the search asked
         * 4 KiB of any window before). */
        uint64_t next = decide_at - at;
        size_t soonest = d->len + (d->len > KDB_RESCAN_SMALL ? d->len / 8 : 0);
        size_t latest = d->len + 4096;
        d->rescan_at = next < soonest ? soonest : next < latest ? (size_t)next : latest;
        return c;
    }
    sync_on_chain(ra, kf, d, st != KDB_OK);
    return c;
}

static void connection_off(struct reasm *ra, struct kdb_dir *d, struct kdb_dir *o)
{
    d->mode = D_OFF;
    buf_release(ra, d);
    if (o && o->mode == D_START)
        o->mode = D_OFF;
}

/* A handshake split over segments cannot be held (the budget is used up):
 * said and counted, and the connection is read by the mid-stream rules
 * (a chain of headers), not ignored. */
static void hello_not_held(struct reasm *ra, struct kdb_dir *d)
{
    reasm_message_over_budget(ra);
    to_resync(ra, d);
}

static size_t hello_step(struct reasm *ra, struct kdb_framer *kf, struct kdb_dir *d,
                         struct kdb_dir *o, const uint8_t *p, size_t n)
{
    struct kdb_hello hl;
    const uint8_t *q = p;
    size_t have = n, old = d->len;
    if (old) {
        size_t c = KDB_HELLO_MAX - old < n ? KDB_HELLO_MAX - old : n;
        if (buf_append(ra, d, p, c) != 0) {
            hello_not_held(ra, d);
            return n;
        }
        q = d->buf;
        have = d->len;
    }
    enum kdb_status st = kdb_hello_parse(q, have, &hl);
    if (st == KDB_TRUNCATED) {
        if (!old && buf_append(ra, d, p, n) != 0)
            hello_not_held(ra, d);
        return n;
    }
    /* A client sends nothing more until the server answers: the handshake
     * ends with the bytes delivered (BGP, DNS over TCP and the like have a
     * NUL inside their first segment, not at its end). */
    if (st != KDB_OK || hl.len != have) {
        connection_off(ra, d, o);
        return n;
    }
    if (hl.user.n > 0) {
        /* a credential holds no NUL: the name is a C string */
        if (!(d->user = malloc(hl.user.n + 1))) {
            hello_not_held(ra, d);
            return n;
        }
        memcpy(d->user, hl.user.p, hl.user.n);
        d->user[hl.user.n] = '\0';
    }
    kf->handshakes++;
    d->hello_seen = 1;
    d->cap = (int8_t)hl.capability;
    d->role = KDB_ROLE_CLIENT;
    if (o && !o->role)
        o->role = KDB_ROLE_SERVER;
    d->mode = D_SYNC;
    buf_release(ra, d);
    return hl.len - old;
}

static size_t reply_step(struct kdb_dir *d, struct kdb_dir *o, const uint8_t *p, size_t n)
{
    int cap;
    /* The answer is one byte, alone: the server then waits for a request,
     * or sends at once (a .z.po that writes to the new handle), and TCP or
     * the capture's offload may join the two: then a whole kdb+ header
     * that agrees with its payload must follow it. */
    bool fits = n == 1 || (n >= 1 + KDB_HDR_LEN && kdb_hdr_consistent(p + 1, n - 1));
    if (!fits || kdb_hello_reply(p, 1, o ? o->cap : -1, &cap) != KDB_OK) {
        d->mode = D_OFF;
        if (o && o->mode == D_SYNC && o->hello_seen) {
            o->mode = D_OFF;
            o->role = KDB_ROLE_UNKNOWN;
        }
        return n;
    }
    d->cap = (int8_t)cap;
    d->mode = D_SYNC;
    return 1;
}

/* The first delivery of a direction decides how to read it. */
static void start(struct reasm *ra, struct reasm_stream *s, struct kdb_dir *d,
                  struct kdb_dir *o)
{
    if (!s->flow->dir[s->dir].saw_syn) {
        to_resync(ra, d);
        return;
    }
    if (o && o->hello_seen) {
        d->mode = D_REPLY;
        d->role = KDB_ROLE_SERVER;
    } else if (o && o->mode == D_OFF) {
        d->mode = D_OFF;
    } else if (o && o->mode != D_START) {
        /* The other side spoke first without a handshake: mid-stream rules. */
        to_resync(ra, d);
    } else {
        d->mode = D_HELLO;
        d->len = 0;
    }
}

static size_t step(struct reasm *ra, struct reasm_stream *s, const uint8_t *p, size_t n,
                   const struct reasm_pkt *own, const struct reasm_pkt *done)
{
    struct kdb_framer *kf = ra->fr->ctx;
    struct kdb_dir *d = s->state, *o = s->peer;
    switch (d->mode) {
    case D_START:
        start(ra, s, d, o);
        return 0;
    case D_HELLO:
        return hello_step(ra, kf, d, o, p, n);
    case D_REPLY:
        return reply_step(d, o, p, n);
    case D_SYNC:
        return sync_step(ra, s, d, p, n, own, done);
    case D_RESYNC:
        if (n)
            d->window_done = *done;
        return resync_step(ra, kf, d, p, n, own);
    default:
        return n;
    }
}

/* Frames p[0..n) and whatever the framing hands back on the way. */
static void feed(struct reasm *ra, struct reasm_stream *s, const uint8_t *p, size_t n,
                 const struct reasm_pkt *own, const struct reasm_pkt *done)
{
    struct kdb_dir *d = s->state;
    struct kdb_framer *kf = ra->fr->ctx;
    uint8_t *blk = NULL;
    size_t boff = 0, blen = 0, bcap = 0;
    struct seg_marks *bm = NULL;   /* where blk's bytes came from */
    uint32_t pseq = s->seq;    /* sequence number of p[0] */
    for (;;) {
        if (d->refeed_len) {
            /* Handed-back bytes go before what is left of the current block. */
            if (blk && boff < blen) {
                size_t rest = blen - boff;
                if (d->refeed_cap < d->refeed_len + rest) {
                    uint8_t *b = realloc(d->refeed, d->refeed_len + rest);
                    if (b) {
                        reasm_budget_give(ra, d->refeed_cap);
                        d->refeed = b;
                        d->refeed_cap = d->refeed_len + rest;
                        reasm_budget_take(ra, d->refeed_cap);
                    } else {
                        d->skipped += rest;
                        rest = 0;
                    }
                }
                memcpy(d->refeed + d->refeed_len, blk + boff, rest);
                /* their marks follow those of the bytes handed back */
                uint32_t i = bm ? marks_at(bm, boff) : 0;
                if (rest && (!bm || bm->n == 0))
                    marks_add(ra, &d->marks, d->refeed_len, 0, 0, own);
                for (; rest && bm && i < bm->n; i++) {
                    const struct seg_mark *m = &bm->m[i];
                    size_t from = m->off > boff ? m->off : boff;
                    marks_add(ra, &d->marks, d->refeed_len + (from - boff), m->known,
                              m->seq + (uint32_t)(from - m->off), &m->pkt);
                }
                d->refeed_len += rest;
            }
            free(blk);
            reasm_budget_give(ra, bcap);
            marks_free(ra, &bm);
            bm = d->marks;
            d->marks = NULL;
            blk = d->refeed;
            blen = d->refeed_len;
            bcap = d->refeed_cap;
            boff = 0;
            d->refeed = NULL;
            d->refeed_len = d->refeed_cap = 0;
        }
        const uint8_t *q;
        size_t m;
        if (blk && boff < blen) {
            q = blk + boff;
            m = blen - boff;
        } else if (n > 0) {
            q = p;
            m = n;
        } else {
            break;
        }
        if (d->mode == D_OFF) {
            if (!blk || boff >= blen)
                break;
            boff = blen;
            continue;
        }
        int chunk = !(blk && boff < blen);
        const struct reasm_pkt *from = own;
        kf->at_p = chunk ? q : NULL;
        kf->at_n = m;
        kf->at_seq = pseq;
        kf->end_seq = chunk ? pseq + (uint32_t)m : pseq;
        if (!chunk && bm) {
            /* Handed-back bytes are framed one packet's bytes at a time,
             * as they came: each with its packet and sequence number. */
            uint32_t i = marks_at(bm, boff);
            if (i + 1 < bm->n)
                m = bm->m[i + 1].off - boff;
            const struct seg_mark *sm = &bm->m[i];
            if (sm->known && sm->off <= boff) {
                from = &sm->pkt;
                kf->at_p = q;
                kf->at_n = m;
                kf->at_seq = sm->seq + (uint32_t)(boff - sm->off);
                kf->end_seq = kf->at_seq + (uint32_t)m;
            }
        }
        size_t used = step(ra, s, q, m, from, done);
        if (!chunk) {
            boff += used;
        } else {
            p += used;
            n -= used;
            pseq += (uint32_t)used;
        }
    }
    free(blk);
    reasm_budget_give(ra, bcap);
    marks_free(ra, &bm);
}

/* ------------------------------------------------------------ reasm hooks -- */

/* nbytes captured were dropped for want of budget (waiting out of order).
 * Counted only in sync, where the framing is known (README: --kdb,
 * over_budget); a direction being searched or in its handshake may carry no
 * kdb+ at all, and its loss is the next row's skipped. The message they cut
 * is not held: its row says over_budget, counted once (an unsupported one
 * is not read anyway and keeps its status). Bytes past its end, or between
 * messages, held at least one more message's header: those messages have
 * no row (their bytes are in the next row's skipped) and count once
 * together, as how many they were is unknown. */
static void budget_gap(struct reasm *ra, struct kdb_dir *d, uint64_t nbytes)
{
    if (d->mode != D_SYNC)
        return;
    struct kdb_hdr h;
    uint64_t left;             /* bytes of the message cut from the gap on */
    if (d->in_msg) {
        left = d->h.len > d->got ? d->h.len - d->got : 0;
    } else if (d->nhb >= KDB_HDR_LEN && kdb_hdr_parse(d->hb, KDB_HDR_LEN, &h, NULL) != KDB_BAD) {
        left = h.len > d->nhb ? h.len - d->nhb : 0; /* kdb_gap reads the header */
    } else {
        reasm_message_over_budget(ra);
        return;
    }
    if (!(d->in_msg && (d->not_held || d->unsup))) {
        d->not_held = 1;       /* kdb_gap sets pfx_done for a header in hb */
        d->pfx_done = 1;
        buf_release(ra, d);
        reasm_message_over_budget(ra);
    }
    if (nbytes > left)
        reasm_message_over_budget(ra);
}

static void kdb_data(struct reasm *ra, struct reasm_stream *s, const struct reasm_chunk *c)
{
    feed(ra, s, c->p, c->n, c->own, c->cur);
}

static void kdb_gap(struct reasm *ra, struct reasm_stream *s, uint64_t nbytes,
                    const struct reasm_pkt *cur)
{
    struct kdb_dir *d = s->state;
    if (s->over_budget)
        budget_gap(ra, d, nbytes);
    switch (d->mode) {
    case D_START:
    case D_HELLO:
    case D_REPLY:
        to_resync(ra, d);
        d->skipped += nbytes;
        return;
    case D_RESYNC:
        d->skipped += d->len + d->nhb + nbytes;
        d->nhb = 0;
        to_resync(ra, d);
        return;
    case D_SYNC:
        break;
    default:
        return;
    }
    if (d->nhb >= KDB_HDR_LEN && !d->in_msg) {
        /* The header is known: count the gap inside its message. */
        struct kdb_hdr h;
        if (kdb_hdr_parse(d->hb, KDB_HDR_LEN, &h, NULL) != KDB_BAD) {
            d->h = h;
            d->in_msg = 1;
            d->got = d->nhb;
            d->len = 0;
            d->pfx_done = 1;
            d->nhb = 0;
        }
    }
    if (!d->in_msg) {
        d->skipped += d->nhb + nbytes;
        d->nhb = 0;
        to_resync(ra, d);
        return;
    }
    (void)cur;
    uint64_t left = d->h.len - d->got;
    d->cut = 1;
    /* its end lies in the gap, which starts at s->seq */
    struct kdb_framer *kf = ra->fr->ctx;
    kf->end_seq = s->seq + (uint32_t)left;
    if (nbytes < left) {
        d->got += nbytes;
        return;
    }
    /* Its last byte is lost: the row goes with the last captured of the
     * packets that completed its bytes (README: `truncated`; the packets
     * after the gap come later in the table). */
    finish(ra, s, d, &d->done, KDB_TRUNCATED, "bytes of the message missing in the capture");
    if (nbytes > left) {
        d->skipped += nbytes - left;
        to_resync(ra, d);
    }
}

/* The connection ends after a message's 8-byte header but before the 6
 * payload bytes the header is checked with (sync_step waits for them): the
 * header is checked with what came, as sync_step would, and a header that
 * passes starts the message (its payload bytes read), which the close then
 * gives as `truncated`, as a message cut later; one that does not is `bad`. */
static void header_cut_by_end(struct reasm *ra, struct reasm_stream *s, struct kdb_dir *d)
{
    struct kdb_framer *kf = ra->fr->ctx;
    struct kdb_hdr h;
    const char *why = NULL;
    enum kdb_status st = sync_header_verdict(d, d->hb, d->nhb, &h, &why);
    kf->end_seq = s->seq;
    if (st == KDB_BAD) {
        emit(ra, s, d, 0, &h, 0, NULL, KDB_BAD, why, &d->first, &d->done, d->span.segs);
        d->nhb = 0;
        return;
    }
    begin_message(ra, s, d, &h, st, why, &d->last, &d->done);
}

/* The connection ends while bytes wait in the search window: they are
 * searched once more, as had a segment ended there (a chain whose lengths
 * land on the end counts, README "Columns (--kdb)"), and what a chain
 * found frames comes with the packet that last brought bytes. */
static void search_at_end(struct reasm *ra, struct reasm_stream *s, struct kdb_dir *d)
{
    struct kdb_framer *kf = ra->fr->ctx;
    size_t at;
    if (d->len < KDB_HDR_LEN ||
        kdb_find_chain(d->buf, d->len, KDB_FRAMER_CHAIN, &at, NULL) != KDB_OK)
        return;
    drop_searched(ra, d, at);
    sync_on_chain(ra, kf, d, 0);
    const struct reasm_pkt done = d->window_done;
    feed(ra, s, NULL, 0, &done, &done);
}

/* A connection's directions are closed one after the other, and the
 * second may still finish a row (the connection ends inside a message):
 * the first to close keeps what that row reads of it (its role, the
 * handshake's user name, its unanswered requests) and the second frees
 * both. */
static void kdb_close(struct reasm *ra, struct reasm_stream *s)
{
    struct kdb_dir *d = s->state, *o = s->peer;
    if (d->mode == D_RESYNC)
        search_at_end(ra, s, d);
    if (d->mode == D_SYNC && !d->in_msg && d->nhb >= KDB_HDR_LEN)
        header_cut_by_end(ra, s, d);
    if (d->mode == D_SYNC && d->in_msg) {
        ((struct kdb_framer *)ra->fr->ctx)->end_seq = s->seq;
        finish(ra, s, d, &d->done, KDB_TRUNCATED, "connection ends inside the message");
    }
    msg_reset(ra, d);          /* releases buf */
    marks_free(ra, &d->marks);
    reasm_budget_give(ra, d->refeed_cap);
    free(d->refeed);
    d->refeed = NULL;
    d->refeed_len = d->refeed_cap = 0;
    reasm_span_free(&d->span);
    if (o && !o->closed) {
        d->closed = 1;
        return;
    }
    free(d->user);
    memset(d, 0, sizeof *d);
    d->mode = D_OFF;
    if (o) {
        free(o->user);
        memset(o, 0, sizeof *o);
        o->mode = D_OFF;
    }
}

int kdb_reasm_framer(struct kdb_framer *kf, struct reasm_framer *fr)
{
    kf->scratch = malloc(KDB_FRAMER_PREFIX);
    if (!kf->scratch)
        return -1;
    *fr = (struct reasm_framer){
        .name = "kdb", .state_size = sizeof(struct kdb_dir),
        .data = kdb_data, .gap = kdb_gap, .close = kdb_close, .ctx = kf,
    };
    return 0;
}

void kdb_framer_free(struct kdb_framer *kf)
{
    free(kf->scratch);
    kf->scratch = NULL;
}
