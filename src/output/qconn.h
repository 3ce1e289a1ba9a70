/* qconn.h: one kdb+ IPC client connection (../shared/docs/kdb-ipc.md §1-2):
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
};

struct qconn {
    int fd;
    uint64_t blocked_ns;       /* time spent waiting for the peer to read */
    int timeout_ms;            /* longest wait for progress on a write or a reply */
    char err[256];             /* why the last call failed */
};

#define QCONN_CONNECT_TIMEOUT_MS 5000
#define QCONN_STALL_TIMEOUT_MS 60000
/* Largest response read: meta of a table is a few KiB. */
#define QCONN_MAX_RESPONSE (16u << 20)

void qconn_init(struct qconn *c);
enum qconn_status qconn_open(struct qconn *c, const struct qtarget *t);
void qconn_close(struct qconn *c);
/* The whole of p[0..n), however slowly the peer reads. */
enum qconn_status qconn_send(struct qconn *c, const uint8_t *p, size_t n);
/* Sends a sync message (already built in b) and reads its response into
 * b (the payload from b->p + QIPC_HEADER, b->len bytes in all); async
 * messages the peer sends meanwhile are skipped. *compressed is set when
 * the response came compressed or big-endian (not decoded here). */
enum qconn_status qconn_request(struct qconn *c, struct qbuf *b, int *compressed);

uint64_t qconn_now_ns(void);

#endif
