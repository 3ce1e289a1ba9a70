/* fuzz_convert.c: libFuzzer target for the whole conversion path of the
 * command: the bytes are a capture file, read by reader_open/reader_next,
 * decoded, tracked in the flow table and written, exactly as convert_input()
 * does for `pcap2kdb FILE`, in each output mode of main.c:
 *
 *   packets, CSV, every column     packets, -f q, every column (data cap 3)
 *   --fix, CSV (+ --tags)          --fix, -f q
 *   --kdb, CSV                     --kdb, -f q
 *   --flows, CSV
 *
 * The output goes to a memfd and is checked: every CSV record (RFC 4180
 * quoting for wire text in --fix and --kdb) has one field per column, and packet CSV
 * has one line per record plus the header. Each mode keeps one converter for
 * every run (as main.c keeps one for every input file; convert_input resets
 * the flow table), with a 64-slot flow table so that eviction runs too.
 *
 * Build: cmake -DPCAP2KDB_FUZZ=ON -DCMAKE_C_COMPILER=clang (tests/fuzz/run.sh). */
#define _GNU_SOURCE
#include "columns.h"
#include "convert.h"
#include "fix_mode.h"
#include "kdb_mode.h"
#include "flows_summary.h"
#include "input.h"
#include "writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_FLOW_SLOTS 64
#define FUZZ_FIX_TAGS "37,17,58"

enum kind { PACKETS, FIX, KDB, FLOWS };

struct pass {
    enum kind kind;
    int q;
    uint32_t data_max;
    /* set up on first use */
    int ready, ncols;
    struct converter cv;
    struct writer w;
    struct format_ctx fmt;
    const struct mode_ops *mode; /* NULL: packet rows */
    void *mode_ctx;
};

static struct pass passes[] = {
    { .kind = PACKETS, .data_max = 65535 },
    { .kind = PACKETS, .q = 1, .data_max = 3 },
    { .kind = FIX },
    { .kind = FIX, .q = 1 },
    { .kind = KDB },
    { .kind = KDB, .q = 1 },
    { .kind = FLOWS },
};

static int sink = -1;
static struct out out;          /* one output buffer for every run */
static struct column_list all;  /* every packet column */
static char *text;
static size_t text_cap;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_convert: %s\n", what);
    abort();
}

static void setup_pass(struct pass *p)
{
    p->fmt = (struct format_ctx){ .data_max = p->data_max };
    format_set_input(&p->fmt, "fuzz", "fuzz, \"1\".pcap"); /* a file name CSV quotes */
    const struct writer_ops *ops = p->q ? &q_writer_ops : &csv_writer_ops;
    p->w = (struct writer){ .ops = ops, .out = &out, .cols = &all, .fmt = &p->fmt,
                            .header = 1, .table = "pcap" };
    struct converter_setup setup = { .writer = &p->w, .use_flows = 1,
                                     .flow_slots = FUZZ_FLOW_SLOTS, .quiet = 1 };
    p->ncols = all.n;
    if (p->kind != PACKETS) {
        char err[1024];
        struct mode_opts mo = { .columns = NULL, .tags = p->kind == FIX ? FUZZ_FIX_TAGS : NULL,
                                .q = p->q, .header = 1,
                                .table = p->kind == FIX ? "fix" : p->kind == KDB ? "kdb" : "flows",
                                .out = &out, .fmt = &p->fmt };
        struct mt_columns mc;
        p->mode = p->kind == FIX ? &fix_mode_ops : p->kind == KDB ? &kdb_mode_ops
                                                                  : &flows_mode_ops;
        if (p->mode->columns(&mo, &mc, err, sizeof err) != 0)
            die(err);
        p->ncols = mc.n;
        p->mode_ctx = p->mode->create(&mo, err, sizeof err);
        if (!p->mode_ctx)
            die(err);
        setup.mode = p->mode;
        setup.mode_ctx = p->mode_ctx;
    }
    if (converter_init(&p->cv, &setup) != 0)
        die("out of memory");
    p->ready = 1;
}

