/* pipeline.c: decoded rows formatted in other threads, written in order
 * (pipeline.h says what and why).
 *
 * Batches are numbered in the order the driver fills them; batch s lives in
 * slot s % nslots and is formatted by formatter s % nform, so each formatter
 * takes its batches in order and no queue is needed. A formatter formats
 * into its own copy of the writer (own out buffer, own q batch state, own
 * time cache), then waits until batch s - 1 has been written and writes its
 * text itself: the writes happen in batch order. One mutex and one
 * condition guard the hand-overs; they happen once per batch, not per row.
 *
 * The one-thread run writes its 1 MiB buffer out when a row's reservation
 * does not fit, at a flush and past it for a large q batch. Its buffer is
 * followed here by its length alone (account): the formatter logs its
 * writer's reservations and the writing thread replays them on that length.
 * A write that fails at byte N is the one-thread write that holds byte N:
 * the output fails there, at its row (or at its flush), not earlier. */
#define _POSIX_C_SOURCE 200809L
#include "pipeline.h"
#include "columns_default.h"
#include "grow.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Rows per batch: enough that a hand-over costs nothing per row, few enough
 * that the batches in flight stay small (a row is about 500 bytes). */
#define BATCH_ROWS 1024
/* Batches per formatter: one being formatted while the driver fills the
 * next. */
#define SLOTS_PER_FORMATTER 2
/* The driver asks for the lines of the row it will fill PREFETCH_AHEAD rows
 * from now, for writing. A formatting core has read them (two batches ago):
 * without this each store to a new line waits for that core to let go of
 * it, and with 2 threads the driver ran at half its one-thread speed (the
 * 2M-packet benchmark on a 2-core AMD EPYC VM: 0.47 s against 0.21 s; with
 * it 0.23 s). */
#define PREFETCH_AHEAD 4
#define CACHE_LINE 64

enum slot_state { SLOT_FREE, SLOT_QUEUED };

struct slot {
    struct row *rows;
    struct pipeline_mark *marks; /* the driver's counts at each row */
    int n;
    int pause;                 /* then the writer's flush (a q batch goes out) */
    int flush_out;             /* then the output's buffer is written out */
    int last;                  /* the formatter's last batch: it ends after it */
    uint64_t seq;
    enum slot_state state;
};

struct formatter {
    struct pipeline *p;
    pthread_t tid;
    uint64_t first;            /* the first batch it takes; then every nform-th */
    struct writer w;           /* a copy of the writer over out and fmt below */
    struct out out;
    struct format_ctx fmt;
    struct out_log log;        /* what the writer asked of out (account) */
    uint32_t nomem_row;        /* the row where out ran out of memory, or NO_ROW */
    /* text beyond out's buffer (rows of a long data column), written first */
    char *spill;
    size_t spill_len, spill_cap;
};

#define NO_ROW UINT32_MAX

struct pipeline {
    struct writer *w;
    pthread_mutex_t mu;
    pthread_cond_t changed;    /* any slot or the written count changed */
    int nform;
    struct formatter *form;
    int nslots;
    struct slot *slots;
    struct slot *cur;          /* the batch being filled, or NULL */
    uint64_t next_seq;         /* number of the next batch to fill */
    uint64_t written;          /* batches written (or skipped once dead) */
    struct out wout;           /* the real output: its buffer is lent per write */
    atomic_int dead;           /* the output has failed where the one-thread run's would */
    /* Written by the thread whose turn it is, read by the driver after a
     * sync: the one-thread run's buffer (its length and capacity, the bytes
     * it has written out), and where its output failed. */
    uint64_t held, cap, out_bytes;
    int failed;                /* status below is set */
    int failed_at_row;         /* ...while a row was written: fail_mark is its */
    struct out status;         /* failed, pipe_closed, errno_saved only */
    struct pipeline_mark fail_mark;
    int prefetch_for_write;    /* the CPU has PREFETCHW (x86) */
};

