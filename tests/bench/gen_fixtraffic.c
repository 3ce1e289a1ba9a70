/* gen_fixtraffic.c: deterministic generator of FIX-over-loopback-TCP captures
 * for the pcap2kdb benchmark (and for any test that wants a large, realistic
 * capture without shipping one).
 *
 *   gen_fixtraffic [-n PACKETS] [-f pcap|pcapng] [--sessions N] [--seed S]
 *                  [--flows N] [-o FILE]
 *
 * Same arguments -> byte-identical output, on any host: the only randomness is
 * a fixed-seed xoshiro256** stream, times are integer nanoseconds, nothing
 * reads the clock, the environment or libc's rand().
 *
 * Default mode (FIX sessions): Ethernet (DLT 1) frames, IPv4/TCP between
 * 127.0.0.1:<ephemeral> (client) and 127.0.0.1:5001.. (server), one TCP
 * connection per FIX session:
 *   - 3-way handshake, SYN and SYN-ACK carrying MSS, SACK-permitted,
 *     timestamps and window scale 7 (Linux option order);
 *   - FIX 4.4 Logon (35=A) both ways, then NewOrderSingle (35=D) from the
 *     client answered by ExecutionReports (35=8, 150=0 then 150=F fills) that
 *     echo the order's ClOrdID (11); BodyLength (9) and CheckSum (10) are
 *     right, SendingTime (52) is YYYYMMDD-HH:MM:SS.sss of the packet time;
 *     occasional Heartbeats (35=0);
 *   - every segment carries TCP timestamps (tsval = per-connection offset +
 *     milliseconds, tsecr = last tsval seen from the peer); seq/ack advance
 *     exactly; ACK-only segments; 2-5 messages bundled in one segment;
 *     a message split over two segments;
 *   - episodes: zero window (client advertises 0, server sends 1-byte
 *     zero-window probes with backoff, then a window update), retransmission
 *     (same seq resent after an RTO of ~200 ms), RST then reconnect on a new
 *     ephemeral port, Logout + FIN/FIN-ACK/ACK then reconnect;
 *   - exactly PACKETS records; at the end every session logs out and closes.
 * The first few thousand packets already hold one episode of each kind, so a
 * small -n makes a small but complete test capture.
 *
 * --kdb N: a kdb+ tickerplant's N small .u.upd messages (run_kdb says how).
 *
 * --flows N: N distinct TCP connections (127.1.x.y:port -> 127.0.0.1:5001..),
 * each SYN, SYN-ACK, ACK, one data segment, FIN (never answered), started
 * every few microseconds so ~20 overlap: 5*N packets, for flow-table eviction
 * and memory tests. -n is ignored in this mode.
 *
 * -f pcap: classic pcap, microsecond magic, little-endian, snaplen 262144.
 * -f pcapng: SHB + one IDB (if_name "lo", if_tsresol 9 = nanoseconds) + EPBs.
 * Time starts at 2026-01-05 13:30:00 UTC. The pcap variant truncates the same
 * nanosecond times to microseconds.
 * Summary (packets, bytes, connections, episodes) goes to stderr.
 *
 * Structure: a traffic model (sessions or flows) schedules packets into a
 * time-ordered heap; the heap releases them in time order to a `struct sink`
 * (pcap or pcapng here). Each packet carries, beside its bytes, a `pkt_meta`
 * with the values of pcap2kdb's default columns, so another sink (a kdb+ IPC
 * writer feeding rows straight into a q process, or a golden CSV writer)
 * only needs its own begin/packet/end functions.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define START_NS (1767619800ULL * 1000000000ULL) /* 2026-01-05 13:30:00 UTC */
#define US 1000ULL
#define MS 1000000ULL

#define ETH_LEN 14
#define IP_LEN 20
#define PKT_MAX 2048           /* largest frame we build (5 bundled reports) */
#define SNAPLEN 262144

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_TIMESTAMP 8

#define LO_MSS 65495            /* loopback MTU 65536 - 40 */
#define WSCALE 7
#define SERVER_PORT0 5001
#define SOH "\001"

/* ---------------------------------------------------------------- PRNG -- */
/* xoshiro256** seeded through splitmix64: fixed, portable, fast. */
struct rng { uint64_t s[4]; };

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

/* uniform in [0, n) (Lemire's multiply; the tiny bias is irrelevant here) */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* uniform in [lo, hi] */
static inline uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
    return lo + (rng_next(r) % (hi - lo + 1));
}

/* true with probability num/den */
static inline int rng_chance(struct rng *r, uint32_t num, uint32_t den)
{
    return rng_below(r, den) < num;
}

/* ---------------------------------------------------------------- sink -- */
/* Values of pcap2kdb's default columns for one packet (ground truth). */
struct pkt_meta {
    uint32_t src, dst;          /* host order IPv4 */
    uint16_t sport, dport;
    uint8_t flags;
    uint32_t seq, ack;
    uint32_t win;               /* header window << sender's wscale (not on SYN) */
    uint32_t tsval, tsecr;
    uint32_t length;            /* frame length */
    uint32_t plen;              /* TCP payload length */
};

struct sink {
    FILE *f;
    const char *name;
    unsigned char *buf;
    size_t n, cap;
    uint64_t limit;             /* stop after this many packets */
    uint64_t packets, bytes;    /* written so far (bytes of the whole file) */
    int err;
    void (*begin)(struct sink *);
    void (*packet)(struct sink *, uint64_t t_ns, const uint8_t *p, uint32_t len,
                   const struct pkt_meta *m);
};

static void sink_flush(struct sink *k)
{
    if (k->n && !k->err && fwrite(k->buf, 1, k->n, k->f) != k->n) k->err = errno ? errno : EIO;
    k->n = 0;
}

static inline unsigned char *sink_reserve(struct sink *k, size_t len)
{
    if (k->n + len > k->cap) sink_flush(k);
    unsigned char *p = k->buf + k->n;
    k->n += len;
    k->bytes += len;
    return p;
}

