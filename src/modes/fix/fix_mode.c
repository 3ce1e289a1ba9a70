/* fix_mode.c: the --fix message table (fix_mode.h). */
#include "fix_mode.h"
#include "inline.h"
#include "acktime.h"
#include "decimal.h"
#include "fix.h"
#include "fmt.h"
#include "qspan.h"
#include "grow.h"
#include "msg_columns.h"
#include "reasm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fix_col {
    FC_SEGS = MSGC_COUNT, FC_BUNDLED, FC_MSGTYPE, FC_SEQNUM, FC_SENDER, FC_TARGET, FC_SENDTIME,
    FC_CLORDID, FC_SYMBOL, FC_SIDE, FC_QTY, FC_PRICE, FC_BODYLEN, FC_CHKOK, FC_FLAGS, FC_LATENCY,
    /* optional */
    FC_BEGIN, FC_LEN, FC_GAPBYTES, FC_ACKTIME,
    FC_COUNT
};
#define FIX_DEFAULT_COLUMNS 25
#define FIX_TAG_MAX 999999999u /* nine digits: a tag number fits a uint32_t */
/* Columns FC_COUNT + i are the extra tag i (--tags, or tagN in --columns). */

static const struct column_def fix_coldefs[FC_COUNT] = {
    MSG_COMMON_COLUMN_DEFS,
    [FC_SEGS] = { "segs", 'I' },
    [FC_BUNDLED] = { "bundled", 'I' },   [FC_MSGTYPE] = { "msgtype", 'S' },
    [FC_SEQNUM] = { "seqnum", 'J' },     [FC_SENDER] = { "sender", 'S' },
    [FC_TARGET] = { "target", 'S' },     [FC_SENDTIME] = { "sendtime", 'P' },
    [FC_CLORDID] = { "clordid", 'S' },   [FC_SYMBOL] = { "symbol", 'S' },
    [FC_SIDE] = { "side", 'S' },         [FC_QTY] = { "qty", 'F' },
    [FC_PRICE] = { "price", 'F' },       [FC_BODYLEN] = { "bodylen", 'I' },
    [FC_CHKOK] = { "chkok", 'B' },       [FC_FLAGS] = { "flags", 'S' },
    [FC_LATENCY] = { "latency", 'N' },   [FC_BEGIN] = { "begin", 'S' },
    [FC_LEN] = { "len", 'I' },           [FC_GAPBYTES] = { "gapbytes", 'J' },
    [FC_ACKTIME] = { "acktime", 'N' },
};

const struct column_def *fix_mode_coldefs(int *n)
{
    *n = FC_COUNT;
    return fix_coldefs;
}


#define NVALS (FIXV_COUNT + FIX_MAX_EXTRA)

/* A message waiting for the end of the packet that completed it. */
struct pmsg {
    struct reasm_pkt last, first;
    uint64_t stream, gap_bytes;
    int64_t latency;           /* ns, when has_latency */
    uint32_t end_seq;          /* for acktime */
    uint8_t dir;
    uint8_t ipver, has_latency, chkok;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t segs, bodylen, len, flags;
    uint32_t base;                      /* the message in the arena */
    uint8_t lat_kind;                   /* LAT_NONE, LAT_ORDER or LAT_REPORT */
    uint64_t lat_h;                     /* lat_hash of its ClOrdID (LAT_NONE: unset) */
    struct fix_fields ff;               /* its values, from base; FIX_ABSENT */
};

/* The latency table is split so that a lookup reads one cache line: a set
 * holds the hashes, ages and used marks of its LAT_WAYS orders; the rest
 * of an order (its line of its own) is read only when the hash matches, and
 * written when it is created. ClOrdIDs up to LAT_ID_MAX bytes compare
 * exactly, longer ones by that prefix and the hash of the whole. */
#define LAT_ID_MAX 33
#define LAT_WAYS 4
#define LAT_SETS (FIX_LAT_SLOTS / LAT_WAYS)
#define LAT_LINE 64
struct lat_set {
    uint64_t hash[LAT_WAYS];
    uint32_t age[LAT_WAYS];    /* the oldest in a full set makes room */
    uint8_t used[LAT_WAYS];
    uint8_t pad[LAT_LINE - LAT_WAYS * 13];
};
struct lat_entry {
    uint64_t stream;
    int64_t t;
    uint64_t frame;            /* the packet that completed the order */
    uint8_t dir, idlen;
    char id[LAT_ID_MAX];
};

/* The text of "src,dest,srcport,destport,stream," for a message's
 * addresses, ports and stream, kept for the next message with the same:
 * the messages of a connection come in runs, and formatting two addresses
 * costs more than comparing them. A few slots, by stream and direction. */
#define ORIGIN_TEXTS 16
#define ORIGIN_COPY 48
#define ORIGIN_TEXT_MAX 128        /* 2 x 39 (IPv6) + 5 + 5 + 20 + 5 commas;
                                    * fmt_ipv4 wants 19 bytes of room */
struct origin_text {
    uint8_t src[16], dst[16];
    uint64_t stream;
    uint16_t sport, dport;
    uint8_t ipver, len;            /* len 0: empty slot */
    char text[ORIGIN_TEXT_MAX];
};

