/* flows_summary.h: --flows, one row per TCP connection instead of one per
 * packet. The flow table tells when a connection's record is complete
 * (flow.h on_end); its row, in the fixed columns of flows_columns[], goes
 * to the table writer (write_table.h). */
#ifndef PCAP2KDB_FLOWS_SUMMARY_H
#define PCAP2KDB_FLOWS_SUMMARY_H

#include <stdio.h>
#include "columns.h"
#include "flow.h"
#include "write_table.h"

#define FLOWS_COLUMNS 42 /* 32, and 10 of #16 */

/* name and q type of each --flows column */
extern const struct column_def flows_columns[FLOWS_COLUMNS];

/* Sets the encodings of the columns (ids: flows_columns' indexes). */
void flows_column_encodings(struct mt_columns *cols);

/* --flows as a table mode (flows_mode.c). */
struct mode_ops;
extern const struct mode_ops flows_mode_ops;

/* A connection's record is complete (the flow table's on_end): its row
 * into tw, whose columns are flows_columns in order; ctx: the sym. */
void flows_row(struct table_writer *tw, const struct flow *f, const struct flow_summary *s,
               enum flow_end why, const struct format_ctx *ctx);

#endif