/* x86's PREFETCHW takes a line in the state a store needs (the read prefetch
 * of __builtin_prefetch would still leave the store to ask the other core);
 * CPUID says whether the CPU has it, so the binary runs on any x86-64. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
static int cpu_has_prefetchw(void)
{
    unsigned eax, ebx, ecx, edx;
    return __get_cpuid(0x80000001u, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 8));
}

static inline void prefetch_for_write(const struct row *r)
{
    const char *line = (const char *)r;
    for (size_t off = 0; off < sizeof *r; off += CACHE_LINE)
        __asm__ volatile("prefetchw %0" : : "m"(line[off]));
}
#else
static int cpu_has_prefetchw(void)
{
    return 0;
}

static inline void prefetch_for_write(const struct row *r)
{
    (void)r;
}
#endif

int pipeline_usable(const struct writer *w)
{
    if (w->ops != &csv_writer_ops && w->ops != &q_writer_ops)
        return 0;
    return !columns_read_packet_bytes(w->cols);
}

/* The formatter's out buffer is full (only a batch of very long rows gets
 * here): its text is kept, in order, until its turn to write. */
static int spill(void *ctx, const char *text, size_t n)
{
    struct formatter *f = ctx;
    if (f->spill_cap - f->spill_len < n &&
        grow_chars(&f->spill, &f->spill_cap, OUT_BUFFER_SIZE, f->spill_len, n) != 0)
        return -1; /* the copy's out is marked failed: reported as ENOMEM */
    memcpy(f->spill + f->spill_len, text, n);
    f->spill_len += n;
    return 0;
}

/* Writes text through the real output (called only by the thread whose turn
 * it is); once the output has failed nothing more is written. */
static void write_text(struct pipeline *p, char *text, size_t n)
{
    if (n == 0)
        return;
    p->wout.buf = text;
    p->wout.len = p->wout.cap = n;
    out_flush(&p->wout);
    p->wout.buf = NULL;
    p->wout.cap = 0;
}

/* The output fails here with status o, at row of slot s (row s->n: at the
 * batch's flush, which the driver waits for), as in the one-thread run. */
static void fail_at(struct pipeline *p, const struct slot *s, uint32_t row, const struct out *o)
{
    if (p->failed)
        return;
    p->failed = 1;
    p->status.failed = o->failed;
    p->status.pipe_closed = o->pipe_closed;
    p->status.errno_saved = o->errno_saved;
    if (row < (uint32_t)s->n) {
        p->failed_at_row = 1;
        p->fail_mark = s->marks[row];
    }
    atomic_store(&p->dead, 1);
}

/* The one-thread run writes n bytes (its buffer, or a large q batch): it
 * fails when the real output failed before their end. */
static void one_thread_write(struct pipeline *p, const struct slot *s, uint32_t row, uint64_t n)
{
    if (n == 0)
        return;
    p->out_bytes += n;
    if (out_dead(&p->wout) && p->wout.written < p->out_bytes)
        fail_at(p, s, row, &p->wout);
}

/* The one-thread run's buffer through the formatter's text for slot s
 * (text_len bytes): its writer's reservations again, each writing the
 * buffer out where the room is not there (out_reserve), and the large
 * batches of pieces written past it (out_write_pieces). */
static void account(struct pipeline *p, const struct formatter *f, const struct slot *s,
                    uint64_t text_len)
{
    uint64_t from = 0; /* the text up to here is in the buffer */
    for (size_t i = 0; i < f->log.n && !p->failed; i++) {
        const struct out_event *ev = &f->log.ev[i];
        if (ev->row > f->nomem_row)
            break;
        uint64_t held = p->held + (ev->pos - from);
        if (ev->kind == OUT_EVENT_RESERVE && held <= p->cap && p->cap - held >= ev->n)
            continue; /* the room is there: nothing is written */
        from = ev->pos;
        one_thread_write(p, s, ev->row, held);
        p->held = 0;
        if (ev->kind == OUT_EVENT_RESERVE) {
            if (p->cap < ev->n)
                p->cap = ev->n; /* out_reserve's buffer for one huge row */
        } else {
            one_thread_write(p, s, ev->row, ev->n);
            from += ev->n;
        }
    }
    if (f->nomem_row != NO_ROW) { /* the one-thread run's out_no_memory */
        struct out nomem = { .fd = -1 };
        out_no_memory(&nomem);
        fail_at(p, s, f->nomem_row, &nomem);
    }
    p->held += text_len - from;
    if (s->flush_out) {
        one_thread_write(p, s, (uint32_t)s->n, p->held);
        p->held = 0;
    }
}

