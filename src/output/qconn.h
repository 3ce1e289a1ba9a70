/* qconn.h: one kdb+ IPC client connection (KX's "Interprocess communication",
 * code.kx.com/q/basics/ipc):
 * a target named as q's hopen names it, connect, handshake, whole-message
 * writes and sync requests. Every wait has a deadline, every length read
 * from the peer a bound: a server that stalls, lies or vanishes is an
 * error to report, never a hang, a crash or a huge allocation. */
#ifndef PCAP2KDB_QCONN_H
#define PCAP2KDB_QCONN_H

#include <stddef.h>
#include <stdint.h>
#include "qipc_encode.h"

/* [HOST]:PORT[:USER:PASSWORD]; HOST may be [v6addr]; empty = localhost. */
struct qtarget {
    char host[256];
    char port[8];
    char cred[512];            /* "USER:PASSWORD" or "" */
    char shown[280];           /* HOST:PORT for messages: never the password */
};

int qtarget_parse(struct qtarget *t, const char *text, char *err, size_t errcap);

enum qconn_status {
    QC_OK = 0,
    QC_UNREACHABLE,            /* cannot connect: worth retrying */
    QC_REFUSED,                /* connected, then closed during the handshake */
    QC_LOST,                   /* the connection broke or stalled */
    QC_PROTOCOL,               /* the peer sent something that is not kdb+ IPC */
    QC_TOO_OLD,                /* kdb+ before 2.6 (capability 0): no timestamps */
};

/* A wait for the peer ends when it has made no progress for timeout_ms:
 * it took none of our bytes (the bytes of ours still in the socket,
 * TIOCOUTQ, did not shrink since the last look, kept across waits) and sent
 * none of the answer awaited (whole messages that are not the answer do not
 * count, and the wait stands still while one arrives). A receiver that keeps reading
 * (a TCP segment or more per timeout_ms), however much is queued before a
 * request, is not lost; one that stops reading is, timeout_ms later. Not
 * seen: what the peer reads from its own receive buffer once it holds all
 * our bytes, so a request's answer is due timeout_ms after the peer took
 * our last byte. deadline_ns (0: none) ends every wait whatever the
 * progress: the end of --retry-for while (re)connecting. */
struct qconn {
    int fd;
    uint64_t blocked_ns;       /* time spent waiting for the peer to read */
    int timeout_ms;            /* longest wait without progress */
    uint64_t deadline_ns;      /* no wait past this (0: none) */
    uint64_t took_ns;          /* when the peer last took bytes of ours */
    uint64_t heard_ns;         /* when it last sent bytes of an answer */
    int queued;                /* TIOCOUTQ at the last look (-1: none yet) */
    unsigned pending;          /* sync requests sent and not yet answered */
    char err[256];             /* why the last call failed */
};

/* An attempt's connect and handshake wait at most this long (and never
 * past deadline_ns). */
#define QCONN_CONNECT_TIMEOUT_MS 5000
#define QCONN_STALL_TIMEOUT_MS 60000
/* Largest response read (its uncompressed length when compressed): meta of
 * a table is a few KiB. */
#define QCONN_MAX_RESPONSE (16u << 20)

void qconn_init(struct qconn *c);
/* Connects and handshakes by min(now + QCONN_CONNECT_TIMEOUT_MS,
 * c->deadline_ns). The peer's capability must allow timestamps and
 * timespans (1-6: kdb+ 2.6 or later; 0 is QC_TOO_OLD). */
enum qconn_status qconn_open(struct qconn *c, const struct qtarget *t);
void qconn_close(struct qconn *c);
/* The whole of p[0..n), however slowly the peer reads. */
enum qconn_status qconn_send(struct qconn *c, const uint8_t *p, size_t n);
/* Sends a sync message (already built in b) and reads its response into
 * b (the payload from b->p + QIPC_HEADER, b->len bytes in all); async
 * and sync messages the peer sends meanwhile are skipped, read a piece at
 * a time whatever their size (never held). The request may wait
 * behind megabytes of earlier messages: the answer is awaited as long as
 * the peer reads them (struct qconn). A compressed answer is decompressed
 * (header byte 2 is then 0); header byte 0 tells its byte order. An answer
 * over QCONN_MAX_RESPONSE, compressed or not, or whose compressed bytes do
 * not decode, is QC_PROTOCOL. */
enum qconn_status qconn_request(struct qconn *c, struct qbuf *b);
/* Reads, without waiting for any, the messages the peer has sent unasked:
 * async and sync ones are skipped (a message begun is read to its end, as
 * long as the peer makes progress). kdb+ answers each sync request once,
 * in order: a response when none is pending is QC_PROTOCOL ("a response to
 * no request"), as is one that qconn_request sees arrive before the peer
 * had the whole request. Called after each message written. */
enum qconn_status qconn_poll(struct qconn *c);

uint64_t qconn_now_ns(void);

#endif
