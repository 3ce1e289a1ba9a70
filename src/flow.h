/* flow.h: bounded per-connection TCP state: window scaling (RFC 7323), the
 * stream number and the bases of relative sequence numbers, following
 * Wireshark's packet-tcp.c so that values agree with tshark's.
 *
 * The table is set-associative: a connection hashes to one set of
 * FLOW_WAYS slots; when the set is full the least recently used connection
 * in it is evicted. Memory is fixed at creation whatever the capture holds.
 * An evicted connection that comes back is a new one: it gets a new stream
 * number, and its window is unscaled (handshake not seen). */
#ifndef PCAP2KDB_FLOW_H
#define PCAP2KDB_FLOW_H

#include <stdint.h>
#include "row.h"

#define FLOW_WAYS 8
#define FLOW_DEFAULT_SLOTS (1u << 16)

/* Window-scale states, as Wireshark's win_scale. */
#define WSCALE_UNKNOWN (-1)   /* handshake not seen */
#define WSCALE_NOT_USED (-2)  /* one side did not offer the option */

struct flow_dir {
    uint32_t base_seq;
    int8_t win_scale;
    uint8_t base_set;
    uint8_t saw_syn;
    uint8_t closed;            /* FIN or RST sent in this direction */
};

struct flow {
    uint8_t addr[2][16];
    uint16_t port[2];
    uint8_t ipver;
    uint8_t used;
    uint64_t stream;
    uint64_t last_use;
    struct flow_dir dir[2];
    void *ext;                 /* per-flow state of a message mode, or NULL */
};

struct flow_table {
    struct flow *slots;
    uint32_t n_sets;           /* power of two */
    uint64_t clock;
    uint64_t next_stream;
    uint64_t evictions;
    /* Told when a flow is evicted, so a message mode can free its state. */
    void (*on_evict)(void *ctx, struct flow *f);
    void *on_evict_ctx;
};

int flow_table_init(struct flow_table *t, uint32_t slots);
void flow_table_free(struct flow_table *t);
/* Forgets every connection (a new input file starts afresh). */
void flow_table_reset(struct flow_table *t);

/* For a row with a TCP header: finds or creates its connection, updates it,
 * and fills win, stream, rseq, rack and wscale. Returns the flow and the
 * direction of the segment (0 or 1), or NULL. */
struct flow *flow_track_tcp(struct flow_table *t, struct row *r, int *dir);

#endif
