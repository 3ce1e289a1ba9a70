/* main.c: options, output set-up and exit codes. The conversion itself is
 * convert.c's driver loop. */
#define _POSIX_C_SOURCE 200809L
#include "columns.h"
#include "convert.h"
#include "fix_mode.h"
#include "flows_summary.h"
#include "kdb_mode.h"
#include "publish.h"
#include "publish_feed.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PCAP2KDB_VERSION
#define PCAP2KDB_VERSION "0.0.0"
#endif

#define SYM_MAX 200

static const char usage_text[] =
    "Usage: pcap2kdb [options] [FILE|-] ...\n"
    "Convert pcap/pcapng captures into one row per packet for kdb+/q.\n"
    "Several files are read in turn; '-' (or no file) is standard input.\n"
    "\n"
    "  -o FILE           write to FILE instead of standard output\n"
    "  -f csv|q          output format: CSV (default) or a q script\n"
    "      --columns LIST  choose and order columns (comma-separated)\n"
    "      --sym NAME      value of the sym column (default: file name\n"
    "                      without extension; 'stdin' for -)\n"
    "      --table NAME    table name for -f q and --schema (default pcap)\n"
    "      --no-header     CSV without the header line\n"
    "      --data-max N    bytes of payload in the data column (default 65535)\n"
    "      --schema        print the q load line for the chosen columns and exit\n"
    "      --fix           one row per FIX message instead of per packet\n"
    "      --tags LIST     with --fix: add these FIX tags as columns tagN\n"
    "      --flows         one row per TCP connection instead of one per packet\n"
    "      --kdb           one row per kdb+ IPC message instead of per packet\n"
    "\n"
    "Publishing to kdb+ (instead of writing a file):\n"
    "      --publish [HOST]:PORT[:USER:PASSWORD]\n"
    "                      send the rows as .u.upd calls over kdb+ IPC\n"
    "      --publish-layout tick|plain\n"
    "                      tick (default): for kdb-tick, sym first, time sent as\n"
    "                      ptime; plain: the chosen columns as they are\n"
    "      --batch N       rows per message (default 4096)\n"
    "      --retry-for S   retry an unreachable or lost receiver for S seconds\n"
    "                      (default 60)\n"
    "\n"
    "Choosing packets (every packet is still decoded; frame keeps its number):\n"
    "      --port N        keep rows with TCP/UDP port N on either side\n"
    "      --host ADDR     keep rows with IPv4/IPv6 address ADDR (or ADDR/PREFIX)\n"
    "                      on either side\n"
    "      --proto NAME    keep rows whose protocol is NAME (tcp, udp, icmp, arp...)\n"
    "                      or IP protocol number NAME; each of these three options\n"
    "                      is repeatable: OR within one, AND between them\n"
    "  -c N              stop after writing N rows\n"
    "\n"
    "While it runs:\n"
    "      --progress      show a status line on stderr (default: when stderr is\n"
    "                      a terminal and the output is not)\n"
    "      --no-progress   never show the status line\n"
    "      --stats         print a summary of the run on stderr at the end\n"
    "  -h, --help        show this help and exit\n"
    "  -V, --version     show the version and exit\n"
    "\n"
    "Exit codes: 0 all converted, 1 usage error or input not a capture,\n"
    "2 damaged input (rows before the damage are written), 3 write error.\n"
    "See pcap2kdb(1).\n";

enum { OPT_COLUMNS = 256, OPT_SYM, OPT_TABLE, OPT_NO_HEADER, OPT_SCHEMA, OPT_DATA_MAX };
/* everyday options: filters, progress, summary */
enum { OPT_PORT = 300, OPT_HOST, OPT_PROTO, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_STATS };
/* message modes */
enum { OPT_FIX = 400, OPT_TAGS, OPT_KDB };
/* TCP analysis */
enum { OPT_FLOWS = 500 };
/* --publish */
enum { OPT_PUBLISH = 600, OPT_PUBLISH_LAYOUT, OPT_BATCH, OPT_RETRY_FOR };