static inline void le16(unsigned char *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static inline void le32(unsigned char *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static inline void be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static inline void be32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

/* classic pcap, microsecond resolution */
static void pcap_begin(struct sink *k)
{
    unsigned char *h = sink_reserve(k, 24);
    le32(h, 0xa1b2c3d4); le16(h + 4, 2); le16(h + 6, 4);
    le32(h + 8, 0); le32(h + 12, 0); le32(h + 16, SNAPLEN); le32(h + 20, 1 /* DLT_EN10MB */);
}

static void pcap_packet(struct sink *k, uint64_t t, const uint8_t *p, uint32_t len,
                        const struct pkt_meta *m)
{
    (void)m;
    unsigned char *h = sink_reserve(k, 16 + len);
    le32(h, (uint32_t)(t / 1000000000ULL));
    le32(h + 4, (uint32_t)(t % 1000000000ULL / 1000));
    le32(h + 8, len); le32(h + 12, len);
    memcpy(h + 16, p, len);
}

/* pcapng: SHB + IDB (nanosecond if_tsresol) + EPBs */
static void pcapng_begin(struct sink *k)
{
    static const char appl[] = "gen_fixtraffic";           /* 14 bytes, pad 2 */
    uint32_t shb_len = 24 + 4 + 16 + 4 + 4;     /* header, shb_userappl, end, length */
    unsigned char *b = sink_reserve(k, shb_len);
    le32(b, 0x0A0D0D0A); le32(b + 4, shb_len); le32(b + 8, 0x1A2B3C4D);
    le16(b + 12, 1); le16(b + 14, 0);
    le32(b + 16, 0xffffffff); le32(b + 20, 0xffffffff);     /* section length unknown */
    le16(b + 24, 4 /* shb_userappl */); le16(b + 26, sizeof appl - 1);
    memset(b + 28, 0, 16); memcpy(b + 28, appl, sizeof appl - 1);
    le32(b + 44, 0);                                        /* opt_endofopt */
    le32(b + 48, shb_len);

    uint32_t idb_len = 16 + 8 /* if_name "lo" */ + 8 /* if_tsresol */ + 4 + 4;
    b = sink_reserve(k, idb_len);
    le32(b, 1); le32(b + 4, idb_len);
    le16(b + 8, 1 /* DLT_EN10MB */); le16(b + 10, 0); le32(b + 12, SNAPLEN);
    le16(b + 16, 2 /* if_name */); le16(b + 18, 2); memcpy(b + 20, "lo\0\0", 4);
    le16(b + 24, 9 /* if_tsresol */); le16(b + 26, 1); b[28] = 9; b[29] = b[30] = b[31] = 0;
    le32(b + 32, 0);
    le32(b + 36, idb_len);
}

static void pcapng_packet(struct sink *k, uint64_t t, const uint8_t *p, uint32_t len,
                          const struct pkt_meta *m)
{
    (void)m;
    uint32_t pad = (4 - (len & 3)) & 3, blen = 32 + len + pad;
    unsigned char *b = sink_reserve(k, blen);
    le32(b, 6); le32(b + 4, blen); le32(b + 8, 0);
    le32(b + 12, (uint32_t)(t >> 32)); le32(b + 16, (uint32_t)t);
    le32(b + 20, len); le32(b + 24, len);
    memcpy(b + 28, p, len);
    memset(b + 28 + len, 0, pad);
    le32(b + 28 + len + pad, blen);
}

/* ------------------------------------------------------ packet heap -- */
struct pkt {
    uint64_t t, order;          /* release time; insertion order breaks ties */
    struct pkt_meta m;
    uint32_t len;
    uint8_t data[PKT_MAX];
};

struct heap {
    struct pkt **a;
    size_t n, cap;
    struct pkt **free;
    size_t nfree, freecap;
    uint64_t order;
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) { fprintf(stderr, "gen_fixtraffic: out of memory\n"); exit(1); }
    return p;
}

static struct pkt *pkt_new(struct heap *h)
{
    if (h->nfree) return h->free[--h->nfree];
    return xrealloc(NULL, sizeof(struct pkt));
}

static inline int pkt_before(const struct pkt *x, const struct pkt *y)
{
    return x->t < y->t || (x->t == y->t && x->order < y->order);
}

static void heap_push(struct heap *h, struct pkt *p)
{
    p->order = h->order++;
    if (h->n == h->cap) { h->cap = h->cap ? 2 * h->cap : 256; h->a = xrealloc(h->a, h->cap * sizeof *h->a); }
    size_t i = h->n++;
    while (i && pkt_before(p, h->a[(i - 1) / 2])) { h->a[i] = h->a[(i - 1) / 2]; i = (i - 1) / 2; }
    h->a[i] = p;
}

static struct pkt *heap_pop(struct heap *h)
{
    struct pkt *top = h->a[0], *last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && pkt_before(h->a[c + 1], h->a[c])) c++;
        if (!pkt_before(h->a[c], last)) break;
        h->a[i] = h->a[c]; i = c;
    }
    if (h->n) h->a[i] = last;
    return top;
}

static void pkt_free(struct heap *h, struct pkt *p)
{
    if (h->nfree == h->freecap) { h->freecap = h->freecap ? 2 * h->freecap : 256; h->free = xrealloc(h->free, h->freecap * sizeof *h->free); }
    h->free[h->nfree++] = p;
}

/* ------------------------------------------------------------ TCP/IP -- */
/* One direction of a connection, as kept by the end that sends it. */
struct half {
    uint32_t ip;
    uint16_t port;
    uint32_t isn, nxt;          /* next sequence number to send */
    uint32_t rcv_nxt;           /* next byte expected from the peer (our ack) */
    uint32_t ts_off;            /* tsval = ts_off + milliseconds */
    uint32_t ts_recent;         /* last tsval seen from the peer (our tsecr) */
    uint16_t ipid;
    uint16_t rawwin;            /* header window outside the handshake */
    uint16_t synwin;            /* header window on SYN / SYN-ACK */
};

struct gen {
    struct rng r;
    struct heap h;
    struct sink *k;
    uint64_t scheduled;         /* packets pushed so far */
    uint64_t connections, zero_windows, probes, retransmissions, resets, closes;
    uint64_t bundles, splits, messages;
};

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
    for (; n > 1; n -= 2, p += 2) s += (uint32_t)p[0] << 8 | p[1];
    if (n) s += (uint32_t)p[0] << 8;
    return s;
}

