/* out.c: buffered output with honest error reporting. */
#define _POSIX_C_SOURCE 200809L
#include "out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int out_init(struct out *o, int fd, const char *name)
{
    memset(o, 0, sizeof *o);
    o->fd = fd;
    o->name = name;
    o->max_rows = UINT64_MAX;
    o->cap = OUT_BUFFER_SIZE;
    o->buf = malloc(o->cap);
    return o->buf ? 0 : -1;
}

void out_free(struct out *o)
{
    free(o->buf);
    o->buf = NULL;
}

static int drain(struct out *o)
{
    if (o->sink) {
        if (o->len && !out_dead(o) && o->sink(o->sink_ctx, o->buf, o->len) != 0)
            o->failed = 1; /* the sink has said why */
        o->sunk += o->len;
        o->len = 0;
        return out_dead(o) ? -1 : 0;
    }
    if (o->fd == OUT_NOT_YET_OPEN)
        return 0; /* held: only a table's header comes before the file is made */
    size_t done = 0;
    while (done < o->len && !out_dead(o)) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n > 0) {
            done += (size_t)n;
            o->written += (uint64_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EPIPE) {
            o->pipe_closed = 1;
        } else {
            o->failed = 1;
            o->errno_saved = n < 0 ? errno : EIO;
        }
    }
    o->len = 0;
    return out_dead(o) ? -1 : 0;
}

void out_no_memory(struct out *o)
{
    if (!out_dead(o)) {
        o->failed = 1;
        o->errno_saved = ENOMEM;
    }
}

int out_flush(struct out *o) { return drain(o); }

/* A failure to log is a failure to produce the output (exit 3, ENOMEM). */
static void log_event(struct out *o, enum out_event_kind kind, size_t n)
{
    struct out_log *l = o->log;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        struct out_event *ev = realloc(l->ev, cap * sizeof *ev);
        if (!ev) {
            out_no_memory(o);
            return;
        }
        l->ev = ev;
        l->cap = cap;
    }
    l->ev[l->n++] = (struct out_event){ o->sunk + o->len, n, l->row, kind };
}

/* out_reserve when the room is not there, or the reservation is logged. */
__attribute__((noinline)) int out_reserve_slow(struct out *o, size_t n)
{
    if (o->log)
        log_event(o, OUT_EVENT_RESERVE, n);
    if (o->cap - o->len >= n)
        return 0;
    drain(o);
    if (o->cap >= n)
        return 0;
    /* No row is larger than this (the data column holds at most 256 KiB):
     * a larger request is a bug, not a reason to allocate gigabytes. */
    char *b = n <= OUT_MAX_ROW ? realloc(o->buf, n) : NULL;
    if (!b) {
        out_no_memory(o);
        return -1;
    }
    o->buf = b;
    o->cap = n;
    return 0;
}

void out_write(struct out *o, const char *s, size_t n)
{
    if (out_reserve(o, n) == 0) {
        memcpy(o->buf + o->len, s, n);
        o->len += n;
    }
}

/* Below this a batch of pieces is copied into the buffer: one system call
 * for a few bytes would cost more than the copy. */
#define OUT_PIECES_DIRECT (64u << 10)

void out_write_pieces(struct out *o, struct out_pieces *ps)
{
    struct iovec *v = ps->v;
    int n = ps->n;
    if (o->log && ps->total >= OUT_PIECES_DIRECT) {
        /* the real output writes these past its buffer: logged as one
         * write, kept as text (not as reservations) */
        struct out_log *l = o->log;
        log_event(o, OUT_EVENT_DIRECT, ps->total);
        o->log = NULL;
        for (int i = 0; i < n; i++)
            out_write(o, v[i].iov_base, v[i].iov_len);
        o->log = l;
        ps->n = 0;
        return;
    }
    if (o->sink || o->fd == OUT_NOT_YET_OPEN || ps->total < OUT_PIECES_DIRECT) {
        for (int i = 0; i < n; i++)
            out_write(o, v[i].iov_base, v[i].iov_len);
        ps->n = 0;
        return;
    }
    ps->n = 0;
    if (drain(o) != 0)
        return;
    while (n > 0) {
        ssize_t w = writev(o->fd, v, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w < 0 && errno == EPIPE) {
                o->pipe_closed = 1;
            } else {
                o->failed = 1;
                o->errno_saved = w < 0 ? errno : EIO;
            }
            return;
        }
        size_t done = (size_t)w;
        o->written += (uint64_t)w;
        while (n > 0 && done >= v->iov_len) { /* whole pieces written */
            done -= v->iov_len;
            v++;
            n--;
        }
        if (n > 0) { /* a piece written in part */
            v->iov_base = (char *)v->iov_base + done;
            v->iov_len -= done;
        }
    }
}
