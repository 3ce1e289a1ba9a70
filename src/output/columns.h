/* columns.h: the output columns (README "Columns"): names, q types, and the text
 * of each value. Writers loop over the selected columns; no writer knows how
 * a value is decoded, no decoder knows how it is printed. */
#ifndef PCAP2KDB_COLUMNS_H
#define PCAP2KDB_COLUMNS_H

#include <stddef.h>
#include <stdint.h>
#include "fmt.h"
#include "row.h"

enum col_id {
    COL_TIME, COL_SYM, COL_SRC, COL_DEST, COL_SRCPORT, COL_DESTPORT, COL_PROTOCOL,
    COL_FLAGS, COL_SEQ, COL_ACK, COL_WIN, COL_TSVAL, COL_TSECR, COL_LENGTH, COL_LEN,
    /* optional */
    COL_FRAME, COL_CAPLEN, COL_IFACE, COL_LINKTYPE, COL_VLAN, COL_TTL, COL_IPID,
    COL_STREAM, COL_RSEQ, COL_RACK, COL_RAWWIN, COL_WSCALE, COL_MSS, COL_ANALYSIS,
    COL_DATA,
    /* #17: latency between capture points */
    COL_HWTIME, COL_HWDEV, COL_HWPORT, COL_HASH,
    /* #15 tunnels */
    COL_TUNNEL, COL_TSRC, COL_TDEST, COL_TID,
    /* #16 TCP numbers */
    COL_INFLIGHT, COL_PUSHBYTES, COL_ACKRTT, COL_ACKED, COL_IRTT,
    /* #18 which file, link layer */
    COL_FILE, COL_SMAC, COL_DMAC, COL_ETHERTYPE,
    COL_COUNT
};

#define DEFAULT_COLUMNS 15
#define MAX_SELECTED_COLUMNS 64

struct column_def {
    const char *name;
    char qtype;          /* q type character for the 0: load line; '*' = string */
};

extern const struct column_def column_defs[COL_COUNT];

struct column_list {
    enum col_id id[MAX_SELECTED_COLUMNS];
    int n;
    int is_default;            /* exactly the 15 default columns, in order */
};

void columns_default(struct column_list *cl);
/* Parses "a,b,c"; on an unknown name writes a message into err and returns -1. */
int columns_parse(struct column_list *cl, const char *list, char *err, size_t errlen);

/* The one parser of a --columns list, for every table (packet rows here,
 * the message modes through msgtab.h). Each name of "a,b,c" is looked up in
 * defs[0..ndefs) (its id is its index), else offered to extra() (may be
 * NULL), which returns an id >= ndefs and sets the q type, or -1. add()
 * stores the column and returns -1 when there is no room for it. An unknown
 * name (the message lists the valid ones), a name of name_max bytes or more,
 * a name given twice or a column too many: a message in err, and -1. */
struct column_name_sink {
    int (*add)(void *ctx, int id, char qtype, const char *name, size_t n);
    void *ctx;
    int max;                   /* columns add() can hold, for the message */
    size_t name_max;
};
int column_names_parse(const char *list, const struct column_def *defs, int ndefs,
                       int (*extra)(void *ctx, const char *name, size_t n, char *qtype),
                       void *extra_ctx, const struct column_name_sink *sink, char *err,
                       size_t errlen);
/* Whether a column of the list is formatted from the packet's bytes through
 * a pointer of the row (payload, ip, mac): valid only until the next record
 * is read, so such rows cannot be formatted later on another thread. */
int columns_read_packet_bytes(const struct column_list *cl);
/* Whether a column list needs the flow table (window scaling, streams...). */
int columns_need_flows(const struct column_list *cl);
/* #17: whether a column shows the hardware stamp (only then is it looked for). */
int columns_need_hwts(const struct column_list *cl);
/* Whether the column is selected. */
int columns_has(const struct column_list *cl, enum col_id id);
/* #16: whether it needs the lists of unacknowledged segments. */
int columns_need_tcp_numbers(const struct column_list *cl);

/* The file column holds at most this many bytes of the input's name. */
#define FILE_NAME_MAX 4096

/* What formatting needs besides the row. */
struct format_ctx {
    const char *sym;
    size_t sym_len;
    /* the sym holds a backslash, a quote or a control byte: a q string of
     * it needs escapes */
    int sym_escape;
    /* counts format_set_input calls: a new value means a new input, whose
     * sym may sit where the last one did */
    unsigned input;
    /* #18: the file column's text: the input's name as given (at most
     * FILE_NAME_MAX bytes), which the writers escape as their format
     * needs, and the room sym and file take in a row together (text_len) */
    const char *file;
    size_t file_len, text_len;
    char file_text[FILE_NAME_MAX];
    uint32_t data_max;   /* bytes of payload in the data column */
    struct time_cache time;
    struct time_cache hwtime;  /* #17: its own, so that neither evicts the other */
};

/* Sets sym and the file column's text for the next input (path as given). */
void format_set_input(struct format_ctx *ctx, const char *sym, const char *path);

/* Upper bound of one formatted field (data excluded: it adds 2 * bytes). */
#define FIELD_MAX 200
/* The data column holds at most this many payload bytes (one full packet). */
#define MAX_DATA_BYTES 262144u

/* Writes the text of optional column c whose q type is text (S, '*'),
 * nothing for a null, and returns the end: what a batch holds of it
 * (columns_batch.c). The default columns are copied into batches as they
 * are (columns_default.h), the numbers given by column_number
 * (columns_number.h). */
char *format_field(char *p, enum col_id c, const struct row *r, struct format_ctx *ctx);
/* The protocol column's text (nothing when null): --proto compares names
 * with it. */
char *format_protocol(char *p, const struct row *r);
/* Whether optional column c, one of text, is null (empty) for this row. */
int field_is_null(enum col_id c, const struct row *r);
/* The bytes of the data column for this row. */
uint32_t data_bytes(const struct row *r, const struct format_ctx *ctx);

#endif
