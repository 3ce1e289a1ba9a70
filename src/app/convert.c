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
    cv->max_rows = UINT64_MAX;
    cv->tick = UINT64_MAX;
    stats_init(&cv->stats);
    return flow_table_init(&cv->flows, FLOW_DEFAULT_SLOTS);
}

void converter_free(struct converter *cv) { flow_table_free(&cv->flows); }

void converter_set_mode(struct converter *cv, const struct msg_mode *mode)
{
    cv->mode = mode;
    cv->flows.on_evict = mode ? mode->on_evict : NULL;
    cv->flows.on_evict_ctx = mode ? mode->ctx : NULL;
}

void converter_set_progress(struct converter *cv, struct progress *p)
{
    cv->progress = p;
    cv->tick = p && p->on ? PROGRESS_EVERY : UINT64_MAX;
}

/* A message must not be written over the status line. */
static void before_message(struct converter *cv)
{
    if (cv->progress)
        progress_clear(cv->progress);
}

static void show_progress(struct converter *cv)
{
    if (cv->progress)
        progress_update(cv->progress, cv->records + cv->frame, cv->stats.bytes + cv->in->offset);
}

/* Every PROGRESS_EVERY records, only when the status line is on. */
static void tick(struct converter *cv)
{
    cv->tick = PROGRESS_EVERY;
    show_progress(cv);
}

/* Every row converted so far goes to the output: before damage is reported
 * (so that nothing before it is lost if the process is stopped then), and
 * when input pauses. */
static void flush_rows(struct writer *w)
{
    if (w->ops->flush)
        w->ops->flush(w);
    out_flush(w->out);
}

static void report(struct converter *cv, const char *name, const struct reader *rd)
{
    flush_rows(cv->writer);
    if (cv->quiet)
        return;
    before_message(cv);
    fprintf(stderr, "%s: %s: offset %llu: %s\n", cv->prog, name,
                (unsigned long long)rd->err_offset, rd->err);
}

/* Input pauses (a live pipe): rows decoded so far go out now (SCHEMA.md:
 * within 100 ms), including a q batch in the making. */
static void input_paused(void *ctx)
{
    struct converter *cv = ctx;
    flush_rows(cv->writer);
    show_progress(cv);
}

int convert_input(struct converter *cv, struct input *in, const char *name)
{
    struct writer *w = cv->writer;
    struct reader rd;
    in->before_block = input_paused;
    in->before_block_ctx = cv;
    cv->in = in;
    cv->frame = 0;
    flow_table_reset(&cv->flows);

    enum read_status st = reader_open(&rd, in);
    if (st != READ_OK) {
        if (st == READ_NO_MEMORY) {
            if (!cv->quiet) {
                before_message(cv);
                fprintf(stderr, "%s: %s: out of memory\n", cv->prog, name);
            }
            reader_close(&rd);
            return EXIT_DAMAGED;
        }
        report(cv, name, &rd);
        cv->stats.bytes += in->offset;
        cv->stats.damaged += st != READ_NOT_CAPTURE;
        reader_close(&rd);
        return st == READ_NOT_CAPTURE ? EXIT_USAGE : EXIT_DAMAGED;
    }

    int code = EXIT_OK;
    uint64_t skipped = 0;
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
            cv->stats.damaged++; /* where reading stopped */
            if (st == READ_NO_MEMORY) {
                flush_rows(w);
                if (!cv->quiet) {
                    before_message(cv);
                    fprintf(stderr, "%s: %s: offset %llu: out of memory\n", cv->prog, name,
                            (unsigned long long)in->offset);
                }
            } else {
                report(cv, name, &rd);
            }
            break;
        }

        if (--cv->tick == 0)
            tick(cv);
        row_reset(&r);
        r.frame = ++cv->frame;
        /* The flow table's analysis needs the time even outside q's range. */
        r.ts_sec = rec.ts_sec;
        r.ts_nsec = rec.ts_nsec;
        if (rec.ts_sec != INT64_MIN && fmt_time_in_q_range(rec.ts_sec))
            r.present |= HAS_TIME;
        stats_record(&cv->stats, &rec, r.present & HAS_TIME);
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
        struct flow *fl = NULL;
        int dir = 0;
        if ((cv->use_flows || cv->mode) && (r.present & HAS_TCPSEQ) && (r.present & HAS_SRC) &&
            (r.present & HAS_DST))
            fl = flow_track_tcp(&cv->flows, &r, &dir);
        /* Filtered-out rows are decoded and tracked all the same. */
        if (cv->filter && !filter_match(cv->filter, &r))
            continue;
        if (cv->mode)
            cv->mode->packet(cv->mode->ctx, &r, fl, dir);
        else
            w->ops->row(w, &r);
        if (out_dead(w->out))
            break;
        if (++cv->stats.rows == cv->max_rows) {
            cv->stop = 1;
            break;
        }
    }
    if (skipped > MAX_DAMAGE_MESSAGES && !cv->quiet) {
        before_message(cv);
        fprintf(stderr, "%s: %s: %llu damaged blocks skipped in all\n", cv->prog, name,
                (unsigned long long)skipped);
    }
    cv->records += cv->frame;
    cv->stats.bytes += in->offset;
    cv->stats.tcp_flows += cv->flows.next_stream;
    cv->stats.ual_used = cv->flows.num != NULL;
    cv->stats.ual_merged = cv->flows.ual.merged;
    cv->stats.ual_unlisted = cv->flows.ual.unlisted;
    if (cv->mode)
        cv->mode->end_input(cv->mode->ctx);
    /* --flows: the connections still open end with their input. */
    if (cv->flows.on_end)
        flow_table_reset(&cv->flows);
    cv->damaged += skipped;
    reader_close(&rd);
    return code;
}
