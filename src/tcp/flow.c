/* flow.c: the bounded TCP connection table. */
#include "flow.h"
#include "decode.h"
#include "qspan.h"

#include <stdlib.h>
#include <string.h>

/* 64-bit words of the touched and spilled bitmaps: a bit per set. */
static size_t touched_words(const struct flow_table *t)
{
    return ((size_t)t->n_sets + 63) / 64;
}

int flow_table_init(struct flow_table *t, uint32_t slots)
{
    memset(t, 0, sizeof *t);
    uint32_t sets = 1;
    while (sets * FLOW_WAYS < slots)
        sets *= 2;
    t->n_sets = sets;
    t->slots = calloc((size_t)sets * FLOW_WAYS, sizeof *t->slots);
    t->touched = calloc(touched_words(t), sizeof *t->touched);
    t->spilled = calloc(touched_words(t), sizeof *t->spilled);
    return t->slots && t->touched && t->spilled ? 0 : -1;
}

void flow_table_free(struct flow_table *t)
{
    flow_table_reset(t);
    free(t->slots);
    t->slots = NULL;
    free(t->touched);
    t->touched = NULL;
    free(t->spilled);
    t->spilled = NULL;
    free(t->closed);
    t->closed = NULL;
    free(t->ana);
    t->ana = NULL;
    free(t->sum);
    t->sum = NULL;
    free(t->num);
    t->num = NULL;
    ual_pool_free(&t->ual);
}

static size_t slot_of(const struct flow_table *t, const struct flow *f)
{
    return (size_t)(f - t->slots);
}

static void closed_remove(struct flow_table *t, uint32_t pos);

/* Clears the side arrays of a slot (a new or forgotten connection). */
static void clear_side(struct flow_table *t, const struct flow *f)
{
    size_t i = slot_of(t, f);
    /* the connection that had the slot waits no more: its record was told
     * (evicted, its ports reused) */
    if (t->sum && t->sum[i].queued)
        closed_remove(t, t->sum[i].closed_at);
    if (t->ana) {
        memset(&t->ana[i], 0, sizeof t->ana[i]);
        ta_dir_init(&t->ana[i].dir[0]);
        ta_dir_init(&t->ana[i].dir[1]);
    }
    if (t->sum) {
        memset(&t->sum[i], 0, sizeof t->sum[i]);
        t->sum[i].closer = -1;
    }
    if (t->num) {
        ual_dir_clear(&t->ual, &t->num[i].dir[0]);
        ual_dir_clear(&t->ual, &t->num[i].dir[1]);
        memset(&t->num[i], 0, sizeof t->num[i]);
    }
}

/* Whether a reporting table's record of the connection counts a segment:
 * not when it was told already and no packet came since, nor when all it
 * had were headers quoted in ICMP errors (flow_track_quoted). */
static int reported(const struct flow_table *t, const struct flow *f)
{
    const struct flow_summary *s = &t->sum[slot_of(t, f)];
    return s->dir[0].pkts || s->dir[1].pkts;
}

/* A reporting table tells the connection's record, when it counts a
 * segment. */
static void report_end(struct flow_table *t, struct flow *f, enum flow_end why)
{
    if (t->on_end && t->sum && reported(t, f))
        t->on_end(t->on_end_ctx, f, &t->sum[slot_of(t, f)], why);
}

/* Forgets a connection; a reporting table is told about it first. */
static void evict(struct flow_table *t, struct flow *f, enum flow_end why)
{
    if (f->used)
        report_end(t, f, why);
    if (f->used && t->on_evict)
        t->on_evict(t->on_evict_ctx, f);
    memset(f, 0, sizeof *f);
}

static int by_stream(const void *a, const void *b)
{
    const struct flow *x = *(const struct flow *const *)a, *y = *(const struct flow *const *)b;
    return x->stream < y->stream ? -1 : x->stream > y->stream;
}

/* Calls fn on every slot of the sets that took a connection since the last
 * reset: a short capture then never walks (and faults in) the whole table. */
