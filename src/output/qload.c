/* qload.c: --schema's load lines (qload.h). */
#include "qload.h"

#include <string.h>
#include "qtext.h"

/* Writes path as the body of a q string: quote, backslash and control
 * bytes escaped. */
static void q_string_body(FILE *fp, const char *path)
{
    for (const char *c = path; *c; c++) {
        char b[4];
        fwrite(b, 1, (size_t)(q_string_byte(b, (unsigned char)*c) - b), fp);
    }
}

/* path after plain_open when every byte is one of plain's, else after
 * quoted_open as an escaped q string; then close. */
static void path_text(FILE *fp, const char *path, const char *plain, const char *plain_open,
                      const char *quoted_open, const char *close)
{
    if (path[strspn(path, plain)] == '\0') {
        fprintf(fp, "%s%s", plain_open, path);
    } else {
        fputs(quoted_open, fp);
        q_string_body(fp, path);
        fputc('"', fp);
    }
    fputs(close, fp);
}

#define PATH_LETTERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/"

/* The file handle of path as q reads it: `:path when every byte may stand
 * in a symbol literal, else hsym`$"path" (a space, ';' or '-' would end or
 * split the literal). */
static void file_handle(FILE *fp, const char *path)
{
    path_text(fp, path, PATH_LETTERS ":", "`:", "hsym`$\"", "");
}

/* The line that loads the q script at path. A system command takes the
 * rest of its line as its argument, a " /" included (the kdb+ reference,
 * "Syntax", Comments: "/" comments out the rest of the line unless
 * preceded by a system command), so a comment goes on a line of its own
 * before it. A plain path is written \l path; any other (a space, quote,
 * control byte...) goes through system with the path as an escaped q
 * string, which a line break or "/ " inside it cannot end or cut. */
static void script_load(FILE *fp, const char *path)
{
    path_text(fp, path, PATH_LETTERS "-", "\\l ", "system \"l ", "\n");
}

/* The column names as a q symbol list: one name alone is an atom in q,
 * which a dictionary does not take as its keys: (enlist`frame). */
static void names(FILE *fp, const struct qload_table *t)
{
    if (t->ncols == 1) {
        fprintf(fp, "(enlist`%s)", t->cols[0]);
        return;
    }
    for (int i = 0; i < t->ncols; i++)
        fprintf(fp, "`%s", t->cols[i]);
}

/* The type letters as a q string: one letter alone ("J") is a char atom
 * in q, not a list of one type, so it is enlisted. */
static void types(FILE *fp, const struct qload_table *t)
{
    fprintf(fp, t->ncols == 1 ? "enlist\"%.*s\"" : "\"%.*s\"", t->ncols, t->types);
}

int qload_print(FILE *fp, const struct qload_table *t, const char *file, int q_script,
                int header)
{
    if (q_script) {
        fprintf(fp, "/ creates table %s\n", t->name);
        script_load(fp, file ? file : "out.q");
        return ferror(fp) ? -1 : 0;
    }
    if (!file)
        file = "out.csv";
    if (header) {
        fprintf(fp, "%s:(", t->name);
        types(fp, t);
        fputs(";enlist\",\") 0: ", fp);
        file_handle(fp, file);
        fputc('\n', fp);
    } else {
        fprintf(fp, "%s:flip ", t->name);
        names(fp, t);
        fputs("!(", fp);
        types(fp, t);
        fputs(";\",\") 0: ", fp);
        file_handle(fp, file);
        fputc('\n', fp);
        fprintf(fp, ".Q.fs[{`%s insert flip ", t->name);
        names(fp, t);
        fputs("!(", fp);
        types(fp, t);
        fputs(";\",\") 0: x}] ", fp);
        file_handle(fp, file);
        fputc('\n', fp);
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
