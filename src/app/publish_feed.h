/* publish_feed.h: TEMPORARY ADAPTER between today's text writers and the
 * --publish batch writer (output/publish.h), until the one writer layer of
 * issue #13 hands typed batches to every writer. The CSV writer's text is
 * caught at the output buffer (out.h sink), parsed back into a struct
 * batch by the column types of the table, and published. Delete this file
 * (and the out.h sink) once modes fill batches themselves. */
#ifndef PCAP2KDB_PUBLISH_FEED_H
#define PCAP2KDB_PUBLISH_FEED_H

#include <stddef.h>
#include <stdint.h>
#include "batch.h"
#include "publish.h"

struct publish_feed {
    struct publisher *pub;
    struct batch b;
    union batch_values vals[64];
    char *carry;               /* text of the record not yet complete */
    size_t carry_len, carry_cap;
    uint64_t waiting_since_ns; /* when the oldest unsent row arrived; 0: none */
    enum publish_status status;
    const char *prog;
};

/* Rows of the table sc, batch_rows per message. -1: out of memory. */
int publish_feed_init(struct publish_feed *f, struct publisher *pub,
                      const struct table_schema *sc, int batch_rows, const char *prog);
/* out.h sink: CSV text without header; pause: send what waits. */
int publish_feed_sink(void *ctx, const char *p, size_t n, int pause);
void publish_feed_free(struct publish_feed *f);

#endif
