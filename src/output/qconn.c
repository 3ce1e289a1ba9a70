/* qconn.c: a kdb+ IPC client connection with deadlines and bounds. */
#define _POSIX_C_SOURCE 200809L
#include "qconn.h"
#include "bytes.h"
#include "decimal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

uint64_t qconn_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int qtarget_parse(struct qtarget *t, const char *text, char *err, size_t errcap)
{
    memset(t, 0, sizeof *t);
    const char *s = text, *host_end;
    if (*s == '[') { /* [v6addr]:port, for addresses with colons */
        host_end = strchr(s, ']');
        if (!host_end || host_end[1] != ':') {
            snprintf(err, errcap, "--publish: '[' without ']:' in the host");
            return -1;
        }
        s++;
    } else {
        host_end = strchr(s, ':');
        if (!host_end) {
            snprintf(err, errcap, "--publish needs [HOST]:PORT[:USER:PASSWORD]");
            return -1;
        }
    }
    size_t hn = (size_t)(host_end - s);
    if (memchr(s, '@', hn)) { /* user:password@host: the text is not shown */
        snprintf(err, errcap, "--publish: '@' in the host: the form is "
                              "[HOST]:PORT[:USER:PASSWORD], credentials last");
        return -1;
    }
    if (hn >= sizeof t->host) {
        snprintf(err, errcap, "--publish: host name too long");
        return -1;
    }
    memcpy(t->host, s, hn);
    if (hn == 0)
        strcpy(t->host, "localhost");
    const char *port = host_end + (*host_end == ']' ? 2 : 1);
    const char *port_end = strchr(port, ':');
    size_t pn = port_end ? (size_t)(port_end - port) : strlen(port);
    uint64_t v;
    if (decimal_parse_n(port, pn, 65535, &v) != DECIMAL_OK || v == 0) {
        /* The text is not quoted: "user:secret@host:5010" and
         * "user:secret:host:5010" put a password where the port goes. */
        snprintf(err, errcap, "--publish: the port (after HOST:) is not a number 1-65535; the "
                              "form is [HOST]:PORT[:USER:PASSWORD], credentials last");
        return -1;
    }
    snprintf(t->port, sizeof t->port, "%u", (unsigned)v);
    if (port_end) {
        if (strlen(port_end + 1) >= sizeof t->cred) {
            snprintf(err, errcap, "--publish: user and password too long");
            return -1;
        }
        strcpy(t->cred, port_end + 1);
    }
    const char *fmt = strchr(t->host, ':') ? "[%s]:%s" : "%s:%s";
    snprintf(t->shown, sizeof t->shown, fmt, t->host, t->port);
    return 0;
}

void qconn_init(struct qconn *c)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->timeout_ms = QCONN_STALL_TIMEOUT_MS;
    c->queued = -1;
}

/* Milliseconds from now to deadline_ns, rounded up; 0 when past. */
static int ms_until(uint64_t now, uint64_t deadline_ns)
{
    return now >= deadline_ns ? 0 : (int)((deadline_ns - now + 999999) / 1000000);
}

void qconn_close(struct qconn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->pending = 0;
    c->queued = -1;
}

/* Waits until fd is ready for ev, at most ms; 1 ready, 0 timed out. */
static int wait_fd(int fd, short ev, int ms)
{
    struct pollfd p = { .fd = fd, .events = ev };
    for (;;) {
        int r = poll(&p, 1, ms);
        if (r >= 0)
            return r > 0;
        if (errno != EINTR)
            return 1; /* the next call reports the error */
    }
}

static enum qconn_status fail(struct qconn *c, enum qconn_status st, const char *what, int e)
{
    if (e)
        snprintf(c->err, sizeof c->err, "%s: %s", what, strerror(e));
    else
        snprintf(c->err, sizeof c->err, "%s", what);
    return st;
}

/* Connects to one address, non-blocking, by deadline_ns. */
static int connect_one(const struct addrinfo *ai, uint64_t deadline_ns, int *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            *err = errno;
            close(fd);
            return -1;
        }
        if (!wait_fd(fd, POLLOUT, ms_until(qconn_now_ns(), deadline_ns))) {
            *err = ETIMEDOUT;
            close(fd);
            return -1;
        }
        int so = 0;
        socklen_t len = sizeof so;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
        if (so) {
            *err = so;
            close(fd);
            return -1;
        }
    }
    int one = 1; /* a batch is one write: send it now, not after the next ACK */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