static uint16_t csum_fold(uint32_t s)
{
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static inline uint32_t tsval_at(const struct half *h, uint64_t t)
{
    return h->ts_off + (uint32_t)((t - START_NS) / MS);
}

enum { OPT_TS, OPT_SYN };

/* Build and schedule one segment from `a` to `b` at time t.  `deliver` says
 * whether b accepts it (updates b's ack point and tsecr); a lost first
 * transmission or a probe into a zero window is not delivered. */
static void segment(struct gen *g, uint64_t t, struct half *a, struct half *b,
                    uint8_t flags, uint32_t seq, const void *payload, uint32_t plen,
                    int deliver)
{
    struct pkt *p = pkt_new(&g->h);
    int syn = flags & TH_SYN;
    uint32_t optlen = syn ? 20 : 12, thl = 20 + optlen;
    uint32_t iplen = IP_LEN + thl + plen, len = ETH_LEN + iplen;
    uint8_t *e = p->data, *ip = e + ETH_LEN, *tcp = ip + IP_LEN, *o = tcp + 20;
    uint32_t tsval = tsval_at(a, t), ack = (flags & TH_ACK) ? a->rcv_nxt : 0;
    uint16_t win = syn ? a->synwin : a->rawwin;

    if (len > PKT_MAX) { fprintf(stderr, "gen_fixtraffic: frame too large\n"); exit(1); }
    memset(e, 0, 12);                       /* loopback: all-zero MACs */
    be16(e + 12, 0x0800);

    ip[0] = 0x45; ip[1] = 0; be16(ip + 2, (uint16_t)iplen);
    be16(ip + 4, (flags & TH_RST) ? 0 : a->ipid++);
    be16(ip + 6, 0x4000);                   /* DF */
    ip[8] = 64; ip[9] = 6; ip[10] = ip[11] = 0;
    be32(ip + 12, a->ip); be32(ip + 16, b->ip);
    be16(ip + 10, csum_fold(csum_add(0, ip, IP_LEN)));

    be16(tcp, a->port); be16(tcp + 2, b->port);
    be32(tcp + 4, seq); be32(tcp + 8, ack);
    tcp[12] = (uint8_t)(thl / 4) << 4; tcp[13] = flags;
    be16(tcp + 14, win); tcp[16] = tcp[17] = 0; tcp[18] = tcp[19] = 0;
    if (syn) {                              /* Linux order: MSS SACKOK TS NOP WS */
        o[0] = TCPOPT_MSS; o[1] = 4; be16(o + 2, LO_MSS);
        o[4] = TCPOPT_SACK_PERM; o[5] = 2;
        o[6] = TCPOPT_TIMESTAMP; o[7] = 10; be32(o + 8, tsval); be32(o + 12, (flags & TH_ACK) ? a->ts_recent : 0);
        o[16] = TCPOPT_NOP; o[17] = TCPOPT_WSCALE; o[18] = 3; o[19] = WSCALE;
    } else {
        o[0] = o[1] = TCPOPT_NOP;
        o[2] = TCPOPT_TIMESTAMP; o[3] = 10; be32(o + 4, tsval); be32(o + 8, a->ts_recent);
    }
    if (plen) memcpy(tcp + thl, payload, plen);
    uint8_t pseudo[12];
    be32(pseudo, a->ip); be32(pseudo + 4, b->ip); pseudo[8] = 0; pseudo[9] = 6;
    be16(pseudo + 10, (uint16_t)(thl + plen));
    be16(tcp + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), tcp, thl + plen)));

    p->t = t;
    p->len = len;
    p->m = (struct pkt_meta){ a->ip, b->ip, a->port, b->port, flags, seq, ack,
                              syn ? win : (uint32_t)win << WSCALE, tsval,
                              syn && !(flags & TH_ACK) ? 0 : a->ts_recent, len, plen };
    heap_push(&g->h, p);
    g->scheduled++;

    if (deliver) {
        uint32_t span = plen + (flags & TH_SYN ? 1 : 0) + (flags & TH_FIN ? 1 : 0);
        if (flags & TH_SYN) b->rcv_nxt = seq;
        if (seq == b->rcv_nxt) b->rcv_nxt = seq + span;
        b->ts_recent = tsval;
    }
}

/* New data from a to b (PSH|ACK), delivered. */
static void send_data(struct gen *g, uint64_t t, struct half *a, struct half *b,
                      const void *pl, uint32_t n)
{
    segment(g, t, a, b, TH_ACK | TH_PSH, a->nxt, pl, n, 1);
    a->nxt += n;
}

static void send_ack(struct gen *g, uint64_t t, struct half *a, struct half *b)
{
    segment(g, t, a, b, TH_ACK, a->nxt, NULL, 0, 1);
}

/* Release every scheduled packet due at or before t to the sink. */
static void flush_until(struct gen *g, uint64_t t)
{
    struct heap *h = &g->h;
    while (h->n && h->a[0]->t <= t) {
        struct pkt *p = heap_pop(h);
        if (g->k->packets < g->k->limit) {
            g->k->packet(g->k, p->t, p->data, p->len, &p->m);
            g->k->packets++;
        }
        pkt_free(h, p);
    }
}

/* ------------------------------------------------------------ FIX 4.4 -- */
struct fixbuf { char b[1536]; size_t n; };

static inline void fb_raw(struct fixbuf *f, const char *s, size_t n) { memcpy(f->b + f->n, s, n); f->n += n; }

