/* fuzz_convert.c: libFuzzer target for the whole conversion path of the
 * command: the bytes are a capture file, read by reader_open/reader_next,
 * decoded, tracked in the flow table and written by the CSV and the q
 * writers with every column selected, exactly as convert_input() does for
 * `pcap2kdb FILE`.
 *
 * The output goes to a memfd and is checked: every CSV line has one field
 * per column and no quote, and there is one line per record converted. The
 * flow table is small (64 slots) so that eviction runs too.
 *
 * Build: cmake -DPCAP2KDB_FUZZ=ON -DCMAKE_C_COMPILER=clang (tests/fuzz/run.sh). */
#define _GNU_SOURCE
#include "columns.h"
#include "convert.h"
#include "input.h"
#include "writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_FLOW_SLOTS 64

static int sink = -1;
static struct out out;         /* one 1 MiB buffer for every run */
static char *text;
static size_t text_cap;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_convert: %s\n", what);
    abort();
}

static void setup(void)
{
    sink = memfd_create("fuzz_convert", 0);
    if (sink < 0)
        die("memfd_create failed");
    if (out_init(&out, sink, "fuzz") != 0)
        die("out of memory");
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

static void check_csv(size_t n, int ncols, uint64_t records)
{
    uint64_t lines = 0;
    int commas = 0;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c == '"' || c == '\r' || c == '\0')
            die("CSV output holds a quote, CR or NUL");
        if (c == ',') {
            commas++;
        } else if (c == '\n') {
            if (commas != ncols - 1) {
                fprintf(stderr, "line %llu has %d fields, not %d\n",
                        (unsigned long long)lines + 1, commas + 1, ncols);
                die("CSV line with a wrong field count");
            }
            commas = 0;
            lines++;
        }
    }
    if (n && text[n - 1] != '\n')
        die("CSV output does not end with a line end");
    if (lines != records + 1)
        die("CSV line count is not records + header");
}

static void check_q(size_t n, uint64_t records)
{
    if (memchr(text, '\0', n))
        die("q output holds a NUL");
    if (records && !strstr(text, "`pcap insert "))
        die("q output inserts no rows");
}

/* One conversion with one writer; returns the records converted. */
static uint64_t convert(const uint8_t *data, size_t size, const struct writer_ops *ops,
                        uint32_t data_max, const struct column_list *cols)
{
    struct format_ctx fmt = { .sym = "fuzz", .sym_len = 4, .data_max = data_max };
    struct writer w = { .ops = ops, .out = &out, .cols = cols, .fmt = &fmt, .header = 1,
                        .table = "pcap" };
    struct input in;
    /* One converter for every run, as main.c has one for every input file
     * (convert_input resets the flow table), with a small flow table so that
     * eviction is fuzzed too. */
    static struct converter cv;
    static int cv_ready;
    if (!cv_ready) {
        if (converter_init(&cv, &w, 1) != 0)
            die("out of memory");
        flow_table_free(&cv.flows);
        if (flow_table_init(&cv.flows, FUZZ_FLOW_SLOTS) != 0)
            die("out of memory");
        cv.quiet = 1;
        cv_ready = 1;
    }
    cv.writer = &w;
    uint64_t before = cv.records;
    if (input_init_mem(&in, data, size, "fuzz") != 0)
        die("out of memory");
    w.ops->begin(&w);
    int code = convert_input(&cv, &in, "fuzz");
    if (code != EXIT_OK && code != EXIT_USAGE && code != EXIT_DAMAGED)
        die("convert_input returned an unknown exit code");
    input_close(&in);
    w.ops->end(&w);
    out_flush(&out);
    if (out_dead(&out))
        die("writing to the memfd failed");
    return cv.records - before;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sink < 0)
        setup();
    struct column_list all;
    all.n = 0;
    for (int c = 0; c < COL_COUNT; c++)
        all.id[all.n++] = (enum col_id)c;

    uint64_t records = convert(data, size, &csv_writer_ops, 65535, &all);
    check_csv(take_output(), all.n, records);

    /* The q writer, with a tiny data cap (the other branch of data_bytes). */
    uint64_t again = convert(data, size, &q_writer_ops, 3, &all);
    check_q(take_output(), again);
    if (again != records)
        die("the q writer saw another number of records");
    return 0;
}
