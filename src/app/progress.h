/* progress.h: the self-updating status line on stderr (--progress).
 *
 * The driver calls progress_update() every PROGRESS_EVERY records (a
 * countdown, so a run without the line pays one decrement per record) and
 * when input pauses; the line is redrawn at most every PROGRESS_INTERVAL_MS.
 * progress_clear() erases it before any message and at the end. */
#ifndef PCAP2KDB_PROGRESS_H
#define PCAP2KDB_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#define PROGRESS_EVERY 4096u
#define PROGRESS_INTERVAL_MS 250

struct progress {
    int on;
    int fd;                    /* stderr */
    uint64_t total_bytes;      /* sum of the input sizes; 0 when unknown */
    uint64_t start_ns, last_ns;
    size_t width;              /* columns of the terminal, less one */
    size_t shown;              /* characters of the line now on screen */
};

/* total_bytes is 0 when some input's size cannot be known (a pipe). */
void progress_init(struct progress *p, int on, int fd, uint64_t total_bytes);
/* Redraws the line if the interval has passed. */
void progress_update(struct progress *p, uint64_t records, uint64_t bytes);
/* Erases the line (before a message, and at the end). */
void progress_clear(struct progress *p);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t progress_now_ns(void);

/* "1.5 GB" style: 3 significant digits, decimal units. Returns the length. */
int progress_format_bytes(char *buf, size_t cap, double bytes);

#endif
