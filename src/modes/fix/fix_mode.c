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

struct fix_mode {
    struct mode_opts o;
    struct mt_columns cols;
    uint32_t tags[FIX_MAX_EXTRA];
    int ntags;
    struct table_writer w;
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
    struct fix_utc_cache utc_send;
    /* the last SendingTime value (send_raw_len FIX_ABSENT: none) and its
     * time, when valid */
    char send_raw[32];
    uint32_t send_raw_len;
    int send_valid;
    int64_t send_sec;
    uint32_t send_nsec;
    struct acktime *ack;           /* rows wait for their ACK: acktime is a column */
    int default_columns;           /* the FIX_DEFAULT_COLUMNS, in order */
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

static void column_encoding(struct mt_col *c);

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
    for (int i = 0; i < cols->n; i++)
        column_encoding(&cols->col[i]);
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

/* A FIX int ("0001") as it is sent: its digits, which the writers print
 * as they are (BENC_DECIMAL); null unless 1 to 18 digits. */
static int int_text_ok(const char *v, uint32_t n)
{
    int ok = n > 0 && n <= 18;
    for (uint32_t i = 0; i < n && ok; i++)
        ok = v[i] >= '0' && v[i] <= '9';
    return ok;
}

/* Room for put_float_text's text of a value up to 40 bytes. */
#define FLOAT_TEXT_MAX 48

/* A FIX float ("-12.50", ".5", "100") as text q reads as a float ("-0.5"),
 * at p; the end, or p when it is none. Inline, with one state per byte: it
 * runs for two cells of most rows. */
static inline char *put_float_text(char *p, const char *v, uint32_t n)
{
    char *start = p;
    uint32_t i = 0, dots = 0;
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
    return p;
}

/* Room for every flag's name and a '|' after each (fix_flag_names: about
 * 80 bytes). */
#define FLAGS_TEXT_MAX 128

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

/* SendingTime as Unix time; 0 when absent, malformed or outside q's
 * range. Messages in a row mostly carry the same SendingTime
 * (milliseconds): its time is kept with the value it came from. */
static inline int sendtime(struct fix_mode *m, const struct pmsg *pm, int64_t *sec,
                           uint32_t *nsec)
{
    uint32_t n = pm->ff.v[FIXV_SENDTIME].n;
    if (n == FIX_ABSENT)
        return 0;
    const char *v = pmsg_value(m, pm, FIXV_SENDTIME);
    if (!(n == m->send_raw_len && same_upto32(v, m->send_raw, n))) {
        int valid = fix_parse_utc_cached(&m->utc_send, (const uint8_t *)v, n, &m->send_sec,
                                         &m->send_nsec) == 0 &&
                    fmt_time_in_q_range(m->send_sec, m->send_nsec);
        if (n > sizeof m->send_raw) {
            *sec = m->send_sec;
            *nsec = m->send_nsec;
            m->send_raw_len = FIX_ABSENT; /* not kept: the next is parsed */
            return valid;
        }
        memcpy(m->send_raw, v, n);
        m->send_raw_len = n;
        m->send_valid = valid;
    }
    *sec = m->send_sec;
    *nsec = m->send_nsec;
    return m->send_valid;
}

/* The message's value of a wire text column (id), or -1 for any other. */
static inline int wire_value(int id)
{
    switch (id) {
    case FC_MSGTYPE: return FIXV_MSGTYPE;
    case FC_SENDER: return FIXV_SENDER;
    case FC_TARGET: return FIXV_TARGET;
    case FC_CLORDID: return FIXV_CLORDID;
    case FC_SYMBOL: return FIXV_SYMBOL;
    case FC_SIDE: return FIXV_SIDE;
    case FC_BEGIN: return FIXV_BEGIN;
    default: return id >= FC_COUNT ? FIXV_COUNT + (id - FC_COUNT) : -1;
    }
}

/* How column id's values are held: the message's values as the wire text
 * they are, numbers that must print as sent as their decimal text, ours
 * as q's own or compact. */
static void column_encoding(struct mt_col *c)
{
    switch (c->id) {
    case FC_SEGS: case FC_BUNDLED: case FC_BODYLEN: case FC_LEN: c->enc = BENC_U32; break;
    case FC_SENDTIME: c->enc = BENC_UNIX_TIME; break;
    case FC_SEQNUM: case FC_QTY: case FC_PRICE: c->enc = BENC_DECIMAL; break;
    default:
        if (c->id < MSGC_COUNT)
            c->enc = msg_common_encoding(c->id);
        else
            c->wire_text = wire_value(c->id) >= 0;
        break;
    }
}

/* Text a row makes of its own (bb_set_ref), for as long as the row. */
struct row_text {
    char qty[FLOAT_TEXT_MAX], price[FLOAT_TEXT_MAX], flags[FLAGS_TEXT_MAX];
};

/* A float value (FIXV_QTY, FIXV_PRICE) as put_float_text's text at t. */
static inline void set_float(struct batch_builder *bb, int c, int r, const struct fix_mode *m,
                             const struct pmsg *pm, int vi, char *t)
{
    uint32_t n = pm->ff.v[vi].n;
    char *e = n == FIX_ABSENT ? t : put_float_text(t, pmsg_value(m, pm, vi), n);
    bb_set_ref(bb, c, r, t, (size_t)(e - t));
}

/* Sets column c of row r, the value of column id. Always inlined into the
 * row's loop: it runs for every cell. */
static ALWAYS_INLINE void set_value(struct fix_mode *m, const struct pmsg *pm,
                                    const struct msg_origin *o, int id, uint32_t bundled,
                                    struct batch_builder *bb, int c, int r, struct row_text *rt)
{
    if (id < MSGC_COUNT) {
        msg_common_set(bb, c, r, id, o, m->o.fmt);
        return;
    }
    switch (id) {
    case FC_SEGS: bb_set_u32(bb, c, r, pm->segs); return;
    case FC_BUNDLED: bb_set_u32(bb, c, r, bundled); return;
    case FC_BODYLEN: bb_set_u32(bb, c, r, pm->bodylen); return;
    case FC_LEN: bb_set_u32(bb, c, r, pm->len); return;
    case FC_GAPBYTES:
        bb_set_j(bb, c, r, pm->flags & FIXF_GAP ? (int64_t)pm->gap_bytes : Q_NULL_LONG);
        return;
    case FC_CHKOK: bb_set_b(bb, c, r, pm->chkok); return;
    case FC_FLAGS:
        bb_set_ref(bb, c, r, rt->flags, (size_t)(put_flags(rt->flags, pm->flags) - rt->flags));
        return;
    case FC_LATENCY: bb_set_j(bb, c, r, pm->has_latency ? pm->latency : Q_NULL_LONG); return;
    case FC_ACKTIME: bb_set_null(bb, c, r); return; /* acktime.c sets it */
    case FC_SEQNUM: {
        uint32_t n = pm->ff.v[FIXV_SEQNUM].n;
        const char *v = pmsg_value(m, pm, FIXV_SEQNUM);
        bb_set_ref(bb, c, r, v, n != FIX_ABSENT && int_text_ok(v, n) ? n : 0);
        return;
    }
    case FC_QTY: set_float(bb, c, r, m, pm, FIXV_QTY, rt->qty); return;
    case FC_PRICE: set_float(bb, c, r, m, pm, FIXV_PRICE, rt->price); return;
    case FC_SENDTIME: {
        int64_t sec;
        uint32_t nsec;
        if (sendtime(m, pm, &sec, &nsec))
            bb_set_time(bb, c, r, sec, nsec);
        else
            bb_set_null(bb, c, r);
        return;
    }
    default: {
        int vi = wire_value(id);
        uint32_t n = pm->ff.v[vi].n;
        /* absent or empty: null */
        bb_set_wire(bb, c, r, pmsg_value(m, pm, vi), n == FIX_ABSENT ? 0 : n);
        return;
    }
    }
}

/* Bytes of text a message's row may copy (bb_row's text_max): the sym,
 * the text it makes, and each wire value, which lies within the message. */
static size_t row_text_max(const struct fix_mode *m, const struct pmsg *pm)
{
    size_t n = m->o.fmt->sym_len + sizeof(struct row_text);
    for (int c = 0; c < m->cols.n; c++) {
        int id = m->cols.col[c].id;
        int vi = id == FC_SEQNUM ? FIXV_SEQNUM : wire_value(id);
        if (vi >= 0 && pm->ff.v[vi].n != FIX_ABSENT)
            n += pm->ff.v[vi].n;
    }
    return n;
}

/* The messages of the packet that completed them, in order, as rows. */
static void write_pending(struct fix_mode *m)
{
    struct batch_builder *bb = m->w.bb;
    pair_pending(m);
    for (size_t i = 0; i < m->npend;) {
        /* bundled: messages completed by the same packet */
        size_t j = i;
        while (j < m->npend && m->pend[j].last.frame == m->pend[i].last.frame)
            j++;
        uint32_t bundled = (uint32_t)(j - i);
        for (; i < j; i++) {
            const struct pmsg *pm = &m->pend[i];
            if (!out_in_window(m->w.out, pm->last.has_time, pm->last.ts_sec, pm->last.ts_nsec))
                continue; /* --from/--to: outside the window */
            /* text pointed at needs no room */
            size_t text = bb->text_by_reference ? 0 : row_text_max(m, pm);
            int r = m->ack ? acktime_row_begin(m->ack, text) : tw_row(&m->w, text);
            if (r < 0)
                continue; /* -c reached, or the output failed */
            struct row_text rt;
            struct msg_origin origin;
            pmsg_origin(pm, &origin);
            if (m->default_columns) {
                /* each column's id a constant once unrolled: no dispatch */
#pragma GCC unroll 32
                for (int c = 0; c < FIX_DEFAULT_COLUMNS; c++)
                    set_value(m, pm, &origin, c, bundled, bb, c, r, &rt);
            } else {
                for (int c = 0; c < m->cols.n; c++)
                    set_value(m, pm, &origin, m->cols.col[c].id, bundled, bb, c, r, &rt);
            }
            if (m->ack)
                acktime_row(m->ack, r, pm->stream, pm->dir, pm->end_seq,
                            reasm_pkt_qtime(&pm->last), pm->last.has_time);
            else
                tw_row_done(&m->w);
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
    int ok = m->lat && m->lat_sets &&
             tw_open(&m->w, &m->cols, o->table, o->out, o->q, o->header, o->batch) == 0;
    for (int c = 0; c < m->cols.n && ok; c++)
        if (m->cols.col[c].id == FC_ACKTIME && !(m->ack = acktime_new(&m->w, c)))
            ok = 0;
    if (!ok) {
        tw_free(&m->w);
        free(m->lat);
        free(m->lat_sets);
        free(m);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->send_raw_len = FIX_ABSENT;
    m->default_columns = m->cols.n == FIX_DEFAULT_COLUMNS;
    for (int c = 0; c < m->cols.n; c++)
        m->default_columns &= m->cols.col[c].id == c;
    m->fx.on_message = on_message;
    m->fx.ctx = m;
    m->fr = fix_reasm_framer(&m->fx);
    reasm_init(&m->ra, &m->fr, REASM_DEFAULT_BUDGET);
    return m;
}

static void mode_begin(void *ctx)
{
    struct fix_mode *m = ctx;
    tw_begin(&m->w);
}

static void mode_pause(void *ctx)
{
    struct fix_mode *m = ctx;
    if (m->npend)
        write_pending(m);
    tw_pause(&m->w);
}

static void mode_end(void *ctx)
{
    struct fix_mode *m = ctx;
    if (m->npend)              /* none: end_input wrote them */
        write_pending(m);
    tw_end(&m->w);
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
    tw_free(&m->w);
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
