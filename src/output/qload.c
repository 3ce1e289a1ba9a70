/* qload.c: --schema's load lines (qload.h). */
#include "qload.h"

static void names(FILE *fp, const struct qload_table *t)
{
    for (int i = 0; i < t->ncols; i++)
        fprintf(fp, "`%s", t->cols[i]);
}

int qload_print(FILE *fp, const struct qload_table *t, const char *file, int q_script,
                int header)
{
    if (q_script) {
        fprintf(fp, "\\l %s  / creates table %s\n", file ? file : "out.q", t->name);
        return ferror(fp) ? -1 : 0;
    }
    if (!file)
        file = "out.csv";
    if (header) {
        fprintf(fp, "%s:(\"%.*s\";enlist\",\") 0: `:%s\n", t->name, t->ncols, t->types, file);
    } else {
        fprintf(fp, "%s:flip ", t->name);
        names(fp, t);
        fprintf(fp, "!(\"%.*s\";\",\") 0: `:%s\n", t->ncols, t->types, file);
        fprintf(fp, ".Q.fs[{`%s insert flip ", t->name);
        names(fp, t);
        fprintf(fp, "!(\"%.*s\";\",\") 0: x}] `:%s\n", t->ncols, t->types, file);
    }
    return ferror(fp) ? -1 : 0;
}

/* The empty typed list of q type letter t, as a table definition declares a
 * column: `timestamp$() ... ; () for a string column ('*'). */
const char *q_empty_list(char t)
{
    switch (t) {
    case 'P': return "`timestamp$()";
    case 'S': return "`symbol$()";
    case 'H': return "`short$()";
    case 'I': return "`int$()";
    case 'J': return "`long$()";
    case 'F': return "`float$()";
    case 'B': return "`boolean$()";
    case 'N': return "`timespan$()";
    default: return "()";
    }
}