static void for_each_touched_slot(struct flow_table *t,
                                  void (*fn)(struct flow_table *, struct flow *, void *),
                                  void *arg)
{
    for (size_t w = 0; t->touched && w < touched_words(t); w++)
        for (uint64_t bits = t->touched[w]; bits; bits &= bits - 1) {
            size_t set = w * 64 + (size_t)__builtin_ctzll(bits);
            for (int i = 0; i < FLOW_WAYS; i++)
                if (t->slots[set * FLOW_WAYS + i].used)
                    fn(t, &t->slots[set * FLOW_WAYS + i], arg);
        }
}

struct flow_list {
    struct flow **f;
    size_t n;
};

static void collect_flow(struct flow_table *t, struct flow *f, void *arg)
{
    (void)t;
    struct flow_list *l = arg;
    l->f[l->n++] = f;
}

static void evict_at_end(struct flow_table *t, struct flow *f, void *arg)
{
    (void)arg;
    evict(t, f, FLOW_END_INPUT);
}

void flow_table_reset(struct flow_table *t)
{
    size_t n = (size_t)t->n_sets * FLOW_WAYS;
    /* The connections still open are told in stream order (--flows' rows,
     * the messages a mode releases at their end), not in the order the
     * hashes put them in; without the memory for the list, in slot order. */
    struct flow_list order = {t->on_end || t->on_evict ? malloc(n * sizeof *order.f) : NULL, 0};
    if (order.f) {
        for_each_touched_slot(t, collect_flow, &order);
        qsort(order.f, order.n, sizeof *order.f, by_stream);
        for (size_t i = 0; i < order.n; i++)
            evict(t, order.f[i], FLOW_END_INPUT);
        free(order.f);
    }
    for_each_touched_slot(t, evict_at_end, NULL);
    if (t->touched)
        memset(t->touched, 0, touched_words(t) * sizeof *t->touched);
    if (t->spilled)
        memset(t->spilled, 0, touched_words(t) * sizeof *t->spilled);
    t->clock = 0;
    t->next_stream = 0;
    /* (told above: their slots' next connections find them waiting no more) */
    for (uint32_t k = 0; k < t->closed_n; k++)
        t->sum[t->closed[k]].queued = 0;
    t->closed_n = 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h;
}

/* A hash that is the same for both directions of a connection. src and dst
 * are the addresses the connection is keyed on (row_key_src, row_key_dst).
 * seed picks one of the table's two hash functions (FLOW_SEED_FIRST,
 * FLOW_SEED_SECOND): it enters every word's mixing, so connections that
 * collide in one function do not in the other. */
static inline __attribute__((always_inline)) uint64_t
flow_hash(const struct row *r, const uint8_t *src, const uint8_t *dst, uint64_t seed)
{
    uint64_t a = 0, b = 0, c = 0, d = 0;
    memcpy(&a, src, 8);
    memcpy(&b, src + 8, 8);
    memcpy(&c, dst, 8);
    memcpy(&d, dst + 8, 8);
    uint64_t s = mix(mix(seed, a), b) ^ ((uint64_t)r->sport << 32);
    uint64_t e = mix(mix(seed, c), d) ^ ((uint64_t)r->dport << 32);
    uint64_t h = (s + e) ^ (s ^ e) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    return h;
}

/* Which direction the segment travels in this flow, or -1 if not this flow. */
static inline __attribute__((always_inline)) int
flow_match(const struct flow *f, const struct row *r, const uint8_t *src, const uint8_t *dst)
{
    if (!f->used || f->ipver != r->ipver)
        return -1;
    if (f->port[0] == r->sport && f->port[1] == r->dport &&
        memcmp(f->addr[0], src, 16) == 0 && memcmp(f->addr[1], dst, 16) == 0)
        return 0;
    if (f->port[1] == r->sport && f->port[0] == r->dport &&
        memcmp(f->addr[1], src, 16) == 0 && memcmp(f->addr[0], dst, 16) == 0)
        return 1;
    return -1;
}

static void flow_start(struct flow_table *t, struct flow *f, const struct row *r)
{
    memset(f, 0, sizeof *f);
    f->used = 1;
    f->ipver = r->ipver;
    memcpy(f->addr[0], row_key_src(r), 16);
    memcpy(f->addr[1], row_key_dst(r), 16);
    f->port[0] = r->sport;
    f->port[1] = r->dport;
    f->stream = t->next_stream++;
    size_t set = slot_of(t, f) / FLOW_WAYS;
    t->touched[set / 64] |= 1ull << (set % 64);
    f->dir[0].win_scale = WSCALE_UNKNOWN;
    f->dir[1].win_scale = WSCALE_UNKNOWN;
    clear_side(t, f);
}

