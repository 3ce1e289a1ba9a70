/* stats.h: what a run saw, for --stats. Counting is a few compares per
 * record, done whether or not the summary is asked for. */
#ifndef PCAP2KDB_STATS_H
#define PCAP2KDB_STATS_H

#include <stdint.h>
#include <stdio.h>
#include "reader.h"

#define STATS_MAX_LINKTYPES 16

struct stats {
    uint64_t records;          /* capture records read (rows before filtering) */
    uint64_t rows;             /* rows written */
    uint64_t bytes;            /* input bytes read */
    uint64_t truncated;        /* records with caplen < original length */
    uint64_t damaged;          /* damaged records or blocks skipped */
    uint64_t tcp_flows;        /* TCP connections (streams) */
    uint64_t tcp_evicted;      /* of them, evicted from the full flow table */
    /* The output ended before the run did (out.h): the reader went away, or
     * a write failed; the bytes it took until then. */
    int output_closed, output_failed;
    uint64_t output_written;
    /* #16: unacknowledged-segment lists at their bound (unacked.h) */
    uint64_t ual_merged, ual_unlisted;
    int ual_used;
    int inputs;
    int have_time;
    int64_t first_sec, last_sec;   /* earliest and latest timestamp */
    uint32_t first_nsec, last_nsec;
    uint32_t linktype[STATS_MAX_LINKTYPES];
    int n_linktypes;
    uint32_t last_linktype;    /* cache: the previous record's */
    int more_linktypes;        /* more than STATS_MAX_LINKTYPES */
};

void stats_init(struct stats *s);
void stats_add_linktype(struct stats *s, uint32_t linktype);

/* Called for each record with a valid (q-range) timestamp or not. */
static inline void stats_record(struct stats *s, const struct capture_record *rec, int has_time)
{
    s->truncated += rec->caplen < rec->origlen;
    if (rec->linktype != s->last_linktype || s->n_linktypes == 0)
        stats_add_linktype(s, rec->linktype);
    if (has_time) {
        if (!s->have_time || rec->ts_sec < s->first_sec ||
            (rec->ts_sec == s->first_sec && rec->ts_nsec < s->first_nsec)) {
            s->first_sec = rec->ts_sec;
            s->first_nsec = rec->ts_nsec;
        }
        if (!s->have_time || rec->ts_sec > s->last_sec ||
            (rec->ts_sec == s->last_sec && rec->ts_nsec > s->last_nsec)) {
            s->last_sec = rec->ts_sec;
            s->last_nsec = rec->ts_nsec;
        }
        s->have_time = 1;
    }
}

/* The summary, one "name  value" line each. */
void stats_print(const struct stats *s, FILE *f, uint64_t elapsed_ns);

#endif
