/* columns_batch.h: packet rows as typed column batches (--publish): the
 * values of columns.h, typed as --schema prints them, q nulls where the CSV
 * field is empty. */
#ifndef PCAP2KDB_COLUMNS_BATCH_H
#define PCAP2KDB_COLUMNS_BATCH_H

#include "batch_build.h"
#include "columns.h"

/* The schema of the selected packet columns; cols has room for cl->n. */
void columns_schema(struct table_schema *sc, struct table_column *cols,
                    const struct column_list *cl, const char *table);
/* One row into the builder (a no-op once it has failed). */
void columns_batch_row(struct batch_builder *bb, const struct column_list *cl,
                       const struct row *r, struct format_ctx *ctx);

#endif