struct fix_mode {
    struct mode_opts o;
    struct mt_columns cols;
    uint32_t tags[FIX_MAX_EXTRA];
    int ntags;
    struct mt_writer w;
    struct fix_framer fx;
    struct reasm_framer fr;
    struct reasm ra;
    /* messages of the current packet */
    struct pmsg *pend;
    size_t npend, cap_pend;
    char *arena;
    size_t arena_len, arena_cap;
    /* latency pairing */
    struct lat_set *lat_sets;      /* LAT_SETS, LAT_LINE-aligned */
    struct lat_entry *lat;         /* FIX_LAT_SLOTS: set i's orders at i * LAT_WAYS */
    uint32_t lat_clock;
    struct msg_time_caches tc;
    struct time_cache tc_send;
    struct fix_utc_cache utc_send;
    /* the last SendingTime value (send_raw_len FIX_ABSENT: none) and its text */
    char send_raw[32], send_text[FMT_TIME_LEN];
    uint32_t send_raw_len;
    int send_valid;
    struct acktime *ack;           /* rows wait for their ACK: acktime is a column */
    /* CSV of the 25 default columns: one straight-line row (csv_default_row) */
    int csv_default;
    struct origin_text origins[ORIGIN_TEXTS];
};

/* ------------------------------------------------------------ columns -- */

/* A FIX tag number, 1 to 999999999, written as every number of the command
 * line is (decimal.h): "tag037" is tag 37. */
static int parse_tag(const char *s, size_t n, uint32_t *tag)
{
    uint64_t v;
    if (decimal_parse_n(s, n, FIX_TAG_MAX, &v) != DECIMAL_OK || v == 0)
        return -1;
    *tag = (uint32_t)v;
    return 0;
}

struct tagctx {
    uint32_t *tags;
    int *ntags;
};

/* "tagN" in --columns: the value of tag N, as a symbol. */
static int extra_column(void *ctx, const char *name, size_t n, char *qtype)
{
    struct tagctx *tc = ctx;
    uint32_t tag;
    if (n < 4 || memcmp(name, "tag", 3) != 0 || parse_tag(name + 3, n - 3, &tag) != 0)
        return -1;
    for (int i = 0; i < *tc->ntags; i++)
        if (tc->tags[i] == tag) {
            *qtype = 'S';
            return FC_COUNT + i;
        }
    if (*tc->ntags == FIX_MAX_EXTRA)
        return -1;
    tc->tags[*tc->ntags] = tag;
    *qtype = 'S';
    return FC_COUNT + (*tc->ntags)++;
}

/* Whether the parser's message is "unknown column 'tagN'..." for a tag
 * number N: refused only because the 16 tags are taken. */
static int names_a_tag(const char *err)
{
    static const char prefix[] = "unknown column '";
    uint32_t tag;
    if (strncmp(err, prefix, sizeof prefix - 1) != 0)
        return 0;
    const char *name = err + sizeof prefix - 1, *end = strchr(name, '\'');
    return end && end - name > 3 && memcmp(name, "tag", 3) == 0 &&
           parse_tag(name + 3, (size_t)(end - name - 3), &tag) == 0;
}