static void setup(void)
{
    sink = memfd_create("fuzz_convert", 0);
    if (sink < 0)
        die("memfd_create failed");
    if (out_init(&out, sink, "fuzz") != 0)
        die("out of memory");
    all.n = 0;
    for (int c = 0; c < COL_COUNT; c++)
        all.id[all.n++] = (enum col_id)c;
}

/* The output written so far, as text; the sink is emptied. */
static size_t take_output(void)
{
    off_t n = lseek(sink, 0, SEEK_CUR);
    if (n < 0)
        die("lseek failed");
    if ((size_t)n + 1 > text_cap) {
        text_cap = (size_t)n + 1;
        text = realloc(text, text_cap);
        if (!text)
            die("out of memory");
    }
    if (pread(sink, text, (size_t)n, 0) != n)
        die("pread failed");
    text[n] = '\0';
    if (ftruncate(sink, 0) != 0 || lseek(sink, 0, SEEK_SET) != 0)
        die("cannot empty the sink");
    return (size_t)n;
}

/* RFC 4180: every record has ncols fields; returns the records. Packet
 * rows quote only the file column; --flows never quotes (quotes is 0): a
 * quote there is a bug. */
static uint64_t check_csv(size_t n, int ncols, int quotes)
{
    uint64_t records = 0;
    int fields = 1, inq = 0;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c == '\0')
            die("CSV output holds a NUL");
        if (inq) {
            if (c == '"') {
                if (i + 1 < n && text[i + 1] == '"')
                    i++;
                else
                    inq = 0;
            }
            continue;
        }
        if (c == '"') {
            if (!quotes)
                die("packet CSV output holds a quote");
            if (i > 0 && text[i - 1] != ',' && text[i - 1] != '\n')
                die("CSV quote in the middle of a field");
            inq = 1;
        } else if (c == '\r') {
            die("CSV output holds a bare CR");
        } else if (c == ',') {
            fields++;
        } else if (c == '\n') {
            if (fields != ncols) {
                fprintf(stderr, "record %llu has %d fields, not %d\n",
                        (unsigned long long)records + 1, fields, ncols);
                die("CSV record with a wrong field count");
            }
            fields = 1;
            records++;
        }
    }
    if (inq || (n && text[n - 1] != '\n'))
        die("CSV output ends inside a record");
    return records;
}

static void check_q(size_t n)
{
    if (memchr(text, '\0', n))
        die("q output holds a NUL");
    if (n && text[n - 1] != '\n')
        die("q output does not end with a line end");
}

/* One conversion in one mode; returns the records read. */
static uint64_t convert(struct pass *p, const uint8_t *data, size_t size)
{
    if (!p->ready)
        setup_pass(p);
    struct input in;
    uint64_t before = p->cv.records;
    if (input_init_mem(&in, data, size, "fuzz") != 0)
        die("out of memory");
    if (p->mode)
        p->mode->begin(p->mode_ctx);
    else
        p->w.ops->begin(&p->w);
    int code = convert_input(&p->cv, &in, "fuzz");
    if (code != EXIT_OK && code != EXIT_USAGE && code != EXIT_DAMAGED &&
        code != EXIT_NO_MEMORY)
        die("convert_input returned an unknown exit code");
    input_close(&in);
    if (p->mode)
        p->mode->end(p->mode_ctx);
    else
        p->w.ops->end(&p->w);
    out_flush(&out);
    if (out_dead(&out))
        die("writing to the memfd failed");
    return p->cv.records - before;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sink < 0)
        setup();
    uint64_t records = 0;
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        struct pass *p = &passes[i];
        uint64_t got = convert(p, data, size);
        if (i == 0)
            records = got;
        else if (got != records)
            die("another mode read another number of records");
        size_t n = take_output();
        if (p->q) {
            check_q(n);
        } else {
            /* packet rows quote only the file column (its name has a quote) */
            uint64_t lines = check_csv(n, p->ncols, p->kind != FLOWS);
            if (p->kind == PACKETS && lines != records + 1)
                die("packet CSV line count is not records + header");
        }
    }
    return 0;
}