enum qconn_status qconn_open(struct qconn *c, const struct qtarget *t)
{
    qconn_close(c);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(t->host, t->port, &hints, &res);
    if (gai != 0) {
        snprintf(c->err, sizeof c->err, "cannot resolve host: %s", gai_strerror(gai));
        return QC_UNREACHABLE;
    }
    uint64_t by = qconn_now_ns() + (uint64_t)QCONN_CONNECT_TIMEOUT_MS * 1000000u;
    if (c->deadline_ns && c->deadline_ns < by)
        by = c->deadline_ns;
    int e = ECONNREFUSED;
    for (const struct addrinfo *ai = res; ai && c->fd < 0; ai = ai->ai_next)
        c->fd = connect_one(ai, by, &e);
    freeaddrinfo(res);
    if (c->fd < 0)
        return fail(c, QC_UNREACHABLE, "cannot connect", e);

    /* "USER:PASSWORD", capability 3 (kdb+ 3.0: timestamps, GUIDs), NUL */
    uint8_t hello[sizeof t->cred + 2];
    size_t n = strlen(t->cred);
    memcpy(hello, t->cred, n);
    hello[n++] = 3;
    hello[n++] = 0;
    enum qconn_status st = qconn_send(c, hello, n);
    if (st != QC_OK) {
        qconn_close(c);
        return st == QC_LOST ? QC_REFUSED : st;
    }
    uint8_t cap;
    for (;;) {
        if (!wait_fd(c->fd, POLLIN, ms_until(qconn_now_ns(), by))) {
            qconn_close(c);
            return fail(c, QC_PROTOCOL, "no answer to the handshake", 0);
        }
        ssize_t r = recv(c->fd, &cap, 1, 0);
        if (r == 1)
            break;
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        qconn_close(c);
        /* kdb+ closes without a word when it refuses the credentials */
        return fail(c, QC_REFUSED, "the server closed the connection during the handshake "
                                   "(credentials refused?)", 0);
    }
    /* The common capability: 0 is kdb+ 2.5 or older, which has no
     * timestamp or timespan (pcap2kdb sends both); 1-6 all have them
     * (kdb+ answers the lower of ours, 3, and its own). */
    if (cap == 0) {
        qconn_close(c);
        return fail(c, QC_TOO_OLD, "the receiver is kdb+ 2.5 or older (IPC capability 0): it "
                                   "has no timestamp or timespan; pcap2kdb needs kdb+ 2.6 or "
                                   "later", 0);
    }
    if (cap > 6) {
        char what[80];
        snprintf(what, sizeof what, "the answer to the handshake (byte %u) is not a kdb+ "
                                    "capability", cap);
        qconn_close(c);
        return fail(c, QC_PROTOCOL, what, 0);
    }
    return QC_OK;
}

/* Bytes of ours in the socket the peer has not acknowledged (-1: cannot
 * tell, and then only bytes moving through send() and recv() are seen). */
static int unacked(int fd)
{
#ifdef TIOCOUTQ
    int n;
    if (ioctl(fd, TIOCOUTQ, &n) == 0)
        return n;
#endif
    (void)fd;
    return -1;
}

/* How often a wait looks whether the peer took bytes of ours. */
#define LOOK_EVERY_MS 200

/* Whether the peer took bytes of ours since the last look (the bytes of
 * ours in the socket shrank): progress. The last look is kept across waits:
 * a peer that reads while it also sends messages of its own, which end
 * each wait early, is seen reading. */
static void look_at_queue(struct qconn *c, uint64_t now)
{
    int q = unacked(c->fd);
    if (q >= 0 && c->queued >= 0 && q < c->queued)
        c->took_ns = now;
    c->queued = q;
}

/* Waits until the socket is ready for ev. 1 ready; 0 when the peer made
 * no progress (struct qconn) for c->timeout_ms, or c->deadline_ns came. */
