/* write_table.h: the writer of a table mode (--fix, --kdb, --flows): its
 * rows are typed column batches (batch.h) of the columns the mode chose
 * (struct mt_columns: names, q types, encodings), which go out as CSV, as a
 * q script, or, for --publish, to the kdb+ IPC publisher's batch builder.
 *
 * A mode begins a row with tw_row(), sets each column with the builder's
 * setters (batch_build.h: bb_set_*; a null with bb_set_null) on tw->bb at
 * the row's index, and ends it with tw_row_done(). The text writers take
 * each row at its end (a builder of one row, text pointed at, not copied:
 * text_by_reference), so that the output sees rows as they come (a failed
 * write, -c) and a value may point into the mode's message until then.
 *
 * Text is the values' text (batch_value.h). CSV: one header line, a wire
 * text column escaped as mt_csv_str says, every other value as it is. q
 * script (qtext.h): the table's definition, then insert statements of up
 * to Q_BATCH_ROWS rows or Q_BATCH_BYTES of string text, the values of each
 * column together; symbols and strings as q strings (\" \\ and \ooo
 * escapes: the sym may hold a backslash), nulls as q's typed nulls, a
 * float without "." given one. A NUL byte of wire text is '?' in every
 * format. With row_statements (--flows), each row is its own insert of
 * atoms: `t insert (1;`$"a";0Ni;...). */
#ifndef PCAP2KDB_WRITE_TABLE_H
#define PCAP2KDB_WRITE_TABLE_H

#include "batch_build.h"
#include "msgtab.h"
#include "out.h"

struct tw_qstate;

/* The CSV text of a table's batches, for every CSV writer of batches (a
 * table mode's here, the packet rows' chosen columns in write_csv.c): each
 * column's kind made once (csv_plan_make), then each row's room
 * (csv_plan_room) and text, '\n' ended (csv_plan_row). */
struct csv_plan {
    uint8_t kind[BB_MAX_COLS];
    uint32_t valid_mask[BB_MAX_COLS];
    uint32_t valid_masks;      /* all of them */
    uint8_t text_col[BB_MAX_COLS]; /* the columns of text, ntext of them */
    uint8_t text_wire[BB_MAX_COLS]; /* ... and whether each is wire text */
    int ntext;
    size_t fixed_room;         /* a row's room but its text columns' */
    struct time_cache time[BB_MAX_COLS]; /* a time column's own */
};
void csv_plan_make(struct csv_plan *pl, const struct table_schema *sc);
static inline size_t csv_plan_room(const struct csv_plan *pl, const struct batch *b, int r)
{
    size_t need = pl->fixed_room;
    for (int i = 0; i < pl->ntext; i++) { /* wire text escaped, ours as it is */
        uint32_t n = b->col[pl->text_col[i]].s[r].n;
        need += pl->text_wire[i] ? MT_CSV_STR_ROOM(n) : n;
    }
    return need;
}
char *csv_plan_row(char *p, struct csv_plan *pl, const struct batch *b, int r);

struct table_writer {
    struct out *out;
    struct table_schema schema;
    struct table_column cols[MT_MAX_COLS];
    int q;                     /* 1: q script, 0: CSV (not with --publish) */
    int header;                /* CSV header line */
    int row_statements;        /* q: an insert per row (--flows) */
    /* q: a statement's bytes, for its Q_BATCH_BYTES cut, count all its
     * items (the packet rows', tw_text_open), not its strings alone */
    int q_count_items;
    const char *mode_option;   /* q: the option the script's comment names, or NULL */
    /* Where the rows go: own (text into out), or --publish's builder, made
     * by the driver from the same schema (table_schema_of). */
    struct batch_builder *bb;
    struct batch_builder own;
    struct time_cache time[MT_MAX_COLS]; /* q: a time column's own */
    struct csv_plan csv;
    struct tw_qstate *qs;      /* the q statement in the making */
};

/* The schema of a table of columns mc named table: names, q types and
 * encodings from mc; a valid bit for each column that has no null of its
 * own (a compact encoding, a boolean). -1 when more than 32 need one. */
int table_schema_of(struct table_schema *sc, struct table_column *cols,
                    const struct mt_columns *mc, const char *table);

/* The writer of table to out (publish: --publish's builder, else NULL);
 * -1 when out of memory. */
int tw_open(struct table_writer *tw, const struct mt_columns *mc, const char *table,
            struct out *out, int q, int header, struct batch_builder *publish);
/* The CSV header line or the q table's definition. */
void tw_begin(struct table_writer *tw);

/* Begins a row whose copied text takes at most text_max bytes (what
 * bb_set_ref and bb_set_wire may copy); its index, or -1 when no row is
 * to be written (-c reached, the output failed). Every column must then
 * be set. tw_row_staged: the same without counting it for -c (a row that
 * acktime.h holds, which counts it where it writes it). */
int tw_row(struct table_writer *tw, size_t text_max);
int tw_row_staged(struct table_writer *tw, size_t text_max);
void tw_row_done(struct table_writer *tw);

/* A builder that failed (its consumer refused a batch, or out of memory)
 * fails the output as a failed write does, unless that has failed. */
void batch_failure_to_out(const struct batch_builder *bb, struct out *o);

/* The q script of batches that come from elsewhere (the packet rows'
 * chosen columns, write_q.c): the table's definition now, then each batch
 * by tw_text_batch (a bb_emit_fn), the statement in the making ended by
 * tw_text_statement_end; tw_text_statement says its rows and bytes (what
 * cuts it at Q_BATCH_ROWS or Q_BATCH_BYTES: here every item's bytes, as
 * the packet rows' statements always counted them). Freed by tw_free. */
void tw_text_open(struct table_writer *tw, const struct table_schema *sc, struct out *out);
int tw_text_batch(void *tw, const struct batch *b);
void tw_text_statement_end(struct table_writer *tw);
void tw_text_statement(const struct table_writer *tw, int *rows, size_t *text);

/* Input pauses: the q statement in the making goes out. */
void tw_pause(struct table_writer *tw);
/* The end: what is held goes out, and the writer is freed. */
void tw_end(struct table_writer *tw);
void tw_free(struct table_writer *tw);

#endif