static inline void fb_u(struct fixbuf *f, uint64_t v)
{
    char t[24]; int i = 24;
    do { t[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    fb_raw(f, t + i, 24 - i);
}

static inline void fb_tag(struct fixbuf *f, unsigned tag) { fb_u(f, tag); f->b[f->n++] = '='; }
static inline void fb_end(struct fixbuf *f) { f->b[f->n++] = '\001'; }
static void fb_str(struct fixbuf *f, unsigned tag, const char *s) { fb_tag(f, tag); fb_raw(f, s, strlen(s)); fb_end(f); }
static void fb_num(struct fixbuf *f, unsigned tag, uint64_t v) { fb_tag(f, tag); fb_u(f, v); fb_end(f); }

/* price in hundredths, printed with 2 decimals */
static void fb_px(struct fixbuf *f, unsigned tag, uint64_t cents)
{
    fb_tag(f, tag); fb_u(f, cents / 100); f->b[f->n++] = '.';
    f->b[f->n++] = (char)('0' + cents / 10 % 10); f->b[f->n++] = (char)('0' + cents % 10);
    fb_end(f);
}

/* UTCTimestamp YYYYMMDD-HH:MM:SS.sss (days-from-civil inverse, Hinnant) */
static void fb_time(struct fixbuf *f, unsigned tag, uint64_t t_ns)
{
    static uint64_t cached_sec = ~0ULL;
    static char cached[18];
    uint64_t sec = t_ns / 1000000000ULL;
    if (sec != cached_sec) {
        int64_t z = (int64_t)(sec / 86400) + 719468;
        int64_t era = z / 146097, doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
        int64_t m = mp < 10 ? mp + 3 : mp - 9;
        unsigned s = (unsigned)(sec % 86400);
        y += m <= 2;
        snprintf(cached, sizeof cached, "%04u%02u%02u-%02u:%02u:%02u", (unsigned)(y % 10000), (unsigned)m % 100, (unsigned)d % 100,
                 s / 3600, s / 60 % 60, s % 60);
        cached_sec = sec;
    }
    unsigned ms = (unsigned)(t_ns / MS % 1000);
    fb_tag(f, tag); fb_raw(f, cached, 17); f->b[f->n++] = '.';
    f->b[f->n++] = (char)('0' + ms / 100); f->b[f->n++] = (char)('0' + ms / 10 % 10);
    f->b[f->n++] = (char)('0' + ms % 10);
    fb_end(f);
}

/* Append a whole message (8, 9, body, 10) to out, body given from 35= on. */
static void fix_wrap(struct fixbuf *out, const struct fixbuf *body)
{
    size_t start = out->n;
    fb_raw(out, "8=FIX.4.4" SOH "9=", 12);
    fb_u(out, body->n); fb_end(out);
    fb_raw(out, body->b, body->n);
    unsigned sum = 0;
    for (size_t i = start; i < out->n; i++) sum += (unsigned char)out->b[i];
    sum &= 255;
    fb_raw(out, "10=", 3);
    out->b[out->n++] = (char)('0' + sum / 100); out->b[out->n++] = (char)('0' + sum / 10 % 10);
    out->b[out->n++] = (char)('0' + sum % 10);
    fb_end(out);
}

static const struct { const char *sym; uint32_t px; } SYMS[] = {
    {"AAPL", 24350}, {"MSFT", 48210}, {"AMZN", 22875}, {"NVDA", 18740}, {"GOOGL", 31520},
    {"META", 66010}, {"TSLA", 45230}, {"JPM", 31045}, {"V", 35190}, {"XOM", 11285},
    {"BRK.B", 50340}, {"UNH", 33860}, {"JNJ", 20615}, {"WMT", 10225}, {"PG", 14370},
    {"MA", 57680},
};
#define NSYMS (sizeof SYMS / sizeof SYMS[0])

struct order {
    uint32_t clord, orderid, qty, cum, px;
    uint64_t notional;          /* sum lastqty * lastpx, for AvgPx (6) */
    uint8_t sym, side;
};

#define MAX_OPEN 64

enum { S_CLOSED, S_ESTAB, S_DONE };

struct session {
    int idx;
    int state;
    int stopped;                /* no more actions: the packet budget is spent */
    uint64_t next_t;
    uint64_t actions;
    struct half c, s;           /* client->server, server->client */
    uint16_t last_cport;
    uint32_t cseq, sseq;        /* next FIX MsgSeqNum of each side */
    uint32_t next_clord, next_orderid, next_execid;
    char sender[24], target[24];
    struct order open[MAX_OPEN];
    int open_head, open_n;
    uint32_t px[NSYMS];
};

static void fix_header(struct fixbuf *b, struct session *s, int from_client, char type, uint64_t t)
{
    b->n = 0;
    fb_tag(b, 35); b->b[b->n++] = type; fb_end(b);
    fb_num(b, 34, from_client ? s->cseq++ : s->sseq++);
    fb_str(b, 49, from_client ? s->sender : s->target);
    fb_time(b, 52, t);
    fb_str(b, 56, from_client ? s->target : s->sender);
}

static void fix_id(struct fixbuf *b, unsigned tag, char pfx, int sess, uint32_t n)
{
    char t[24];
    int len = snprintf(t, sizeof t, "%c%02d-%08u", pfx, sess + 1, (unsigned)n);
    fb_tag(b, tag); fb_raw(b, t, (size_t)len); fb_end(b);
}

static void msg_logon(struct fixbuf *out, struct session *s, int from_client, uint64_t t)
{
    struct fixbuf b;
    fix_header(&b, s, from_client, 'A', t);
    fb_num(&b, 98, 0); fb_num(&b, 108, 30);
    fix_wrap(out, &b);
}

static void msg_simple(struct fixbuf *out, struct session *s, int from_client, char type, uint64_t t)
{
    struct fixbuf b;
    fix_header(&b, s, from_client, type, t);
    fix_wrap(out, &b);
}

/* NewOrderSingle; the order joins the session's open orders */
static void msg_new_order(struct gen *g, struct fixbuf *out, struct session *s, uint64_t t)
{
    struct order o = {0};
    o.clord = s->next_clord++;
    o.sym = (uint8_t)rng_below(&g->r, NSYMS);
    o.side = (uint8_t)(1 + rng_below(&g->r, 2));
    o.qty = 100 * (uint32_t)rng_range(&g->r, 1, 50);
    uint32_t *px = &s->px[o.sym];
    *px = *px + (uint32_t)rng_range(&g->r, 0, 20) - 10;
    o.px = *px;
    struct fixbuf b;
    fix_header(&b, s, 1, 'D', t);
    fix_id(&b, 11, 'C', s->idx, o.clord);
    fb_str(&b, 21, "1");
    fb_str(&b, 55, SYMS[o.sym].sym);
    fb_num(&b, 54, o.side);
    fb_time(&b, 60, t);
    fb_num(&b, 38, o.qty);
    fb_str(&b, 40, "2");
    fb_px(&b, 44, o.px);
    fb_str(&b, 59, "0");
    fix_wrap(out, &b);
    g->messages++;
    if (s->open_n == MAX_OPEN) { s->open_head = (s->open_head + 1) % MAX_OPEN; s->open_n--; }
    s->open[(s->open_head + s->open_n++) % MAX_OPEN] = o;
}

/* ExecutionReport for open order o: a new-order ack (lastqty 0) or a fill */
static void msg_exec(struct gen *g, struct fixbuf *out, struct session *s, struct order *o,
                     uint32_t lastqty, uint64_t t)
{
    struct fixbuf b;
    if (!o->orderid) o->orderid = s->next_orderid++;
    fix_header(&b, s, 0, '8', t);
    fix_id(&b, 37, 'O', s->idx, o->orderid);
    fix_id(&b, 11, 'C', s->idx, o->clord);
    fix_id(&b, 17, 'E', s->idx, s->next_execid++);
    o->cum += lastqty;
    o->notional += (uint64_t)lastqty * o->px;
    fb_str(&b, 150, lastqty ? "F" : "0");
    fb_str(&b, 39, !lastqty ? "0" : o->cum < o->qty ? "1" : "2");
    fb_str(&b, 55, SYMS[o->sym].sym);
    fb_num(&b, 54, o->side);
    fb_num(&b, 38, o->qty);
    fb_str(&b, 40, "2");
    fb_px(&b, 44, o->px);
    fb_num(&b, 32, lastqty);
    fb_px(&b, 31, lastqty ? o->px : 0);
    fb_num(&b, 151, o->qty - o->cum);
    fb_num(&b, 14, o->cum);
    fb_px(&b, 6, o->cum ? o->notional / o->cum : 0);
    fb_time(&b, 60, t);
    fix_wrap(out, &b);
    g->messages++;
}

/* ------------------------------------------------------------ sessions -- */
static uint64_t gap(struct gen *g, uint64_t lo_us, uint64_t hi_us)
{
    return rng_range(&g->r, lo_us * US, hi_us * US) + rng_below(&g->r, 1000);
}

/* oldest open order, or NULL */
static struct order *oldest_open(struct session *s)
{
    return s->open_n ? &s->open[s->open_head] : NULL;
}

static void drop_oldest(struct session *s)
{
    s->open_head = (s->open_head + 1) % MAX_OPEN;
    s->open_n--;
}

static void reset_half(struct gen *g, struct half *h, uint16_t synwin)
{
    h->isn = (uint32_t)rng_next(&g->r);
    h->nxt = h->isn;
    h->rcv_nxt = 0;
    h->ts_off = (uint32_t)rng_next(&g->r);
    h->ts_recent = 0;
    h->ipid = (uint16_t)rng_next(&g->r);
    h->rawwin = 512;                        /* 65536 bytes at scale 7 */
    h->synwin = synwin;
}

/* SYN, SYN-ACK, ACK of a new connection from c to s, from time t (gaps of
 * a few microseconds, as on lo); returns the time of the ACK. */
static uint64_t handshake(struct gen *g, uint64_t t, struct half *c, struct half *s)
{
    segment(g, t, c, s, TH_SYN, c->isn, NULL, 0, 1);
    c->nxt++;
    t += gap(g, 4, 15);
    segment(g, t, s, c, TH_SYN | TH_ACK, s->isn, NULL, 0, 1);
    s->nxt++;
    t += gap(g, 4, 15);
    send_ack(g, t, c, s);
    return t;
}

/* Handshake + Logon both ways + ACK: 6 packets. Returns the time after. */
static uint64_t act_connect(struct gen *g, struct session *s, uint64_t t)
{
    uint16_t port;
    do port = (uint16_t)rng_range(&g->r, 32768, 60999); while (port == s->last_cport);
    s->last_cport = port;
    s->c.ip = s->s.ip = 0x7f000001;
    s->c.port = port;
    s->s.port = (uint16_t)(SERVER_PORT0 + s->idx);
    reset_half(g, &s->c, 65495);
    reset_half(g, &s->s, 65483);
    g->connections++;

    t = handshake(g, t, &s->c, &s->s);

    struct fixbuf m = {.n = 0};
    t += gap(g, 20, 80);
    msg_logon(&m, s, 1, t);
    send_data(g, t, &s->c, &s->s, m.b, (uint32_t)m.n);
    m.n = 0;
    t += gap(g, 30, 120);
    msg_logon(&m, s, 0, t);
    send_data(g, t, &s->s, &s->c, m.b, (uint32_t)m.n);
    t += gap(g, 8, 40);
    send_ack(g, t, &s->c, &s->s);
    s->state = S_ESTAB;
    return t;
}

/* Client sends k new orders (one segment, or one message in two segments);
 * the server acknowledges each with an ExecutionReport 150=0. */
static uint64_t act_orders(struct gen *g, struct session *s, uint64_t t, int k, int split)
{
    struct fixbuf m = {.n = 0};
    for (int i = 0; i < k; i++) msg_new_order(g, &m, s, t);
    if (k > 1) g->bundles++;
    if (split) {
        uint32_t cut = (uint32_t)rng_range(&g->r, 20, m.n - 20);
        g->splits++;
        send_data(g, t, &s->c, &s->s, m.b, cut);
        if (rng_chance(&g->r, 1, 2)) send_ack(g, t + gap(g, 5, 15), &s->s, &s->c);
        t += gap(g, 20, 60);
        send_data(g, t, &s->c, &s->s, m.b + cut, (uint32_t)m.n - cut);
    } else {
        send_data(g, t, &s->c, &s->s, m.b, (uint32_t)m.n);
    }
    if (rng_chance(&g->r, 15, 100)) {       /* ACK before the application answers */
        t += gap(g, 5, 15);
        send_ack(g, t, &s->s, &s->c);
    }
    t += gap(g, 15, 70);
    struct fixbuf r = {.n = 0};
    int first = s->open_n - k;
    int separate = k > 1 && rng_chance(&g->r, 1, 3);
    for (int i = 0; i < k; i++) {
        struct order *o = &s->open[(s->open_head + first + i) % MAX_OPEN];
        msg_exec(g, &r, s, o, 0, t);
        if (separate) {
            send_data(g, t, &s->s, &s->c, r.b, (uint32_t)r.n);
            r.n = 0;
            t += gap(g, 3, 12);
        }
    }
    if (r.n) {
        if (k > 1) g->bundles++;
        send_data(g, t, &s->s, &s->c, r.b, (uint32_t)r.n);
    }
    if (rng_chance(&g->r, 3, 4)) {
        t += gap(g, 8, 35);
        send_ack(g, t, &s->c, &s->s);
    }
    return t;
}

/* Server fills 1-3 open orders (partially or fully) in one segment. */
static uint64_t act_fills(struct gen *g, struct session *s, uint64_t t)
{
    struct fixbuf r = {.n = 0};
    int k = rng_chance(&g->r, 1, 8) ? (int)rng_range(&g->r, 2, 3) : 1;
    int done = 0;
    for (int i = 0; i < k && s->open_n; i++, done++) {
        struct order *o = oldest_open(s);
        uint32_t left = o->qty - o->cum;
        uint32_t q = left > 100 && rng_chance(&g->r, 1, 3) ? 100 * (uint32_t)rng_range(&g->r, 1, left / 100 - (left % 100 == 0)) : left;
        if (!q) q = left;
        msg_exec(g, &r, s, o, q, t);
        if (o->cum >= o->qty) drop_oldest(s);
        else break;                          /* partial: stays first in line */
    }
    if (!done) return t;
    if (done > 1) g->bundles++;
    send_data(g, t, &s->s, &s->c, r.b, (uint32_t)r.n);
    if (rng_chance(&g->r, 3, 4)) {
        t += gap(g, 8, 35);
        send_ack(g, t, &s->c, &s->s);
    }
    return t;
}

/* Client heartbeat; server answers with its own (acking it). */
static uint64_t act_heartbeat(struct gen *g, struct session *s, uint64_t t)
{
    struct fixbuf m = {.n = 0};
    msg_simple(&m, s, 1, '0', t);
    send_data(g, t, &s->c, &s->s, m.b, (uint32_t)m.n);
    m.n = 0;
    t += gap(g, 15, 60);
    msg_simple(&m, s, 0, '0', t);
    send_data(g, t, &s->s, &s->c, m.b, (uint32_t)m.n);
    t += gap(g, 8, 35);
    send_ack(g, t, &s->c, &s->s);
    return t;
}

/* Slow consumer: the client's window shrinks to 0 under a burst of reports;
 * the server probes the zero window with 1 byte (not accepted), backing off,
 * until the client sends a window update; then the report goes out whole. */
static uint64_t act_zero_window(struct gen *g, struct session *s, uint64_t t)
{
    int k = (int)rng_range(&g->r, 3, 5);
    t = act_orders(g, s, t, k, 0);
    g->zero_windows++;
    uint16_t saved = s->c.rawwin;
    static const uint16_t shrink[] = {3, 1, 0};
    for (int i = 0; i < 3; i++) {           /* fills arrive, window closes */
        struct fixbuf r = {.n = 0};
        struct order *o = oldest_open(s);
        t += gap(g, 20, 90);
        msg_exec(g, &r, s, o, o->qty - o->cum, t);
        drop_oldest(s);
        send_data(g, t, &s->s, &s->c, r.b, (uint32_t)r.n);
        t += gap(g, 6, 20);
        s->c.rawwin = shrink[i];
        send_ack(g, t, &s->c, &s->s);
    }
    /* the next report waits for the window */
    struct fixbuf r = {.n = 0};
    struct order *o = oldest_open(s);
    int have = o != NULL;
    if (have) { msg_exec(g, &r, s, o, o->qty - o->cum, t); drop_oldest(s); }
    else msg_simple(&r, s, 0, '0', t);
    int probes = (int)rng_range(&g->r, 1, 3);
    uint64_t rto = 200 * MS + rng_below(&g->r, 20) * MS;
    for (int i = 0; i < probes; i++) {
        t += rto;
        rto *= 2;
        segment(g, t, &s->s, &s->c, TH_ACK, s->s.nxt, r.b, 1, 0);
        g->probes++;
        t += gap(g, 6, 20);
        send_ack(g, t, &s->c, &s->s);       /* still 0, probe byte not taken */
    }
    t += rng_range(&g->r, 1, 150) * MS + rng_below(&g->r, 1000000);
    s->c.rawwin = saved;
    send_ack(g, t, &s->c, &s->s);           /* window update */
    t += gap(g, 10, 40);
    send_data(g, t, &s->s, &s->c, r.b, (uint32_t)r.n);
    t += gap(g, 8, 35);
    send_ack(g, t, &s->c, &s->s);
    return t;
}

/* A segment that is not taken is resent (same seq) after an RTO. */
static uint64_t act_retransmit(struct gen *g, struct session *s, uint64_t t)
{
    struct fixbuf m = {.n = 0};
    int times = rng_chance(&g->r, 1, 4) ? 2 : 1;
    uint64_t rto = 200 * MS + rng_below(&g->r, 15) * MS + rng_below(&g->r, 1000000);
    if (rng_chance(&g->r, 1, 2) || !s->open_n) {       /* client order is lost */
        msg_new_order(g, &m, s, t);
        uint32_t seq = s->c.nxt;
        segment(g, t, &s->c, &s->s, TH_ACK | TH_PSH, seq, m.b, (uint32_t)m.n, 0);
        for (int i = 0; i < times; i++) {
            t += rto; rto *= 2;
            segment(g, t, &s->c, &s->s, TH_ACK | TH_PSH, seq, m.b, (uint32_t)m.n, i == times - 1);
            g->retransmissions++;
        }
        s->c.nxt += (uint32_t)m.n;
        t += gap(g, 15, 70);
        struct fixbuf r = {.n = 0};
        msg_exec(g, &r, s, &s->open[(s->open_head + s->open_n - 1) % MAX_OPEN], 0, t);
        send_data(g, t, &s->s, &s->c, r.b, (uint32_t)r.n);
    } else {                                /* server fill is lost */
        struct order *o = oldest_open(s);
        msg_exec(g, &m, s, o, o->qty - o->cum, t);
        drop_oldest(s);
        uint32_t seq = s->s.nxt;
        segment(g, t, &s->s, &s->c, TH_ACK | TH_PSH, seq, m.b, (uint32_t)m.n, 0);
        for (int i = 0; i < times; i++) {
            t += rto; rto *= 2;
            segment(g, t, &s->s, &s->c, TH_ACK | TH_PSH, seq, m.b, (uint32_t)m.n, i == times - 1);
            g->retransmissions++;
        }
        s->s.nxt += (uint32_t)m.n;
    }
    t += gap(g, 8, 35);
    send_ack(g, t, &s->c, &s->s);
    return t;
}

/* One side aborts: RST|ACK; the session reconnects later. 1 packet. */
static uint64_t act_reset(struct gen *g, struct session *s, uint64_t t)
{
    if (rng_chance(&g->r, 1, 2)) segment(g, t, &s->c, &s->s, TH_RST | TH_ACK, s->c.nxt, NULL, 0, 1);
    else segment(g, t, &s->s, &s->c, TH_RST | TH_ACK, s->s.nxt, NULL, 0, 1);
    g->resets++;
    s->state = S_CLOSED;
    s->open_n = 0;
    return t;
}

/* Logout both ways, FIN|ACK, FIN|ACK, ACK: 5 packets. */
static uint64_t act_close(struct gen *g, struct session *s, uint64_t t)
{
    struct fixbuf m = {.n = 0};
    msg_simple(&m, s, 1, '5', t);
    send_data(g, t, &s->c, &s->s, m.b, (uint32_t)m.n);
    m.n = 0;
    t += gap(g, 15, 60);
    msg_simple(&m, s, 0, '5', t);
    send_data(g, t, &s->s, &s->c, m.b, (uint32_t)m.n);
    t += gap(g, 10, 40);
    segment(g, t, &s->c, &s->s, TH_FIN | TH_ACK, s->c.nxt, NULL, 0, 1);
    s->c.nxt++;
    t += gap(g, 6, 25);
    segment(g, t, &s->s, &s->c, TH_FIN | TH_ACK, s->s.nxt, NULL, 0, 1);
    s->s.nxt++;
    t += gap(g, 4, 15);
    send_ack(g, t, &s->c, &s->s);
    g->closes++;
    s->state = S_CLOSED;
    s->open_n = 0;
    return t;
}

/* Pause before this session's next action: mostly a few hundred us, sometimes
 * a burst, sometimes a lull. */
static uint64_t think(struct gen *g)
{
    uint32_t u = rng_below(&g->r, 100);
    if (u < 15) return gap(g, 5, 40);
    if (u < 98) return gap(g, 100, 1500);
    return gap(g, 3000, 30000);
}

#define MAX_ACTION_PKTS 40      /* more than any one action schedules */
#define CLOSE_PKTS 5
#define CONNECT_PKTS 6

static void run_sessions(struct gen *g, int nsess, uint64_t npk)
{
    struct session *ss = calloc((size_t)nsess, sizeof *ss);
    if (!ss) { fprintf(stderr, "gen_fixtraffic: out of memory\n"); exit(1); }
    for (int i = 0; i < nsess; i++) {
        struct session *s = &ss[i];
        s->idx = i;
        s->state = S_CLOSED;
        s->next_t = START_NS + (uint64_t)i * 150 * US + rng_below(&g->r, 100000);
        s->cseq = s->sseq = 1;
        s->next_clord = s->next_orderid = s->next_execid = 1;
        snprintf(s->sender, sizeof s->sender, "CLIENT%02d", i + 1);
        snprintf(s->target, sizeof s->target, "EXCH");
        for (size_t j = 0; j < NSYMS; j++) s->px[j] = SYMS[j].px;
    }
    int estab = 0;
    for (;;) {
        struct session *s = NULL;
        for (int i = 0; i < nsess; i++)
            if (!ss[i].stopped && (!s || ss[i].next_t < s->next_t)) s = &ss[i];
        if (!s) break;
        flush_until(g, s->next_t);
        uint64_t used = g->scheduled + (uint64_t)estab * CLOSE_PKTS;
        uint64_t left = npk > used ? npk - used : 0;
        uint64_t t = s->next_t, end;
        if (s->state == S_CLOSED) {
            if (left < CONNECT_PKTS + CLOSE_PKTS) { s->stopped = 1; continue; }
            end = act_connect(g, s, t);
            estab++;
            s->next_t = end + think(g);
            continue;
        }
        if (left == 0) { s->stopped = 1; continue; }
        s->actions++;
        if (left < MAX_ACTION_PKTS) {       /* top up to exactly npk packets */
            struct fixbuf m = {.n = 0};
            msg_simple(&m, s, 1, '0', t);
            send_data(g, t, &s->c, &s->s, m.b, (uint32_t)m.n);
            end = t;
        } else {
            /* scripted first episodes, so that small captures hold each kind */
            uint64_t a = s->actions;
            int ep = (s->idx % 4 == 0 && a == 40) ? 1 : (s->idx % 4 == 1 && a == 60) ? 2
                   : (s->idx % 4 == 2 && a == 80) ? 3 : (s->idx % 4 == 3 && a == 100) ? 4 : 0;
            uint32_t u = rng_below(&g->r, 1000000);
            if (!ep) ep = u < 250 ? 1 : u < 750 ? 2 : u < 757 ? 3 : u < 764 ? 4 : 0;
            switch (ep) {
            case 1: end = act_zero_window(g, s, t); break;
            case 2: end = act_retransmit(g, s, t); break;
            case 3: end = act_reset(g, s, t); estab--; break;
            case 4: end = act_close(g, s, t); estab--; break;
            default: {
                uint32_t v = rng_below(&g->r, 100);
                if (v < 5) end = act_heartbeat(g, s, t);
                else if (v < 45 && s->open_n) end = act_fills(g, s, t);
                else {
                    int k = rng_chance(&g->r, 12, 100) ? (int)rng_range(&g->r, 2, 5) : 1;
                    end = act_orders(g, s, t, k, k == 1 && rng_chance(&g->r, 5, 100));
                }
            }
            }
            if (s->state == S_CLOSED) { s->next_t = end + gap(g, 1000, 20000); continue; }
        }
        s->next_t = end + think(g);
    }
    /* every established session logs out and closes, in time order */
    for (;;) {
        struct session *s = NULL;
        for (int i = 0; i < nsess; i++)
            if (ss[i].state == S_ESTAB && (!s || ss[i].next_t < s->next_t)) s = &ss[i];
        if (!s) break;
        act_close(g, s, s->next_t);
        g->closes--;                         /* counted separately: final */
        s->state = S_DONE;
    }
    flush_until(g, UINT64_MAX);
    free(ss);
}

/* --flows N: N short half-open connections with distinct 4-tuples. */
static void run_flows(struct gen *g, uint64_t nflows)
{
    uint64_t t = START_NS;
    struct half c, s;
    for (uint64_t i = 0; i < nflows; i++) {
        flush_until(g, t);
        uint64_t k = i / 64000;
        c.ip = 0x7f010001u + (uint32_t)k;   /* 127.1.0.1, 127.1.0.2, ... */
        c.port = (uint16_t)(1024 + i % 64000);
        s.ip = 0x7f000001u;
        s.port = (uint16_t)(SERVER_PORT0 + i % 8);
        reset_half(g, &c, 65495);
        reset_half(g, &s, 65483);
        uint64_t u = handshake(g, t, &c, &s);
        u += gap(g, 20, 80);
        char pl[160];
        uint32_t n = (uint32_t)rng_range(&g->r, 100, sizeof pl);
        for (uint32_t j = 0; j < n; j++) pl[j] = (char)('A' + (i + j) % 26);
        send_data(g, u, &c, &s, pl, n);
        u += gap(g, 20, 100);
        segment(g, u, &c, &s, TH_FIN | TH_ACK, c.nxt, NULL, 0, 1);
        t += gap(g, 2, 8);
        g->connections++;
    }
    flush_until(g, UINT64_MAX);
}

/* --kdb N: a kdb+ tickerplant publishing to one subscriber over
 * 127.0.0.1:5010: the TCP handshake, the IPC handshake ("bench:bench" with
 * capability 3, answered by one byte), then N async messages
 * .u.upd[`trade;(times;syms;prices;sizes)] of KDB_ROWS rows each
 * (about 650 bytes), one message per segment, the subscriber acknowledging every second one;
 * FIN both ways at the end. Little-endian IPC (kdb+ IPC: 8-byte header
 * endian, type, compressed, 0, total length; a general list of the function
 * name, the table name and a general list of four typed vectors). */
#define KDB_ROWS 21
#define KDB_PORT 5010
#define Q_EPOCH_NS 946684800000000000ULL      /* 2000.01.01 in Unix ns */

struct kdbbuf { uint8_t b[1024]; size_t n; };
static inline void kb_u8(struct kdbbuf *k, uint8_t v) { k->b[k->n++] = v; }
static inline void kb_le32(struct kdbbuf *k, uint32_t v) { le32(k->b + k->n, v); k->n += 4; }
static inline void kb_le64(struct kdbbuf *k, uint64_t v)
{
    le32(k->b + k->n, (uint32_t)v);
    le32(k->b + k->n + 4, (uint32_t)(v >> 32));
    k->n += 8;
}
static void kb_sym(struct kdbbuf *k, const char *sym)
{
    size_t n = strlen(sym) + 1;
    memcpy(k->b + k->n, sym, n);
    k->n += n;
}
/* A vector's type (q: P 12, S 11, F 9, J 7), no attribute, and its count. */
static void kb_vector(struct kdbbuf *k, uint8_t type, uint32_t count)
{
    kb_u8(k, type);
    kb_u8(k, 0);
    kb_le32(k, count);
}

static void kdb_upd(struct gen *g, struct kdbbuf *k, uint64_t t)
{
    k->n = 8;
    kb_vector(k, 0, 3);
    kb_u8(k, 0xf5); kb_sym(k, ".u.upd");       /* -11: a symbol atom */
    kb_u8(k, 0xf5); kb_sym(k, "trade");
    kb_vector(k, 0, 4);
    kb_vector(k, 12, KDB_ROWS);
    for (int i = 0; i < KDB_ROWS; i++)
        kb_le64(k, t - Q_EPOCH_NS - (uint64_t)(KDB_ROWS - i) * 1000);
    kb_vector(k, 11, KDB_ROWS);
    for (int i = 0; i < KDB_ROWS; i++)
        kb_sym(k, SYMS[rng_below(&g->r, sizeof SYMS / sizeof SYMS[0])].sym);
    kb_vector(k, 9, KDB_ROWS);
    for (int i = 0; i < KDB_ROWS; i++) {
        double px = (double)rng_range(&g->r, 1000, 500000) / 100.0;
        uint64_t bits;
        memcpy(&bits, &px, 8);
        kb_le64(k, bits);
    }
    kb_vector(k, 7, KDB_ROWS);
    for (int i = 0; i < KDB_ROWS; i++)
        kb_le64(k, rng_range(&g->r, 1, 100) * 100);
    k->b[0] = 1;                               /* little-endian */
    k->b[1] = 0;                               /* async */
    k->b[2] = k->b[3] = 0;
    le32(k->b + 4, (uint32_t)k->n);
}

static void run_kdb(struct gen *g, uint64_t nmsgs)
{
    uint64_t t = START_NS;
    struct half c, s;
    c.ip = s.ip = 0x7f000001;
    c.port = 40123;
    s.port = KDB_PORT;
    reset_half(g, &c, 65495);
    reset_half(g, &s, 65483);
    g->connections++;
    t = handshake(g, t, &c, &s);
    t += gap(g, 20, 80);
    send_data(g, t, &c, &s, "bench:bench\003", 13);
    t += gap(g, 20, 80);
    send_data(g, t, &s, &c, "\003", 1);
    struct kdbbuf m;
    for (uint64_t i = 0; i < nmsgs; i++) {
        t += gap(g, 1, 4);
        kdb_upd(g, &m, t);
        send_data(g, t, &s, &c, m.b, (uint32_t)m.n);
        g->messages++;
        if (i % 2 == 1 || i + 1 == nmsgs) {
            t += gap(g, 1, 3);
            send_ack(g, t, &c, &s);
        }
        flush_until(g, t);
    }
    t += gap(g, 20, 80);
    segment(g, t, &s, &c, TH_FIN | TH_ACK, s.nxt, NULL, 0, 1);
    s.nxt++;
    t += gap(g, 20, 80);
    segment(g, t, &c, &s, TH_FIN | TH_ACK, c.nxt, NULL, 0, 1);
    c.nxt++;
    t += gap(g, 20, 80);
    send_ack(g, t, &s, &c);
    flush_until(g, UINT64_MAX);
}

/* ---------------------------------------------------------------- main -- */
static void usage(FILE *f)
{
    fputs("usage: gen_fixtraffic [-n PACKETS] [-f pcap|pcapng] [--sessions N] [--seed S]\n"
          "                      [--flows N | --kdb N] [-o FILE]\n"
          "  -n PACKETS     packets to write in FIX mode (default 2000000)\n"
          "  -f FORMAT      pcap (microseconds, default) or pcapng (nanoseconds)\n"
          "  --sessions N   FIX sessions, server ports 5001.. (default 8)\n"
          "  --seed S       PRNG seed (default 1)\n"
          "  --flows N      instead: N distinct 5-packet TCP connections\n"
          "  --kdb N        instead: a kdb+ tickerplant sending N ~650-byte .u.upd messages\n"
          "  -o FILE        output file (default stdout)\n", f);
}

static uint64_t num_arg(const char *opt, const char *v, uint64_t min)
{
    char *e;
    errno = 0;
    unsigned long long x = v ? strtoull(v, &e, 10) : 0;
    if (!v || errno || *e || e == v || x < min) {
        fprintf(stderr, "gen_fixtraffic: %s needs a number >= %llu\n", opt, (unsigned long long)min);
        exit(1);
    }
    return x;
}

int main(int argc, char **argv)
{
    uint64_t npk = 2000000, nflows = 0, nkdb = 0, seed = 1;
    int nsess = 8, ng = 0;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-n")) { npk = num_arg(a, v, 1); i++; }
        else if (!strcmp(a, "-f")) {
            if (v && !strcmp(v, "pcap")) ng = 0;
            else if (v && !strcmp(v, "pcapng")) ng = 1;
            else { fprintf(stderr, "gen_fixtraffic: -f pcap|pcapng\n"); return 1; }
            i++;
        }
        else if (!strcmp(a, "--sessions")) { nsess = (int)num_arg(a, v, 1); if (nsess > 1000) nsess = 1000; i++; }
        else if (!strcmp(a, "--seed")) { seed = num_arg(a, v, 0); i++; }
        else if (!strcmp(a, "--flows")) { nflows = num_arg(a, v, 1); i++; }
        else if (!strcmp(a, "--kdb")) { nkdb = num_arg(a, v, 1); i++; }
        else if (!strcmp(a, "-o")) { if (!v) { usage(stderr); return 1; } out = v; i++; }
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        else { usage(stderr); return 1; }
    }
    if (nflows > 64000ULL * 65000) { fprintf(stderr, "gen_fixtraffic: --flows too large\n"); return 1; }
    FILE *f = out ? fopen(out, "wb") : stdout;
    if (!f) { fprintf(stderr, "gen_fixtraffic: %s: %s\n", out, strerror(errno)); return 1; }
    if (!out && isatty(fileno(stdout))) {
        fprintf(stderr, "gen_fixtraffic: not writing a capture to a terminal; use -o FILE or a pipe\n");
        return 1;
    }

    struct sink k = {.f = f, .name = out ? out : "stdout", .cap = 1 << 20,
                     .limit = nflows || nkdb ? UINT64_MAX : npk,
                     .begin = ng ? pcapng_begin : pcap_begin,
                     .packet = ng ? pcapng_packet : pcap_packet};
    k.buf = xrealloc(NULL, k.cap);
    struct gen g = {.k = &k};
    rng_seed(&g.r, seed);
    k.begin(&k);
    if (nflows) run_flows(&g, nflows);
    else if (nkdb) run_kdb(&g, nkdb);
    else run_sessions(&g, nsess, npk);
    sink_flush(&k);
    if (!k.err && fflush(f)) k.err = errno ? errno : EIO;
    if (out && fclose(f) && !k.err) k.err = errno ? errno : EIO;
    if (k.err) { fprintf(stderr, "gen_fixtraffic: %s: %s\n", k.name, strerror(k.err)); return 1; }
    fprintf(stderr, "gen_fixtraffic: %llu packets, %llu bytes, %llu connections",
            (unsigned long long)k.packets, (unsigned long long)k.bytes,
            (unsigned long long)g.connections);
    if (nkdb)
        fprintf(stderr, ", %llu kdb+ messages", (unsigned long long)g.messages);
    else if (!nflows)
        fprintf(stderr, ", %llu FIX messages, %llu bundles, %llu splits, %llu zero-window episodes"
                " (%llu probes), %llu retransmissions, %llu resets, %llu closes+reconnects",
                (unsigned long long)g.messages, (unsigned long long)g.bundles,
                (unsigned long long)g.splits, (unsigned long long)g.zero_windows,
                (unsigned long long)g.probes, (unsigned long long)g.retransmissions,
                (unsigned long long)g.resets, (unsigned long long)g.closes);
    fputc('\n', stderr);
    free(k.buf);
    return 0;
}
