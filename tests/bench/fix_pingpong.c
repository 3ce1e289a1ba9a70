/* fix_pingpong.c: real FIX-like traffic over the loopback, for capturing a
 * benchmark capture with tcpdump (tests/bench/capture_pingpong.sh), as the
 * generated one is checked against (#19).
 *
 *   fix_pingpong [-n ORDERS] [-p PORT]
 *
 * Forks a server (127.0.0.1:PORT, default 5099) and a client over one real
 * TCP connection with TCP_NODELAY: a Logon (35=A) each way, then the client
 * sends ORDERS NewOrderSingle (35=D) messages, one at a time, or every
 * seventh time three in one write (a bundle), and waits for the server's
 * ExecutionReport (35=8, 150=0) echoing each ClOrdID (11); then a Logout
 * (35=5) each way. Every message has the right BodyLength (9) and CheckSum
 * (10) and a SendingTime (52) from the clock. The kernel decides segments
 * and ACKs: that is the point (delayed ACKs, coalescing, real timing).
 * Exit status 0 when every order was answered. Default ORDERS: until killed
 * (the capture script stops it once tcpdump has its packets). */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SOH '\001'
#define BUF_SIZE (1 << 16)
#define BUNDLE_EVERY 7
#define BUNDLE_SIZE 3