/* The two hash functions: the first is the one the table always had (a
 * connection whose first set has room is where it was), the second is
 * another seed of it (flow_hash). */
#define FLOW_SEED_FIRST 0ull
#define FLOW_SEED_SECOND 0xD1B54A32D192ED03ull

/* A new connection takes a free slot of its first set while that set holds
 * fewer than this many; then the less loaded of its two sets (ties: the
 * first). Staying in the first set keeps the lookups of a lightly loaded
 * table to one set (and its connections where a one-choice table put
 * them). Filling the default table with random connections, eviction
 * starts at about 72% of the slots in use, as when always taking the less
 * loaded set (74%), against 18-24% for one set alone and 44% for the
 * first set until it is full (Azar, Broder, Karlin and Upfal, "Balanced
 * allocations", 1994: with two choices every set stays near the mean). */
#define FLOW_FIRST_FILL 4

/* A set's connections fill its slots from the first on: a new one takes
 * the first free slot, and a slot is freed only to be taken again at once
 * (evicted, or its ports reused) or with all the others (flow_table_reset).
 * So the first free slot ends a set's connections, and its index is their
 * number. */
static int set_load(const struct flow *set)
{
    int used = 0;
    while (used < FLOW_WAYS && set[used].used)
        used++;
    return used;
}

/* The least recently used connection of a full set, or of the older one's. */
static struct flow *least_recent(struct flow *set, struct flow *lru)
{
    for (int i = 0; i < FLOW_WAYS; i++)
        if (!lru || set[i].last_use < lru->last_use)
            lru = &set[i];
    return lru;
}

/* The connection was not among the used1 of its first set: it is in its
 * second, or it is new and takes a slot of one of the two; when both are
 * full (16 connections whose two sets are these) the least recently used
 * of them is evicted. Out of line: a segment of a known connection in a
 * lightly loaded table never gets here. The second set is looked at only
 * when a connection of this first set ever went there (t->spilled), or the
 * first holds FLOW_FIRST_FILL: a new connection in a lightly loaded table
 * costs a look at one set, as in a one-choice table. */
static __attribute__((noinline, cold)) struct flow *
lookup_second(struct flow_table *t, const struct row *r, const uint8_t *src, const uint8_t *dst,
              struct flow *first, int used1, int *dir)
{
    size_t set1 = slot_of(t, first) / FLOW_WAYS;
    int spilled = (int)((t->spilled[set1 / 64] >> (set1 % 64)) & 1);
    struct flow *second = NULL, *victim = used1 < FLOW_WAYS ? &first[used1] : NULL;
    if (spilled || used1 >= FLOW_FIRST_FILL) {
        size_t set2 = flow_hash(r, src, dst, FLOW_SEED_SECOND) & (t->n_sets - 1);
        /* the two hashes agree for one connection in n_sets: its second
         * choice is then the neighbouring set, so that it too has two sets
         * of 8 (nine such connections evicted each other in an empty table) */
        if (set2 == set1)
            set2 = set1 ^ 1;
        if (set2 < t->n_sets)
            second = t->slots + set2 * FLOW_WAYS; /* (a table of one set has none) */
    }
    if (second) {
        int used2 = spilled ? 0 : set_load(second);
        for (; spilled && used2 < FLOW_WAYS && second[used2].used; used2++) {
            int d = flow_match(&second[used2], r, src, dst);
            if (d >= 0) {
                *dir = d;
                return &second[used2];
            }
        }
        /* the less loaded set, the first on a tie (NULL: both full) */
        if (used1 >= FLOW_FIRST_FILL && used2 < used1)
            victim = &second[used2];
    }
    if (!victim) {
        victim = least_recent(first, NULL);
        if (second)
            victim = least_recent(second, victim);
        t->evictions++;
        evict(t, victim, FLOW_END_EVICTED);
    }
    if (second && victim >= second && victim < second + FLOW_WAYS)
        t->spilled[set1 / 64] |= 1ull << (set1 % 64);
    flow_start(t, victim, r);
    *dir = 0;
    return victim;
}