static int wait_peer(struct qconn *c, short ev)
{
    uint64_t t0 = qconn_now_ns(), now = t0;
    look_at_queue(c, now);
    for (;;) {
        uint64_t last = c->took_ns > c->heard_ns ? c->took_ns : c->heard_ns;
        uint64_t end = last + (uint64_t)c->timeout_ms * 1000000u;
        if (c->deadline_ns && c->deadline_ns < end)
            end = c->deadline_ns;
        int left = ms_until(now, end);
        if (left == 0)
            break;
        if (wait_fd(c->fd, ev, left < LOOK_EVERY_MS ? left : LOOK_EVERY_MS)) {
            c->blocked_ns += qconn_now_ns() - t0;
            return 1;
        }
        now = qconn_now_ns();
        look_at_queue(c, now);
    }
    c->blocked_ns += now - t0;
    return 0;
}

/* Why wait_peer gave up, waiting to write or for an answer. */
static enum qconn_status stalled(struct qconn *c, int answer)
{
    char what[96];
    if (c->deadline_ns && qconn_now_ns() >= c->deadline_ns)
        snprintf(what, sizeof what, "%s by the end of --retry-for",
                 answer ? "no answer" : "the receiver read nothing");
    else
        snprintf(what, sizeof what, "the receiver %s for %d s",
                 answer ? "neither read nor answered" : "read nothing", c->timeout_ms / 1000);
    return fail(c, QC_LOST, what, 0);
}

enum qconn_status qconn_send(struct qconn *c, const uint8_t *p, size_t n)
{
    size_t done = 0;
    c->took_ns = qconn_now_ns();
    while (done < n) {
        ssize_t r = send(c->fd, p + done, n - done, MSG_NOSIGNAL);
        if (r > 0) {
            done += (size_t)r;
            c->took_ns = qconn_now_ns();
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* The receiver is behind: this is the backpressure. */
            if (!wait_peer(c, POLLOUT))
                return stalled(c, 0);
            continue;
        }
        return fail(c, QC_LOST, "write", r < 0 ? errno : EPIPE);
    }
    return QC_OK;
}

/* Reads exactly n bytes, waiting as long as the peer makes progress. */
static enum qconn_status recv_all(struct qconn *c, uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = recv(c->fd, p + done, n - done, 0);
        if (r > 0) {
            done += (size_t)r;
            c->heard_ns = qconn_now_ns();
            continue;
        }
        if (r == 0)
            return fail(c, QC_LOST, "the receiver closed the connection", 0);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait_peer(c, POLLIN))
                return stalled(c, 1);
            continue;
        }
        return fail(c, QC_LOST, "read", errno);
    }
    return QC_OK;
}

/* The compressed answer in b, replaced by its plain form: its uncompressed
 * length bounded as any answer's before anything is allocated. */
static enum qconn_status uncompress_answer(struct qconn *c, struct qbuf *b)
{
    uint32_t ulen = qipc_unz_len(b->p, b->len);
    if (ulen < QIPC_HEADER + 1)
        return fail(c, QC_PROTOCOL, "the answer is not a kdb+ IPC message", 0);
    if (ulen > QCONN_MAX_RESPONSE)
        return fail(c, QC_PROTOCOL, "the answer claims more than 16 MiB", 0);
    uint8_t *out = malloc(ulen);
    if (!out)
        return fail(c, QC_PROTOCOL, "no memory for the answer", 0);
    if (qipc_uncompress(b->p, b->len, out, ulen) != 0) {
        free(out);
        return fail(c, QC_PROTOCOL, "the answer's compressed bytes are corrupt", 0);
    }
    free(b->p);
    b->p = out;
    b->len = b->cap = ulen;
    return QC_OK;
}

/* Reads and drops n bytes: the rest of a message that is not an answer,
 * whatever its size, a piece at a time. */
static enum qconn_status skip_bytes(struct qconn *c, uint64_t n)
{
    uint8_t piece[4096];
    while (n > 0) {
        size_t k = n < sizeof piece ? (size_t)n : sizeof piece;
        enum qconn_status st = recv_all(c, piece, k);
        if (st != QC_OK)
            return st;
        n -= k;
    }
    return QC_OK;
}

/* The length of the message whose header is h; 0 (c->err set) when h is
 * not a kdb+ IPC header. */
