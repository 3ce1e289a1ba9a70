/* write_csv.c: RFC 4180 CSV, one header line, "\n" line ends, one record a
 * line. No field needs quoting or escapes: every value is a number, an
 * address, a name from our own tables, a timestamp, hex, or the sym, which
 * main.c checks; the file column comes escaped and quoted as it must be
 * (format_set_input, mt_csv_str). */
#include "writer.h"

#include <string.h>

static void csv_begin(struct writer *w)
{
    if (!w->header)
        return;
    for (int i = 0; i < w->cols->n; i++) {
        const char *name = column_defs[w->cols->id[i]].name;
        if (i)
            out_write(w->out, ",", 1);
        out_write(w->out, name, strlen(name));
    }
    out_write(w->out, "\n", 1);
}

static void csv_row(struct writer *w, const struct row *r)
{
    const struct column_list *cl = w->cols;
    /* Room for the longest possible row; the payload's hex counts whether or
     * not the data column is chosen (a slight over-reservation, no loop). */
    size_t need = (size_t)cl->n * FIELD_MAX + w->fmt->text_len + 2 + 2 * (size_t)data_bytes(r, w->fmt);
    if (out_reserve(w->out, need) != 0)
        return;
    char *p = out_cursor(w->out);
    if (cl->is_default) {
        p = format_default_row(p, r, w->fmt);
    } else {
        for (int i = 0; i < cl->n; i++) {
            if (i)
                *p++ = ',';
            p = format_field(p, cl->id[i], r, w->fmt);
        }
    }
    *p++ = '\n';
    out_advance(w->out, p);
}

static void csv_end(struct writer *w) { (void)w; }

const struct writer_ops csv_writer_ops = { csv_begin, csv_row, csv_end, NULL };
