/* main.c: options, output set-up and exit codes. The conversion itself is
 * convert.c's driver loop. */
#define _POSIX_C_SOURCE 200809L
#include "columns.h"
#include "convert.h"
#include "decimal.h"
#include "exit_codes.h"
#include "flows_summary.h"
#include "hwts.h"
#include "interrupt.h"
#include "modes.h"
#include "pipeline.h"
#include "qload.h"
#include "fix_mode.h"
#include "kdb_mode.h"
#include "qnames.h"
#include "column_help.h"
#include "publish.h"
#include "columns_batch.h"
#include "write_table.h"
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
    "  -o FILE           write to FILE instead of standard output (- for it)\n"
    "  -f csv|q          output format: CSV (default) or a q script\n"
    "      --columns LIST  choose and order columns (comma-separated)\n"
    "      --sym NAME      value of the sym column (default: file name\n"
    "                      without extension; 'stdin' for -)\n"
    "      --table NAME    table name for -f q, --schema, --publish (default pcap,\n"
    "                      or the mode's name: fix, kdb, flows)\n"
    "      --no-header     CSV without the header line\n"
    "      --data-max N    bytes of payload in the data column (default 65535)\n"
    "      --schema        print the q load line for the chosen columns and exit\n"
    "      --list-columns  print every column of a mode (NAME, q TYPE, meaning)\n"
    "      --tags LIST     with --fix: add these FIX tags as columns tagN\n"
    /* here: one line per table mode, from its mode_ops (print_usage) */
    ;
static const char usage_tail[] =
    "      --hwts LIST     hardware timestamps for hwtime/hwdev/hwport: metamako,\n"
    "                      exablaze, expcap, ixia, arista (comma-separated), auto\n"
    "                      (the default: ixia,arista) or none\n"
    "      --no-tunnels    do not follow GRE, ERSPAN and the UDP tunnels (VXLAN,\n"
    "                      GENEVE, GTP-U, MPLS or GRE in UDP): rows show the outer\n"
    "                      packet (IP-in-IP is still followed)\n"
    "\n"
    "Publishing to kdb+ (instead of writing a file):\n"
    "      --publish [HOST]:PORT[:USER:PASSWORD]\n"
    "                      send the rows as .u.upd calls over kdb+ IPC\n"
    "      --publish-layout tick|plain\n"
    "                      tick (default): for kdb-tick, sym first, time sent as\n"
    "                      ptime; plain: the chosen columns as they are\n"
    "      --batch N       rows per message, 1 to 1000000 (default 4096)\n"
    "      --retry-for S   retry an unreachable or lost receiver for S seconds\n"
    "                      (default 60)\n"
    "\n"
    "Choosing packets (every packet is still decoded; frame keeps its number):\n"
    "      --port N        keep rows with TCP, UDP or SCTP port N on either side\n"
    "      --host ADDR     keep rows with IPv4/IPv6 address ADDR (or ADDR/PREFIX)\n"
    "                      on either side\n"
    "      --proto NAME    keep rows whose protocol is NAME (tcp, udp, icmp, arp...)\n"
    "                      or IP protocol number NAME; each of these three options\n"
    "                      is repeatable: OR within one, AND between them;\n"
    "                      with --flows they choose connections (either end)\n"
    "      --from TIME     keep rows at or after TIME (UTC): a q timestamp\n"
    "                      (2024.01.02D10:00:00.5, or shorter) or epoch seconds\n"
    "      --to TIME       keep rows before TIME (exclusive)\n"
    "  -c N              stop after writing N rows (N >= 1)\n"
    "\n"
    "While it runs:\n"
    "      --progress      show a status line on stderr (default: when stderr is\n"
    "                      a terminal and the output is not)\n"
    "      --no-progress   never show the status line\n"
    "      --stats         print a summary of the run on stderr at the end\n"
    "      --threads N     threads to use, 1 to 8 (default 1: none besides the\n"
    "                      main one); same output for any N\n"
    "  -h, --help        show this help and exit\n"
    "  -V, --version     show the version and exit\n"
    "\n"
    "Exit codes: 0 all converted, 1 usage error or input not a capture,\n"
    "2 damaged input (rows before the damage are written), 3 write error;\n"
    "with --publish, 1 nothing published, 3 the receiver lost after rows.\n"
    "See pcap2kdb(1).\n";

enum { OPT_COLUMNS = 256, OPT_SYM, OPT_TABLE, OPT_NO_HEADER, OPT_SCHEMA, OPT_DATA_MAX };
/* everyday options: filters, progress, summary */
enum { OPT_PORT = 300, OPT_HOST, OPT_PROTO, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_STATS };
/* table modes: OPT_MODE + the mode's index in table_modes (modes.c) */
enum { OPT_TAGS = 400, OPT_MODE = 600 };
/* hardware timestamps (#17) */
enum { OPT_HWTS = 1700 };
/* #15 */
enum { OPT_NO_TUNNELS = 1500 };
/* user requests (#18) */
enum { OPT_LIST_COLUMNS = 1800, OPT_FROM, OPT_TO };
/* #19 */
enum { OPT_THREADS = 1900 };
/* --publish */
enum { OPT_PUBLISH = 1400, OPT_PUBLISH_LAYOUT, OPT_BATCH, OPT_RETRY_FOR };
/* every option's code is below this: the repeated-option check's table */
#define OPT_CODE_END 2048
_Static_assert(OPT_THREADS < OPT_CODE_END && OPT_TO < OPT_CODE_END &&
               OPT_RETRY_FOR < OPT_CODE_END, "an option code past the table");

struct options {
    const char *output;        /* NULL: standard output */
    int output_given;          /* -o, "-" too */
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
    const char *tags;
    const struct mode_ops *mode; /* --fix, --kdb...: a table mode (modes.c); NULL: none */
    unsigned hwts;             /* #17: formats looked for (hwts.h) */
    int hwts_given;
    int no_tunnels;            /* --no-tunnels (#15) */
    int list_columns;          /* --list-columns: print the mode's columns */
    const char *publish;       /* --publish target as given */
    struct qtarget target;
    enum publish_layout layout;
    int layout_set;
    int batch;                 /* --batch; 0: not given */
    double retry_for;          /* --retry-for; < 0: not given */
    int threads;               /* --threads (#19); 0: not given */
};

