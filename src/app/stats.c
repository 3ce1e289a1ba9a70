/* stats.c: the --stats summary. */
#include "stats.h"
#include "fmt.h"
#include "names.h"
#include "progress.h"
#include "qspan.h"

#include <string.h>

void stats_init(struct stats *s)
{
    memset(s, 0, sizeof *s);
}

void stats_add_linktype(struct stats *s, uint32_t linktype)
{
    s->last_linktype = linktype;
    if (linktype == LINKTYPE_NO_PACKET)
        return; /* pcapng custom blocks: not a link type */
    for (int i = 0; i < s->n_linktypes; i++)
        if (s->linktype[i] == linktype)
            return;
    if (s->n_linktypes < STATS_MAX_LINKTYPES)
        s->linktype[s->n_linktypes++] = linktype;
    else
        s->more_linktypes = 1;
}

static void print_time(FILE *f, const char *name, int64_t sec, uint32_t nsec)
{
    char buf[FMT_TIME_LEN + 1];
    struct time_cache tc = { 0 };
    char *end = fmt_time(buf, &tc, sec, nsec);
    *end = '\0';
    fprintf(f, "%-12s %s\n", name, buf);
}

void stats_print(const struct stats *s, FILE *f, uint64_t elapsed_ns)
{
    char human[16];
    fprintf(f, "%-12s %llu\n", "records", (unsigned long long)s->records);
    fprintf(f, "%-12s %llu\n", "rows", (unsigned long long)s->rows);
    progress_format_bytes(human, sizeof human, (double)s->bytes);
    fprintf(f, "%-12s %llu (%s)\n", "bytes", (unsigned long long)s->bytes, human);
    if (s->have_time) {
        print_time(f, "first", s->first_sec, s->first_nsec);
        print_time(f, "last", s->last_sec, s->last_nsec);
        /* first and last are q times (stats_record), up to 2^64 - 4 ns
         * apart: a span q cannot hold is empty, as every duration */
        int64_t ns = qspan_diff(qspan_time(s->last_sec, s->last_nsec),
                                qspan_time(s->first_sec, s->first_nsec));
        char span[FMT_TIMESPAN_PARTS_LEN + 1] = ""; /* never negative: last >= first */
        if (ns != QSPAN_NULL)
            *fmt_timespan(span, ns) = '\0';
        fprintf(f, "%-12s %s\n", "span", span);
    }
    fprintf(f, "%-12s", "linktypes");
    for (int i = 0; i < s->n_linktypes; i++) {
        const char *name = linktype_name(s->linktype[i]);
        if (name)
            fprintf(f, "%c%s", i ? ',' : ' ', name);
        else
            fprintf(f, "%c%u", i ? ',' : ' ', (unsigned)s->linktype[i]);
    }
    fprintf(f, "%s\n", s->more_linktypes ? ",..." : "");
    fprintf(f, "%-12s %llu\n", "tcp_flows", (unsigned long long)s->tcp_flows);
    fprintf(f, "%-12s %llu\n", "tcp_evicted", (unsigned long long)s->tcp_evicted);
    if (s->ual_used)
        fprintf(f, "%-12s %llu merged, %llu unlisted\n", "tcp_unacked",
                (unsigned long long)s->ual_merged, (unsigned long long)s->ual_unlisted);
    fprintf(f, "%-12s %llu\n", "truncated", (unsigned long long)s->truncated);
    fprintf(f, "%-12s %llu\n", "damaged", (unsigned long long)s->damaged);
    /* rows counts the rows produced; these bytes are what reached the output */
    if (s->output_closed || s->output_failed)
        fprintf(f, "%-12s %s after %llu bytes\n", "output",
                s->output_closed ? "closed by its reader" : "write error",
                (unsigned long long)s->output_written);
    double secs = (double)elapsed_ns / 1e9;
    fprintf(f, "%-12s %.3f s\n", "elapsed", secs);
    fprintf(f, "%-12s %.0f\n", "packets/s", secs > 0 ? (double)s->records / secs : 0.0);
}
