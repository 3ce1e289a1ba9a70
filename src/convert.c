/* convert.c: the one driver loop. */
#include "convert.h"
#include "decode.h"
#include "reader.h"

#include <stdio.h>
#include <string.h>

/* A file with many damaged blocks gets this many messages, then a count. */
#define MAX_DAMAGE_MESSAGES 10

int converter_init(struct converter *cv, struct writer *w, int use_flows)
{
    memset(cv, 0, sizeof *cv);
    cv->writer = w;
    cv->use_flows = use_flows;
    cv->prog = "pcap2kdb";
    return flow_table_init(&cv->flows, FLOW_DEFAULT_SLOTS);
}

void converter_free(struct converter *cv) { flow_table_free(&cv->flows); }

static void report(struct converter *cv, const char *name, const struct reader *rd)
{
    if (!cv->quiet)
        fprintf(stderr, "%s: %s: offset %llu: %s\n", cv->prog, name,
                (unsigned long long)rd->err_offset, rd->err);
}

static void flush_output(void *ctx) { out_flush((struct out *)ctx); }

int convert_input(struct converter *cv, struct input *in, const char *name)
{
    struct writer *w = cv->writer;
    struct reader rd;
    in->before_block = flush_output;
    in->before_block_ctx = w->out;
    flow_table_reset(&cv->flows);

    enum read_status st = reader_open(&rd, in);
    if (st != READ_OK) {
        if (st == READ_NO_MEMORY) {
            if (!cv->quiet)
                fprintf(stderr, "%s: %s: out of memory\n", cv->prog, name);
            reader_close(&rd);
            return EXIT_DAMAGED;
        }
        report(cv, name, &rd);
        reader_close(&rd);
        return st == READ_NOT_CAPTURE ? EXIT_USAGE : EXIT_DAMAGED;
    }

    int code = EXIT_OK;
    uint64_t frame = 0, skipped = 0;
    struct capture_record rec;
    struct row r;
    for (;;) {
        st = reader_next(&rd, &rec);
        if (st == READ_EOF)
            break;
        if (st == READ_SKIPPED) {
            code = EXIT_DAMAGED;
            if (++skipped <= MAX_DAMAGE_MESSAGES)
                report(cv, name, &rd);
            continue;
        }
        if (st != READ_OK) {
            code = EXIT_DAMAGED;
            if (st == READ_NO_MEMORY) {
                if (!cv->quiet)
                    fprintf(stderr, "%s: %s: offset %llu: out of memory\n", cv->prog, name,
                            (unsigned long long)in->offset);
            } else {
                report(cv, name, &rd);
            }
            break;
        }

        row_reset(&r);
        r.frame = ++frame;
        if (rec.ts_sec != INT64_MIN && fmt_time_in_q_range(rec.ts_sec)) {
            r.present |= HAS_TIME;
            r.ts_sec = rec.ts_sec;
            r.ts_nsec = rec.ts_nsec;
        }
        r.caplen = rec.caplen;
        r.origlen = rec.origlen;
        r.linktype = rec.linktype;
        if (rec.has_iface) {
            r.present |= HAS_IFACE;
            r.iface = rec.iface;
        }
        /* What was on the wire bounds every length field; a bogus original
         * length below the captured one is raised to it. */
        size_t reported = rec.origlen > rec.caplen ? rec.origlen : rec.caplen;
        decode_link(rec.linktype, rec.data, rec.caplen, reported, &r);
        if (cv->use_flows && (r.present & HAS_TCPSEQ) && (r.present & HAS_SRC) &&
            (r.present & HAS_DST)) {
            int dir;
            flow_track_tcp(&cv->flows, &r, &dir);
        }
        w->ops->row(w, &r);
        if (out_dead(w->out))
            break;
    }
    if (skipped > MAX_DAMAGE_MESSAGES && !cv->quiet)
        fprintf(stderr, "%s: %s: %llu damaged blocks skipped in all\n", cv->prog, name,
                (unsigned long long)skipped);
    cv->records += frame;
    cv->damaged += skipped;
    reader_close(&rd);
    return code;
}