static const char default_table[] = "pcap";

/* A usage error: "pcap2kdb: " and fmt, whose one "%s" is arg. arg is the
 * user's text (an option's value, or a message quoting one), shown as a
 * name from outside is (fmt_shown: control bytes as '?'), so that a CR, LF
 * or ESC typed into --sym or --table still leaves the message one line. */
#define USAGE_SHOWN_CHUNK 256
static int usage_error(const char *fmt, const char *arg)
{
    const char *at = strstr(fmt, "%s");
    fputs("pcap2kdb: ", stderr);
    fwrite(fmt, 1, (size_t)(at - fmt), stderr);
    /* in pieces: an argument may be of any length */
    char shown[USAGE_SHOWN_CHUNK + 1];
    for (size_t left = strlen(arg), k; left > 0; arg += k, left -= k) {
        k = left < USAGE_SHOWN_CHUNK ? left : USAGE_SHOWN_CHUNK;
        fmt_shown(shown, arg, k);
        fputs(shown, stderr);
    }
    fputs(at + 2, stderr);
    fputs("\nTry 'pcap2kdb --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

/* Symbols must survive CSV without quoting and a q script without escapes. */
static int sym_is_safe(const char *s)
{
    return strpbrk(s, ",\"\r\n") == NULL && strlen(s) <= SYM_MAX;
}

static int name_is_q_identifier(const char *s)
{
    if (q_name_reserved(s))
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

/* --schema: the load line(s) of the table for the chosen format. */
static void print_schema(const struct options *o, const struct qload_table *t)
{
    qload_print(stdout, t, o->output, o->q_format, o->header);
}

/* The packet table's columns for --schema. */
static void print_packet_schema(const struct options *o)
{
    const char *names[COL_COUNT];
    char types[COL_COUNT];
    struct qload_table t = { .name = o->table, .cols = names, .types = types };
    for (int i = 0; i < o->cols.n; i++) {
        names[i] = column_defs[o->cols.id[i]].name;
        types[i] = column_defs[o->cols.id[i]].qtype;
    }
    t.ncols = o->cols.n;
    print_schema(o, &t);
}

/* --help: the options, with one line for each table mode of modes.c. */
static void print_usage(FILE *f)
{
    fputs(usage_text, f);
    for (int i = 0; i < n_table_modes; i++)
        fprintf(f, "      --%-14s%s\n", table_modes[i]->name, table_modes[i]->help);
    fputs(usage_tail, f);
}

static int mode_index(const struct mode_ops *m)
{
    for (int i = 0; i < n_table_modes; i++)
        if (table_modes[i] == m)
            return i;
    return -1;
}

/* --help, --version, --schema: their output is output too, so a write error
 * (`> /dev/full`) exits 3 like any other, and a closed pipe (`| head -1`)
 * is no error, as for rows. */
static int stdout_done(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno == EPIPE)
            return EXIT_OK;
        fprintf(stderr, "pcap2kdb: stdout: write error: %s\n", strerror(errno));
        return EXIT_WRITE;
    }
    return EXIT_OK;
}

/* Several inputs, one exit code: the lowest non-zero one, so that an input
 * that cannot be opened or is not a capture (1) is never hidden behind a
 * damaged one (2). A failed output (3) is decided apart, and wins. */
static int exit_precedence(int code, int c)
{
    return code == EXIT_OK || (c != EXIT_OK && c < code) ? c : code;
}

/* --list-columns: NAME<TAB>TYPE<TAB>meaning, every column of the mode. */
static int list_columns(const struct options *o)
{
    int fix = o->mode && strcmp(o->mode->name, "fix") == 0;
    int kdb = o->mode && strcmp(o->mode->name, "kdb") == 0;
    int flows = o->mode && strcmp(o->mode->name, "flows") == 0;
    enum column_mode mode = flows ? CM_FLOWS : fix ? CM_FIX : kdb ? CM_KDB : CM_PACKET;
    int n = 0;
    const struct column_def *mt = fix ? fix_mode_coldefs(&n) : kdb ? kdb_mode_coldefs(&n) : NULL;
    const struct column_def *cd = flows ? flows_columns : column_defs;
    if (!mt)
        n = flows ? FLOWS_COLUMNS : COL_COUNT;
    for (int i = 0; i < n; i++) {
        const char *name = mt ? mt[i].name : cd[i].name;
        char qtype = mt ? mt[i].qtype : cd[i].qtype;
        printf("%s\t%c\t%s\n", name, qtype, column_meaning(mode, name));
    }
    if (fix)
        printf("tagN\tS\tvalue of FIX tag N (--tags N, or tagN in --columns)\n");
    return stdout_done();
}

/* The option's name as the user wrote it, for messages: "-o", "--fix". */
static void option_name(int c, int longindex, const struct option *longopts, char *buf,
                        size_t cap)
{
    if (c < 256)
        snprintf(buf, cap, "-%c", c);
    else
        snprintf(buf, cap, "--%s", longopts[longindex].name);
}

/* Options given at most once: a second value would silently win over the
 * first, and a flag given twice is a slip; both are refused. The rest:
 * --port, --host, --proto and --tags add up (a value given twice is refused
 * where it is read), of --progress and --no-progress the last given counts,
 * --threads, --from and --to refuse a second one themselves, and --help and
 * --version answer at once. */
static int single_valued(int c)
{
    switch (c) {
    case 'o': case 'f': case 'c': case OPT_COLUMNS: case OPT_SYM: case OPT_TABLE:
    case OPT_NO_HEADER: case OPT_SCHEMA: case OPT_DATA_MAX:
    case OPT_STATS: case OPT_LIST_COLUMNS: case OPT_HWTS: case OPT_PUBLISH:
    case OPT_PUBLISH_LAYOUT: case OPT_BATCH: case OPT_RETRY_FOR: case OPT_NO_TUNNELS:
        return 1;
    default:
        return c >= OPT_MODE && c < OPT_MODE + n_table_modes; /* a repeated mode flag */
    }
}

/* The long options: the fixed ones, then one --NAME per table mode, then
 * the end; longopts has room for LONGOPTS_MAX. */
#define LONGOPTS_MAX (64 + MAX_TABLE_MODES + 1)
static void build_longopts(struct option *longopts)
{
    static const struct option fixed_opts[] = {
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
        { "tags", required_argument, NULL, OPT_TAGS },
        { "hwts", required_argument, NULL, OPT_HWTS },
        { "no-tunnels", no_argument, NULL, OPT_NO_TUNNELS },
        { "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
        { "from", required_argument, NULL, OPT_FROM },
        { "to", required_argument, NULL, OPT_TO },
        { "publish", required_argument, NULL, OPT_PUBLISH },
        { "publish-layout", required_argument, NULL, OPT_PUBLISH_LAYOUT },
        { "batch", required_argument, NULL, OPT_BATCH },
        { "retry-for", required_argument, NULL, OPT_RETRY_FOR },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
    };
    enum { NFIXED = sizeof fixed_opts / sizeof fixed_opts[0] };
    /* The fixed options, then one --NAME per table mode, then the end. */
    _Static_assert(NFIXED + MAX_TABLE_MODES + 1 <= LONGOPTS_MAX, "room for the options");
    memcpy(longopts, fixed_opts, sizeof fixed_opts);
    for (int i = 0; i < n_table_modes; i++)
        longopts[NFIXED + i] = (struct option){ table_modes[i]->name, no_argument, NULL,
                                                OPT_MODE + i };
    longopts[NFIXED + n_table_modes] = (struct option){ NULL, 0, NULL, 0 };
}

/* A whole number from lo to hi, written as every number of the command line
 * is (decimal.h); -1 when s is not one. */
static int parse_whole(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
    uint64_t x;
    if (decimal_parse(s, hi, &x) != DECIMAL_OK || x < lo)
        return -1;
    *v = x;
    return 0;
}

/* --retry-for's seconds: a whole number to 86400 (decimal.h), with or
 * without a fraction ("0.5": at least one digit after the point). */
static int parse_seconds(const char *s, double *v)
{
    const char *point = strchr(s, '.');
    size_t whole = point ? (size_t)(point - s) : strlen(s);
    uint64_t secs, frac;
    if (decimal_parse_n(s, whole, 86400, &secs) != DECIMAL_OK)
        return -1;
    /* the fraction's digits only matter to strtod; any count is taken */
    if (point && decimal_parse(point + 1, UINT64_MAX, &frac) == DECIMAL_NOT_A_NUMBER)
        return -1;
    double x = strtod(s, NULL);
    if (x > 86400)
        return -1;
    *v = x;
    return 0;
}

/* What parse_options carries from one option to the next. */
struct option_state {
    const struct mode_ops *clash; /* a second, different mode */
    int data_max_given;
    char err[1024];
    /* the first option given of each kind, as written (see option_kind),
     * for --schema and --list-columns, which take only some */
    char first_shape[64], first_run[64];
};

/* What an option does besides choosing the mode: shape the table and its
 * load line (--schema answers for them), or only matter when a capture is
 * converted (--schema and --list-columns refuse them). */
enum option_kind { OK_MODE, OK_SHAPE, OK_RUN, OK_ANSWER };
static enum option_kind option_kind(int c)
{
    switch (c) {
    case 'o': case 'f': case OPT_COLUMNS: case OPT_TAGS: case OPT_TABLE: case OPT_NO_HEADER:
    case OPT_PUBLISH: case OPT_PUBLISH_LAYOUT:
        return OK_SHAPE;
    case OPT_SCHEMA: case OPT_LIST_COLUMNS:
        return OK_ANSWER;
    default:
        return c >= OPT_MODE && c < OPT_MODE + n_table_modes ? OK_MODE : OK_RUN;
    }
}

/* One option and its argument into o: -1 to go on, else the exit code. */
static int take_option(int c, const char *arg, struct options *o, struct option_state *ps,
                       char **argv)
{
    switch (c) {
    case 'o':
        if (!*arg) /* no file can have it (and --schema would print it) */
            return usage_error("%s", "-o: the file name is empty");
        /* "-" is standard output, as an input's "-" is standard input
         * (tcpdump -w -, curl -o -) */
        o->output = strcmp(arg, "-") == 0 ? NULL : arg;
        o->output_given = 1;
        break;
    case 'f':
        if (strcmp(arg, "csv") == 0)
            o->q_format = 0;
        else if (strcmp(arg, "q") == 0)
            o->q_format = 1;
        else
            return usage_error("unknown format '%s' (csv or q)", arg);
        break;
    case OPT_COLUMNS:
        o->columns = arg;
        break;
    case OPT_TAGS: {
        /* repeatable: the lists add up (a tag named twice is refused) */
        static char tags_all[4096];
        size_t have = strlen(tags_all), n = strlen(arg);
        if (have + n + 2 > sizeof tags_all)
            return usage_error("%s", "--tags: lists too long");
        if (have)
            tags_all[have++] = ',';
        memcpy(tags_all + have, arg, n + 1);
        o->tags = tags_all;
        break;
    }
    case OPT_NO_TUNNELS:
        o->no_tunnels = 1;
        break;
    case OPT_PUBLISH:
        if (qtarget_parse(&o->target, arg, ps->err, sizeof ps->err) != 0)
            return usage_error("%s", ps->err);
        o->publish = arg;
        break;
    case OPT_PUBLISH_LAYOUT:
        if (strcmp(arg, "tick") == 0)
            o->layout = LAYOUT_TICK;
        else if (strcmp(arg, "plain") == 0)
            o->layout = LAYOUT_PLAIN;
        else
            return usage_error("unknown --publish-layout '%s' (tick or plain)", arg);
        o->layout_set = 1;
        break;
    case OPT_BATCH: {
        uint64_t v;
        if (parse_whole(arg, 1, PUBLISH_MAX_BATCH, &v) != 0)
            return usage_error("--batch '%s' is not a number of rows from 1 to 1000000",
                               arg);
        o->batch = (int)v;
        break;
    }
    case OPT_THREADS: {
        uint64_t v;
        if (o->threads)
            return usage_error("%s given twice", "--threads");
        if (parse_whole(arg, 1, PIPELINE_MAX_THREADS, &v) != 0)
            return usage_error("--threads '%s' is not a number from 1 to 8", arg);
        o->threads = (int)v;
        break;
    }
    case OPT_RETRY_FOR: {
        double v;
        if (parse_seconds(arg, &v) != 0)
            return usage_error("--retry-for '%s' is not a number of seconds (0 to 86400)",
                               arg);
        o->retry_for = v;
        break;
    }
    case OPT_SYM:
        if (!sym_is_safe(arg))
            return usage_error("--sym '%s' must not contain ',', '\"', CR or LF, "
                               "nor be longer than 200 bytes", arg);
        o->sym = arg;
        break;
    case OPT_TABLE:
        if (!name_is_q_identifier(arg))
            return usage_error("--table '%s' is not a q name (a letter, then letters, "
                               "digits or '_'; not a q keyword or .q function)", arg);
        o->table = arg;
        break;
    case OPT_NO_HEADER:
        o->header = 0;
        break;
    case OPT_SCHEMA:
        o->schema = 1;
        break;
    case OPT_DATA_MAX: {
        ps->data_max_given = 1;
        uint64_t v;
        if (parse_whole(arg, 0, MAX_DATA_BYTES, &v) != 0)
            return usage_error("--data-max '%s' is not a number of bytes up to 262144",
                               arg);
        o->data_max = (uint32_t)v;
        break;
    }
    case OPT_PORT:
        if (filter_add_port(&o->filter, arg, ps->err, sizeof ps->err) != 0)
            return usage_error("%s", ps->err);
        break;
    case OPT_HOST:
        if (filter_add_host(&o->filter, arg, ps->err, sizeof ps->err) != 0)
            return usage_error("%s", ps->err);
        break;
    case OPT_PROTO:
        if (filter_add_proto(&o->filter, arg, ps->err, sizeof ps->err) != 0)
            return usage_error("%s", ps->err);
        break;
    case OPT_FROM:
    case OPT_TO:
        if (filter_set_time(&o->filter, arg, c == OPT_TO, ps->err, sizeof ps->err) != 0)
            return usage_error("%s", ps->err);
        break;
    case 'c': {
        uint64_t v;
        enum decimal_status st = decimal_parse(arg, UINT64_MAX, &v);
        if (st == DECIMAL_TOO_LARGE)
            return usage_error("-c '%s' is too large (at most 18446744073709551615)",
                               arg);
        if (st != DECIMAL_OK || v == 0)
            return usage_error("-c '%s' is not a number of rows (1 or more)", arg);
        o->max_rows = v;
        break;
    }
    case OPT_LIST_COLUMNS:
        o->list_columns = 1;
        break;
    case OPT_PROGRESS:
        o->progress = 1;
        break;
    case OPT_NO_PROGRESS:
        o->progress = 0;
        break;
    case OPT_STATS:
        o->stats = 1;
        break;
    case OPT_HWTS:
        switch (hwts_parse_list(arg, &o->hwts)) {
        case 0:
            break;
        case HWTS_LIST_NONE_COMBINED:
            return usage_error("--hwts '%s': none cannot be combined with other formats", arg);
        case HWTS_LIST_REPEATED:
            return usage_error("--hwts '%s': a format named twice", arg);
        default:
            return usage_error("--hwts '%s': formats are metamako, exablaze, expcap, ixia, "
                               "arista, auto, none", arg);
        }
        o->hwts_given = 1;
        break;
    case 'h':
        print_usage(stdout);
        return stdout_done();
    case 'V':
        printf("pcap2kdb %s\n", PCAP2KDB_VERSION);
        return stdout_done();
    default:
        if (c >= OPT_MODE && c < OPT_MODE + n_table_modes) {
            const struct mode_ops *m = table_modes[c - OPT_MODE];
            if (o->mode && o->mode != m)
                ps->clash = m;
            else
                o->mode = m;
            break;
        }
        /* getopt's own messages would name argv[0], a full path */
        char name[64];
        if (optopt > 0 && optopt < 256)
            snprintf(name, sizeof name, "-%c", optopt);
        else
            snprintf(name, sizeof name, "%.60s", argv[optind - 1]);
        return usage_error(c == ':' ? "option '%s' needs an argument"
                                    : "unknown option '%s'", name);
    }
    return -1;
}

/* Options that do not go together, or one that would do nothing: -1 when
 * the combination is fine, else the exit code of the message printed. */
static int check_option_combinations(struct options *o, const struct option_state *ps)
{
    int message_mode = o->mode != NULL;
    char err[1024];
    if (o->q_format && !o->header)
        return usage_error("%s", "--no-header does not apply to -f q (a script has no header line)");
    if (ps->data_max_given && message_mode)
        return usage_error("%s", "--data-max does not apply to --fix, --kdb or --flows "
                                 "(it limits the data column of packet rows)");
    if (o->tags && (!o->mode || strcmp(o->mode->name, "fix") != 0))
        return usage_error("%s", "--tags needs --fix");
    if (!o->mode && o->columns && columns_parse(&o->cols, o->columns, err, sizeof err) != 0)
        return usage_error("%s", err);
    if (ps->data_max_given && !message_mode && !columns_has(&o->cols, COL_DATA))
        return usage_error("%s", "--data-max needs the data column (--columns ...,data)");
    /* #17: the stamps are read into columns: without one of them the option
     * would do nothing, whatever it names, auto and none included; only
     * expcap alone does something then (its footer is cut off the frame) */
    if (o->hwts_given && o->hwts != HWTS_EXPCAP && (o->mode || !columns_need_hwts(&o->cols)))
        return usage_error("%s", "--hwts needs the hwtime, hwdev or hwport column");
    if (!o->publish && (o->layout_set || o->batch || o->retry_for >= 0))
        return usage_error("%s", "--publish-layout, --batch and --retry-for need --publish");
    if (o->publish && o->output_given)
        return usage_error("%s", "--publish and -o exclude each other (rows go to the receiver)");
    if (o->publish && o->q_format)
        return usage_error("%s", "--publish and -f q exclude each other (rows go to the receiver)");
    if (o->publish && !o->header)
        return usage_error("%s", "--no-header does not apply to --publish");
    return -1;
}

/* A long option getopt refused ('?'), as the user wrote it (arg): one that
 * takes no argument but was given one ("--help=x"), an abbreviation of
 * several ("--f"), or an unknown one. */
static int bad_long_option(const char *arg, const struct option *longopts)
{
    const char *name = arg + 2;
    size_t n = strcspn(name, "=");
    int match = -1, matches = 0;
    char names[512] = "", msg[700];
    for (int i = 0; longopts[i].name; i++) {
        if (strncmp(longopts[i].name, name, n) != 0)
            continue;
        if (strlen(longopts[i].name) == n) { /* exact: no other counts */
            match = i;
            matches = 1;
            break;
        }
        match = i;
        matches++;
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s--%s", used ? ", " : "", longopts[i].name);
    }
    if (matches == 1 && name[n] == '=' && longopts[match].has_arg == no_argument)
        snprintf(msg, sizeof msg, "option '--%s' takes no argument", longopts[match].name);
    else if (matches > 1)
        snprintf(msg, sizeof msg, "option '--%.*s' is ambiguous (%s)", (int)(n > 60 ? 60 : n), name,
                 names);
    else
        snprintf(msg, sizeof msg, "unknown option '%.60s'", arg);
    return usage_error("%s", msg);
}

/* --list-columns answers for a mode alone: another option or a file would
 * change nothing, and is refused as everywhere. (--schema answers for a
 * whole command line: added to a conversion's, it prints that table's load
 * line and converts nothing, as documented.) --table names a table only
 * for -f q, --schema and --publish. -1: fine. */
static int check_answer_options(const struct options *o, const struct option_state *ps,
                                int files)
{
    if (o->schema && o->list_columns)
        return usage_error("%s", "--schema and --list-columns exclude each other");
    const char *extra = ps->first_run[0] ? ps->first_run
                        : ps->first_shape[0] ? ps->first_shape
                        : files ? "a capture file" : NULL;
    if (o->list_columns && extra) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s does not apply to --list-columns (it lists the columns "
                 "of a mode: --fix, --kdb, --flows or none)", extra);
        return usage_error("%s", msg);
    }
    if (o->table != default_table && !o->q_format && !o->schema && !o->publish)
        return usage_error("%s", "--table names the table of -f q, --schema or --publish "
                                 "(a CSV file has no table name)");
    return -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    struct option longopts[LONGOPTS_MAX];
    build_longopts(longopts);
    memset(o, 0, sizeof *o);
    columns_default(&o->cols);
    o->table = default_table;
    o->header = 1;
    o->data_max = 65535;
    o->progress = -1;
    o->hwts = HWTS_AUTO;
    o->retry_for = -1;
    struct option_state ps = { .clash = NULL };
    int c, longindex = 0;
    unsigned char seen[OPT_CODE_END] = { 0 };
    /* "+": options before files only would break `pcap2kdb x.pcap -o y`;
     * ":": missing arguments are reported here, with our name. */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:c:hV", longopts, &longindex)) != -1) {
        if (c > 0 && c < OPT_CODE_END && single_valued(c) && seen[c]++) {
            char name[32];
            option_name(c, longindex, longopts, name, sizeof name);
            return usage_error("%s given twice", name);
        }
        if (c == '?' && strncmp(argv[optind - 1], "--", 2) == 0)
            return bad_long_option(argv[optind - 1], longopts);
        int rc = take_option(c, optarg, o, &ps, argv);
        if (rc >= 0)
            return rc;
        enum option_kind k = option_kind(c);
        char *first = k == OK_SHAPE ? ps.first_shape : k == OK_RUN ? ps.first_run : NULL;
        if (first && !first[0])
            option_name(c, longindex, longopts, first, sizeof ps.first_shape);
    }
    if (ps.clash) {
        /* named in the order of the mode table, whatever the command line's */
        int i = mode_index(o->mode), j = mode_index(ps.clash);
        fprintf(stderr, "pcap2kdb: --%s and --%s exclude each other\n"
                "Try 'pcap2kdb --help' for more information.\n",
                table_modes[i < j ? i : j]->name, table_modes[i < j ? j : i]->name);
        return EXIT_USAGE;
    }
    int rc = check_answer_options(o, &ps, optind < argc);
    if (rc >= 0)
        return rc;
    return check_option_combinations(o, &ps);
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

/* A name from outside (a path) as a message shows it: control bytes as '?'. */
struct shown_name {
    char s[FILE_NAME_MAX + 1];
};
static const char *shown_name(struct shown_name *b, const char *name)
{
    fmt_shown(b->s, name, strnlen(name, FILE_NAME_MAX));
    return b->s;
}

/* Every input is checked before the output is written, so that a mistake
 * cannot destroy data: an output that is one of the inputs (same device and
 * inode, also through a link, stdin, or a file that standard output was
 * redirected into) is refused, and an input that cannot be opened is
 * reported here and marked in bad[]; the others are converted. -o's file is
 * created only once an input has opened as a capture (create_output), so
 * that it is left as it was when none is (`-o prev.csv missing.pcap`,
 * swapped arguments). A named pipe is not opened here: opening and closing
 * it would end its writer's stream (SIGPIPE), and opening a second one would
 * wait for its writer before the first is read. Returns EXIT_USAGE to stop,
 * EXIT_OK to go on (*code is EXIT_USAGE when some input was bad). */
static int check_inputs(char **files, int nfiles, const char *output, char *bad, int *code)
{
    struct stat ost;
    /* without -o, standard output matters only when it is a file */
    int have_out = output ? stat(output, &ost) == 0
                          : fstat(STDOUT_FILENO, &ost) == 0 && S_ISREG(ost.st_mode);
    const char *outname = output ? output : "stdout";
    int usable = 0;
    for (int i = 0; i < nfiles; i++) {
        int is_stdin = strcmp(files[i], "-") == 0;
        struct stat st;
        int fd = -1, ok;
        if (is_stdin)
            ok = fstat(STDIN_FILENO, &st) == 0;
        else if ((ok = stat(files[i], &st) == 0) && !S_ISFIFO(st.st_mode))
            ok = (fd = open(files[i], O_RDONLY)) >= 0 && fstat(fd, &st) == 0;
        struct shown_name a, b;
        if (!ok) {
            fprintf(stderr, "pcap2kdb: %s: cannot open: %s\n", shown_name(&a, files[i]),
                    strerror(errno));
            bad[i] = 1;
            *code = EXIT_USAGE;
        } else if (have_out && st.st_dev == ost.st_dev && st.st_ino == ost.st_ino) {
            fprintf(stderr, "pcap2kdb: %s: the output is also an input (%s); "
                    "nothing written\n", shown_name(&a, outname), shown_name(&b, files[i]));
            if (fd >= 0)
                close(fd);
            return EXIT_USAGE;
        } else {
            usable++;
        }
        if (fd >= 0)
            close(fd);
    }
    return usable ? EXIT_OK : EXIT_USAGE;
}

/* --from/--to (#18): packet rows are tested with the other filters (only
 * rows are dropped: every packet still reaches the flow table); a message
 * mode's rows at their message's time, when written (out.h); --flows rows by
 * the connection's overlap with the window, in the driver (convert.c). */
static void time_window_setup(struct options *o, struct converter_setup *setup, struct out *out)
{
    if (!timewin_active(&o->filter.window))
        return;
    if (o->mode && o->mode->flow_end) {
        setup->filter = &o->filter;
    } else if (o->mode) {
        out->window = &o->filter.window;
    } else {
        o->filter.window_rows = 1;
        setup->filter = &o->filter;
    }
}

/* --publish: the batch builder hands each full batch to the publisher. */
struct publish_sink {
    struct publisher *pub;
    enum publish_status status;
};

static int publish_batch(void *ctx, const struct batch *b)
{
    struct publish_sink *ps = ctx;
    ps->status = publisher_send(ps->pub, b);
    return ps->status != PUB_OK;
}

/* A message mode's table: its default name, and --schema for its columns.
 * Returns EXIT_OK when --schema has been answered, -1 to go on. */
static int message_table(struct options *o, const struct mt_columns *mc, const char *name)
{
    if (o->table == default_table)
        o->table = name;
    if (!o->schema || o->publish)
        return -1;
    const char *names[MT_MAX_COLS];
    char types[MT_MAX_COLS];
    for (int i = 0; i < mc->n; i++) {
        names[i] = mc->col[i].name;
        types[i] = mc->col[i].qtype;
    }
    struct qload_table t = { .name = o->table, .ncols = mc->n, .cols = names, .types = types };
    print_schema(o, &t);
    return EXIT_OK;
}

/* The table of the run: the mode's columns and table name, and for
 * --publish the schema the receiver gets (psch, whose cols has room for
 * every column). An exit code when the run ends here (--schema,
 * --list-columns, a usage error), -1 to go on. */
static int table_setup(struct options *o, struct mode_opts *mo, struct mt_columns *mc,
                       struct table_schema *psch)
{
    if (o->mode) {
        char err[1024];
        if (o->mode->columns(mo, mc, err, sizeof err) != 0)
            return usage_error("%s", err);
        if (message_table(o, mc, o->mode->name) == EXIT_OK)
            return stdout_done();
        mo->table = o->table;
    }
    if (o->list_columns)
        return list_columns(o);
    if (o->publish) {
        /* the table as the receiver sees it, in the mode's order */
        char err[1024];
        struct publish_wire wire;
        struct table_column *pcols = (struct table_column *)psch->cols;
        psch->name = o->table;
        if (o->mode) {
            /* the mode's values as it holds them (write_table.h) */
            if (table_schema_of(psch, pcols, mc, o->table) != 0)
                return usage_error("%s", "too many columns");
        } else {
            columns_schema(psch, pcols, &o->cols, o->table);
        }
        if (publish_wire_columns(&wire, psch, o->layout, err, sizeof err) != 0)
            return usage_error("%s", err);
        if (o->schema) {
            publish_print_schema(stdout, psch, &wire, o->layout);
            return stdout_done();
        }
        o->header = mo->header = 0;
    }
    if (o->schema) {
        print_packet_schema(o);
        return stdout_done();
    }
    return -1;
}

/* -o FILE, or standard output; -1 with a message when it cannot be
 * created (exit 3, as for a full disk). */
static int open_output(const char *path)
{
    if (!path)
        return STDOUT_FILENO;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        struct shown_name b;
        fprintf(stderr, "pcap2kdb: %s: cannot create: %s\n", shown_name(&b, path),
                strerror(errno));
    }
    return fd;
}

