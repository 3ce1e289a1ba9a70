/* out.h: the one large output buffer every writer fills. Rows are formatted
 * straight into it (no stdio, no per-row system call); it is written out
 * when full, when input pauses, and at the end. A closed pipe is recorded,
 * not reported: the driver stops quietly. */
#ifndef PCAP2KDB_OUT_H
#define PCAP2KDB_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "timewin.h"

/* --threads: what a formatting thread's writer asked of its out, in order,
 * so that the real output can be given the writes the one-thread run makes
 * at the same bytes (pipeline.c replays them): a reservation (out_reserve,
 * which writes out the buffer when the room is not there) or a large batch
 * of pieces (out_write_pieces, which writes them past the buffer). */
enum out_event_kind { OUT_EVENT_RESERVE, OUT_EVENT_DIRECT };
struct out_event {
    uint64_t pos;              /* the text before it: sunk + len then */
    size_t n;                  /* bytes reserved, or written past the buffer */
    uint32_t row;              /* the row being formatted then (out_log.row) */
    uint32_t kind;
};
struct out_log {
    struct out_event *ev;
    size_t n, cap;
    uint32_t row;              /* set by the caller before each row */
};

struct out {
    int fd;
    const char *name;          /* for messages: the path, or "stdout" */
    char *buf;
    size_t len, cap;
    int failed;                /* a write failed: errno_saved says why */
    int pipe_closed;           /* the reader went away (EPIPE): not an error */
    int errno_saved;
    uint64_t written;          /* bytes the descriptor has taken */
    /* -c: rows of the table written so far, and the most it may get. Every
     * mode's writer counts here, so -c and --stats mean rows of the table
     * written whatever the mode (a packet may give several rows, or none). */
    uint64_t rows, max_rows;
    /* --from/--to for a message mode's rows (#18): NULL, or the window the
     * message's time must lie in (out_in_window). */
    const struct time_window *window;
    /* When set, the text goes to sink instead of fd: --threads' formatting
     * threads keep their batch's text until its turn to be written. */
    int (*sink)(void *ctx, const char *p, size_t n);
    void *sink_ctx;
    uint64_t sunk;             /* bytes given to the sink (the caller may reset it) */
    /* NULL, or where every reservation is logged (a sink's out only) */
    struct out_log *log;
};

#define OUT_BUFFER_SIZE (1u << 20)
#define OUT_MAX_ROW (64u << 20)

/* fd OUT_NOT_YET_OPEN (not -1, which stays a bad descriptor): text is held
 * until out_attach gives the file (-o is created only once an input has
 * opened as a capture, main.c). */
#define OUT_NOT_YET_OPEN (-2)
int out_init(struct out *o, int fd, const char *name);
static inline void out_attach(struct out *o, int fd) { o->fd = fd; }
void out_free(struct out *o);
/* Writes everything buffered; 0 on success, -1 once the output is gone. */
int out_flush(struct out *o);
/* Makes room for n more bytes (growing the buffer for one huge row); -1
 * once the output is gone. out_reserve_slow: the way that writes out. */
int out_reserve_slow(struct out *o, size_t n);
static inline int out_reserve(struct out *o, size_t n)
{
    /* the fast path, a test and a compare, inline: called for every row */
    if (__builtin_expect(o->log == NULL, 1) && o->cap - o->len >= n)
        return 0;
    return out_reserve_slow(o, n);
}
void out_write(struct out *o, const char *s, size_t n);

/* Text in pieces that stay where they are (a q batch's column buffers),
 * written in order. */
#define OUT_PIECES_MAX 512
struct out_pieces {
    int n;
    size_t total;
    struct iovec v[OUT_PIECES_MAX];
};
/* Empties ps (not "= { 0 }", which would clear all its slots, 8 KiB). */
static inline void out_pieces_begin(struct out_pieces *ps)
{
    ps->n = 0;
    ps->total = 0;
}
static inline void out_piece(struct out_pieces *ps, const char *s, size_t n)
{
    if (n && ps->n < OUT_PIECES_MAX) { /* callers stay far below the limit */
        ps->v[ps->n++] = (struct iovec){ (void *)(uintptr_t)s, n };
        ps->total += n;
    }
}
/* Writes the pieces after what is buffered: a large batch of them straight
 * from where they are, with one writev, instead of copying them into the
 * buffer first (the copy cost a q script 4% of its time). The pieces are
 * consumed. */
void out_write_pieces(struct out *o, struct out_pieces *ps);

/* Out of memory while producing output: recorded like a write error (exit 3,
 * "write error: Cannot allocate memory"), so no row is lost silently and
 * the driver stops at the next row (exit_codes.h). */
void out_no_memory(struct out *o);

static inline char *out_cursor(struct out *o) { return o->buf + o->len; }
static inline void out_advance(struct out *o, char *end) { o->len = (size_t)(end - o->buf); }
static inline int out_dead(const struct out *o) { return o->failed || o->pipe_closed; }
/* Counts one more row; 0 when -c's limit is reached and the row must not be
 * written. */
static inline int out_take_row(struct out *o)
{
    if (o->rows >= o->max_rows)
        return 0;
    o->rows++;
    return 1;
}
/* Whether a message row whose time is sec.nsec (has_time 0: none) may be
 * written under --from/--to. */
static inline int out_in_window(const struct out *o, int has_time, int64_t sec, uint32_t nsec)
{
    return !o->window || (has_time && timewin_contains(o->window, sec, nsec));
}
static inline int out_full(const struct out *o) { return o->rows >= o->max_rows; }
/* Whether n more rows would reach -c's limit. */
static inline int out_would_fill(const struct out *o, uint64_t n)
{
    return o->rows >= o->max_rows || o->max_rows - o->rows <= n;
}

#endif