/* lookup, flow_hash and flow_match are always inlined: once track() has
 * two callers the compiler calls them instead, which costs every segment
 * about 2% of the run (callgrind). A known connection is found in its
 * first set, as in a one-choice table, unless that set was loaded when the
 * connection came (FLOW_FIRST_FILL); the look stops at the set's first free
 * slot (set_load). */
static inline __attribute__((always_inline)) struct flow *
lookup(struct flow_table *t, const struct row *r, int *dir)
{
    /* one test for both keys: the header's addresses but for the rare
     * IPv6 routing header or Home Address option */
    const uint8_t *src = r->src, *dst = r->dst;
    if (__builtin_expect((r->present & (HAS_HOME_SRC | HAS_FINAL_DST)) != 0, 0)) {
        src = row_key_src(r);
        dst = row_key_dst(r);
    }
    struct flow *set =
        t->slots + (flow_hash(r, src, dst, FLOW_SEED_FIRST) & (t->n_sets - 1)) * FLOW_WAYS;
    int i = 0;
    for (; i < FLOW_WAYS && set[i].used; i++) {
        int d = flow_match(&set[i], r, src, dst);
        if (d >= 0) {
            *dir = d;
            return &set[i];
        }
    }
    return lookup_second(t, r, src, dst, set, i, dir);
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

/* What the options (decode_tcp.c) do to the connection: read again when
 * tshark's reading depends on it (SCPS), an SCPS capabilities option marks
 * its sender, and a window-scale option counts from the next segment on,
 * on any segment. */
static __attribute__((noinline, cold)) void options_state(struct flow *f, int dir,
                                                          struct row *r)
{
    if (r->tcp_opts & TCPOPTS_STATEFUL) {
        struct tcp_opt_state st = {(uint8_t)((f->scps >> dir) & 1)};
        tcp_options_reread(r, &st);
    }
    if (r->tcp_opts & TCPOPTS_SCPS)
        f->scps |= (uint8_t)(1u << dir);
    if (r->present & HAS_WSOPT)
        f->dir[dir].win_scale = (int8_t)(r->wsopt > 14 ? 14 : r->wsopt);
}

/* Places in the heap of closed connections: one per slot. */
static uint32_t closed_cap(const struct flow_table *t)
{
    return t->n_sets * FLOW_WAYS;
}

/* --flows: a closed connection's row is written, and the connection stays
 * in the table (its slot goes as any other's, least recently used first):
 * a late packet keeps the stream number and starts a further row, which
 * keeps who closed it and how. */
static void report_closed(struct flow_table *t, struct flow *f)
{
    struct flow_summary *sm = &t->sum[slot_of(t, f)];
    report_end(t, f, FLOW_END_CLOSED);
    int8_t closer = sm->closer;
    uint8_t fin[2] = {sm->dir[0].fin, sm->dir[1].fin}, rst[2] = {sm->dir[0].rst, sm->dir[1].rst};
    memset(sm, 0, sizeof *sm);
    sm->closer = closer;
    sm->continued = 1;
    for (int d = 0; d < 2; d++) {
        sm->dir[d].fin = fin[d];
        sm->dir[d].rst = rst[d];
    }
}

/* Whether now (qspan.h: ns modulo 2^64 and hi) is at least
 * FLOW_LINGER_NS after the last packet of sm, exactly; more than a
 * timespan apart (null), later is quiet. */
static int quiet_since(const struct flow_summary *sm, uint64_t now, int32_t now_hi)
{
    int64_t d = qspan_between(now, now_hi, sm->end_ns, sm->end_hi);
    return d == QSPAN_NULL ? now_hi > sm->end_hi : d >= (int64_t)FLOW_LINGER_NS;
}

/* The order of the heap of closed connections (slots a and b): a's last
 * packet (in file order, the one its quiet time counts from) is older than
 * b's, exactly (qspan.h); equal times in stream order, so that the rows a
 * segment finds quiet come in one order whatever the heap's shape. */
static int closed_before(const struct flow_table *t, uint32_t a, uint32_t b)
{
    const struct flow_summary *x = &t->sum[a], *y = &t->sum[b];
    int64_t d = qspan_between(y->end_ns, y->end_hi, x->end_ns, x->end_hi);
    if (d == QSPAN_NULL) /* more than a timespan apart: the seconds' high words differ */
        return x->end_hi < y->end_hi;
    if (d != 0)
        return d > 0;
    return t->slots[a].stream < t->slots[b].stream;
}

static void closed_place(struct flow_table *t, uint32_t pos, uint32_t slot)
{
    t->closed[pos] = slot;
    t->sum[slot].closed_at = pos;
}

/* Moves the heap's entry at pos up or down to its place (its last packet
 * changed, or it took a removed entry's place). */
static void closed_sift(struct flow_table *t, uint32_t pos)
{
    uint32_t slot = t->closed[pos];
    while (pos > 0 && closed_before(t, slot, t->closed[(pos - 1) / 2])) {
        closed_place(t, pos, t->closed[(pos - 1) / 2]);
        pos = (pos - 1) / 2;
    }
    for (;;) {
        uint32_t kid = 2 * pos + 1;
        if (kid >= t->closed_n)
            break;
        if (kid + 1 < t->closed_n && closed_before(t, t->closed[kid + 1], t->closed[kid]))
            kid++;
        if (!closed_before(t, t->closed[kid], slot))
            break;
        closed_place(t, pos, t->closed[kid]);
        pos = kid;
    }
    closed_place(t, pos, slot);
}

static void closed_remove(struct flow_table *t, uint32_t pos)
{
    t->sum[t->closed[pos]].queued = 0;
    if (pos < --t->closed_n) {
        closed_place(t, pos, t->closed[t->closed_n]);
        closed_sift(t, pos);
    }
}

/* --flows: closed connections that have been quiet for FLOW_LINGER_NS are
 * reported, each on its own, the longest quiet first (closed_before): the
 * top of the heap is the only one to look at while it is not quiet. */
static void sweep_closed(struct flow_table *t, uint64_t now, int32_t now_hi)
{
    while (t->closed_n) {
        uint32_t i = t->closed[0];
        struct flow *f = &t->slots[i];
        if (f->used && !quiet_since(&t->sum[i], now, now_hi))
            return;
        closed_remove(t, 0);
        if (f->used)
            report_closed(t, f);
    }
}

void flow_table_sweep(struct flow_table *t, int64_t ts_sec, uint32_t ts_nsec)
{
    if (t->closed_n && ts_sec != INT64_MIN)
        sweep_closed(t, (uint64_t)ts_sec * 1000000000u + ts_nsec, qspan_hi(ts_sec));
}

/* A segment of a closed connection (its last packet now): it waits in the
 * heap, in the place its last packet gives it. Only segments of closed
 * connections come here: the others' path does not pay for the heap. */
static void queue_closed(struct flow_table *t, struct flow *f, struct flow_summary *sm)
{
    if (sm->queued) {
        closed_sift(t, sm->closed_at);
        return;
    }
    if (!t->closed && !(t->closed = malloc(closed_cap(t) * sizeof *t->closed)))
        return; /* no memory: reported at the end of input instead */
    /* (never full: a place per slot, and a slot leaves when taken) */
    closed_place(t, t->closed_n++, (uint32_t)slot_of(t, f));
    closed_sift(t, sm->closed_at);
    sm->queued = 1;
}

static void swap_bytes(void *a, void *b, size_t n)
{
    unsigned char t[64], *x = a, *y = b;
    while (n) {
        size_t k = n < sizeof t ? n : sizeof t;
        memcpy(t, x, k);
        memcpy(x, y, k);
        memcpy(y, t, k);
        x += k, y += k, n -= k;
    }
}

/* Turns a connection round: side 0 becomes side 1, with all its state. */
static void swap_sides(struct flow_table *t, struct flow *f)
{
    size_t i = slot_of(t, f);
    swap_bytes(f->addr[0], f->addr[1], sizeof f->addr[0]);
    swap_bytes(&f->port[0], &f->port[1], sizeof f->port[0]);
    swap_bytes(&f->dir[0], &f->dir[1], sizeof f->dir[0]);
    if (t->ana)
        swap_bytes(&t->ana[i].dir[0], &t->ana[i].dir[1], sizeof t->ana[i].dir[0]);
    if (t->sum)
        swap_bytes(&t->sum[i].dir[0], &t->sum[i].dir[1], sizeof t->sum[i].dir[0]);
    if (t->num)
        swap_bytes(&t->num[i].dir[0], &t->num[i].dir[1], sizeof t->num[i].dir[0]);
}

/* The per-direction figures of --flows. */
static void count_segment(struct flow_summary *f, const struct ta_conn *tc,
                          const struct flow_num *fn, int dir,
                          const struct row *r, uint32_t findings, uint64_t now, int32_t now_hi,
                          int has_time)
{
    struct flow_dir_stats *st = &f->dir[dir];
    uint16_t flags = r->tcpflags;
    st->pkts++;
    st->wire += r->origlen;
    if (r->present & HAS_PAYLEN)
        st->bytes += r->paylen;
    /* start and finish are the earliest and latest times, as --stats's
     * first and last and tshark's conversations: a capture is not always in
     * time order (merged files, several interfaces) */
    if (has_time) {
        int64_t sec = r->ts_sec;
        uint32_t nsec = r->ts_nsec;
        if (!f->has_time) {
            f->has_time = 1;
            f->first_sec = f->last_sec = sec;
            f->first_nsec = f->last_nsec = nsec;
        } else if (sec > f->last_sec || (sec == f->last_sec && nsec > f->last_nsec)) {
            f->last_sec = sec; /* the usual case: in time order */
            f->last_nsec = nsec;
        } else if (sec < f->first_sec || (sec == f->first_sec && nsec < f->first_nsec)) {
            f->first_sec = sec;
            f->first_nsec = nsec;
        }
    }
    f->end_ns = now;
    f->end_hi = now_hi;
    /* (fn is NULL only when the numbers' memory could not be had: then
     * the two times are taken as less than 2^33 s apart) */
    f->first_rtt = !tc->ts_first_rtt ? 0 : fn && fn->irtt_null ? QSPAN_NULL
                                                                 : (int64_t)tc->ts_first_rtt;
    /* a RST's window (often 0) advertises nothing */
    if ((r->present & HAS_WIN) && !(flags & TCP_RST) &&
        (!st->has_minwin || r->win < st->minwin)) {
        st->minwin = r->win;
        st->has_minwin = 1;
    }
    /* the MSS a side offers is its SYN's (RFC 9293 3.7.1); a later
     * segment's option does not count, a retransmitted SYN's replaces it */
    if ((r->present & HAS_MSS) && (flags & TCP_SYN)) {
        st->mss = r->mss;
        st->has_mss = 1;
    }
    /* only the findings the packet row shows count: none when the options
     * were cut (these come from a segment with a length only) */
    if ((r->tcp_opts & TCPOPTS_WHOLE) && findings) {
        if (findings & TA_ZERO_WINDOW)
            st->zerowin++;
        if (findings & TA_ANY_RETRANSMISSION)
            st->retrans++;
        if (findings & TA_DUP_ACK)
            st->dupack++;
    }
    /* Time at zero window: from a segment advertising 0 to the next of the
     * same side advertising more, or its RST, or the row's last packet in
     * file order (end_ns, flows_summary.c). */
    if (r->present & HAS_TCPHDR) {
        if (r->rawwin == 0 && !(flags & (TCP_SYN | TCP_FIN | TCP_RST)) && !st->at_zero) {
            st->at_zero = 1;
            st->zw_since = now;
            st->zw_since_hi = now_hi;
        } else if (st->at_zero && (r->rawwin != 0 || (flags & TCP_RST))) {
            st->at_zero = 0;
            st->zw_ns = qspan_add(st->zw_ns,
                                  qspan_between(now, now_hi, st->zw_since, st->zw_since_hi));
        }
        if (flags & (TCP_FIN | TCP_RST)) {
            if (f->closer < 0)
                f->closer = (int8_t)dir;
            if (flags & TCP_FIN)
                st->fin = 1;
            if (flags & TCP_RST)
                st->rst = 1;
        }
        /* synack: from the last SYN to the first SYN-ACK after it, so a
         * SYN sent again, also after a SYN-ACK (one lost on its way to the
         * client), restarts it (README); unlike rtt, which Wireshark fixes
         * at the first ACK */
        if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
            f->has_synack_rtt = 0;
        else if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) && !f->has_synack_rtt &&
                 tc->ts_mru_syn) {
            f->synack_rtt = qspan_between(now, now_hi, tc->ts_mru_syn, fn ? fn->syn_hi : now_hi);
            f->has_synack_rtt = 1;
        }
    }
}