/* The exit status of a run whose inputs gave code: a publisher that failed
 * or a failed output wins (its message said why); a reader that went away
 * (closed pipe) is no error, and hides no input failure already reported
 * (code counts only those: what lay past the closing write is not). */
static int run_status(int code, enum publish_status ps, const struct out *out,
                      const char *outname, int create_failed)
{
    if (create_failed)
        return EXIT_WRITE;
    if (ps != PUB_OK)
        return ps == PUB_USAGE ? EXIT_USAGE : EXIT_WRITE;
    if (out->failed) {
        fprintf(stderr, "pcap2kdb: %s: write error: %s\n", outname, strerror(out->errno_saved));
        return EXIT_WRITE;
    }
    return code;
}

/* Everything one run of the program holds, from the options to the
 * publisher; run_free frees what was set up. */
struct run {
    struct options o;
    struct mode_opts mo;
    struct mt_columns mc;
    struct table_column pcols[MT_MAX_COLS > MAX_SELECTED_COLUMNS ? MT_MAX_COLS
                                                                 : MAX_SELECTED_COLUMNS];
    struct table_schema psch;
    char *stdin_only[1];
    char **files;
    int nfiles;
    char *bad;                 /* per input: refused by check_inputs */
    int code;                  /* the exit code so far (refused inputs) */
    const char *outname;       /* for messages: control bytes as '?' */
    struct shown_name output_shown;
    int outfd;                 /* OUT_NOT_YET_OPEN until create_output */
    int create_failed;         /* -o's file could not be created: exit 3 */
    struct out out;
    int out_ready;
    struct format_ctx fmt;
    struct writer w;
    struct batch_builder bb;   /* --publish: set up with pub */
    struct publish_sink psink;
    void *mode;
    struct converter cv;
    int cv_ready;
    struct publisher *pub;
    struct progress progress;
};