static void die(const char *what)
{
    fprintf(stderr, "fix_pingpong: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* One FIX 4.4 message of type `type` with body fields `fields` ("k=v<SOH>..."). */
static size_t fix_message(char *out, char type, const char *sender, const char *target,
                          unsigned seq, const char *fields)
{
    char body[512], stamp[96];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(stamp, sizeof stamp, "%04d%02d%02d-%02d:%02d:%02d.%03ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    int n = snprintf(body, sizeof body, "35=%c%c49=%s%c56=%s%c34=%u%c52=%s%c%s", type, SOH,
                     sender, SOH, target, SOH, seq, SOH, stamp, SOH, fields);
    int m = snprintf(out, 640, "8=FIX.4.4%c9=%d%c%s", SOH, n, SOH, body);
    unsigned sum = 0;
    for (int i = 0; i < m; i++)
        sum += (unsigned char)out[i];
    m += snprintf(out + m, 16, "10=%03u%c", sum % 256, SOH);
    return (size_t)m;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        p += k;
        n -= (size_t)k;
    }
}

/* Reads until buf holds at least one whole message; returns its length
 * (the bytes after it stay in buf), 0 at end of stream. */
struct reader {
    char buf[BUF_SIZE];
    size_t len;
};

static size_t next_message(int fd, struct reader *r)
{
    for (;;) {
        for (size_t i = 0; i + 8 <= r->len; i++)
            if (r->buf[i] == SOH && memcmp(r->buf + i + 1, "10=", 3) == 0 && i + 8 <= r->len &&
                r->buf[i + 7] == SOH)
                return i + 8;
        if (r->len == sizeof r->buf) {
            fprintf(stderr, "fix_pingpong: message too long\n");
            exit(1);
        }
        ssize_t k = read(fd, r->buf + r->len, sizeof r->buf - r->len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            die("read");
        if (k == 0)
            return 0;
        r->len += (size_t)k;
    }
}

static void consume(struct reader *r, size_t n)
{
    memmove(r->buf, r->buf + n, r->len - n);
    r->len -= n;
}

static const char *field(const char *msg, size_t n, const char *tag, size_t *vn)
{
    size_t t = strlen(tag);
    for (size_t i = 0; i + t < n; i++)
        if ((i == 0 || msg[i - 1] == SOH) && memcmp(msg + i, tag, t) == 0) {
            const char *v = msg + i + t;
            const char *e = memchr(v, SOH, n - i - t);
            *vn = e ? (size_t)(e - v) : 0;
            return v;
        }
    *vn = 0;
    return NULL;
}

static void nodelay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        die("TCP_NODELAY");
}

static int server(int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        die("accept");
    close(lfd);
    nodelay(fd);
    static struct reader r;
    char out[4096];
    unsigned seq = 1;
    uint64_t exec_id = 0;
    size_t n;
    while ((n = next_message(fd, &r)) != 0) {
        size_t tn, cn;
        const char *type = field(r.buf, n, "35=", &tn);
        size_t len = 0;
        if (type && tn == 1 && *type == 'A') {
            len = fix_message(out, 'A', "EXCH", "CLIENT01", seq++, "98=0\001108=30\001");
        } else if (type && tn == 1 && *type == 'D') {
            const char *id = field(r.buf, n, "11=", &cn);
            char f[256];
            snprintf(f, sizeof f, "37=X%llu%c11=%.*s%c17=E%llu%c150=0%c39=0%c55=ACME%c54=1%c"
                     "38=100%c44=123.45%c151=100%c14=0%c6=0%c",
                     (unsigned long long)exec_id, SOH, (int)cn, id ? id : "", SOH,
                     (unsigned long long)exec_id, SOH, SOH, SOH, SOH, SOH, SOH, SOH, SOH, SOH,
                     SOH);
            exec_id++;
            len = fix_message(out, '8', "EXCH", "CLIENT01", seq++, f);
        } else if (type && tn == 1 && *type == '5') {
            len = fix_message(out, '5', "EXCH", "CLIENT01", seq++, "");
            send_all(fd, out, len);
            consume(&r, n);
            break;
        }
        consume(&r, n);
        if (len)
            send_all(fd, out, len);
    }
    close(fd);
    return 0;
}

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static int client(uint16_t port, uint64_t orders)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("connect");
    nodelay(fd);
    static struct reader r;
    char out[4096];
    unsigned seq = 1;
    size_t len = fix_message(out, 'A', "CLIENT01", "EXCH", seq++, "98=0\001108=30\001");
    send_all(fd, out, len);
    size_t n = next_message(fd, &r);
    if (!n)
        return 1;
    consume(&r, n);
    uint64_t sent = 0, answered = 0;
    while (!stop && (orders == 0 || sent < orders)) {
        int k = sent % BUNDLE_EVERY == BUNDLE_EVERY - 1 ? BUNDLE_SIZE : 1;
        if (orders && sent + (uint64_t)k > orders)
            k = 1;
        len = 0;
        for (int i = 0; i < k; i++) {
            char f[128];
            snprintf(f, sizeof f, "11=ORD%llu%c55=ACME%c54=1%c38=100%c40=2%c44=123.45%c",
                     (unsigned long long)sent++, SOH, SOH, SOH, SOH, SOH, SOH);
            len += fix_message(out + len, 'D', "CLIENT01", "EXCH", seq++, f);
        }
        send_all(fd, out, len);
        for (int i = 0; i < k; i++) {
            if ((n = next_message(fd, &r)) == 0)
                return 1;
            consume(&r, n);
            answered++;
        }
    }
    len = fix_message(out, '5', "CLIENT01", "EXCH", seq++, "");
    send_all(fd, out, len);
    if ((n = next_message(fd, &r)) != 0)
        consume(&r, n);
    close(fd);
    fprintf(stderr, "fix_pingpong: %llu orders, %llu answered\n", (unsigned long long)sent,
            (unsigned long long)answered);
    return answered == sent ? 0 : 1;
}

int main(int argc, char **argv)
{
    uint64_t orders = 0;
    uint16_t port = 5099;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            orders = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-p") && i + 1 < argc)
            port = (uint16_t)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: fix_pingpong [-n ORDERS] [-p PORT]\n");
            return 2;
        }
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0)
        die("socket");
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 1) != 0)
        die("bind/listen");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0)
        return server(lfd);
    close(lfd);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    int rc = client(port, orders);
    int status;
    waitpid(pid, &status, 0);
    return rc;
}
