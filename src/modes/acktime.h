/* acktime.h: the `acktime` column of the message tables (--fix, --kdb;
 * issue 16): for each message, the time from the packet that completed it
 * (its first capture: the reassembler delivers every byte once, so a
 * retransmission or a duplicate copy does not restart the clock) to the
 * first packet from the peer whose acknowledgment number covers the
 * message's last byte; empty when no such packet is seen.
 *
 * A row is complete when its message is, before the ACK comes, so rows are
 * held here when acktime is selected and written in their usual order (the
 * order of the table without acktime) as soon as they and every row before
 * them are settled: acknowledged, or given up. A message is given up (its
 * acktime empty) when
 *   - its connection ends in the flow table (end of input, evicted, reused
 *     ports) or either side resets it (RST): no ACK can follow;
 *   - a packet comes more than ACKT_WAIT_NS of capture time after it
 *     (packets of any connection move the clock, including those the
 *     filters drop: acktime_clock), before that packet's own ACK counts,
 *     so an acktime is never above ACKT_WAIT_NS;
 *   - its connection direction has ACKT_PER_DIR messages waiting: the oldest
 *     is given up to make room;
 *   - ACKT_MAX_ROWS rows or ACKT_MAX_BYTES bytes of values are held: the
 *     oldest row is written.
 * So memory is fixed (about ACKT_MAX_BYTES + 10 MB at most) and a row is
 * written at most ACKT_WAIT_NS of capture time after its message completed;
 * on a live pipe a row waits for its ACK (or for the next packets to move the
 * clock past the bound), and rows behind it wait with it. Counts of each
 * give-up are kept (struct acktime_stats). */
#ifndef PCAP2KDB_ACKTIME_H
#define PCAP2KDB_ACKTIME_H

#include <stdint.h>
#include <stdio.h>
#include "row.h"
#include "write_table.h"

#define ACKT_WAIT_NS (10ull * 1000000000ull)
#define ACKT_PER_DIR 4096u
#define ACKT_MAX_ROWS (1u << 16)
#define ACKT_MAX_BYTES (32u << 20)

struct acktime_stats {
    uint64_t rows, acked;
    uint64_t ended;            /* connection ended or reset first */
    uint64_t timed_out;        /* waited ACKT_WAIT_NS */
    uint64_t dir_full;         /* ACKT_PER_DIR waiting in its direction */
    uint64_t forced;           /* written while waiting: rows or bytes bound */
};

struct acktime;

/* Rows are written to w (tw_row); col is the position of the acktime
 * column among w's columns. NULL when out of memory. */
struct acktime *acktime_new(struct table_writer *w, int col);
void acktime_free(struct acktime *a);

/* Begins a row to hold in w's builder (tw_row_staged; text_max as there):
 * its index, whose every column the mode then sets (the acktime one is
 * set here), or -1: not to be written (-c is reached, the output failed). */
int acktime_row_begin(struct acktime *a, size_t text_max);
/* The row begun is finished: it is taken out of the builder and held (its
 * values and text copied). Its message was sent in direction dir of
 * connection stream, ends before TCP sequence number end_seq, and was
 * completed by a packet captured at q time t_q (qspan.h; has_time 0: no
 * time in q's range, acktime empty). */
void acktime_row(struct acktime *a, int r, uint64_t stream, int dir, uint32_t end_seq,
                 int64_t t_q, int has_time);

/* Every packet the mode sees, after the mode has handed over the rows it
 * completed: the clock moves (acktime_clock), then its ACK settles the
 * peer's messages it covers, an RST ends the connection's waits; settled
 * rows are written. stream and dir are ignored when has_flow is 0. */
void acktime_packet(struct acktime *a, const struct row *r, int has_flow, uint64_t stream,
                    int dir);

/* A packet that reaches no message mode (the filters drop it): its time,
 * if it has one, moves the clock; messages waiting more than ACKT_WAIT_NS
 * are given up and settled rows written. */
void acktime_clock(struct acktime *a, const struct row *r);

/* The connection is forgotten: none of its messages will be acknowledged. */
void acktime_stream_end(struct acktime *a, uint64_t stream);

/* Writes every held row (end of input). */
void acktime_flush(struct acktime *a);

const struct acktime_stats *acktime_stats(const struct acktime *a);
/* The --stats line: "acktime      N rows, N acknowledged, N given up: ..." */
void acktime_stats_print(const struct acktime *a, FILE *f);

#endif