static void run_free(struct run *r)
{
    if (r->pub) {
        bb_free(&r->bb);
        publisher_free(r->pub);
    }
    if (r->cv_ready)
        converter_free(&r->cv);
    free(r->bad);
    if (r->mode)
        r->o.mode->free(r->mode);
    if (r->out_ready)
        out_free(&r->out);
}

/* The converter's capture_opened: -o's file is created, or standard output
 * taken, when the first input has opened as a capture, never before
 * (check_inputs); the header held until then goes out first. */
static int create_output(void *ctx)
{
    struct run *r = ctx;
    if (r->outfd != OUT_NOT_YET_OPEN)
        return 0;
    r->outfd = open_output(r->o.output);
    if (r->outfd < 0) {
        r->outfd = OUT_NOT_YET_OPEN;
        r->create_failed = 1;
        return -1;
    }
    out_attach(&r->out, r->outfd);
    return 0;
}

/* The writer or the mode, the converter and the publisher for the run's
 * options: -1 when the run can start, else the exit code (a message is
 * printed; run_free frees what was set up). */
static int run_open(struct run *r, int argc, char **argv)
{
    struct options *o = &r->o;
    r->mo = (struct mode_opts){ .columns = o->columns, .tags = o->tags, .q = o->q_format,
                                .header = o->header };
    r->psch = (struct table_schema){ .name = o->table, .cols = r->pcols };
    int rc = table_setup(o, &r->mo, &r->mc, &r->psch);
    if (rc >= 0)
        return rc;
    /* No file and a terminal on stdin: the user needs the usage, not a
     * silent wait for a capture typed on the keyboard. */
    if (optind >= argc && isatty(STDIN_FILENO)) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    r->stdin_only[0] = "-";
    r->files = optind < argc ? argv + optind : r->stdin_only;
    r->nfiles = optind < argc ? argc - optind : 1;
    r->bad = calloc((size_t)r->nfiles, 1);
    if (!r->bad) {
        fprintf(stderr, "pcap2kdb: out of memory\n");
        return EXIT_NO_MEMORY;
    }
    r->code = EXIT_OK;
    if (check_inputs(r->files, r->nfiles, o->output, r->bad, &r->code) != EXIT_OK)
        return EXIT_USAGE;

    /* out of memory while publishing is reported as the output's failure */
    r->outname = o->output ? shown_name(&r->output_shown, o->output)
                           : o->publish ? o->target.shown : "stdout";
    /* -o's file is created, and standard output given anything, only once an
     * input has opened as a capture (create_output): until then the table's
     * header (the CSV header line, -f q's table definition) is held, so a
     * run that converts nothing writes nothing. */
    r->outfd = OUT_NOT_YET_OPEN;

    r->fmt = (struct format_ctx){ .data_max = o->data_max };
    r->w = (struct writer){
        .ops = o->q_format ? &q_writer_ops : &csv_writer_ops,
        .out = &r->out, .cols = &o->cols, .fmt = &r->fmt, .header = o->header,
        .table = o->table,
    };
    if (out_init(&r->out, r->outfd, r->outname) != 0) {
        fprintf(stderr, "pcap2kdb: out of memory\n");
        return EXIT_NO_MEMORY;
    }
    r->out_ready = 1;
    if (o->max_rows)
        r->out.max_rows = o->max_rows; /* -c counts rows of the table written, in every mode */
    /* --publish: every table's rows go into typed batches (set up below) */
    r->psink = (struct publish_sink){ NULL, PUB_OK };
    if (o->publish) {
        r->w.batch = r->mo.batch = &r->bb;
        r->w.ops = o->mode ? &batch_table_writer_ops : &batch_writer_ops;
    }
    if (o->mode) {
        char err[1024];
        r->mo.out = &r->out;
        r->mo.fmt = &r->fmt;
        r->mode = o->mode->create(&r->mo, err, sizeof err);
        if (!r->mode) {
            fprintf(stderr, "pcap2kdb: %s\n", err);
            return EXIT_NO_MEMORY;
        }
    }
    struct converter_setup setup = {
        .writer = &r->w, .mode = o->mode, .mode_ctx = r->mode,
        .use_flows = columns_need_flows(&o->cols) || o->stats,
        .filter = filter_active(&o->filter) ? &o->filter : NULL,
        .capture_opened = create_output, .capture_opened_ctx = r,
    };
    time_window_setup(o, &setup, &r->out);
    /* the analysis column needs the flow table's sequence analysis */
    for (int i = 0; i < o->cols.n && !o->mode; i++) {
        if (o->cols.id[i] == COL_ANALYSIS)
            setup.analyze = 1;
    }
    /* #16: the TCP number columns need the lists of unacknowledged segments */
    if (!o->mode && columns_need_tcp_numbers(&o->cols))
        setup.numbers = setup.analyze = 1;
    if (converter_init(&r->cv, &setup) != 0) {
        fprintf(stderr, "pcap2kdb: out of memory\n");
        return EXIT_NO_MEMORY;
    }
    r->cv_ready = 1;
    r->cv.hwts = o->hwts; /* #17 */
    r->cv.no_tunnels = o->no_tunnels; /* #15 */
    /* #19: one thread unless asked for more: on every host measured,
     * handing rows to formatting threads cost the reading thread more than
     * the formatting it gave away (README "Benchmark"). */
    r->cv.threads = o->threads ? o->threads : 1;
    r->cv.hwts_columns = !o->mode && columns_need_hwts(&o->cols);
    r->cv.hwts_active = r->cv.hwts_columns || (r->cv.hwts & HWTS_EXPCAP);

    if (o->publish) {
        enum publish_status ps;
        r->pub = publisher_open(&o->target, &r->psch, o->layout,
                                o->retry_for >= 0 ? o->retry_for : 60, "pcap2kdb", &ps);
        if (!r->pub)
            return ps == PUB_USAGE ? EXIT_USAGE : EXIT_WRITE;
        r->psink.pub = r->pub;
        if (bb_init(&r->bb, &r->psch, o->batch ? o->batch : PUBLISH_DEFAULT_BATCH,
                    publish_batch, &r->psink) != 0) {
            fprintf(stderr, "pcap2kdb: out of memory\n");
            return EXIT_NO_MEMORY;
        }
    }

    /* The status line: on a terminal, unless our rows go to that terminal
     * too (not with -o, nor with --publish: the rows go to the receiver). */
    int show = o->progress >= 0 ? o->progress
                                : isatty(STDERR_FILENO) &&
                                      (o->output || o->publish || !isatty(STDOUT_FILENO));
    progress_init(&r->progress, show, STDERR_FILENO,
                  show ? inputs_size(r->files, r->nfiles) : 0);
    converter_set_progress(&r->cv, &r->progress);
    return -1;
}