static void *format_batches(void *arg)
{
    struct formatter *f = arg;
    struct pipeline *p = f->p;
    uint64_t seq = f->first;
    for (;;) {
        struct slot *s = &p->slots[seq % (uint64_t)p->nslots];
        pthread_mutex_lock(&p->mu);
        while (!(s->state == SLOT_QUEUED && s->seq == seq))
            pthread_cond_wait(&p->changed, &p->mu);
        int nform = p->nform;
        pthread_mutex_unlock(&p->mu);

        /* the settings of the input these rows come from (its sym): the
         * driver changes them only between inputs, when every batch has
         * been written; the time caches stay this thread's own */
        struct time_cache time = f->fmt.time, hwtime = f->fmt.hwtime;
        f->fmt = *p->w->fmt;
        f->fmt.time = time;
        f->fmt.hwtime = hwtime;
        f->log.n = 0;
        f->out.sunk = 0;
        f->nomem_row = NO_ROW;
        if (!atomic_load_explicit(&p->dead, memory_order_relaxed)) {
            for (int i = 0; i < s->n; i++) {
                f->log.row = (uint32_t)i;
                f->w.ops->row(&f->w, &s->rows[i]);
                if (f->out.failed && f->nomem_row == NO_ROW)
                    f->nomem_row = (uint32_t)i;
            }
            f->log.row = (uint32_t)s->n;
            if (f->w.ops->drain) /* the next batch is another formatter's */
                f->w.ops->drain(&f->w);
            if (s->pause && f->w.ops->flush)
                f->w.ops->flush(&f->w);
            if (f->out.failed && f->nomem_row == NO_ROW)
                f->nomem_row = (uint32_t)s->n;
        }
        int last = s->last;

        pthread_mutex_lock(&p->mu);
        while (p->written != seq)
            pthread_cond_wait(&p->changed, &p->mu);
        pthread_mutex_unlock(&p->mu);

        /* our turn: nobody else writes until written moves on */
        f->out.failed = 0;
        if (!p->failed) {
            uint64_t text_len = f->spill_len + f->out.len;
            write_text(p, f->spill, f->spill_len);
            write_text(p, f->out.buf, f->out.len);
            account(p, f, s, text_len);
        }
        f->spill_len = 0;
        f->out.len = 0;

        pthread_mutex_lock(&p->mu);
        p->written++;
        s->state = SLOT_FREE;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->mu);
        if (last)
            return NULL;
        seq += (uint64_t)nform;
    }
}

static void free_formatter(struct formatter *f)
{
    /* the copy's end frees its state (a q batch: empty by now) */
    if (f->w.ops)
        f->w.ops->end(&f->w);
    out_free(&f->out);
    free(f->spill);
    free(f->log.ev);
}

static void free_pipeline(struct pipeline *p)
{
    for (int i = 0; i < p->nslots; i++) {
        free(p->slots[i].rows);
        free(p->slots[i].marks);
    }
    free(p->slots);
    free(p->form);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Copies the output's status (a failed write, a closed pipe), once it has
 * failed where the one-thread run's would, to the writer's out, where the
 * driver and main.c look. */
static void copy_status(struct pipeline *p)
{
    struct out *o = p->w->out;
    if (p->failed && !out_dead(o)) {
        o->failed = p->status.failed;
        o->pipe_closed = p->status.pipe_closed;
        o->errno_saved = p->status.errno_saved;
    }
}

/* The formatters' tables made on first use (the flags' texts, the octets')
 * are made here, before any formatting thread exists. */
static void make_tables(void)
{
    char text[64];
    uint8_t a[4] = { 0 };
    tcp_flags_init();
    fmt_ipv4(text, a);
}

struct pipeline *pipeline_start(struct writer *w, int threads)
{
    /* q's inserts run across batches: one formatter keeps them whole */
    int nform = w->ops == &q_writer_ops ? 1 : threads - 1;
    if (nform < 1)
        return NULL;
    make_tables();
    struct pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->w = w;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->changed, NULL);
    p->nslots = nform * SLOTS_PER_FORMATTER;
    p->slots = calloc((size_t)p->nslots, sizeof *p->slots);
    p->form = calloc((size_t)nform, sizeof *p->form);
    if (!p->slots || !p->form)
        goto fail;
    for (int i = 0; i < p->nslots; i++)
        if (!(p->slots[i].rows = malloc(BATCH_ROWS * sizeof(struct row))) ||
            !(p->slots[i].marks = malloc(BATCH_ROWS * sizeof(struct pipeline_mark))))
            goto fail;
    p->wout.fd = w->out->fd;
    p->wout.name = w->out->name;
    p->wout.max_rows = UINT64_MAX;
    /* the one-thread run's buffer holds the header */
    p->held = w->out->len;
    p->cap = w->out->cap;
    p->nform = nform;
    p->prefetch_for_write = cpu_has_prefetchw();

    int started = 0;
    for (int i = 0; i < nform; i++) {
        struct formatter *f = &p->form[i];
        f->p = p;
        f->first = (uint64_t)i;
        if (out_init(&f->out, -1, w->out->name) != 0)
            break;
        f->out.sink = spill;
        f->out.sink_ctx = f;
        f->out.log = &f->log;
        f->fmt = *w->fmt;
        memset(&f->fmt.time, 0, sizeof f->fmt.time);
        memset(&f->fmt.hwtime, 0, sizeof f->fmt.hwtime);
        f->w = *w;
        f->w.out = &f->out;
        f->w.fmt = &f->fmt;
        f->w.state = NULL;
        f->w.ops->begin(&f->w); /* the copy's own state; its header text is dropped */
        f->out.len = 0;
        if (f->out.failed || pthread_create(&f->tid, NULL, format_batches, f) != 0) {
            free_formatter(f);
            f->w.ops = NULL;
            break;
        }
        started++;
    }
    if (started == 0)
        goto fail;
    /* the header goes before any row (its failure counts where the one-thread
     * run writes it out) */
    write_text(p, w->out->buf, w->out->len);
    w->out->len = 0;
    /* fewer threads than asked: the ones running take every batch between
     * them (no batch has been numbered yet) */
    pthread_mutex_lock(&p->mu);
    p->nform = started;
    pthread_mutex_unlock(&p->mu);
    return p;
fail:
    free_pipeline(p);
    return NULL;
}

