/* flow.c: the bounded TCP connection table. */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

int flow_table_init(struct flow_table *t, uint32_t slots)
{
    memset(t, 0, sizeof *t);
    uint32_t sets = 1;
    while (sets * FLOW_WAYS < slots)
        sets *= 2;
    t->n_sets = sets;
    t->slots = calloc((size_t)sets * FLOW_WAYS, sizeof *t->slots);
    return t->slots ? 0 : -1;
}

void flow_table_free(struct flow_table *t)
{
    flow_table_reset(t);
    free(t->slots);
    t->slots = NULL;
}

static void evict(struct flow_table *t, struct flow *f)
{
    if (f->used && t->on_evict)
        t->on_evict(t->on_evict_ctx, f);
    memset(f, 0, sizeof *f);
}

void flow_table_reset(struct flow_table *t)
{
    for (size_t i = 0; i < (size_t)t->n_sets * FLOW_WAYS; i++)
        if (t->slots[i].used)
            evict(t, &t->slots[i]);
    t->clock = 0;
    t->next_stream = 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h;
}

/* A hash that is the same for both directions of a connection. */
static uint64_t flow_hash(const struct row *r)
{
    uint64_t a = 0, b = 0, c = 0, d = 0;
    memcpy(&a, r->src, 8);
    memcpy(&b, r->src + 8, 8);
    memcpy(&c, r->dst, 8);
    memcpy(&d, r->dst + 8, 8);
    uint64_t s = mix(mix(0, a), b) ^ ((uint64_t)r->sport << 32);
    uint64_t e = mix(mix(0, c), d) ^ ((uint64_t)r->dport << 32);
    uint64_t h = (s + e) ^ (s ^ e) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    return h;
}

/* Which direction the segment travels in this flow, or -1 if not this flow. */
static int flow_match(const struct flow *f, const struct row *r)
{
    if (!f->used || f->ipver != r->ipver)
        return -1;
    if (f->port[0] == r->sport && f->port[1] == r->dport &&
        memcmp(f->addr[0], r->src, 16) == 0 && memcmp(f->addr[1], r->dst, 16) == 0)
        return 0;
    if (f->port[1] == r->sport && f->port[0] == r->dport &&
        memcmp(f->addr[1], r->src, 16) == 0 && memcmp(f->addr[0], r->dst, 16) == 0)
        return 1;
    return -1;
}

static void flow_start(struct flow_table *t, struct flow *f, const struct row *r)
{
    memset(f, 0, sizeof *f);
    f->used = 1;
    f->ipver = r->ipver;
    memcpy(f->addr[0], r->src, 16);
    memcpy(f->addr[1], r->dst, 16);
    f->port[0] = r->sport;
    f->port[1] = r->dport;
    f->stream = t->next_stream++;
    f->dir[0].win_scale = WSCALE_UNKNOWN;
    f->dir[1].win_scale = WSCALE_UNKNOWN;
}

static struct flow *lookup(struct flow_table *t, const struct row *r, int *dir)
{
    struct flow *set = t->slots + (flow_hash(r) & (t->n_sets - 1)) * FLOW_WAYS;
    struct flow *victim = &set[0];
    for (int i = 0; i < FLOW_WAYS; i++) {
        int d = flow_match(&set[i], r);
        if (d >= 0) {
            *dir = d;
            return &set[i];
        }
        /* Prefer a free slot, else the least recently used connection. */
        if (!set[i].used) {
            if (victim->used)
                victim = &set[i];
        } else if (victim->used && set[i].last_use < victim->last_use) {
            victim = &set[i];
        }
    }
    if (victim->used) {
        t->evictions++;
        evict(t, victim);
    }
    flow_start(t, victim, r);
    *dir = 0;
    return victim;
}

/* Wireshark's verify_tcp_window_scaling (packet-tcp.c), run on a SYN or
 * SYN-ACK once its options are known: a handshake segment without the
 * option means neither side scales (RFC 7323 section 2.2: both must offer
 * it), and a SYN-ACK offering it to a SYN that did not is overruled. */
static void verify_wscale(struct flow_dir *fwd, struct flow_dir *rev, int is_synack)
{
    if (fwd->win_scale == WSCALE_UNKNOWN) {
        fwd->win_scale = WSCALE_NOT_USED;
        rev->win_scale = WSCALE_NOT_USED;
    } else if (is_synack && rev->win_scale == WSCALE_NOT_USED) {
        fwd->win_scale = WSCALE_NOT_USED;
    }
}

struct flow *flow_track_tcp(struct flow_table *t, struct row *r, int *dirp)
{
    int dir;
    struct flow *f = lookup(t, r, &dir);
    struct flow_dir *fwd = &f->dir[dir], *rev = &f->dir[!dir];
    uint16_t flags = r->tcpflags;
    int syn = (flags & TCP_SYN) != 0;

    /* A SYN with another initial sequence number on a known port pair starts
     * a new connection (Wireshark's "port numbers reused"); a SYN-ACK with a
     * new one only moves that side's base. A FIN or RST does not matter. */
    if (syn && fwd->base_set && r->seq != fwd->base_seq) {
        if (!(flags & TCP_ACK)) {
            if (f->ext && t->on_evict)
                t->on_evict(t->on_evict_ctx, f);
            flow_start(t, f, r);
            dir = 0;
            fwd = &f->dir[0];
            rev = &f->dir[1];
        } else {
            fwd->base_seq = r->seq;
        }
    }
    f->last_use = ++t->clock;
    r->present |= HAS_STREAM;
    r->stream = f->stream;

    /* A segment whose header does not fit in the IP payload ("short") has no
     * length: tshark then shows raw numbers and an unscaled window. */
    int has_len = (r->present & HAS_PAYLEN) != 0;
    r->present |= HAS_RSEQ;
    r->rseq = r->seq;
    r->rack = r->ack;
    r->win = r->rawwin;
    if (has_len) {
        if (!fwd->base_set) {
            fwd->base_seq = syn ? r->seq : r->seq - 1;
            fwd->base_set = 1;
            fwd->saw_syn = syn;
        }
        if (!rev->base_set && (flags & TCP_ACK)) {
            rev->base_seq = r->ack - 1;
            rev->base_set = 1;
        }
        r->rseq = r->seq - fwd->base_seq;
        if (flags & TCP_ACK)
            r->rack = r->ack - rev->base_seq;
        if (!syn && fwd->win_scale >= 0)
            r->win = (uint64_t)r->rawwin << fwd->win_scale;
    }
    if (r->present & HAS_TCPHDR) {
        /* With a bogus data offset tshark shows no ack, window or scale. */
        r->present |= HAS_RACK | HAS_WIN;
        if (!syn && fwd->win_scale != WSCALE_UNKNOWN) {
            r->present |= HAS_WSCALE;
            r->wscale = fwd->win_scale >= 0 ? (uint8_t)fwd->win_scale : 0;
        }
        /* The option counts from the next segment on, on any segment. */
        if (r->present & HAS_WSOPT)
            fwd->win_scale = (int8_t)(r->wsopt > 14 ? 14 : r->wsopt);
        if (syn && r->tcp_opts_whole)
            verify_wscale(fwd, rev, (flags & TCP_ACK) != 0);
    }
    if (flags & (TCP_FIN | TCP_RST))
        fwd->closed = 1;
    *dirp = dir;
    return f;
}