/* Opens one input and converts it: the exit code it gives. */
static int convert_file(struct run *r, const char *path)
{
    /* messages name the input with control bytes as '?' (one line); the
     * file column keeps the name as given */
    struct shown_name name;
    const char *shown = shown_name(&name, path);
    struct input in;
    /* the rows of the inputs before (none before the first opened) */
    if (r->cv.stats.inputs > 0 && !converter_before_open(&r->cv))
        return EXIT_OK; /* run_status says why */
    int opened = strcmp(path, "-") == 0 ? input_open_fd(&in, STDIN_FILENO, "-")
                                        : input_open(&in, path);
    if (opened != 0 && in.decompressor) {
        /* Debian names xz's package xz-utils */
        progress_clear(&r->progress);
        fprintf(stderr, "pcap2kdb: %s: compressed with %s, which is not installed "
                "(install %s)\n", shown, in.decompressor,
                strcmp(in.decompressor, "xz") == 0 ? "xz-utils" : in.decompressor);
        return EXIT_USAGE;
    }
    if (opened != 0 && interrupt_requested())
        return EXIT_OK; /* told to stop while opening a FIFO: no further input */
    if (opened != 0) {
        int e = errno;
        progress_clear(&r->progress);
        fprintf(stderr, "pcap2kdb: %s: cannot open: %s\n", shown, strerror(e));
        return EXIT_USAGE;
    }
    char sym[SYM_MAX + 1];
    sym_from_path(path, sym, sizeof sym);
    format_set_input(&r->fmt, r->o.sym ? r->o.sym : sym, path);
    r->cv.stats.inputs++;
    int code = convert_input(&r->cv, &in, shown);
    input_close(&in);
    /* Rows before any damage reach the disk before we go on. */
    out_flush(&r->out);
    return code;
}