struct row *pipeline_row(struct pipeline *p)
{
    if (!p->cur) {
        struct slot *s = &p->slots[p->next_seq % (uint64_t)p->nslots];
        pthread_mutex_lock(&p->mu);
        while (s->state != SLOT_FREE)
            pthread_cond_wait(&p->changed, &p->mu);
        pthread_mutex_unlock(&p->mu);
        s->n = 0;
        s->pause = s->flush_out = s->last = 0;
        s->seq = p->next_seq;
        p->cur = s;
    }
    struct row *r = &p->cur->rows[p->cur->n];
    if (p->prefetch_for_write && p->cur->n + PREFETCH_AHEAD < BATCH_ROWS)
        prefetch_for_write(r + PREFETCH_AHEAD);
    return r;
}

static void submit(struct pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    p->cur->state = SLOT_QUEUED;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->mu);
    p->cur = NULL;
    p->next_seq++;
}

struct pipeline_mark *pipeline_mark(struct pipeline *p)
{
    return &p->cur->marks[p->cur->n];
}

void pipeline_commit(struct pipeline *p)
{
    if (++p->cur->n == BATCH_ROWS)
        submit(p);
}

static void wait_written(struct pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->written != p->next_seq)
        pthread_cond_wait(&p->changed, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void pipeline_sync(struct pipeline *p, enum pipeline_sync what)
{
    if (what != PIPELINE_ROWS || (p->cur && p->cur->n)) {
        pipeline_row(p);
        p->cur->pause = what == PIPELINE_PAUSE;
        p->cur->flush_out = what != PIPELINE_ROWS;
        submit(p);
    }
    wait_written(p);
    copy_status(p);
}

int pipeline_failed_at_row(struct pipeline *p, struct pipeline_mark *m)
{
    if (!p->failed_at_row)
        return 0;
    *m = p->fail_mark;
    return 1;
}

int pipeline_dead(const struct pipeline *p)
{
    return atomic_load_explicit(&p->dead, memory_order_relaxed);
}

void pipeline_finish(struct pipeline *p)
{
    /* the rows left and the writer's batch in the making, then one last
     * (empty) batch for every other formatter */
    for (int i = 0; i < p->nform; i++) {
        pipeline_row(p);
        p->cur->pause = p->cur->flush_out = i == 0; /* main.c's last flush */
        p->cur->last = 1;
        submit(p);
    }
    for (int i = 0; i < p->nform; i++) {
        pthread_join(p->form[i].tid, NULL);
        free_formatter(&p->form[i]);
    }
    copy_status(p);
    p->w->out->written += p->wout.written; /* --stats: what reached the output */
    free_pipeline(p);
}