static uint32_t header_len(struct qconn *c, const uint8_t *h)
{
    uint32_t len = get_32(h + 4, h[0] == 0); /* byte 0: 1 little-endian, 0 big */
    if (h[0] > 1 || h[1] > 2 || h[2] > 1 || h[3] != 0 || len < QIPC_HEADER + 1 ||
        (h[2] == 1 && len < 12)) {
        fail(c, QC_PROTOCOL, "the answer is not a kdb+ IPC message", 0);
        return 0;
    }
    return len;
}

/* kdb+ reads a sync request whole, then answers it: one response each,
 * in order. A response when no request is pending answers none. Its
 * header read, the rest of it (len bytes in all) is read and dropped:
 * closing with bytes unread would reset the connection, and the receiver
 * lose what it has not read yet. */
static enum qconn_status stray(struct qconn *c, uint32_t len)
{
    skip_bytes(c, len - QIPC_HEADER);
    return fail(c, QC_PROTOCOL, "the receiver sent a response to no request", 0);
}

enum qconn_status qconn_poll(struct qconn *c)
{
    uint64_t heard = c->heard_ns; /* nothing awaited: no progress */
    enum qconn_status st = QC_OK;
    for (;;) {
        uint8_t h[QIPC_HEADER];
        ssize_t r = recv(c->fd, h, sizeof h, MSG_PEEK | MSG_DONTWAIT);
        if (r < (ssize_t)sizeof h)
            break; /* none whole yet, closed, or an error: the next wait sees it */
        uint32_t len = header_len(c, h);
        if (len == 0) {
            st = QC_PROTOCOL;
            break;
        }
        if (h[1] == QMSG_RESPONSE) {
            if (c->pending == 0 && (st = recv_all(c, h, sizeof h)) == QC_OK)
                st = stray(c, len);
            break; /* else the answer awaited: qconn_request reads it */
        }
        if ((st = recv_all(c, h, sizeof h)) != QC_OK ||
            (st = skip_bytes(c, len - QIPC_HEADER)) != QC_OK)
            break;
    }
    c->heard_ns = heard;
    return st;
}

enum qconn_status qconn_request(struct qconn *c, struct qbuf *b)
{
    enum qconn_status st = qconn_poll(c); /* what came before the request */
    if (st != QC_OK || (st = qconn_send(c, b->p, b->len)) != QC_OK)
        return st;
    c->pending++;
    /* Waited for as long as the peer reads what is queued before the
     * request, or sends the answer (struct qconn). */
    c->heard_ns = 0;
    for (;;) {
        uint64_t heard = c->heard_ns; /* restored if this is not the answer */
        uint8_t h[QIPC_HEADER];
        if ((st = recv_all(c, h, sizeof h)) != QC_OK)
            return st;
        uint32_t len = header_len(c, h);
        if (len == 0)
            return QC_PROTOCOL;
        if (h[1] != QMSG_RESPONSE) {
            /* an async or sync message from the peer, of any size: not
             * our answer, and no sign that the answer is coming; the wait
             * for the answer stands still while it arrives (a long one on
             * a slow link does not use up the answer's time) */
            uint64_t last = c->took_ns > heard ? c->took_ns : heard;
            uint64_t from = qconn_now_ns();
            if ((st = skip_bytes(c, len - QIPC_HEADER)) != QC_OK)
                return st;
            c->heard_ns = last + (qconn_now_ns() - from);
            continue;
        }
        /* The answer's first bytes arrive with the peer's acknowledgement
         * of the whole request (it read the request before answering):
         * bytes of ours still unacknowledged now mean the peer sent this
         * before it had the request (TIOCOUTQ, where the system has it). */
        if (unacked(c->fd) > 0)
            return stray(c, len);
        if (len > QCONN_MAX_RESPONSE)
            return fail(c, QC_PROTOCOL, "the answer claims more than 16 MiB", 0);
        b->len = 0;
        b->failed = 0;
        if (qb_reserve(b, len) != 0)
            return fail(c, QC_PROTOCOL, "no memory for the answer", 0);
        memcpy(b->p, h, sizeof h);
        if ((st = recv_all(c, b->p + QIPC_HEADER, len - QIPC_HEADER)) != QC_OK)
            return st;
        b->len = len;
        c->pending--;
        if (h[2] == 1 && (st = uncompress_answer(c, b)) != QC_OK)
            return st;
        /* a second response already here: one of the two answered nothing */
        return qconn_poll(c);
    }
}
