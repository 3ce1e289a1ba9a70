/* publish.h: --publish, the kdb+ IPC writer of batches: a feed handler for
 * a kdb+ tickerplant (kdb-tick's tick.q) or a plain q process. Each batch
 * is one async (".u.upd"; `TABLE; (col; col; ...)); before the first one a
 * sync `0!meta TABLE` checks the receiver's table, at the end a sync ""
 * proves every message was read. A lost connection is retried with
 * backoff, the batch whose write failed sent again. Blocking writes are the
 * backpressure: memory holds one encoded batch. */
#ifndef PCAP2KDB_PUBLISH_H
#define PCAP2KDB_PUBLISH_H

#include <stdint.h>
#include <stdio.h>
#include "batch.h"
#include "qconn.h"

enum publish_layout {
    LAYOUT_TICK,               /* sym first, time sent as ptime; the TP prepends time */
    LAYOUT_PLAIN,              /* the chosen columns as they are */
};

/* Rows per message unless --batch: see README "Publishing" for the measurement. */
#define PUBLISH_DEFAULT_BATCH 4096
#define PUBLISH_MAX_BATCH 1000000
/* Live input: rows wait at most this long before they are sent. */
#define PUBLISH_LATENCY_NS 100000000u

/* What goes on the wire: the schema's columns in order[0..n), under the
 * names names[i] (time becomes ptime in the tick layout). */
struct publish_wire {
    int n;
    int order[64];
    const char *names[64];
};

/* The wire columns of a layout; -1 with a message (tick layout, no sym). */
int publish_wire_columns(struct publish_wire *w, const struct table_schema *sc,
                         enum publish_layout layout, char *err, size_t errcap);
/* --schema --publish: the q table definition the receiver needs. */
void publish_print_schema(FILE *f, const struct table_schema *sc, const struct publish_wire *w,
                          enum publish_layout layout);

enum publish_status {
    PUB_OK = 0,
    PUB_USAGE,                 /* refused, unreachable, too old, wrong table, lost
                                * before a whole message: nothing published (exit 1) */
    PUB_FAILED,                /* gave up or the receiver answered an error (exit 3) */
};

struct publish_stats {
    uint64_t messages, rows, bytes, reconnects;
    uint64_t uncertain_rows;   /* rows around breaks: possibly lost */
    uint64_t blocked_ns;       /* waiting for the receiver */
};

struct publisher;

/* Connects (retrying unreachable targets for retry_for_s), handshakes and
 * checks the table; NULL with *st set and a message on stderr. */
struct publisher *publisher_open(const struct qtarget *t, const struct table_schema *sc,
                                 enum publish_layout layout, double retry_for_s,
                                 const char *prog, enum publish_status *st);
/* One message of the batch's rows. */
enum publish_status publisher_send(struct publisher *p, const struct batch *b);
/* The final sync: every message read. Does not free. */
enum publish_status publisher_finish(struct publisher *p);
void publisher_stats(const struct publisher *p, struct publish_stats *s);
void publisher_free(struct publisher *p);
/* --stats lines */
void publish_stats_print(const struct publish_stats *s, FILE *f);

#endif
