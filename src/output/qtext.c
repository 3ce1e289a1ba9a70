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
    out_write(o, table, strlen(table));
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
    out_write(o, ")\n", 2);
}
