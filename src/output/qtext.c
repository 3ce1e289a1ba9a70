/* qtext.c: q's text grammar shared by the q-script writers (qtext.h). */
#include "qtext.h"
#include "qload.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

int qcol_grow(struct qcol *c, size_t n)
{
    return grow_chars(&c->buf, &c->cap, 4096, c->len, n);
}

void q_table_definition(struct out *o, const char *mode, const char *table, int ncols,
                        const char *(*col)(const void *ctx, int i, char *qtype),
                        const void *ctx)
{
    out_write(o, "/ pcap2kdb", 10);
    if (mode) {
        out_write(o, " ", 1);
        out_write(o, mode, strlen(mode));
    }
    out_write(o, ": load with \\l FILE.q\n", 22);
    size_t tn = strlen(table);
    out_write(o, "if[not `", 8);
    out_write(o, table, tn);
    out_write(o, " in key `.;", 11);
    out_write(o, table, tn);
    out_write(o, ":([]", 4);
    for (int i = 0; i < ncols; i++) {
        char qtype;
        const char *name = col(ctx, i, &qtype);
        const char *t = q_empty_list(qtype);
        out_write(o, " ", 1);
        out_write(o, name, strlen(name));
        out_write(o, ":", 1);
        out_write(o, t, strlen(t));
        if (i + 1 < ncols)
            out_write(o, ";", 1);
    }
    out_write(o, ")]\n", 3);
    /* @[cols;x;()]: a variable of that name that is no table gets the same
     * message instead of cols' own error */
    out_write(o, "if[not(@[cols;", 14);
    out_write(o, table, tn);
    out_write(o, ";()])~", 6);
    if (ncols == 1)
        out_write(o, "enlist", 6);
    for (int i = 0; i < ncols; i++) {
        char qtype;
        const char *name = col(ctx, i, &qtype);
        out_write(o, "`", 1);
        out_write(o, name, strlen(name));
    }
    out_write(o, ";'\"", 3);
    out_write(o, table, tn);
    out_write(o, Q_OTHER_COLUMNS, strlen(Q_OTHER_COLUMNS));
    out_write(o, "\"]\n", 3);
}

void q_insert_open(struct out_pieces *ps, const char *table, int ncols)
{
    out_piece(ps, "`", 1);
    out_piece(ps, table, strlen(table));
    out_piece(ps, " insert ", 8);
    out_piece(ps, ncols == 1 ? "enlist " : "(", ncols == 1 ? 7 : 1);
}

void q_column_open(struct out_pieces *ps, int i, char qtype, int single)
{
    if (i)
        out_piece(ps, ";", 1);
    if (qtype == 'S')
        out_piece(ps, "`$", 2);
    if (single)
        out_piece(ps, "enlist ", 7);
    else if (qtype == 'S' || qtype == '*')
        out_piece(ps, "(", 1);
}

void q_column_close(struct out_pieces *ps, char qtype, int single)
{
    if (!single && (qtype == 'S' || qtype == '*'))
        out_piece(ps, ")", 1);
    /* Bare integers are longs, so int and short columns need their suffix;
     * booleans are written as a run of digits and need theirs. */
    if (qtype == 'I')
        out_piece(ps, "i", 1);
    else if (qtype == 'H')
        out_piece(ps, "h", 1);
    else if (qtype == 'B')
        out_piece(ps, "b", 1);
}

void q_insert_close(struct out_pieces *ps, int ncols)
{
    out_piece(ps, ncols == 1 ? "\n" : ")\n", ncols == 1 ? 1 : 2);
}
