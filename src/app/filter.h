/* filter.h: which rows are written (--port, --host, --proto, --from/--to).
 *
 * Every record is still decoded and tracked (flow state, stream numbers and
 * frame numbers stay those of the whole capture); a filter only decides
 * whether its row reaches the writer. Kinds combine with AND, values of one
 * kind with OR: `--port 80 --port 443 --proto tcp` keeps TCP rows on port 80
 * or 443. A filter with no values of any kind keeps everything. */
#ifndef PCAP2KDB_FILTER_H
#define PCAP2KDB_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include "row.h"
#include "timewin.h"

#define FILTER_MAX_VALUES 64
#define FILTER_PROTO_NAME_MAX 24

struct filter_host {
    uint8_t ipver;             /* IPVER_4 or IPVER_6 */
    uint8_t prefix;            /* bits that must match: 32/128 for one host */
    uint8_t addr[16];
};

struct filter {
    int n_ports, n_hosts, n_protos;
    uint16_t port[FILTER_MAX_VALUES];
    struct filter_host host[FILTER_MAX_VALUES];
    /* --proto: IP protocol numbers as a bitmap; for rows that are not IP,
     * the names as given, matched against the protocol column (ARP, LLDP,
     * SLARP...), and the 0xhhhh values, matched against the Ethertype the
     * ethertype column shows or the protocol column names. */
    uint8_t ipproto[32];
    int n_proto_names, n_ethertypes;
    char proto_name[FILTER_MAX_VALUES][FILTER_PROTO_NAME_MAX];
    uint16_t ethertype[FILTER_MAX_VALUES];
    /* --from / --to (#18): the window of capture time rows must lie in.
     * Packet rows are tested in filter_match when window_rows is set;
     * message rows at their message's time (out.h), --flows rows by
     * filter_window_flow. */
    struct time_window window;
    int window_rows;
};

/* Each adds one value; on a bad value writes a message into err and
 * returns -1. */
int filter_add_port(struct filter *f, const char *arg, char *err, size_t errlen);
int filter_add_host(struct filter *f, const char *arg, char *err, size_t errlen);
int filter_add_proto(struct filter *f, const char *arg, char *err, size_t errlen);

/* --from (is_to 0) or --to (is_to 1); -1 with a message on a bad TIME,
 * a repeated option, or an empty window. */
int filter_set_time(struct filter *f, const char *arg, int is_to, char *err, size_t errlen);

static inline int filter_active(const struct filter *f)
{
    return f->n_ports | f->n_hosts | f->n_protos;
}

/* Whether the row is kept. */
int filter_match(const struct filter *f, const struct row *r);

/* --flows: whether a TCP connection's row is kept. It matches as any packet
 * between its two endpoints would: --port either port, --host either
 * address, --proto names TCP (tcp or 6). */
struct flow;
int filter_match_flow(const struct filter *f, const struct flow *fl);

/* --flows: whether a connection seen from start to finish (its row's start
 * and finish; sec INT64_MIN: no time, also one q cannot hold, which the row
 * shows empty) meets the window: it started
 * before --to and finished at or after --from. */
int filter_window_flow(const struct filter *f, int64_t start_sec, uint32_t start_nsec,
                       int64_t finish_sec, uint32_t finish_nsec);

#endif
