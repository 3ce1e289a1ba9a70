/* flows_summary.h: --flows, one row per TCP connection instead of one per
 * packet. The flow table tells when a connection's record is complete
 * (flow.h on_end); these writers format it as CSV or as a q script, with
 * the fixed columns of flows_columns[]. */
#ifndef PCAP2KDB_FLOWS_SUMMARY_H
#define PCAP2KDB_FLOWS_SUMMARY_H

#include <stdio.h>
#include "flow.h"
#include "writer.h"

#define FLOWS_COLUMNS 42 /* 32, and 10 of #16 */

/* name and q type of each --flows column */
extern const struct column_def flows_columns[FLOWS_COLUMNS];

/* Writers whose begin/end write the table's head and whose row ignores
 * packets: the rows come from flows_on_end. */
extern const struct writer_ops flows_csv_writer_ops;
extern const struct writer_ops flows_q_writer_ops;

/* --flows as a table mode (flows_mode.c). */
struct mode_ops;
extern const struct mode_ops flows_mode_ops;

/* A connection's record is complete (the flow table's on_end): its row into
 * w, as a q script's insert when q, else CSV (or a batch, w->batch). */
void flows_on_end(struct writer *w, int q, const struct flow *f, const struct flow_summary *s,
                  enum flow_end why);


#endif
