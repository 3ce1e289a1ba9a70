/* qload.h: the q lines that load what pcap2kdb writes (--schema), one
 * function for every table and format. */
#ifndef PCAP2KDB_QLOAD_H
#define PCAP2KDB_QLOAD_H

#include <stdio.h>

/* The columns of a table as --schema needs them: names and q type letters. */
struct qload_table {
    const char *name;          /* the table */
    int ncols;
    const char *const *cols;   /* column names */
    const char *types;         /* one q type letter per column ('*' a string) */
};

/* Prints the load line(s) for the table written to file (NULL: out.csv or
 * out.q). q script: a comment line naming the table, then \l FILE, or
 * system "l FILE" (an escaped q string) when FILE holds other bytes than
 * letters, digits and ._-/ . CSV with a header line:
 *     T:("PS...";enlist",") 0: `:FILE
 * CSV without one (--no-header): the column names come from the line
 * itself, and a .Q.fs form loads a big file in chunks:
 *     T:flip `a`b!("PS";",") 0: `:FILE
 *     .Q.fs[{`T insert flip `a`b!("PS";",") 0: x}] `:FILE
 * Returns 0, or -1 when writing failed. */
int qload_print(FILE *fp, const struct qload_table *t, const char *file, int q_script,
                int header);

/* The empty typed list of q type letter t, as a table definition declares a
 * column: `timestamp$(), `symbol$() ...; () for a string column ('*'). One
 * list for the q scripts of every table and the --publish schema. */
const char *q_empty_list(char t);

#endif
