/* publish.c: --publish, batches as kdb+ IPC messages (publish.h). */
#define _POSIX_C_SOURCE 200809L
#include "publish.h"
#include "qload.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int publish_wire_columns(struct publish_wire *w, const struct table_schema *sc,
                         enum publish_layout layout, char *err, size_t errcap)
{
    memset(w, 0, sizeof *w);
    if (sc->ncols > 64) {
        snprintf(err, errcap, "--publish: at most 64 columns");
        return -1;
    }
    int sym = -1;
    if (layout == LAYOUT_TICK) {
        /* kdb-tick's .u.tick insists on `time`sym first (types n, s); its
         * upd prepends time itself when the first column is not a timespan */
        for (int i = 0; i < sc->ncols && sym < 0; i++)
            if (strcmp(sc->cols[i].name, "sym") == 0 && sc->cols[i].qtype == 'S')
                sym = i;
        if (sym < 0) {
            snprintf(err, errcap, "--publish to a tickerplant needs the sym column among the "
                                  "columns (or --publish-layout plain)");
            return -1;
        }
        w->order[w->n] = sym;
        w->names[w->n++] = "sym";
    }
    for (int i = 0; i < sc->ncols; i++) {
        if (i == sym)
            continue;
        w->order[w->n] = i;
        w->names[w->n++] = layout == LAYOUT_TICK && strcmp(sc->cols[i].name, "time") == 0
                               ? "ptime"
                               : sc->cols[i].name;
    }
    return 0;
}

void publish_print_schema(FILE *f, const struct table_schema *sc, const struct publish_wire *w,
                          enum publish_layout layout)
{
    if (layout == LAYOUT_PLAIN) { /* the table pcap2kdb -f q creates */
        fprintf(f, "%s:([]", sc->name);
        for (int i = 0; i < w->n; i++)
            fprintf(f, " %s:%s%s", w->names[i], q_empty_list(sc->cols[w->order[i]].qtype),
                    i + 1 < w->n ? ";" : "");
        fprintf(f, ")\n");
        return;
    }
    fprintf(f, "%s:([]time:`timespan$();sym:`g#`symbol$()", sc->name);
    for (int i = 1; i < w->n; i++)
        fprintf(f, ";%s:%s", w->names[i], q_empty_list(sc->cols[w->order[i]].qtype));
    fprintf(f, ")\n");
}

struct publisher {
    struct qtarget target;
    const struct table_schema *schema;
    enum publish_layout layout;
    struct publish_wire wire;
    double retry_for_s;
    const char *prog;
    struct qconn conn;
    struct qbuf msg;           /* the batch being sent: kept until written */
    struct qbuf req;           /* sync requests and their answers */
    struct publish_stats st;
    uint64_t confirmed_rows;   /* rows the receiver is known to have read */
    uint64_t sync_errors;      /* confirmation syncs answered with an error */
    uint64_t last_sync_ns;
    /* When the receiver last failed with no sync answered since (0: it
     * answers): --retry-for counts from there, however often a reconnection
     * succeeds only to fail again. */
    uint64_t failing_since_ns;
    uint64_t backoff_ns;       /* before the next reconnection while failing */
};

/* The sync requests after which every earlier message is known read come
 * at least this often: they bound the rows a broken connection puts in
 * doubt, for one round trip a second. */
#define CONFIRM_EVERY_NS 1000000000u
/* Retries wait 0.5, 1, 2, 4, 5, 5... s */
#define INITIAL_BACKOFF_NS 500000000u
#define MAX_BACKOFF_NS 5000000000u
/* The try at the end of --retry-for: its connection, handshake and table
 * check get this long, so --retry-for 0 still tries once. */
#define LAST_TRY_NS 1000000000u

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* The q type letter meta shows for a column we send. */
static char meta_type(char qtype)
{
    switch (qtype) {
    case 'P': return 'p';
    case 'N': return 'n';
    case 'J': return 'j';
    case 'I': return 'i';
    case 'H': return 'h';
    case 'B': return 'b';
    case 'F': return 'f';
    case 'S': return 's';
    default: return 'C';
    }
}

/* A sync request of the text q, answer in p->req. */
static enum qconn_status request(struct publisher *p, const char *q)
{
    qb_begin(&p->req, QMSG_SYNC);
    qb_chars(&p->req, q, strlen(q));
    qb_end(&p->req);
    enum qconn_status s = qconn_request(&p->conn, &p->req);
    if (s == QC_OK)
        p->last_sync_ns = qconn_now_ns();
    return s;
}

/* Before any row: does the receiver's table take what we send?
 * PUB_USAGE on a clear mismatch; QC status in *cs when the link failed. */
