/* msgtab.c: a table mode's columns and the CSV form of wire text (msgtab.h). */
#include "msgtab.h"
#include "qtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mt_columns_add(struct mt_columns *cols, const char *name, char qtype, int id)
{
    if (cols->n == MT_MAX_COLS || strlen(name) >= MT_NAME_MAX)
        return -1;
    struct mt_col *c = &cols->col[cols->n++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->qtype = qtype;
    c->enc = BENC_Q;
    c->wire_text = 0;
    c->id = id;
    return 0;
}

static int add_message_column(void *ctx, int id, char qtype, const char *name, size_t n)
{
    struct mt_columns *cols = ctx;
    char text[MT_NAME_MAX];
    memcpy(text, name, n); /* n < MT_NAME_MAX: the parser checked */
    text[n] = '\0';
    return mt_columns_add(cols, text, qtype, id);
}

int mt_columns_parse(struct mt_columns *cols, const struct column_def *defs, int ndefs,
                     const char *list,
                     int (*extra)(void *ctx, const char *name, size_t n, char *qtype),
                     void *extra_ctx, char *err, size_t errlen)
{
    cols->n = 0;
    const struct column_name_sink sink = { add_message_column, cols, MT_MAX_COLS, MT_NAME_MAX };
    return column_names_parse(list, defs, ndefs, extra, extra_ctx, &sink, err, errlen);
}

/* ---------------------------------------------------------------- CSV -- */

/* Bytes of outside text (wire text, a file name) a CSV field does not carry
 * as they are: control bytes and the backslash (escaped, so that every
 * record is one line, as q's 0: reads it), ',' and '"' (RFC 4180 quotes);
 * mt_csv_special16 (msgtab.h) tests the same bytes. */
#define C8(b) b, b, b, b, b, b, b, b
static const uint8_t csv_special[256] = {
    C8(1), C8(1), C8(1), C8(1),                    /* 0x00-0x1f: control */
    [','] = 1, ['"'] = 1, ['\\'] = 1, [0x7f] = 1,
};
#undef C8

char *mt_csv_str_long(char *p, const char *s, uint32_t n)
{
    /* Copy the value as it is while collecting whether any byte is special
     * (no branch per byte); the room for the escaped form is there anyway. */
    uint8_t special = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        p[i] = (char)c;
        special |= csv_special[c];
    }
    if (!special)
        return p + n;
    return mt_csv_str_escaped(p, s, n);
}

char *mt_csv_str_escaped(char *p, const char *s, uint32_t n)
{
    int quote = memchr(s, ',', n) || memchr(s, '"', n);
    if (quote)
        *p++ = '"';
    /* a quote doubled (RFC 4180), NUL its stand-in; every other byte as
     * in a q string: \\ and \ooo escapes */
    for (uint32_t k = 0; k < n; k++) {
        uint8_t c = (uint8_t)s[k];
        if (c == '"') {
            *p++ = '"';
            *p++ = '"';
        } else if (c == 0) {
            *p++ = MT_NUL_STANDIN;
        } else {
            p = q_string_byte(p, c);
        }
    }
    if (quote)
        *p++ = '"';
    return p;
}