/* The side arrays, allocated when first needed; without memory the table
 * goes on without analysis (and without --flows rows). */
static void alloc_side(struct flow_table *t)
{
    size_t n = (size_t)t->n_sets * FLOW_WAYS;
    /* calloc: only the slots in use get touched (flow_start sets them up) */
    if (!t->ana && (t->analyze || t->on_end))
        t->ana = calloc(n, sizeof *t->ana);
    if (!t->sum && t->on_end && t->ana)
        t->sum = calloc(n, sizeof *t->sum);
    if (!t->num && (t->numbers || t->on_end) && t->ana) {
        if (ual_pool_init(&t->ual, (uint32_t)(n * UAL_POOL_PER_SLOT)) == 0)
            t->num = calloc(n, sizeof *t->num);
        if (!t->num)
            ual_pool_free(&t->ual);
    }
}


/* The high word of the row's seconds (qspan.h), beside its nanoseconds
 * modulo 2^64 (no time: 1970, as they); made where it is needed, not on the
 * default columns' path. */
static inline int32_t row_hi(const struct row *r)
{
    return qspan_hi(r->ts_sec != INT64_MIN ? r->ts_sec : 0);
}

/* flow_track_tcp, and with quoted set flow_track_quoted: the one path, so
 * that a quoted header does to the connection just what dissect_tcp() does
 * with it; always inlined, so that the segments' path is what it was. */