static enum publish_status check_schema(struct publisher *p, enum qconn_status *cs)
{
    char q[160];
    snprintf(q, sizeof q, "0!meta %s", p->schema->name);
    *cs = request(p, q);
    if (*cs != QC_OK)
        return PUB_OK;
    char names[70][32], types[70], err[256];
    int n = 0;
    enum qanswer a = qipc_read_answer(p->req.p + QIPC_HEADER, p->req.len - QIPC_HEADER,
                                      p->req.p[0] == 1, err, sizeof err, names, types, 70, &n);
    if (a == QA_ERROR && strcmp(err, p->schema->name) == 0) {
        fprintf(stderr, "%s: publish %s: the receiver has no table %s\n", p->prog,
                p->target.shown, p->schema->name);
        return PUB_USAGE;
    }
    if (a != QA_TABLE) {
        fprintf(stderr, "%s: publish %s: warning: cannot check table %s (%s%s%s); publishing "
                        "anyway\n",
                p->prog, p->target.shown, p->schema->name,
                a == QA_ERROR ? "the receiver answered '" : "the answer to 0!meta is not a table",
                a == QA_ERROR ? err : "", a == QA_ERROR ? "" : "");
        return PUB_OK;
    }
    /* The columns we send, with the tickerplant's time in front. */
    const char *wn[66];
    char wt[66];
    int k = 0;
    if (p->layout == LAYOUT_TICK) {
        wn[k] = "time";
        wt[k++] = 'n';
    }
    for (int i = 0; i < p->wire.n; i++) {
        wn[k] = p->wire.names[i];
        wt[k++] = meta_type(p->schema->cols[p->wire.order[i]].qtype);
    }
    for (int i = 0; i < k || i < n; i++) {
        if (i >= n) {
            fprintf(stderr, "%s: publish %s: table %s has no column %s (column %d)\n", p->prog,
                    p->target.shown, p->schema->name, wn[i], i + 1);
            return PUB_USAGE;
        }
        if (i >= k) {
            fprintf(stderr, "%s: publish %s: table %s has a column %s (column %d) that is not "
                            "sent\n",
                    p->prog, p->target.shown, p->schema->name, names[i], i + 1);
            return PUB_USAGE;
        }
        /* an empty string column shows type " " until it holds strings */
        int type_ok = types[i] == wt[i] || (wt[i] == 'C' && types[i] == ' ');
        if (strcmp(names[i], wn[i]) != 0 || !type_ok) {
            fprintf(stderr, "%s: publish %s: table %s column %d is %s of type \"%c\", "
                            "pcap2kdb sends %s of type \"%c\"\n",
                    p->prog, p->target.shown, p->schema->name, i + 1, names[i], types[i], wn[i],
                    wt[i]);
            return PUB_USAGE;
        }
    }
    return PUB_OK;
}

/* Waits the backoff *wait, but not past deadline_ns, and doubles it for the
 * next time (up to MAX_BACKOFF_NS). */
static void back_off(uint64_t *wait, uint64_t now, uint64_t deadline_ns)
{
    sleep_ns(*wait < deadline_ns - now ? *wait : deadline_ns - now);
    *wait = *wait * 2 > MAX_BACKOFF_NS ? MAX_BACKOFF_NS : *wait * 2;
}

/* "gave up" on stderr: why, and after how long since the trouble began. */
static void gave_up(const struct publisher *p, uint64_t since_ns)
{
    fprintf(stderr, "%s: publish %s: %s; gave up after %.0f s\n", p->prog, p->target.shown,
            p->conn.err, (double)(qconn_now_ns() - since_ns) / 1e9);
}

/* Connects and checks; retries an unreachable receiver from since_ns until
 * deadline_ns with backoff 0.5, 1, 2, 4, 5, 5... s, the last try at the
 * deadline, which may take LAST_TRY_NS more: the connection, handshake and
 * table check all end by then. Reconnecting, a receiver that now refuses
 * our table or is too old is lost (exit 3 if rows were published), not a
 * usage error. */
static enum publish_status connect_checked(struct publisher *p, uint64_t since_ns,
                                           uint64_t deadline_ns, int reconnecting)
{
    uint64_t wait = INITIAL_BACKOFF_NS;
    p->conn.deadline_ns = deadline_ns + LAST_TRY_NS;
    enum publish_status ps = PUB_OK;
    for (;;) {
        enum qconn_status cs = qconn_open(&p->conn, &p->target);
        if (cs == QC_OK) {
            ps = check_schema(p, &cs);
            if (ps != PUB_OK) {
                qconn_close(&p->conn);
                ps = reconnecting && ps == PUB_USAGE ? PUB_FAILED : ps;
                break;
            }
            if (cs == QC_OK)
                break;
            qconn_close(&p->conn);
        }
        if (cs == QC_TOO_OLD) {
            fprintf(stderr, "%s: publish %s: %s\n", p->prog, p->target.shown, p->conn.err);
            ps = reconnecting ? PUB_FAILED : PUB_USAGE;
            break;
        }
        if (cs == QC_REFUSED && !reconnecting) {
            fprintf(stderr, "%s: publish %s: connection refused during the handshake "
                            "(wrong user or password?)\n",
                    p->prog, p->target.shown);
            ps = PUB_USAGE;
            break;
        }
        uint64_t now = qconn_now_ns();
        if (now >= deadline_ns) {
            gave_up(p, since_ns);
            ps = reconnecting ? PUB_FAILED : PUB_USAGE;
            break;
        }
        back_off(&wait, now, deadline_ns);
    }
    p->conn.deadline_ns = 0; /* connected: a receiver that reads is waited for */
    return ps;
}