int fix_mode_columns(const struct mode_opts *o, struct mt_columns *cols, uint32_t *tags,
                     int *ntags, char *err, size_t errlen)
{
    struct tagctx tc = { tags, ntags };
    *ntags = 0;
    if (o->columns) {
        if (mt_columns_parse(cols, fix_coldefs, FC_COUNT, o->columns, extra_column, &tc, err,
                             errlen) != 0) {
            size_t k = strlen(err);
            if (*ntags == FIX_MAX_EXTRA && names_a_tag(err))
                snprintf(err, errlen, "--columns: at most %d tags (tagN columns)", FIX_MAX_EXTRA);
            else if (strncmp(err, "unknown", 7) == 0)
                snprintf(err + k, errlen - k, ",tagN (FIX tag N)");
            return -1;
        }
    } else {
        cols->n = 0;
        for (int i = 0; i < FIX_DEFAULT_COLUMNS; i++)
            mt_columns_add(cols, fix_coldefs[i].name, fix_coldefs[i].qtype, i);
    }
    if (o->tags) {
        const char *s = o->tags;
        uint32_t given[FIX_MAX_EXTRA + 1];
        int ngiven = 0;
        for (;;) {
            const char *e = strchr(s, ',');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            char name[MT_NAME_MAX];
            char qtype;
            uint32_t tag;
            if (parse_tag(s, n, &tag) != 0) {
                snprintf(err, errlen, "--tags: '%.*s' is not a tag number", (int)(n > 40 ? 40 : n),
                         s);
                return -1;
            }
            for (int i = 0; i < ngiven; i++)
                if (given[i] == tag) {
                    snprintf(err, errlen, "--tags: tag %u given twice", (unsigned)tag);
                    return -1;
                }
            if (ngiven <= FIX_MAX_EXTRA)
                given[ngiven++] = tag;
            snprintf(name, sizeof name, "tag%u", (unsigned)tag);
            int before = *ntags;
            int id = extra_column(&tc, name, strlen(name), &qtype);
            if (id < 0) {
                snprintf(err, errlen, "--tags: at most %d tags", FIX_MAX_EXTRA);
                return -1;
            }
            /* A tag already chosen with --columns tagN is not added twice. */
            int listed = 0;
            for (int i = 0; i < cols->n; i++)
                listed |= cols->col[i].id == id;
            if ((*ntags > before || !listed) && mt_columns_add(cols, name, qtype, id) != 0) {
                snprintf(err, errlen, "more than %d columns", MT_MAX_COLS);
                return -1;
            }
            if (!e)
                break;
            s = e + 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ latency -- */

/* A value of a message where it lies; p NULL when absent. */
struct text {
    const uint8_t *p;
    uint32_t n;
};

static struct text field_text(const struct fix_fields *ff, const uint8_t *msg, int i)
{
    const struct fix_val *v = &ff->v[i];
    return v->n == FIX_ABSENT ? (struct text){ NULL, 0 } : (struct text){ msg + v->off, v->n };
}

static uint64_t lat_hash(const uint8_t *id, size_t n, uint64_t stream, int dir)
{
    uint64_t h = 0xcbf29ce484222325ull ^ (stream * 0x9E3779B97F4A7C15ull) ^ (uint64_t)dir;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {   /* the same FNV-1a steps, four a round */
        h = (h ^ id[i]) * 0x100000001b3ull;
        h = (h ^ id[i + 1]) * 0x100000001b3ull;
        h = (h ^ id[i + 2]) * 0x100000001b3ull;
        h = (h ^ id[i + 3]) * 0x100000001b3ull;
    }
    for (; i < n; i++)
        h = (h ^ id[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

/* a[0..n) == b[0..n): for 8 to 16 bytes (most ClOrdIDs) two 8-byte words
 * each, which may overlap, and no call. */
static inline int id_equal(const char *a, const uint8_t *b, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        memcpy(&a1, a + n - 8, 8);
        memcpy(&b1, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    return memcmp(a, b, n) == 0;
}

/* The order's slot (set * LAT_WAYS + way), or -1. With create, a missing
 * order takes the first unused way of its set, else the oldest. */
static int lat_find(struct fix_mode *m, const struct text *id, uint64_t h, uint64_t stream,
                    int dir, int create)
{
    uint32_t si = (uint32_t)(h & (LAT_SETS - 1));
    struct lat_set *set = &m->lat_sets[si];
    struct lat_entry *ents = &m->lat[(size_t)si * LAT_WAYS];
    size_t idlen = id->n < sizeof ents->id ? id->n : sizeof ents->id;
    for (int i = 0; i < LAT_WAYS; i++) {
        if (set->used[i] && set->hash[i] == h) {
            const struct lat_entry *e = &ents[i];
            if (e->stream == stream && e->dir == dir && e->idlen == idlen &&
                id_equal(e->id, id->p, idlen))
                return (int)(si * LAT_WAYS + (uint32_t)i);
        }
    }
    if (!create)
        return -1;
    int victim = 0;
    for (int i = 1; i < LAT_WAYS; i++)
        if (!set->used[i] ? set->used[victim]
                          : (set->used[victim] && set->age[i] < set->age[victim]))
            victim = i;
    struct lat_entry *e = &ents[victim];
    memset(e, 0, sizeof *e);
    set->used[victim] = 1;
    set->hash[victim] = h;
    set->age[victim] = 0;
    e->stream = stream;
    e->dir = (uint8_t)dir;
    e->idlen = (uint8_t)idlen;
    memcpy(e->id, id->p, idlen);
    return (int)(si * LAT_WAYS + (uint32_t)victim);
}

static int msgtype_is(const struct text *v, const char *t)
{
    size_t n = strlen(t);
    return v->p && v->n == n && memcmp(v->p, t, n) == 0;
}

/* OrdStatus 2, 4, 8, C or 3, or a NUL byte (as strchr("248C3", c) found
 * it, its terminator): a test each, no call. */
static inline int order_done(char c)
{
    return c == '2' || c == '4' || c == '8' || c == 'C' || c == '3';
}

/* What a message is to latency pairing, by its MsgType. */
enum { LAT_NONE, LAT_ORDER, LAT_REPORT };

/* Orders (NewOrderSingle D, OrderCancelRequest F, OrderCancelReplaceRequest
 * G) are remembered by ClOrdID; an ExecutionReport (8), OrderCancelReject
 * (9), Reject (3) or BusinessMessageReject (j) with that ClOrdID in the other
 * direction of the same connection gets the time since the order.
 *
 * Split in two because the table is large and touched at random: when a
 * message is framed (lat_classify) its set's cache line is fetched ahead;
 * the pairing itself (pair_latency) runs when the packet's messages are
 * written, in the same order, by when the line has arrived. */
static void lat_classify(struct fix_mode *m, struct pmsg *pm, const uint8_t *msg)
{
    pm->lat_kind = LAT_NONE;
    struct text type = field_text(&pm->ff, msg, FIXV_MSGTYPE), id = field_text(&pm->ff, msg, FIXV_CLORDID);
    const struct text *t = &type;
    if (!id.p || id.n == 0 || !pm->last.has_time)
        return;
    int dir;
    if (msgtype_is(t, "D") || msgtype_is(t, "F") || msgtype_is(t, "G")) {
        pm->lat_kind = LAT_ORDER;
        dir = pm->dir;
    } else if (msgtype_is(t, "8") || msgtype_is(t, "9") || msgtype_is(t, "3") ||
               msgtype_is(t, "j")) {
        pm->lat_kind = LAT_REPORT;
        dir = !pm->dir;
    } else {
        return;
    }
    pm->lat_h = lat_hash(id.p, id.n, pm->stream, dir);
    uint32_t si = (uint32_t)(pm->lat_h & (LAT_SETS - 1));
    __builtin_prefetch(&m->lat_sets[si]);
    /* and the set's orders, one of which is read (a report) or written (an
     * order): LAT_WAYS entries, a few lines */
    const char *e = (const char *)&m->lat[(size_t)si * LAT_WAYS];
    for (size_t off = 0; off < LAT_WAYS * sizeof *m->lat; off += LAT_LINE)
        __builtin_prefetch(e + off);
    __builtin_prefetch(e + LAT_WAYS * sizeof *m->lat - 1);
}

static void pair_latency(struct fix_mode *m, struct pmsg *pm)
{
    if (pm->lat_kind == LAT_NONE)
        return;
    const struct fix_fields *ff = &pm->ff;
    const uint8_t *msg = (const uint8_t *)m->arena + pm->base;
    struct text id = field_text(ff, msg, FIXV_CLORDID);
    if (pm->lat_kind == LAT_ORDER) {
        int slot = lat_find(m, &id, pm->lat_h, pm->stream, pm->dir, 1);
        m->lat[slot].t = reasm_pkt_qtime(&pm->last);
        m->lat[slot].frame = pm->last.frame;
        m->lat_sets[slot / LAT_WAYS].age[slot % LAT_WAYS] = ++m->lat_clock;
    } else {
        int slot = lat_find(m, &id, pm->lat_h, pm->stream, !pm->dir, 0);
        /* Only an order completed by an earlier packet is answered: a
         * report that waited behind a hole comes out after the packets
         * that followed its own, and an order among them is not its. */
        if (slot >= 0 && m->lat[slot].frame < pm->last.frame) {
            /* null when the two times lie too far apart for a timespan */
            pm->latency = qspan_diff(reasm_pkt_qtime(&pm->last), m->lat[slot].t);
            pm->has_latency = pm->latency != QSPAN_NULL;
            /* OrdStatus filled, canceled, rejected, expired, done for day:
             * no further reports to pair, give the slot back. */
            struct text st = field_text(ff, msg, FIXV_ORDSTATUS);
            if (st.p && st.n == 1 && order_done(st.p[0]))
                m->lat_sets[slot / LAT_WAYS].used[slot % LAT_WAYS] = 0;
        }
    }
}

/* The latency of each message of the packet, in order (before its rows). */
static void pair_pending(struct fix_mode *m)
{
    for (size_t i = 0; i < m->npend; i++)
        pair_latency(m, &m->pend[i]);
}

/* ------------------------------------------------------------ messages -- */

static int arena_put(struct fix_mode *m, const uint8_t *p, uint32_t n, uint32_t *off)
{
    if (m->arena_cap - m->arena_len < n &&
        grow_chars(&m->arena, &m->arena_cap, 65536, m->arena_len, n) != 0)
        return -1;
    memcpy(m->arena + m->arena_len, p, n);
    *off = (uint32_t)m->arena_len;
    m->arena_len += n;
    return 0;
}

_Static_assert(sizeof(struct lat_set) == LAT_LINE, "a latency set is one cache line");
_Static_assert(sizeof(struct lat_entry) == LAT_LINE, "an order is one cache line");
_Static_assert(ORIGIN_COPY <= ORIGIN_TEXT_MAX, "the fixed copy stays within an origin text");

static void on_message(void *ctx, const struct fix_message *msg)
{
    struct fix_mode *m = ctx;
    if (m->npend == m->cap_pend) {
        size_t cap = m->cap_pend ? 2 * m->cap_pend : 256;
        struct pmsg *p = realloc(m->pend, cap * sizeof *p);
        if (!p) {
            out_no_memory(m->o.out); /* exit 3, not a lost row */
            return;
        }
        m->pend = p;
        m->cap_pend = cap;
    }
    struct pmsg *pm = &m->pend[m->npend];
    /* Only the values a column can ask for: the fixed fields and the
     * --tags in use (value() reads no other slot). */
    fix_parse(msg->p, msg->len, m->tags, m->ntags, &pm->ff);
    const struct flow *f = msg->flow;
    pm->last = *msg->last;
    pm->first = *msg->first;
    pm->stream = f->stream;
    pm->end_seq = msg->end_seq;
    pm->dir = (uint8_t)msg->dir;
    pm->gap_bytes = msg->gap_bytes;
    pm->has_latency = 0;
    pm->ipver = f->ipver;
    memcpy(pm->src, f->addr[msg->dir], 16);
    memcpy(pm->dst, f->addr[!msg->dir], 16);
    pm->sport = f->port[msg->dir];
    pm->dport = f->port[!msg->dir];
    pm->segs = msg->segs;
    pm->bodylen = msg->fr->bodylen;
    pm->len = (uint32_t)msg->len;
    pm->flags = msg->flags;
    pm->chkok = (uint8_t)msg->fr->checksum_ok;
    uint32_t base = 0;
    int stored = arena_put(m, msg->p, (uint32_t)msg->len, &base) == 0;
    if (!stored) {
        out_no_memory(m->o.out); /* the row would lose its values: exit 3 */
        for (int i = 0; i < NVALS; i++)
            pm->ff.v[i].n = FIX_ABSENT;
    }
    pm->base = base;
    lat_classify(m, pm, msg->p);
    m->npend++;
}

/* ------------------------------------------------------------ rows -- */

static char *put_int_text(char *p, const char *v, uint32_t n, int *ok)
{
    *ok = n > 0 && n <= 18;
    for (uint32_t i = 0; i < n && *ok; i++)
        *ok = v[i] >= '0' && v[i] <= '9';
    if (!*ok)
        return p;
    memcpy(p, v, n);
    return p + n;
}

/* A FIX float ("-12.50", ".5", "100") as text q reads as a float. Inline,
 * with one state per byte: it runs for two cells of most rows. */
static inline char *put_float_text(char *p, const char *v, uint32_t n, int *ok)
{
    char *start = p;
    uint32_t i = 0, dots = 0;
    *ok = 0;
    if (n == 0 || n > 40)
        return p;
    if (v[0] == '-')
        *p++ = v[i++];
    if (i < n && v[i] == '.')
        *p++ = '0';
    uint32_t from = i;
    for (; i < n; i++) {
        char c = v[i];
        if (c == '.')
            dots++;
        else if ((unsigned)(c - '0') > 9)
            return start;
        *p++ = c;
    }
    if (dots == n - from || dots > 1) /* no digit, or two dots */
        return start;
    *ok = 1;
    return p;
}

/* The flags' names joined by '|', in bit order. Most messages have none:
 * the loop runs once per flag set, not once per flag name. */
static char *put_flags(char *p, uint32_t flags)
{
    flags &= (1u << FIX_NFLAGS) - 1;
    for (int first = 1; flags; first = 0) {
        int i = __builtin_ctz(flags);
        flags &= flags - 1;
        if (!first)
            *p++ = '|';
        size_t n = strlen(fix_flag_names[i]);
        memcpy(p, fix_flag_names[i], n);
        p += n;
    }
    return p;
}

/* Where and when a pending message travelled, for the common columns. */
static inline void pmsg_origin(const struct pmsg *pm, struct msg_origin *o)
{
    *o = (struct msg_origin){ &pm->first, &pm->last, pm->src, pm->dst, pm->ipver,
                              pm->sport, pm->dport, pm->stream };
}

/* Where value i of a pending message lies in the arena (present: its
 * length is not FIX_ABSENT). */
static inline const char *pmsg_value(const struct fix_mode *m, const struct pmsg *pm, int i)
{
    return m->arena + pm->base + pm->ff.v[i].off;
}

/* Whether the n bytes at a equal those at b, n <= 32 (two 16-byte
 * compares that may overlap). */
static inline int same_upto32(const char *a, const char *b, uint32_t n)
{
    if (n >= 16)
        return memcmp(a, b, 16) == 0 && memcmp(a + n - 16, b + n - 16, 16) == 0;
    return memcmp(a, b, n) == 0;
}

/* SendingTime as a q timestamp at p; nothing when absent, malformed or
 * outside q's range. Messages in a row mostly carry the same SendingTime
 * (milliseconds): its text is kept with the value it came from. */
static inline char *sendtime_text(struct fix_mode *m, const struct pmsg *pm, char *p)
{
    uint32_t n = pm->ff.v[FIXV_SENDTIME].n;
    if (n == FIX_ABSENT)
        return p;
    const char *v = pmsg_value(m, pm, FIXV_SENDTIME);
    if (n == m->send_raw_len && same_upto32(v, m->send_raw, n)) {
        if (m->send_valid)
            memcpy(p, m->send_text, FMT_TIME_LEN);
        return p + (m->send_valid ? FMT_TIME_LEN : 0);
    }
    int64_t sec;
    uint32_t nsec;
    char *s = p;
    if (fix_parse_utc_cached(&m->utc_send, (const uint8_t *)v, n, &sec, &nsec) == 0 &&
        fmt_time_in_q_range(sec, nsec))
        p = fmt_time(p, &m->tc_send, sec, nsec);
    if (n <= sizeof m->send_raw) {
        memcpy(m->send_raw, v, n);
        m->send_raw_len = n;
        m->send_valid = p != s;  /* a time is FMT_TIME_LEN bytes */
        if (m->send_valid)
            memcpy(m->send_text, s, FMT_TIME_LEN);
    }
    return p;
}

/* Text of one value at p; *kind says what it is. Always inlined into both
 * writers: the CSV loop calls it for every cell, and as a call it cost as
 * much as the formatting (register saves, the result through memory). */
static ALWAYS_INLINE char *value(struct fix_mode *m, const struct pmsg *pm,
                                  const struct msg_origin *o, int id, uint32_t bundled, char *p,
                                  struct mt_val *v)
{
    v->kind = MV_TEXT;
    char *s = p;
    int ok = 1;
    int vi = -1;
    if (id < MSGC_COUNT)
        return msg_common_value(id, o, &m->tc, m->o.fmt, p, v);
    switch (id) {
    case FC_SEGS: p = fmt_u32(p, pm->segs); break;
    case FC_BUNDLED: p = fmt_u32(p, bundled); break;
    case FC_BODYLEN: p = fmt_u32(p, pm->bodylen); break;
    case FC_LEN: p = fmt_u32(p, pm->len); break;
    case FC_GAPBYTES:
        if (!(ok = (pm->flags & FIXF_GAP) != 0))
            break;
        p = fmt_u64(p, pm->gap_bytes);
        break;
    case FC_CHKOK: *p++ = pm->chkok ? '1' : '0'; break;
    case FC_FLAGS:
        ok = pm->flags != 0;
        p = put_flags(p, pm->flags);
        break;
    case FC_LATENCY:
        if (!(ok = pm->has_latency))
            break;
        p = fmt_timespan(p, pm->latency);
        break;
    case FC_ACKTIME: ok = 0; break; /* filled in by acktime.c */
    case FC_SEQNUM:
        ok = pm->ff.v[FIXV_SEQNUM].n != FIX_ABSENT;
        if (ok)
            p = put_int_text(p, pmsg_value(m, pm, FIXV_SEQNUM), pm->ff.v[FIXV_SEQNUM].n, &ok);
        break;
    case FC_QTY:
    case FC_PRICE: {
        int f = id == FC_QTY ? FIXV_QTY : FIXV_PRICE;
        ok = pm->ff.v[f].n != FIX_ABSENT;
        if (ok)
            p = put_float_text(p, pmsg_value(m, pm, f), pm->ff.v[f].n, &ok);
        break;
    }
    case FC_SENDTIME: {
        char *e = sendtime_text(m, pm, p);
        ok = e != p;           /* a time is never empty */
        p = e;
        break;
    }
    case FC_MSGTYPE: vi = FIXV_MSGTYPE; break;
    case FC_SENDER: vi = FIXV_SENDER; break;
    case FC_TARGET: vi = FIXV_TARGET; break;
    case FC_CLORDID: vi = FIXV_CLORDID; break;
    case FC_SYMBOL: vi = FIXV_SYMBOL; break;
    case FC_SIDE: vi = FIXV_SIDE; break;
    case FC_BEGIN: vi = FIXV_BEGIN; break;
    default: vi = FIXV_COUNT + (id - FC_COUNT); break;
    }
    if (vi >= 0) {
        if (pm->ff.v[vi].n == FIX_ABSENT || pm->ff.v[vi].n == 0) {
            v->kind = MV_NULL;
            return p;
        }
        v->kind = MV_STR;
        v->p = pmsg_value(m, pm, vi);
        v->n = pm->ff.v[vi].n;
        return p;
    }
    if (!ok) {
        v->kind = MV_NULL;
        return s;
    }
    v->p = s;
    v->n = (uint32_t)(p - s);
    return p;
}

/* A string value of the message as a CSV cell and its ',' (nothing for a
 * null: absent or empty). */
static inline char *csv_str_cell(const struct fix_mode *m, const struct pmsg *pm, int vi, char *p)
{
    uint32_t n = pm->ff.v[vi].n;
    if (n != FIX_ABSENT && n != 0)
        p = mt_csv_str(p, pmsg_value(m, pm, vi), n);
    *p++ = ',';
    return p;
}

/* "src,dest,srcport,destport,stream," of a message, from the slot of its
 * stream and direction when that holds the same values. */
static inline char *csv_origin_cells(struct fix_mode *m, const struct pmsg *pm, char *p)
{
    struct origin_text *ot = &m->origins[((pm->stream << 1) | pm->dir) % ORIGIN_TEXTS];
    if (!ot->len || ot->stream != pm->stream || ot->sport != pm->sport ||
        ot->dport != pm->dport || ot->ipver != pm->ipver || memcmp(ot->src, pm->src, 16) != 0 ||
        memcmp(ot->dst, pm->dst, 16) != 0) {
        char *q = ot->text;
        q = pm->ipver == IPVER_4 ? fmt_ipv4(q, pm->src) : fmt_ipv6(q, pm->src);
        *q++ = ',';
        q = pm->ipver == IPVER_4 ? fmt_ipv4(q, pm->dst) : fmt_ipv6(q, pm->dst);
        *q++ = ',';
        q = fmt_u32(q, pm->sport);
        *q++ = ',';
        q = fmt_u32(q, pm->dport);
        *q++ = ',';
        q = fmt_u64(q, pm->stream);
        *q++ = ',';
        ot->len = (uint8_t)(q - ot->text);
        ot->stream = pm->stream;
        ot->sport = pm->sport;
        ot->dport = pm->dport;
        ot->ipver = pm->ipver;
        memcpy(ot->src, pm->src, 16);
        memcpy(ot->dst, pm->dst, 16);
    }
    /* A fixed-size copy for the usual lengths (IPv4: about 35 bytes): a
     * copy of variable length became `rep movsq`, slow to start. The row's
     * room (write_pending_csv) covers the bytes past len. */
    if (ot->len <= ORIGIN_COPY)
        memcpy(p, ot->text, ORIGIN_COPY);
    else
        memcpy(p, ot->text, ot->len);
    return p + ot->len;
}

/* The 25 default columns as CSV, each followed by ',': the text value()
 * gives each, in fix_coldefs' order, without a dispatch per cell (as
 * write_csv.c does for packet rows). */
static char *csv_default_row(struct fix_mode *m, const struct pmsg *pm, uint32_t bundled, char *p)
{
    int ok;
    /* time, ftime: the same text when the message lies in one packet */
    char *t = p;
    if (pm->last.has_time)
        p = fmt_time(p, &m->tc.time, pm->last.ts_sec, pm->last.ts_nsec);
    size_t tn = (size_t)(p - t);
    *p++ = ',';
    if (pm->first.has_time) {
        if (tn == FMT_TIME_LEN && pm->first.ts_sec == pm->last.ts_sec &&
            pm->first.ts_nsec == pm->last.ts_nsec) {
            /* formatted again from time's cache: reading back the text just
             * written stalls (its bytes are still in the store buffer, in
             * pieces the load cannot be forwarded from) */
            p = fmt_time(p, &m->tc.time, pm->first.ts_sec, pm->first.ts_nsec);
        } else {
            p = fmt_time(p, &m->tc.ftime, pm->first.ts_sec, pm->first.ts_nsec);
        }
    }
    *p++ = ',';
    /* sym: safe text, as is */
    memcpy(p, m->o.fmt->sym, m->o.fmt->sym_len);
    p += m->o.fmt->sym_len;
    *p++ = ',';
    p = csv_origin_cells(m, pm, p);
    p = fmt_u64(p, pm->last.frame);
    *p++ = ',';
    p = fmt_u32(p, pm->segs);
    *p++ = ',';
    p = fmt_u32(p, bundled);
    *p++ = ',';
    p = csv_str_cell(m, pm, FIXV_MSGTYPE, p);
    if (pm->ff.v[FIXV_SEQNUM].n != FIX_ABSENT)
        p = put_int_text(p, pmsg_value(m, pm, FIXV_SEQNUM), pm->ff.v[FIXV_SEQNUM].n, &ok);
    *p++ = ',';
    p = csv_str_cell(m, pm, FIXV_SENDER, p);
    p = csv_str_cell(m, pm, FIXV_TARGET, p);
    p = sendtime_text(m, pm, p);
    *p++ = ',';
    p = csv_str_cell(m, pm, FIXV_CLORDID, p);
    p = csv_str_cell(m, pm, FIXV_SYMBOL, p);
    p = csv_str_cell(m, pm, FIXV_SIDE, p);
    if (pm->ff.v[FIXV_QTY].n != FIX_ABSENT)
        p = put_float_text(p, pmsg_value(m, pm, FIXV_QTY), pm->ff.v[FIXV_QTY].n, &ok);
    *p++ = ',';
    if (pm->ff.v[FIXV_PRICE].n != FIX_ABSENT)
        p = put_float_text(p, pmsg_value(m, pm, FIXV_PRICE), pm->ff.v[FIXV_PRICE].n, &ok);
    *p++ = ',';
    p = fmt_u32(p, pm->bodylen);
    *p++ = ',';
    *p++ = pm->chkok ? '1' : '0';
    *p++ = ',';
    p = put_flags(p, pm->flags);
    *p++ = ',';
    if (pm->has_latency)
        p = fmt_timespan(p, pm->latency);
    *p++ = ',';
    return p;
}

/* CSV straight into the output buffer: no intermediate copy. */
static void write_pending_csv(struct fix_mode *m)
{
    struct out *o = m->o.out;
    pair_pending(m);
    size_t fixed = (size_t)m->cols.n * 64 + m->o.fmt->sym_len + 2;
    for (size_t i = 0; i < m->npend;) {
        size_t j = i;
        while (j < m->npend && m->pend[j].last.frame == m->pend[i].last.frame)
            j++;
        uint32_t bundled = (uint32_t)(j - i);
        for (; i < j; i++) {
            const struct pmsg *pm = &m->pend[i];
            if (!out_in_window(o, pm->last.has_time, pm->last.ts_sec, pm->last.ts_nsec) ||
                !out_take_row(o))
                continue; /* outside --from/--to, or -c reached */
            /* a string value lies within the message: its escaped form
             * takes at most MT_CSV_STR_ROOM(len) */
            if (out_reserve(o, fixed + (size_t)m->cols.n * MT_CSV_STR_ROOM(pm->len)) != 0)
                continue;
            char *p = out_cursor(o);
            struct msg_origin origin;
            pmsg_origin(pm, &origin);
            /* Each cell is followed by ','; the last one becomes '\n'. */
            if (m->csv_default) {
                p = csv_default_row(m, pm, bundled, p);
            } else {
                for (int c = 0; c < m->cols.n; c++) {
                    struct mt_val v;
                    char *e = value(m, pm, &origin, m->cols.col[c].id, bundled, p, &v);
                    if (v.kind == MV_TEXT && v.p == p) {
                        p = e;
                    } else if (v.kind == MV_TEXT) {
                        memcpy(p, v.p, v.n);
                        p += v.n;
                    } else if (v.kind == MV_STR) {
                        p = mt_csv_str(p, v.p, v.n);
                    }
                    *p++ = ',';
                }
            }
            if (m->cols.n > 0)   /* always: --columns cannot be empty */
                p[-1] = '\n';
            out_advance(o, p);
        }
    }
    m->npend = 0;
    m->arena_len = 0;
}

static void write_pending(struct fix_mode *m)
{
    if (!m->o.q && !m->w.bb && !m->ack) {
        write_pending_csv(m);
        return;
    }
    struct mt_val vals[MT_MAX_COLS];
    char scratch[MT_MAX_COLS * 64];
    pair_pending(m);
    for (size_t i = 0; i < m->npend;) {
        /* bundled: messages completed by the same packet */
        size_t j = i;
        while (j < m->npend && m->pend[j].last.frame == m->pend[i].last.frame)
            j++;
        uint32_t bundled = (uint32_t)(j - i);
        for (; i < j; i++) {
            char *p = scratch;
            const struct pmsg *pm = &m->pend[i];
            struct msg_origin origin;
            pmsg_origin(pm, &origin);
            for (int c = 0; c < m->cols.n; c++)
                p = value(m, pm, &origin, m->cols.col[c].id, bundled, p, &vals[c]);
            if (!out_in_window(m->w.out, pm->last.has_time, pm->last.ts_sec, pm->last.ts_nsec))
                continue; /* --from/--to: outside the window */
            if (m->ack)
                acktime_row(m->ack, vals, pm->stream, pm->dir, pm->end_seq,
                            reasm_pkt_qtime(&pm->last), pm->last.has_time);
            else
                mt_row(&m->w, vals);
        }
    }
    m->npend = 0;
    m->arena_len = 0;
}

/* ------------------------------------------------------------ hooks -- */

static void reassemble(struct fix_mode *m, struct row *r, struct flow *f, int dir)
{
    struct reasm_pkt pkt = { r->frame, r->ts_sec, r->ts_nsec, (r->present & HAS_TIME) != 0 };
    reasm_packet(&m->ra, f, dir, r, &pkt);
}

/* With acktime: the packet's rows are held, then its ACK settles rows.
 * Kept out of line so that mode_packet stays as lean as without it. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void held_packet(struct fix_mode *m, struct row *r, struct flow *f, int dir)
{
    if (f)
        reassemble(m, r, f, dir);
    if (m->npend)
        write_pending(m);
    acktime_packet(m->ack, r, f != NULL, f ? f->stream : 0, dir);
}

static void mode_packet(void *ctx, struct row *r, struct flow *f, int dir)
{
    struct fix_mode *m = ctx;
    if (m->ack) {
        held_packet(m, r, f, dir);
        return;
    }
    /* The previous packet's messages are written now rather than when they
     * were framed: pairing their latency reads a line of the large order
     * table that lat_classify asked for then, and a packet's work gives it
     * time to arrive (that miss was an eighth of --fix's time). Whatever
     * else could see them first writes them first: an evicted connection's
     * last messages (mode_evict), a pause or damage (mode_pause), the end. */
    if (m->npend)
        write_pending(m);
    if (f)
        reassemble(m, r, f, dir);
    /* -c: the driver stops reading once the table has its rows */
    if (m->npend && out_would_fill(m->o.out, m->npend))
        write_pending(m);
}

/* A packet the filters drop: only acktime's clock sees it. */
static void mode_clock(void *ctx, const struct row *r)
{
    struct fix_mode *m = ctx;
    if (m->ack)
        acktime_clock(m->ack, r);
}

static void mode_end_input(void *ctx)
{
    struct fix_mode *m = ctx;
    /* The driver has ended every connection: their queued bytes are framed. */
    if (m->npend)
        write_pending(m);
    if (m->ack)
        acktime_flush(m->ack);
}

static void mode_evict(void *ctx, struct flow *f)
{
    struct fix_mode *m = ctx;
    if (m->npend && !m->ack)
        write_pending(m);      /* the previous packet's, before this end's */
    reasm_flow_end(&m->ra, f);
    if (m->ack) {
        /* its last messages are held too, then none can be acknowledged */
        if (m->npend)
            write_pending(m);
        acktime_stream_end(m->ack, f->stream);
    }
}

static int mode_columns(const struct mode_opts *o, struct mt_columns *cols, char *err,
                        size_t errlen)
{
    uint32_t tags[FIX_MAX_EXTRA];
    int ntags;
    return fix_mode_columns(o, cols, tags, &ntags, err, errlen);
}

static void *mode_create(const struct mode_opts *o, char *err, size_t errlen)
{
    struct fix_mode *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->o = *o;
    if (fix_mode_columns(o, &m->cols, m->tags, &m->ntags, err, errlen) != 0) {
        free(m);
        return NULL;
    }
    m->lat = aligned_alloc(LAT_LINE, FIX_LAT_SLOTS * sizeof *m->lat);
    if (m->lat)
        memset(m->lat, 0, FIX_LAT_SLOTS * sizeof *m->lat);
    m->lat_sets = aligned_alloc(LAT_LINE, LAT_SETS * sizeof *m->lat_sets);
    if (m->lat_sets)
        memset(m->lat_sets, 0, LAT_SETS * sizeof *m->lat_sets);
    if (!m->lat || !m->lat_sets) {
        free(m->lat);
        free(m->lat_sets);
        free(m);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->w = (struct mt_writer){ .out = o->out, .cols = &m->cols, .q = o->q, .header = o->header,
                               .table = o->table, .bb = o->batch };
    for (int c = 0; c < m->cols.n; c++)
        if (m->cols.col[c].id == FC_ACKTIME && !(m->ack = acktime_new(&m->w, c))) {
            free(m->lat);
            free(m->lat_sets);
            free(m);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
    m->send_raw_len = FIX_ABSENT;
    m->csv_default = !o->q && !o->batch && !m->ack && m->cols.n == FIX_DEFAULT_COLUMNS;
    for (int c = 0; c < m->cols.n; c++)
        m->csv_default &= m->cols.col[c].id == c;
    m->fx.on_message = on_message;
    m->fx.ctx = m;
    m->fr = fix_reasm_framer(&m->fx);
    reasm_init(&m->ra, &m->fr, REASM_DEFAULT_BUDGET);
    return m;
}

static void mode_begin(void *ctx)
{
    struct fix_mode *m = ctx;
    mt_begin(&m->w);
}

static void mode_pause(void *ctx)
{
    struct fix_mode *m = ctx;
    if (m->npend)
        write_pending(m);
    mt_pause(&m->w);
}

static void mode_end(void *ctx)
{
    struct fix_mode *m = ctx;
    if (m->npend)              /* none: end_input wrote them */
        write_pending(m);
    mt_end(&m->w);
}

static void mode_free(void *ctx)
{
    struct fix_mode *m = ctx;
    if (!m)
        return;
    free(m->pend);
    free(m->arena);
    free(m->lat);
    free(m->lat_sets);
    acktime_free(m->ack);
    free(m);
}

static void mode_stats(void *ctx, FILE *f)
{
    struct fix_mode *m = ctx;
    reasm_stats_print(&m->ra, f);
    if (m->ack)
        acktime_stats_print(m->ack, f);
}

const struct mode_ops fix_mode_ops = {
    .name = "fix",
    .help = "one row per FIX message instead of per packet",
    .columns = mode_columns,
    .create = mode_create,
    .begin = mode_begin,
    .packet = mode_packet,
    .clock = mode_clock,
    .end_input = mode_end_input,
    .pause = mode_pause,
    .evict = mode_evict,
    .end = mode_end,
    .free = mode_free,
    .stats = mode_stats,
};
