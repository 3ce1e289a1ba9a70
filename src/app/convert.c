/* convert.c: the one driver loop. */
#include "convert.h"
#include "decode.h"
#include "hwts.h"
#include "pipeline.h"
#include "reader.h"
#include "ipcomp.h"

#include <stdio.h>
#include <string.h>

/* A file with many damaged blocks gets this many messages, then a count. */
#define MAX_DAMAGE_MESSAGES 10

/* A connection's start or finish as --from/--to see it: no time
 * (INT64_MIN) unless q can hold it, as for a packet row's time; its row
 * shows such a time empty. */
static int64_t window_sec(int has_time, int64_t sec, uint32_t nsec)
{
    return has_time && fmt_time_in_q_range(sec, nsec) ? sec : INT64_MIN;
}

/* A mode whose rows are connections: told when each record is complete,
 * if the connection passes the filters and overlaps --from/--to (#18). */
static void mode_flow_end(void *ctx, const struct flow *f, const struct flow_summary *s,
                          enum flow_end why)
{
    struct converter *cv = ctx;
    if (cv->filter &&
        (!filter_match_flow(cv->filter, f) ||
         !filter_window_flow(cv->filter, window_sec(s->has_time, s->first_sec, s->first_nsec),
                             s->first_nsec, window_sec(s->has_time, s->last_sec, s->last_nsec),
                             s->last_nsec)))
        return;
    cv->mode->flow_end(cv->mode_ctx, f, s, why);
}

int converter_init(struct converter *cv, const struct converter_setup *s)
{
    memset(cv, 0, sizeof *cv);
    cv->writer = s->writer;
    cv->mode = s->mode;
    cv->mode_ctx = s->mode_ctx;
    cv->use_flows = s->use_flows;
    cv->filter = s->filter;
    cv->quiet = s->quiet;
    cv->capture_opened = s->capture_opened;
    cv->capture_opened_ctx = s->capture_opened_ctx;
    cv->prog = "pcap2kdb";
    cv->tick = UINT64_MAX;
    stats_init(&cv->stats);
    if (ipfrag_init(&cv->frags, IPFRAG_DEFAULT_DATAGRAMS, IPFRAG_DEFAULT_BYTES) != 0)
        return -1;
    if (flow_table_init(&cv->flows, s->flow_slots ? s->flow_slots : FLOW_DEFAULT_SLOTS) != 0) {
        ipfrag_free(&cv->frags);
        return -1;
    }
    cv->flows.analyze = s->analyze;
    cv->flows.numbers = s->numbers;
    if (s->mode) {
        cv->flows.on_evict = s->mode->evict;
        cv->flows.on_evict_ctx = s->mode_ctx;
        if (s->mode->flow_end) {
            cv->flows.on_end = mode_flow_end;
            cv->flows.on_end_ctx = cv;
        }
    }
    return 0;
}

void converter_end_rows(struct converter *cv)
{
    if (cv->pipeline)
        pipeline_finish(cv->pipeline);
    cv->pipeline = NULL;
}