struct publisher *publisher_open(const struct qtarget *t, const struct table_schema *sc,
                                 enum publish_layout layout, double retry_for_s,
                                 const char *prog, enum publish_status *st)
{
    struct publisher *p = calloc(1, sizeof *p);
    char err[256];
    *st = PUB_USAGE;
    if (!p)
        return NULL;
    p->target = *t;
    p->schema = sc;
    p->layout = layout;
    p->retry_for_s = retry_for_s;
    p->prog = prog;
    qconn_init(&p->conn);
    /* A receiver that neither reads nor answers this long is lost (struct
     * qconn): --retry-for, at least 1 s and at most QCONN_STALL_TIMEOUT_MS. */
    double stall_ms = retry_for_s * 1000;
    p->conn.timeout_ms = stall_ms < 1000 ? 1000
                         : stall_ms > QCONN_STALL_TIMEOUT_MS ? QCONN_STALL_TIMEOUT_MS
                                                             : (int)stall_ms;
    qb_init(&p->msg);
    qb_init(&p->req);
    if (publish_wire_columns(&p->wire, sc, layout, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        publisher_free(p);
        return NULL;
    }
    uint64_t now = qconn_now_ns();
    *st = connect_checked(p, now, now + (uint64_t)(retry_for_s * 1e9), 0);
    if (*st != PUB_OK) {
        publisher_free(p);
        return NULL;
    }
    return p;
}

/* The receiver is lost for good: what was published, and how much of it is
 * in doubt: doubt since the last confirmation or reconnection, and what
 * earlier reconnections put in doubt (stderr and --stats say the same).
 * Nothing published (no message written whole, so the receiver has no
 * row) is exit 1, as when it cannot be reached at all. */
static enum publish_status lost(struct publisher *p, uint64_t doubt, enum publish_status ps)
{
    if (p->st.rows == 0) {
        fprintf(stderr, "%s: publish %s: nothing published\n", p->prog, p->target.shown);
        return PUB_USAGE;
    }
    p->st.uncertain_rows += doubt;
    fprintf(stderr, "%s: publish %s: %llu rows published (%llu of them not confirmed)\n",
            p->prog, p->target.shown, (unsigned long long)p->st.rows,
            (unsigned long long)p->st.uncertain_rows);
    return ps;
}

/* The connection broke while msg was being sent: reconnect and send msg
 * again. The rows written since the last confirmation are in doubt. */
static enum publish_status recover(struct publisher *p, uint64_t rows_in_msg)
{
    uint64_t doubt = p->st.rows - p->confirmed_rows;
    uint64_t now = qconn_now_ns();
    uint64_t deadline = (p->failing_since_ns ? p->failing_since_ns : now) +
                        (uint64_t)(p->retry_for_s * 1e9);
    qconn_close(&p->conn);
    if (!p->failing_since_ns) {
        p->failing_since_ns = now;
        p->backoff_ns = INITIAL_BACKOFF_NS;
    } else if (now < deadline) {
        /* a reconnection that fails again at once waits as connecting does */
        back_off(&p->backoff_ns, now, deadline);
        now = qconn_now_ns();
    }
    uint64_t since = p->failing_since_ns;
    if (now >= deadline) {
        /* reconnections worked, but no sync has been answered since */
        gave_up(p, since);
        return lost(p, doubt, PUB_FAILED);
    }
    fprintf(stderr, "%s: publish %s: connection lost (%s); reconnecting until %.0f s after "
                    "the trouble began\n",
            p->prog, p->target.shown, p->conn.err, p->retry_for_s);
    for (;;) {
        enum publish_status ps = connect_checked(p, since, deadline, 1);
        if (ps != PUB_OK)
            return lost(p, doubt, ps);
        p->st.reconnects++;
        if (qconn_send(&p->conn, p->msg.p, p->msg.len) == QC_OK)
            break;
        qconn_close(&p->conn);
        if (qconn_now_ns() >= deadline) {
            gave_up(p, since);
            return lost(p, doubt, PUB_FAILED);
        }
    }
    p->st.uncertain_rows += doubt;
    p->confirmed_rows = p->st.rows; /* counted again from here */
    if (rows_in_msg)
        fprintf(stderr, "%s: publish %s: reconnected; the %llu rows written since the last "
                        "confirmed message may be lost; the batch of %llu rows whose write "
                        "failed was sent again\n",
                p->prog, p->target.shown, (unsigned long long)doubt,
                (unsigned long long)rows_in_msg);
    else
        fprintf(stderr, "%s: publish %s: reconnected; the %llu rows written since the last "
                        "confirmed message may be lost\n",
                p->prog, p->target.shown, (unsigned long long)doubt);
    return PUB_OK;
}

/* Every message so far read by the receiver: a sync round trip. */
static enum publish_status confirm(struct publisher *p, int final)
{
    for (;;) {
        enum qconn_status cs = request(p, "");
        if (cs == QC_OK) {
            char err[256], names[1][32], types[1];
            int n;
            int error = qipc_read_answer(p->req.p + QIPC_HEADER, p->req.len - QIPC_HEADER,
                                         p->req.p[0] == 1, err, sizeof err, names, types, 1,
                                         &n) == QA_ERROR;
            if (error && final) {
                fprintf(stderr, "%s: publish %s: the receiver answered the final sync with "
                                "an error: '%s\n",
                        p->prog, p->target.shown, err);
                return PUB_FAILED;
            }
            /* An error answer still shows every earlier message read, but
             * a receiver failing on "" may be failing on the rows too: the
             * first is shown, and the run ends with exit 3. */
            if (error && p->sync_errors++ == 0)
                fprintf(stderr, "%s: publish %s: the receiver answered a sync with an error: "
                                "'%s; publishing goes on, exit 3 at the end\n",
                        p->prog, p->target.shown, err);
            p->confirmed_rows = p->st.rows;
            p->failing_since_ns = 0; /* the receiver answers again */
            if (final && p->sync_errors) {
                fprintf(stderr, "%s: publish %s: the receiver answered %llu confirmation "
                                "sync%s with an error\n",
                        p->prog, p->target.shown, (unsigned long long)p->sync_errors,
                        p->sync_errors == 1 ? "" : "s");
                return PUB_FAILED;
            }
            return PUB_OK;
        }
        /* Nothing to resend: the loop asks again on the new connection. */
        p->msg.len = 0;
        enum publish_status ps = recover(p, 0);
        if (ps != PUB_OK)
            return ps;
    }
}

enum publish_status publisher_send(struct publisher *p, const struct batch *b)
{
    if (b->nrows == 0)
        return PUB_OK;
    if (qipc_call_batch(&p->msg, ".u.upd", p->schema->name, b, p->wire.order, p->wire.n) != 0) {
        fprintf(stderr, "%s: publish %s: a batch of %d rows does not fit in one message\n",
                p->prog, p->target.shown, b->nrows);
        return PUB_FAILED;
    }
    if (qconn_send(&p->conn, p->msg.p, p->msg.len) != QC_OK) {
        enum publish_status ps = recover(p, (uint64_t)b->nrows);
        if (ps != PUB_OK)
            return ps;
    }
    p->st.messages++;
    p->st.rows += (uint64_t)b->nrows;
    p->st.bytes += p->msg.len;
    if (qconn_poll(&p->conn) != QC_OK) { /* what the receiver sent meanwhile */
        p->msg.len = 0; /* written whole: nothing to send again */
        enum publish_status ps = recover(p, 0);
        if (ps != PUB_OK)
            return ps;
    }
    if (qconn_now_ns() - p->last_sync_ns >= CONFIRM_EVERY_NS)
        return confirm(p, 0);
    return PUB_OK;
}

enum publish_status publisher_finish(struct publisher *p) { return confirm(p, 1); }

void publisher_stats(const struct publisher *p, struct publish_stats *s)
{
    *s = p->st;
    s->blocked_ns = p->conn.blocked_ns;
}

void publisher_free(struct publisher *p)
{
    if (!p)
        return;
    qconn_close(&p->conn);
    qb_free(&p->msg);
    qb_free(&p->req);
    free(p);
}

void publish_stats_print(const struct publish_stats *s, FILE *f)
{
    fprintf(f, "%-12s %llu\n", "pub_msgs", (unsigned long long)s->messages);
    fprintf(f, "%-12s %llu\n", "pub_rows", (unsigned long long)s->rows);
    fprintf(f, "%-12s %llu\n", "pub_bytes", (unsigned long long)s->bytes);
    fprintf(f, "%-12s %llu\n", "reconnects", (unsigned long long)s->reconnects);
    fprintf(f, "%-12s %llu\n", "uncertain", (unsigned long long)s->uncertain_rows);
    fprintf(f, "%-12s %.3f s\n", "blocked", (double)s->blocked_ns / 1e9);
}