struct options {
    const char *output;
    int q_format;
    struct column_list cols;
    const char *sym;
    const char *table;
    int header;
    int schema;
    uint32_t data_max;
    struct filter filter;
    uint64_t max_rows;         /* -c; 0: all */
    int progress;              /* -1 auto, 0 off, 1 on */
    int stats;
    const char *columns;       /* --columns as given: parsed once the mode is known */
    int fix;
    const char *tags;
    int flows;                 /* --flows: connection rows */
    int kdb;
    const char *publish;       /* --publish target as given */
    struct qtarget target;
    enum publish_layout layout;
    int layout_set;
    int batch;                 /* --batch; 0: not given */
    double retry_for;          /* --retry-for; < 0: not given */
};

static const char default_table[] = "pcap";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("pcap2kdb: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'pcap2kdb --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

/* Symbols must survive CSV without quoting and a q script without escapes. */
static int sym_is_safe(const char *s)
{
    return strpbrk(s, ",\"\r\n") == NULL && strlen(s) <= SYM_MAX;
}

/* q's keywords (.Q.res): `select:([] ...)` does not parse. */
static const char *const q_reserved[] = {
    "abs", "acos", "asin", "atan", "avg", "bin", "binr", "cor", "cos", "cov", "delete",
    "dev", "div", "do", "enlist", "exec", "exit", "exp", "getenv", "hopen", "if", "in",
    "insert", "last", "like", "log", "max", "min", "prd", "select", "setenv", "sin",
    "sqrt", "ss", "sum", "tan", "update", "var", "wavg", "while", "within", "wsum", "xexp",
};

static int name_is_q_identifier(const char *s)
{
    for (size_t i = 0; i < sizeof q_reserved / sizeof q_reserved[0]; i++)
        if (strcmp(s, q_reserved[i]) == 0)
            return 0;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* The default sym: the file's basename without its last extension, with any
 * character that CSV would need quoted replaced by '_'. */
static void sym_from_path(const char *path, char *sym, size_t cap)
{
    if (strcmp(path, "-") == 0) {
        snprintf(sym, cap, "stdin");
        return;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        sym[i] = strchr(",\"\r\n", base[i]) ? '_' : base[i];
    sym[n] = '\0';
}

static void print_schema(const struct options *o)
{
    if (o->flows && !o->q_format) {
        flows_print_schema(stdout, o->table);
        return;
    }
    if (o->q_format) {
        printf("\\l out.q  / creates table %s\n", o->table);
        return;
    }
    printf("%s:(\"", o->table);
    for (int i = 0; i < o->cols.n; i++)
        putchar(column_defs[o->cols.id[i]].qtype);
    printf("\";enlist\",\") 0: `:out.csv\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        { "columns", required_argument, NULL, OPT_COLUMNS },
        { "sym", required_argument, NULL, OPT_SYM },
        { "table", required_argument, NULL, OPT_TABLE },
        { "no-header", no_argument, NULL, OPT_NO_HEADER },
        { "schema", no_argument, NULL, OPT_SCHEMA },
        { "data-max", required_argument, NULL, OPT_DATA_MAX },
        { "port", required_argument, NULL, OPT_PORT },
        { "host", required_argument, NULL, OPT_HOST },
        { "proto", required_argument, NULL, OPT_PROTO },
        { "progress", no_argument, NULL, OPT_PROGRESS },
        { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
        { "stats", no_argument, NULL, OPT_STATS },
        { "fix", no_argument, NULL, OPT_FIX },
        { "kdb", no_argument, NULL, OPT_KDB },
        { "tags", required_argument, NULL, OPT_TAGS },
        { "flows", no_argument, NULL, OPT_FLOWS },
        { "publish", required_argument, NULL, OPT_PUBLISH },
        { "publish-layout", required_argument, NULL, OPT_PUBLISH_LAYOUT },
        { "batch", required_argument, NULL, OPT_BATCH },
        { "retry-for", required_argument, NULL, OPT_RETRY_FOR },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    columns_default(&o->cols);
    o->table = default_table;
    o->header = 1;
    o->data_max = 65535;
    o->progress = -1;
    o->retry_for = -1;
    char err[1024];
    int c;
    while ((c = getopt_long(argc, argv, "o:f:c:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "csv") == 0)
                o->q_format = 0;
            else if (strcmp(optarg, "q") == 0)
                o->q_format = 1;
            else
                return usage_error("unknown format '%s' (csv or q)", optarg);
            break;
        case OPT_COLUMNS:
            o->columns = optarg;
            break;
        case OPT_FIX:
            o->fix = 1;
            break;
        case OPT_TAGS:
            o->tags = optarg;
            break;
        case OPT_FLOWS:
            o->flows = 1;
            break;
        case OPT_KDB:
            o->kdb = 1;
            break;
        case OPT_PUBLISH:
            if (qtarget_parse(&o->target, optarg, err, sizeof err) != 0)
                return usage_error("%s", err);
            o->publish = optarg;
            break;
        case OPT_PUBLISH_LAYOUT:
            if (strcmp(optarg, "tick") == 0)
                o->layout = LAYOUT_TICK;
            else if (strcmp(optarg, "plain") == 0)
                o->layout = LAYOUT_PLAIN;
            else
                return usage_error("unknown --publish-layout '%s' (tick or plain)", optarg);
            o->layout_set = 1;
            break;
        case OPT_BATCH: {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || v < 1 || v > PUBLISH_MAX_BATCH)
                return usage_error("--batch '%s' is not a number of rows from 1 to 1000000",
                                   optarg);
            o->batch = (int)v;
            break;
        }
        case OPT_RETRY_FOR: {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || end == optarg || !(v >= 0 && v <= 86400))
                return usage_error("--retry-for '%s' is not a number of seconds (0 to 86400)",
                                   optarg);
            o->retry_for = v;
            break;
        }
        case OPT_SYM:
            if (!sym_is_safe(optarg))
                return usage_error("--sym '%s' must not contain ',', '\"', CR or LF, "
                                   "nor be longer than 200 bytes", optarg);
            o->sym = optarg;
            break;
        case OPT_TABLE:
            if (!name_is_q_identifier(optarg))
                return usage_error("--table '%s' is not a q name (a letter, then letters, "
                                   "digits or '_'; not a q keyword)", optarg);
            o->table = optarg;
            break;
        case OPT_NO_HEADER:
            o->header = 0;
            break;
        case OPT_SCHEMA:
            o->schema = 1;
            break;
        case OPT_DATA_MAX: {
            char *end;
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno || *end || end == optarg || optarg[0] == '-' || v > MAX_DATA_BYTES)
                return usage_error("--data-max '%s' is not a number of bytes up to 262144",
                                   optarg);
            o->data_max = (uint32_t)v;
            break;
        }
        case OPT_PORT:
            if (filter_add_port(&o->filter, optarg, err, sizeof err) != 0)
                return usage_error("%s", err);
            break;
        case OPT_HOST:
            if (filter_add_host(&o->filter, optarg, err, sizeof err) != 0)
                return usage_error("%s", err);
            break;
        case OPT_PROTO:
            if (filter_add_proto(&o->filter, optarg, err, sizeof err) != 0)
                return usage_error("%s", err);
            break;
        case 'c': {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || optarg[0] < '1' || optarg[0] > '9')
                return usage_error("-c '%s' is not a number of rows (1 or more)", optarg);
            o->max_rows = v;
            break;
        }
        case OPT_PROGRESS:
            o->progress = 1;
            break;
        case OPT_NO_PROGRESS:
            o->progress = 0;
            break;
        case OPT_STATS:
            o->stats = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(EXIT_OK);
        case 'V':
            printf("pcap2kdb %s\n", PCAP2KDB_VERSION);
            exit(EXIT_OK);
        default:
            fputs("Try 'pcap2kdb --help' for more information.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (o->tags && !o->fix)
        return usage_error("%s", "--tags needs --fix");
    if (o->fix && o->kdb)
        return usage_error("%s", "--fix and --kdb exclude each other");
    if (!o->fix && !o->kdb && o->columns && columns_parse(&o->cols, o->columns, err, sizeof err) != 0)
        return usage_error("%s", err);
    if (o->flows && o->fix)
        return usage_error("%s", "--flows and --fix cannot be used together");
    if (o->flows && o->kdb)
        return usage_error("%s", "--flows and --kdb cannot be used together");
    if (o->flows && o->columns)
        return usage_error("%s", "--columns does not apply to --flows (its columns are fixed)");
    if (o->flows && o->table == default_table)
        o->table = "flows";
    if (!o->publish && (o->layout_set || o->batch || o->retry_for >= 0))
        return usage_error("%s", "--publish-layout, --batch and --retry-for need --publish");
    if (o->publish && o->output)
        return usage_error("%s", "--publish and -o exclude each other (rows go to the receiver)");
    if (o->publish && o->q_format)
        return usage_error("%s", "--publish and -f q exclude each other (rows go to the receiver)");
    if (o->publish && !o->header)
        return usage_error("%s", "--no-header does not apply to --publish");
    return -1;
}

/* Total bytes of the inputs, for the percentage; 0 when one is not a
 * regular file (a pipe, zcat) and its size cannot be known. */
static uint64_t inputs_size(char **files, int nfiles)
{
    uint64_t total = 0;
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        int r = strcmp(files[i], "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(files[i], &st);
        if (r != 0 || !S_ISREG(st.st_mode))
            return 0;
        total += (uint64_t)st.st_size;
    }
    return total;
}

/* A message mode's table: its default name, and --schema for its columns.
 * Returns EXIT_OK when --schema has been answered, -1 to go on. */
static int message_table(struct options *o, const struct mt_columns *mc, const char *name)
{
    if (o->table == default_table)
        o->table = name;
    if (!o->schema || o->publish)
        return -1;
    if (o->q_format) {
        printf("\\l out.q  / creates table %s\n", o->table);
    } else {
        char line[1024];
        mt_schema(mc, o->table, line, sizeof line);
        printf("%s\n", line);
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    struct options o;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    /* the message table's columns (--fix, --kdb) */
    struct mt_columns mc;
    struct fix_mode_opts fo = { .columns = o.columns, .tags = o.tags, .q = o.q_format,
                                .header = o.header };
    if (o.fix) {
        char err[1024];
        uint32_t tags[FIX_MAX_EXTRA];
        int ntags;
        if (fix_mode_columns(&fo, &mc, tags, &ntags, err, sizeof err) != 0)
            return usage_error("%s", err);
        if (message_table(&o, &mc, "fix") == EXIT_OK)
            return EXIT_OK;
        fo.table = o.table;
    }
    /* --kdb: kdb+ IPC message rows (kdb_mode.h) */
    struct kdb_mode_opts ko = { .columns = o.columns, .q = o.q_format, .header = o.header };
    if (o.kdb) {
        char err[1024];
        if (kdb_mode_columns(&ko, &mc, err, sizeof err) != 0)
            return usage_error("%s", err);
        if (message_table(&o, &mc, "kdb") == EXIT_OK)
            return EXIT_OK;
        ko.table = o.table;
    }
    /* --publish: the table as the receiver sees it, in the mode's order */
    struct table_column pcols[MT_MAX_COLS > FLOWS_COLUMNS ? MT_MAX_COLS : FLOWS_COLUMNS];
    struct table_schema psch = { .name = o.table, .cols = pcols };
    if (o.publish) {
        char err[1024];
        struct publish_wire wire;
        if (o.fix || o.kdb) {
            for (int i = 0; i < mc.n; i++)
                pcols[i] = (struct table_column){ mc.col[i].name, mc.col[i].qtype, 0 };
            psch.ncols = mc.n;
        } else if (o.flows) {
            for (int i = 0; i < FLOWS_COLUMNS; i++)
                pcols[i] = (struct table_column){ flows_columns[i].name, flows_columns[i].qtype, 0 };
            psch.ncols = FLOWS_COLUMNS;
        } else {
            for (int i = 0; i < o.cols.n; i++)
                pcols[i] = (struct table_column){ column_defs[o.cols.id[i]].name,
                                                  column_defs[o.cols.id[i]].qtype, 0 };
            psch.ncols = o.cols.n;
        }
        if (publish_wire_columns(&wire, &psch, o.layout, err, sizeof err) != 0)
            return usage_error("%s", err);
        if (o.schema) {
            publish_print_schema(stdout, &psch, &wire, o.layout);
            return EXIT_OK;
        }
        /* the adapter reads the CSV writers' rows, without a header */
        o.header = fo.header = ko.header = 0;
    }
    if (o.schema) {
        print_schema(&o);
        return EXIT_OK;
    }
    /* A closed pipe shows up as EPIPE from write(), which ends quietly. */
    signal(SIGPIPE, SIG_IGN);
    /* A file-size limit (ulimit -f) shows up as EFBIG: exit 3 with a message,
     * not death by SIGXFSZ. */
    signal(SIGXFSZ, SIG_IGN);

    int outfd = STDOUT_FILENO;
    const char *outname = "stdout";
    if (o.output) {
        outfd = open(o.output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (outfd < 0) {
            /* The output cannot be written: exit 3, as for a full disk. */
            fprintf(stderr, "pcap2kdb: %s: cannot create: %s\n", o.output, strerror(errno));
            return EXIT_WRITE;
        }
        outname = o.output;
    }

    struct out out;
    struct format_ctx fmt = { .data_max = o.data_max };
    struct writer w = {
        .ops = o.flows ? (o.q_format ? &flows_q_writer_ops : &flows_csv_writer_ops)
                       : (o.q_format ? &q_writer_ops : &csv_writer_ops),
        .out = &out, .cols = &o.cols, .fmt = &fmt, .header = o.header, .table = o.table,
    };
    struct converter cv;
    if (out_init(&out, outfd, outname) != 0 ||
        converter_init(&cv, &w, o.flows || columns_need_flows(&o.cols) || o.stats) != 0) {
        fprintf(stderr, "pcap2kdb: out of memory\n");
        return EXIT_DAMAGED;
    }
    struct fix_mode *fm = NULL;
    if (o.fix) {
        char err[1024];
        fo.out = &out;
        fo.fmt = &fmt;
        fm = fix_mode_new(&fo, err, sizeof err);
        if (!fm) {
            fprintf(stderr, "pcap2kdb: %s\n", err);
            return EXIT_DAMAGED;
        }
        fix_mode_attach(fm, &cv);
    }
    /* the analysis column needs the flow table's sequence analysis */
    for (int i = 0; i < o.cols.n && !o.fix; i++)
        if (o.cols.id[i] == COL_ANALYSIS)
            cv.flows.analyze = 1;
    if (o.flows) {
        cv.flows.on_end = flows_on_end;
        cv.flows.on_end_ctx = &w;
    }
    struct kdb_mode *km = NULL;
    if (o.kdb) {
        char err[1024];
        ko.out = &out;
        ko.fmt = &fmt;
        km = kdb_mode_new(&ko, err, sizeof err);
        if (!km) {
            fprintf(stderr, "pcap2kdb: %s\n", err);
            return EXIT_DAMAGED;
        }
        kdb_mode_attach(km, &cv);
    }

    struct publisher *pub = NULL;
    struct publish_feed feed;
    if (o.publish) {
        enum publish_status ps;
        pub = publisher_open(&o.target, &psch, o.layout, o.retry_for >= 0 ? o.retry_for : 60,
                             "pcap2kdb", &ps);
        if (!pub) {
            converter_free(&cv);
            fix_mode_free(fm);
            kdb_mode_free(km);
            out_free(&out);
            return ps == PUB_USAGE ? EXIT_USAGE : EXIT_WRITE;
        }
        if (publish_feed_init(&feed, pub, &psch, o.batch ? o.batch : PUBLISH_DEFAULT_BATCH,
                              "pcap2kdb") != 0) {
            fprintf(stderr, "pcap2kdb: out of memory\n");
            return EXIT_DAMAGED;
        }
        out.sink = publish_feed_sink;
        out.sink_ctx = &feed;
    }

    char *stdin_only[] = { "-" };
    char **files = optind < argc ? argv + optind : stdin_only;
    int nfiles = optind < argc ? argc - optind : 1;
    int code = EXIT_OK;
    char sym[SYM_MAX + 1];

    if (filter_active(&o.filter))
        cv.filter = &o.filter;
    if (o.max_rows)
        cv.max_rows = o.max_rows;
    /* The status line: on a terminal, unless our rows go to that terminal too. */
    int show = o.progress >= 0 ? o.progress
                               : isatty(STDERR_FILENO) && (o.output || !isatty(outfd));
    struct progress progress;
    progress_init(&progress, show, STDERR_FILENO, show ? inputs_size(files, nfiles) : 0);
    converter_set_progress(&cv, &progress);

    if (fm)
        fix_mode_begin(fm);
    else if (km)
        kdb_mode_begin(km);
    else
        w.ops->begin(&w);
    for (int i = 0; i < nfiles && !out_dead(&out) && !cv.stop; i++) {
        const char *path = files[i];
        struct input in;
        int opened = strcmp(path, "-") == 0 ? input_init_fd(&in, STDIN_FILENO, "-")
                                            : input_open(&in, path);
        if (opened != 0) {
            int e = errno;
            progress_clear(&progress);
            fprintf(stderr, "pcap2kdb: %s: cannot open: %s\n", path, strerror(e));
            if (code < EXIT_USAGE)
                code = EXIT_USAGE;
            continue;
        }
        sym_from_path(path, sym, sizeof sym);
        fmt.sym = o.sym ? o.sym : sym;
        fmt.sym_len = strlen(fmt.sym);
        cv.stats.inputs++;
        int c = convert_input(&cv, &in, path);
        if (c > code)
            code = c;
        input_close(&in);
        /* Rows before any damage reach the disk before we go on. */
        out_flush(&out);
    }
    if (fm)
        fix_mode_end(fm);
    else if (km)
        kdb_mode_end(km);
    else
        w.ops->end(&w);
    out_flush(&out);
    /* exit 0 only once the receiver has read every message */
    if (pub && feed.status == PUB_OK && !out.failed)
        feed.status = publisher_finish(pub);
    progress_clear(&progress);
    if (o.output && !out.failed && close(outfd) != 0) {
        out.failed = 1;
        out.errno_saved = errno;
    }
    if (o.stats) {
        cv.stats.records = cv.records;
        cv.stats.damaged += cv.damaged;
        stats_print(&cv.stats, stderr, progress_now_ns() - progress.start_ns);
        if (pub) {
            struct publish_stats ps;
            publisher_stats(pub, &ps);
            publish_stats_print(&ps, stderr);
        }
    }
    if (pub) {
        enum publish_status ps = feed.status;
        publish_feed_free(&feed);
        publisher_free(pub);
        converter_free(&cv);
        fix_mode_free(fm);
        kdb_mode_free(km);
        out_free(&out);
        if (ps != PUB_OK)
            return ps == PUB_USAGE ? EXIT_USAGE : EXIT_WRITE;
        return code;
    }
    converter_free(&cv);
    fix_mode_free(fm);
    kdb_mode_free(km);
    out_free(&out);
    if (out.pipe_closed)
        return EXIT_OK;
    if (out.failed) {
        fprintf(stderr, "pcap2kdb: %s: write error: %s\n", outname, strerror(out.errno_saved));
        return EXIT_WRITE;
    }
    return code;
}