void converter_free(struct converter *cv)
{
    converter_end_rows(cv);
    flow_table_free(&cv->flows);
    ipfrag_free(&cv->frags);
    ipcomp_free(&cv->inflated);
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
static void flush_rows(struct converter *cv)
{
    struct writer *w = cv->writer;
    if (cv->mode && cv->mode->pause)
        cv->mode->pause(cv->mode_ctx);
    if (cv->pipeline) {
        pipeline_sync(cv->pipeline, PIPELINE_PAUSE);
        return;
    }
    if (w->ops->flush)
        w->ops->flush(w);
    out_flush(w->out);
}

/* --threads: the driver's counts as a row is committed, for going back to
 * them (stopped_before). */
static void mark_row(const struct converter *cv, uint64_t skipped, struct pipeline_mark *m)
{
    const struct stats *st = &cv->stats;
    m->frame = cv->frame;
    m->offset = cv->in->offset;
    m->rows = cv->writer->out->rows;
    m->truncated = st->truncated;
    m->next_stream = cv->flows.next_stream;
    m->skipped = skipped;
    m->last_skip_at = cv->last_skip_at;
    m->ual_merged = cv->flows.ual.merged;
    m->evictions = cv->flows.evictions;
    m->ual_unlisted = cv->flows.ual.unlisted;
    m->first_sec = st->first_sec;
    m->first_nsec = st->first_nsec;
    m->last_sec = st->last_sec;
    m->last_nsec = st->last_nsec;
    m->have_time = st->have_time;
    m->n_linktypes = st->n_linktypes;
    m->more_linktypes = st->more_linktypes;
}

/* --threads: whether the one-thread run would have stopped before this
 * point, the output having failed while a row before it was written (the
 * driver reads ahead of the writes). The counts then go back to that row's:
 * the one-thread run read nothing after it, so reports nothing after it
 * (neither damage nor records). Waits for the rows committed so far. */
static int stopped_before(struct converter *cv, uint64_t *skipped)
{
    struct pipeline_mark m;
    if (!cv->pipeline)
        return 0;
    pipeline_sync(cv->pipeline, PIPELINE_ROWS);
    if (!pipeline_failed_at_row(cv->pipeline, &m))
        return 0;
    struct stats *st = &cv->stats;
    cv->frame = m.frame;
    cv->in->offset = m.offset; /* where the input stopped being read */
    cv->writer->out->rows = m.rows;
    st->truncated = m.truncated;
    cv->flows.next_stream = m.next_stream;
    *skipped = m.skipped;
    cv->last_skip_at = m.last_skip_at;
    cv->flows.ual.merged = m.ual_merged;
    cv->flows.evictions = m.evictions;
    cv->flows.ual.unlisted = m.ual_unlisted;
    st->first_sec = m.first_sec;
    st->first_nsec = m.first_nsec;
    st->last_sec = m.last_sec;
    st->last_nsec = m.last_nsec;
    st->have_time = m.have_time;
    st->n_linktypes = m.n_linktypes; /* the list only grows */
    st->more_linktypes = m.more_linktypes;
    return 1;
}

/* Every message about an input comes after the rows before what it names:
 * they are written out first (so that nothing before it is lost if the
 * process is stopped then). A write that fails there stops the run at that
 * write, as a failed write stops it anywhere, and what the message would
 * name lies past it: the message is not printed and nothing it names is
 * counted. A closed pipe so ends the run silently (exit 0), another failure
 * with main.c's one message (exit 3): run_status gives the exit code then,
 * whatever the input's. Returns whether the message is to follow. */
static int rows_out_first(struct converter *cv)
{
    flush_rows(cv);
    return !out_dead(cv->writer->out);
}

/* The next input may wait without end to open: what came before goes out
 * first, by the same rule (convert.h). */
int converter_before_open(struct converter *cv)
{
    return rows_out_first(cv);
}

/* One line about input name at offset at (none when quiet). */
static void input_message(struct converter *cv, const char *name, uint64_t at, const char *what)
{
    if (cv->quiet)
        return;
    before_message(cv);
    fprintf(stderr, "%s: %s: offset %llu: %s\n", cv->prog, name, (unsigned long long)at, what);
}

static void decompressor_message(struct converter *cv, const struct input *in, const char *name,
                                 uint64_t at)
{
    char what[64];
    snprintf(what, sizeof what, "%s -dc failed: damaged compressed data", in->decompressor);
    input_message(cv, name, at, what);
}

/* Reading stops where the reader found a problem (after rows_out_first).
 * When the input comes through a decompressor that failed, the message is
 * the decompressor's: the damaged compressed data is the cause, whatever the
 * reader made of the bytes it wrote. A streaming decompressor writes out
 * what it decoded before its check (a checksum after the data it covers)
 * fails, so the reader may meet the damage first, as a record cut short or
 * one that makes no sense. The message names where the rows stop. Returns
 * the input's exit code: code, or EXIT_DAMAGED for the decompressor. */
static int reader_stopped(struct converter *cv, const struct reader *rd, struct input *in,
                          const char *name, int code)
{
    if (in->decompressor && input_end_status(in) != 0) {
        decompressor_message(cv, in, name, rd->err_offset);
        code = EXIT_DAMAGED;
    } else {
        input_message(cv, name, rd->err_offset, rd->err);
    }
    cv->stats.damaged += code == EXIT_DAMAGED;
    return code;
}

/* Input pauses (a live pipe): rows decoded so far go out now (README "Long
 * runs": within 100 ms), including a q batch in the making. */
static void input_paused(void *ctx)
{
    struct converter *cv = ctx;
    flush_rows(cv);
    show_progress(cv);
}

/* #17: an expcap footer is cut off the frame whenever expcap is asked for
 * (it is not part of the packet; a padding record has none); a stamp is
 * looked for only when a column shows it. The footer, added last, wins;
 * one that gives no stamp (picoseconds out of range) hides none of the
 * frame's, as an out-of-range trailer does not. Returns the frame's
 * captured length. */
static size_t hardware_stamp(const struct converter *cv, const struct capture_record *rec,
                             struct row *r)
{
    size_t caplen = rec->caplen;
    r->hw.has_time = r->hw.has_dev = r->hw.has_port = 0;
    if ((cv->hwts & HWTS_EXPCAP) && hwts_expcap_has_footer(caplen, rec->origlen)) {
        caplen -= EXPCAP_FOOTER_LEN;
        if (!cv->hwts_columns || hwts_expcap(rec->data + caplen, &r->hw))
            return caplen;
    }
    if (cv->hwts_columns) {
        size_t reported = rec->origlen > caplen ? rec->origlen : caplen;
        hwts_find(cv->hwts, rec->linktype, rec->data, caplen, reported, rec->ts_sec, &r->hw);
    }
    return caplen;
}

/* open_input: told to stop before the capture's header came in whole. */
#define STOPPED_BEFORE_HEADER (-1)

/* Opens the input's reader: EXIT_OK, STOPPED_BEFORE_HEADER (nothing to
 * report, the reader closed), or the exit code of a failure it has
 * reported. */
static int open_input(struct converter *cv, struct reader *rd, struct input *in, const char *name)
{
    enum read_status st = reader_open(rd, in);
    if (st == READ_OK)
        return EXIT_OK;
    if (st == READ_NO_MEMORY) {
        if (!cv->quiet) {
            before_message(cv);
            fprintf(stderr, "%s: %s: out of memory\n", cv->prog, name);
        }
        reader_close(rd);
        return EXIT_NO_MEMORY;
    }
    cv->stats.bytes += in->offset;
    /* told to stop before a whole file header came in: an input that
     * ended there, which gave nothing (README "Stopping a run") */
    if (input_interrupted(in)) {
        reader_close(rd);
        return STOPPED_BEFORE_HEADER;
    }
    /* a decompressor that failed before a whole file header came out (a
     * cut or corrupt .gz): damaged compressed data, not "not a capture" */
    int code = EXIT_OK; /* unless said: the output gone, the run ends unsaid */
    if (rows_out_first(cv)) /* what earlier inputs left held (a q batch) */
        code = reader_stopped(cv, rd, in, name,
                              st == READ_NOT_CAPTURE ? EXIT_USAGE : EXIT_DAMAGED);
    reader_close(rd);
    return code;
}

#define TRUNCATED_WHILE_READ "the file was truncated while being read"

/* A status of reader_next other than READ_OK: reports it and updates
 * *code; returns 1 when reading ends, 0 when it goes on (a block skipped). */
static int read_problem(struct converter *cv, struct reader *rd, struct input *in,
                        const char *name, enum read_status st, uint64_t *skipped, int *code)
{
    /* --threads: every case below but a skip past the named ones says
     * something or ends the input, which the one-thread run may not have
     * reached (a skip's counts are in the rows' marks) */
    if ((st != READ_SKIPPED || *skipped < MAX_DAMAGE_MESSAGES) && stopped_before(cv, skipped))
        return 1;
    /* told to stop: the input ends where reading stopped, as at its end;
     * a record cut there, or a decompressor killed by the same signal, is
     * no damage (README "Stopping a run") */
    if (input_interrupted(in))
        return 1;
    /* a record cut short where another program cut the file while we read
     * it (input.h) is the cut, not damage */
    if ((st == READ_DAMAGED || st == READ_SKIPPED) && input_shrank(in))
        st = READ_EOF;
    if (st == READ_EOF && input_shrank(in)) {
        /* the file ended early because it was cut: named where it ends
         * now, or at the record that met the cut */
        uint64_t at = in->offset < input_known_size(in) ? in->offset : input_known_size(in);
        reader_fail(rd, READ_DAMAGED, at, "%s", TRUNCATED_WHILE_READ);
        st = READ_DAMAGED;
    } else if (st == READ_EOF) {
        /* a decompressor that fails may end its output where a record ends */
        if (input_end_status(in) != 0 && rows_out_first(cv)) {
            decompressor_message(cv, in, name, in->offset);
            cv->stats.damaged++;
            *code = EXIT_DAMAGED;
        }
        return 1;
    }
    if (st == READ_SKIPPED) {
        /* a named one after its rows; the output gone there, reading ends */
        if (*skipped < MAX_DAMAGE_MESSAGES) {
            if (!rows_out_first(cv))
                return 1;
            input_message(cv, name, rd->err_offset, rd->err);
        }
        *code = EXIT_DAMAGED;
        cv->last_skip_at = rd->err_offset;
        ++*skipped;
        return 0;
    }
    if (!rows_out_first(cv))
        return 1;
    if (st == READ_NO_MEMORY) {
        *code = EXIT_NO_MEMORY;
        input_message(cv, name, in->offset, "out of memory");
    } else {
        *code = reader_stopped(cv, rd, in, name, EXIT_DAMAGED); /* counted where it stopped */
    }
    return 1;
}

/* Quotes inside quotes (an ICMP error about an ICMP error) that are
 * followed: Wireshark 4.0 dissects them all (tshark shows a stream for the
 * TCP header inside 200); each takes 28 bytes or more (an IPv4 header and
 * the ICMP one), so a 64 KiB datagram holds under 2,400. */
#define QUOTE_MAX_NESTING 4096

/* An ICMP error's quoted TCP header names a connection, which Wireshark
 * numbers (flow_track_quoted); the ICMP row itself is left as it is. A
 * quoted ICMP error is followed to the packet it quotes, as Wireshark
 * dissects it. A quoted fragment (HAS_FRAG in q) is not added to the
 * fragment table: a quote is a copy sent back, not a fragment on its way
 * (Wireshark 4.0 adds it: README, Compared with tshark). Out of line: the
 * quote's row is large and rarely needed. */
__attribute__((noinline))
static void track_quote(struct converter *cv, const struct row *r)
{
    struct row q;
    decode_quoted(&r->quote, r->decode_flags, &q);
    for (int n = 0; n < QUOTE_MAX_NESTING && (q.present & HAS_QUOTE); n++) {
        struct row_frag inner = q.quote; /* bytes of the record, not of q */
        decode_quoted(&inner, q.decode_flags, &q);
    }
    if ((q.present & HAS_TCPSEQ) && (q.present & HAS_SRC) &&
        (q.present & (HAS_DST | HAS_FINAL_DST))) {
        q.ts_sec = r->ts_sec;
        q.ts_nsec = r->ts_nsec;
        flow_track_quoted(&cv->flows, &q);
    }
}

/* One record into its row: the capture's fields, the decoders, fragment
 * reassembly and IPComp, then the TCP state. Returns the row's connection
 * (and its direction in *dir), or NULL. */
static struct flow *decode_record(struct converter *cv, const struct capture_record *rec,
                                  struct row *r, int *dir)
{
    r->decode_flags = (uint8_t)cv->no_tunnels; /* DECODE_NO_TUNNELS or 0 */
    row_reset(r);
    r->frame = ++cv->frame;
    /* The flow table's analysis needs the time even outside q's range. */
    r->ts_sec = rec->ts_sec;
    r->ts_nsec = rec->ts_nsec;
    if (rec->ts_sec != INT64_MIN && fmt_time_in_q_range(rec->ts_sec, rec->ts_nsec))
        r->present |= HAS_TIME;
    stats_record(&cv->stats, rec, r->present & HAS_TIME);
    /* --flows: any record, whatever it holds, writes the closed
     * connections it finds quiet before it counts (README, Connection
     * rows); nothing to do while none waits */
    if (cv->flows.closed_n)
        flow_table_sweep(&cv->flows, rec->ts_sec, rec->ts_nsec);
    r->caplen = rec->caplen;
    r->origlen = rec->origlen;
    r->linktype = rec->linktype;
    if (rec->has_iface) {
        r->present |= HAS_IFACE;
        r->iface = rec->iface;
    }
    /* What was on the wire bounds every length field; a bogus original
     * length below the captured one is raised to it. */
    size_t caplen = rec->caplen;
    if (cv->hwts_active)
        caplen = hardware_stamp(cv, rec, r);
    size_t reported = rec->origlen > caplen ? rec->origlen : caplen;
    decode_link(rec->linktype, rec->data, caplen, reported, r);
    if (r->present & (HAS_FRAG | HAS_IPCOMP | HAS_QUOTE)) { /* one test on the hot path */
        if (r->present & HAS_FRAG)
            ipfrag_row(&cv->frags, r);
        if (r->present & HAS_IPCOMP) {
            ipcomp_row(&cv->inflated, r);
            if (r->present & HAS_FRAG) /* a fragment inside the inflated payload */
                ipfrag_row(&cv->frags, r);
        }
        if ((r->present & HAS_QUOTE) && (cv->use_flows || cv->mode))
            track_quote(cv, r);
    }
    *dir = 0;
    /* A TCP header is decoded only after a whole IP header, so the
     * destination the connection is keyed on (row_key_dst) is there: dst,
     * or final_dst alone when a malformed IPv4 source route names one that
     * tshark does not show as ip.dst (decode_ip.c ipv4_options). */
    if ((cv->use_flows || cv->mode) && (r->present & HAS_TCPSEQ) && (r->present & HAS_SRC))
        return flow_track_tcp(&cv->flows, r, dir);
    return NULL;
}

/* The end of an input: its counts, and every connection ends with it (a
 * mode gets the bytes it still queues, --flows the rows of the connections
 * still open). */
static void end_input(struct converter *cv, struct input *in, const char *name, uint64_t skipped)
{
    if (skipped > MAX_DAMAGE_MESSAGES && !cv->quiet && rows_out_first(cv)) {
        before_message(cv);
        fprintf(stderr, "%s: %s: %llu damaged blocks skipped in all (the first %d named above, "
                        "the last at offset %llu)\n",
                cv->prog, name, (unsigned long long)skipped, MAX_DAMAGE_MESSAGES,
                (unsigned long long)cv->last_skip_at);
    }
    cv->records += cv->frame;
    cv->stats.bytes += in->offset;
    cv->stats.tcp_flows += cv->flows.next_stream;
    cv->stats.ual_used = cv->flows.num != NULL;
    cv->stats.ual_merged = cv->flows.ual.merged;
    cv->stats.tcp_evicted = cv->flows.evictions; /* counted over all inputs */
    cv->stats.ual_unlisted = cv->flows.ual.unlisted;
    if (cv->mode || cv->flows.on_end)
        flow_table_reset(&cv->flows);
    if (cv->mode)
        cv->mode->end_input(cv->mode_ctx);
    cv->damaged += skipped;
    /* -c reached by the rows the input's end gave (connections still open,
     * messages held for their ACK): no further input is opened */
    if (out_full(cv->writer->out))
        cv->stop = 1;
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
    ipfrag_reset(&cv->frags);

    int code = open_input(cv, &rd, in, name);
    if (code == STOPPED_BEFORE_HEADER) /* no capture opened: the output waits */
        return EXIT_OK;
    if (code != EXIT_OK)
        return code;
    if (cv->capture_opened && cv->capture_opened(cv->capture_opened_ctx) != 0) {
        reader_close(&rd);
        cv->stop = 1;
        return EXIT_WRITE;
    }

    /* --threads: rows are formatted by other threads where that gives the
     * same bytes (pipeline.h); started with the first input, it serves all */
    if (cv->threads > 1 && !cv->pipeline && !cv->mode && w->ops->row && pipeline_usable(w))
        cv->pipeline = pipeline_start(w, cv->threads);

    uint64_t skipped = 0;
    struct capture_record rec;
    struct row one;            /* the row, unless a pipeline holds it */
    struct row *r = &one;
    struct pipeline *pl = cv->pipeline;
    for (;;) {
        enum read_status st = reader_next(&rd, &rec);
        if (st != READ_OK) {
            if (read_problem(cv, &rd, in, name, st, &skipped, &code))
                break;
            continue;
        }
        if (--cv->tick == 0)
            tick(cv);
        if (pl)
            r = pipeline_row(pl);
        int dir;
        struct flow *fl = decode_record(cv, &rec, r, &dir);
        /* Filtered-out rows are decoded and tracked all the same (and
         * may end a --flows connection, whose row may be the -c-th). */
        if (!cv->filter || filter_match(cv->filter, r)) {
            if (cv->mode)
                cv->mode->packet(cv->mode_ctx, r, fl, dir);
            else if (w->ops->row && out_take_row(w->out)) {
                if (pl) {
                    mark_row(cv, skipped, pipeline_mark(pl));
                    pipeline_commit(pl);
                } else {
                    w->ops->row(w, r);
                }
            }
        } else if (cv->mode && cv->mode->clock) {
            cv->mode->clock(cv->mode_ctx, r);
        }
        if (out_dead(w->out) || (pl && pipeline_dead(pl)))
            break;
        /* -c: the table has its rows (--flows writes its rows when
         * connections end, so it reads on until then) */
        if (out_full(w->out)) {
            cv->stop = 1;
            break;
        }
    }
    /* --threads: stopped where the one-thread run stopped, if it did */
    stopped_before(cv, &skipped);
    end_input(cv, in, name, skipped);
    /* where main.c writes out what the input gave (with one thread): the
     * rows a writer holds first (their sym is the input's) */
    if (pl)
        pipeline_sync(pl, PIPELINE_INPUT_END);
    else if (w->ops->drain)
        w->ops->drain(w);
    reader_close(&rd);
    return code;
}