/* Every input in turn, then the end of the table and of the output, the
 * receiver's last word and --stats: the run's exit status (run_status). */
static int run_inputs(struct run *r)
{
    struct options *o = &r->o;
    int code = r->code;
    /* from here a stop signal ends the input, and the run ends as at the
     * end of its inputs (interrupt.h); before, it kills: nothing is
     * written yet */
    interrupt_catch();
    if (o->mode)
        o->mode->begin(r->mode);
    else
        r->w.ops->begin(&r->w);
    for (int i = 0; i < r->nfiles && !out_dead(&r->out) && !r->cv.stop && !interrupt_requested();
         i++)
        if (!r->bad[i]) /* else reported by check_inputs */
            code = exit_precedence(code, convert_file(r, r->files[i]));
    converter_end_rows(&r->cv);
    if (o->mode)
        o->mode->end(r->mode);
    else
        r->w.ops->end(&r->w);
    if (r->pub) {
        bb_pause(&r->bb); /* the modes' last rows */
        batch_writer_check(&r->w);
    }
    out_flush(&r->out);
    /* exit 0 only once the receiver has read every message */
    if (r->pub && r->psink.status == PUB_OK && !r->out.failed)
        r->psink.status = publisher_finish(r->pub);
    progress_clear(&r->progress);
    if (r->outfd != OUT_NOT_YET_OPEN && o->output && !r->out.failed && close(r->outfd) != 0) {
        r->out.failed = 1;
        r->out.errno_saved = errno;
    }
    /* a failed output is said before the summary, which would otherwise
     * read as a success */
    int status = run_status(code, r->pub ? r->psink.status : PUB_OK, &r->out, r->outname,
                            r->create_failed);
    if (o->stats) {
        r->cv.stats.records = r->cv.records;
        r->cv.stats.rows = r->out.rows;
        r->cv.stats.damaged += r->cv.damaged;
        if (!r->pub) { /* the publisher says its own */
            r->cv.stats.output_closed = r->out.pipe_closed;
            r->cv.stats.output_failed = r->out.failed;
            r->cv.stats.output_written = r->out.written;
        }
        stats_print(&r->cv.stats, stderr, progress_now_ns() - r->progress.start_ns);
        if (o->mode && o->mode->stats)
            o->mode->stats(r->mode, stderr);
        if (r->pub) {
            struct publish_stats ps;
            publisher_stats(r->pub, &ps);
            publish_stats_print(&ps, stderr);
        }
    }
    return status;
}

/* What the process needs before anything is opened or written. */
static void process_setup(void)
{
    /* Descriptors 0-2 closed by the caller (`2>&-`) would be taken by the
     * first files opened, and messages would land in -o's rows. Each is
     * held by /dev/null opened the wrong way round, so that using it fails
     * with EBADF as the closed one did (`>&-` is still a write error). */
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
            open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
            break;
    /* A closed pipe shows up as EPIPE from write(), which ends quietly. */
    signal(SIGPIPE, SIG_IGN);
    /* A file-size limit (ulimit -f) shows up as EFBIG: exit 3 with a message,
     * not death by SIGXFSZ. */
    signal(SIGXFSZ, SIG_IGN);
}

int main(int argc, char **argv)
{
    static struct run r; /* large; zeroed: nothing set up yet */
    process_setup();
    int rc = parse_options(argc, argv, &r.o);
    if (rc >= 0)
        return rc;
    rc = run_open(&r, argc, argv);
    if (rc < 0)
        rc = run_inputs(&r);
    run_free(&r);
    /* told to stop: the run ended cleanly, and now dies by the signal, as
     * the shell expects of a program it interrupted */
    interrupt_reraise();
    return interrupt_requested() ? 128 + interrupt_requested() : rc;
}