static inline __attribute__((always_inline)) struct flow *
track(struct flow_table *t, struct row *r, int *dirp, const int quoted)
{
    int has_time = r->ts_sec != INT64_MIN;
    uint64_t now = has_time ? (uint64_t)r->ts_sec * 1000000000u + r->ts_nsec : 0;
    /* the closed connections this segment finds quiet were reported by
     * the converter's flow_table_sweep, before any record counts */
    /* numbers implies analyze (main.c) */
    if ((t->analyze || t->on_end) &&
        (!t->ana || (t->on_end && !t->sum) || (t->numbers && !t->num)))
        alloc_side(t);

    int dir;
    struct flow *f = lookup(t, r, &dir);
    struct flow_dir *fwd = &f->dir[dir], *rev = &f->dir[!dir];
    uint16_t flags = r->tcpflags;
    int syn = (flags & TCP_SYN) != 0;
    uint32_t findings = 0;

    /* A SYN with another initial sequence number on a known port pair starts
     * a new connection (Wireshark's "port numbers reused"); a SYN-ACK with a
     * new one only moves that side's base. A FIN or RST does not matter. A
     * SYN with the same one rewinds the analysis, to show a retransmission. */
    if (syn && fwd->base_set && r->seq != fwd->base_seq) {
        if (!(flags & TCP_ACK)) {
            report_end(t, f, FLOW_END_REUSED);
            if (f->ext && t->on_evict)
                t->on_evict(t->on_evict_ctx, f);
            flow_start(t, f, r);
            dir = 0;
            fwd = &f->dir[0];
            rev = &f->dir[1];
        } else {
            fwd->base_seq = r->seq;
        }
        findings |= TA_REUSED_PORTS;
    }
    struct flow_ana *ana = t->ana ? &t->ana[slot_of(t, f)] : NULL;
    if (ana && syn && !(flags & TCP_ACK) && fwd->base_set && r->seq == fwd->base_seq)
        ta_same_isn_syn(&ana->dir[dir]);
    f->last_use = ++t->clock;
    r->present |= HAS_STREAM;
    r->stream = f->stream;

    /* A segment whose header does not fit in the IP payload ("short") has no
     * length: tshark then shows raw numbers and an unscaled window, and
     * makes no analysis. */
    int has_len = (r->present & HAS_PAYLEN) != 0, listed = 0;
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
        if (ana) {
            /* Wireshark lists data, SYN and FIN while it holds under 10000 */
            listed = (r->paylen || (flags & (TCP_SYN | TCP_FIN))) &&
                     ana->dir[dir].unacked < TA_MAX_UNACKED;
            findings = ta_segment(&ana->conn, &ana->dir[dir], &ana->dir[!dir], rev->win_scale,
                                  r->seq, r->ack, r->paylen, flags, r->rawwin, now, findings);
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
        /* (nothing else between here and the end uses the window scale) */
        if (__builtin_expect(r->tcp_opts > TCPOPTS_WHOLE, 0))
            options_state(f, dir, r);
        if (ana) {
            uint64_t rtt_before = ana->conn.ts_first_rtt;
            ta_after_header(&ana->conn, &ana->dir[dir], flags, now);
            if (t->num) {
                /* the handshake's times, exact (struct flow_num) */
                struct flow_num *fn = &t->num[slot_of(t, f)];
                int32_t now_hi = row_hi(r);
                if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
                    fn->syn_hi = now_hi;
                else if (!rtt_before && ana->conn.ts_first_rtt)
                    fn->irtt_null = qspan_between(now, now_hi, ana->conn.ts_mru_syn,
                                                  fn->syn_hi) == QSPAN_NULL;
                flow_numbers(t, f, dir, r, listed, findings, now, now_hi);
            }
        }
        /* tshark shows the findings only when it read the options without
         * throwing (TCPOPTS_WHOLE; else the dissection stops before). */
        if (has_len && (r->tcp_opts & TCPOPTS_WHOLE) && findings)
            ta_format(r->analysis, ANALYSIS_MAX, findings);
        if (syn && (r->tcp_opts & TCPOPTS_WHOLE)) {
            verify_wscale(fwd, rev, (flags & TCP_ACK) != 0);
            /* Wireshark's verify_scps, on a SYN-ACK: SCPS only when both
             * sides offered it */
            if ((flags & TCP_ACK) && f->scps != 0 && f->scps != 3)
                f->scps = 0;
        }
    } else if (has_len && ana && t->num) {
        /* A bogus data offset (below 5): tshark analyses the segment in
         * full (its ack removes the peer's listed segments, its bytes are
         * listed and pushed) before it gives up at the header, showing
         * nothing of it (tcp_opts 0) */
        flow_numbers(t, f, dir, r, listed, findings, now, row_hi(r));
    }
    if (quoted) {
        *dirp = dir;
        return f;
    }
    if (flags & (TCP_FIN | TCP_RST))
        fwd->closed = 1;
    if (t->on_end && t->sum) {
        /* Side s of a --flows row sent the first packet seen: when a quote
         * named the connection first (flow_track_quoted) from the other
         * side, the connection is turned round at its first segment (not
         * at the first of a further row: its sides are the connection's). */
        if (dir == 1 && !reported(t, f) && !t->sum[slot_of(t, f)].continued) {
            swap_sides(t, f);
            dir = 0;
        }
        size_t i = slot_of(t, f);
        struct flow_summary *sm = &t->sum[i];
        count_segment(sm, &ana->conn, t->num ? &t->num[i] : NULL, dir, r, findings, now, row_hi(r),
                      has_time);
        if (sm->dir[0].rst || sm->dir[1].rst || (sm->dir[0].fin && sm->dir[1].fin))
            queue_closed(t, f, sm);
    }
    *dirp = dir;
    return f;
}

struct flow *flow_track_tcp(struct flow_table *t, struct row *r, int *dirp)
{
    return track(t, r, dirp, 0);
}

struct flow *flow_track_quoted(struct flow_table *t, struct row *r)
{
    int dir;
    /* Inside an error packet packet-tcp.c gives the segment no length
     * (th_have_seglen false): no relative numbers, no sequence analysis.
     * What it does do: find or create the conversation (a SYN with another
     * ISN starts a new one, one with the same ISN rewinds nextseq, a
     * SYN-ACK with another moves the base), take the window-scale option
     * and verify the handshake's, note a SYN's time. No --flows segment. */
    r->present &= ~(uint32_t)HAS_PAYLEN;
    return track(t, r, &dir, 1);
}
