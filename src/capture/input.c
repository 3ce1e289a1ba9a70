/* input.c: the buffered, never-seeking byte stream behind every reader. */
#define _POSIX_C_SOURCE 200809L
/* MAP_ANONYMOUS and madvise are not POSIX.1-2008 */
#define _DEFAULT_SOURCE
#include "input.h"
#include "decompress.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int map_file(struct input *in, const struct stat *st);
static void map_release(struct input *in);
static long map_need(struct input *in, size_t n);

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* input_init_fd; a regular file is mapped when may_map allows and the
 * file system can (a buffer otherwise). */
static int init_fd(struct input *in, int fd, const char *name, int may_map)
{
    memset(in, 0, sizeof *in);
    in->fd = fd;
    in->name = name;
    struct stat st;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    in->is_stream = !regular;
    if (regular && may_map && map_file(in, &st) == 0)
        return 0;
    in->cap = INPUT_BUFFER_SIZE;
    in->buf = malloc(in->cap);
    return in->buf ? 0 : -1;
}

int input_init_fd(struct input *in, int fd, const char *name)
{
    return init_fd(in, fd, name, 0);
}

int input_init_mem(struct input *in, const uint8_t *data, size_t n, const char *name)
{
    memset(in, 0, sizeof *in);
    in->fd = -1;
    in->name = name;
    in->cap = n ? n : 1; /* input_need doubles cap to grow: never 0 */
    in->buf = malloc(in->cap);
    if (!in->buf)
        return -1;
    if (n)
        memcpy(in->buf, data, n);
    in->end = n;
    in->eof = 1;
    return 0;
}

int input_open(struct input *in, const char *path)
{
    memset(in, 0, sizeof *in);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    /* pread: the magic is looked at without moving the offset the
     * decompressor starts from */
    uint8_t magic[8];
    ssize_t got = pread(fd, magic, sizeof magic, 0);
    const char *prog = got > 0 ? decompressor_for(magic, (size_t)got) : NULL;
    pid_t child = 0;
    if (prog) {
        fd = decompress_start(prog, fd, &child);
        if (fd < 0) {
            in->decompressor = prog;
            return -1;
        }
    }
    /* a decompressor's output is a pipe; the file itself may be mapped */
    if (init_fd(in, fd, path, !prog) < 0) {
        int e = errno;
        close(fd);
        if (child)
            decompress_wait(child);
        errno = e;
        return -1;
    }
    in->decompressor = prog;
    in->child = (int)child;
    return 0;
}

int input_end_status(struct input *in)
{
    if (!in->child)
        return 0;
    /* what the child still writes is read to its end (and dropped): closed
     * early, it would fail on the closed pipe, damaged data or not */
    char drop[64 << 10];
    ssize_t got;
    while ((got = read(in->fd, drop, sizeof drop)) > 0 || (got < 0 && errno == EINTR))
        ;
    close(in->fd);
    in->fd = -1;
    int r = decompress_wait((pid_t)in->child);
    in->child = 0;
    return r;
}

void input_close(struct input *in)
{
    if (in->fd > 2)
        close(in->fd);
    /* stopped early (-c, damage): the closed pipe ends the child */
    if (in->child)
        decompress_wait((pid_t)in->child);
    in->child = 0;
    if (in->mapped)
        map_release(in);
    else
        free(in->buf);
    in->buf = NULL;
}

/* Reads once into the free tail of the buffer. Returns bytes read, 0 at end. */
static long fill_once(struct input *in)
{
    if (in->is_stream && in->before_block) {
        struct pollfd p = { .fd = in->fd, .events = POLLIN };
        uint64_t now = monotonic_ns();
        if (poll(&p, 1, 0) == 0 || now - in->before_block_ns >= INPUT_PAUSE_MAX_NS) {
            in->before_block_ns = now;
            in->before_block(in->before_block_ctx);
        }
    }
    for (;;) {
        ssize_t got = read(in->fd, in->buf + in->end, in->cap - in->end);
        if (got >= 0) {
            in->end += (size_t)got;
            return got;
        }
        if (errno != EINTR) {
            in->read_errno = errno;
            return 0;
        }
    }
}

/* input_need when the bytes are not all in the buffer yet. */
long input_need_more(struct input *in, size_t n)
{
    if (in->mapped)
        return map_need(in, n);
    if (in->start + n > in->cap) {
        memmove(in->buf, in->buf + in->start, input_avail(in));
        in->end -= in->start;
        in->start = 0;
    }
    while (input_avail(in) < n && !in->eof) {
        if (in->end == in->cap) {
            /* A record larger than the buffer (n is bounded by the reader's
             * limits): grow as its bytes arrive, doubling up to n, so that
             * a corrupt length in a short input costs no large allocation. */
            size_t cap = in->cap * 2 < n ? in->cap * 2 : n;
            uint8_t *b = realloc(in->buf, cap);
            if (!b)
                return -1;
            in->buf = b;
            in->cap = cap;
        }
        if (fill_once(in) == 0)
            in->eof = 1;
    }
    return (long)(input_avail(in) < n ? input_avail(in) : n);
}

uint64_t input_skip(struct input *in, uint64_t n)
{
    uint64_t done = 0;
    while (done < n) {
        if (in->mapped) {
            /* the next window; nothing of the skipped bytes is read */
            if (input_avail(in) == 0 && map_need(in, 1) <= 0)
                break;
        } else if (input_avail(in) == 0) {
            in->start = in->end = 0;
            if (in->eof || fill_once(in) == 0) {
                in->eof = 1;
                break;
            }
        }
        size_t step = input_avail(in);
        if (step > n - done)
            step = (size_t)(n - done);
        input_consume(in, step);
        done += step;
    }
    return done;
}

/* ------------------------------------------------------ mapped files -- */

/* The input whose window is mapped (one at a time: the inputs are read one
 * after another, by the driver's thread only), for the SIGBUS handler. */
static struct input *volatile mapped_input;
static size_t page_size;

/* A mapped page whose file bytes are gone (the file was truncated while we
 * read it) faults with SIGBUS. The lost part of the window becomes zero
 * pages, so the read that faulted, and any after it, see zeros instead of
 * killing the program; the driver then stops at this record and reports the
 * damage (input_shrank). A SIGBUS anywhere else is left to its default. */
static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    struct input *in = mapped_input;
    uintptr_t a = (uintptr_t)si->si_addr;
    if (in && in->buf && a >= (uintptr_t)in->buf && a < (uintptr_t)in->buf + in->cap) {
        uintptr_t from = a & ~(uintptr_t)(page_size - 1);
        size_t len = (uintptr_t)in->buf + in->cap - from;
        if (mmap((void *)from, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
            MAP_FAILED) {
            in->shrank = 1;
            return;
        }
    }
    signal(sig, SIG_DFL); /* the fault repeats, and ends the program as it would have */
}

int input_recheck_size(struct input *in)
{
    struct stat st;
    if (in->mapped && !in->shrank && fstat(in->fd, &st) == 0 && st.st_size >= 0 &&
        (uint64_t)st.st_size < in->file_size) {
        in->shrank = 1;
        in->file_size = (uint64_t)st.st_size;
    }
    return in->shrank;
}

/* A regular file (st): maps its first window. 0: mapped from now on; -1:
 * read it (empty, or a file system without mmap). */
static int map_file(struct input *in, const struct stat *st)
{
    if (st->st_size <= 0)
        return -1;
    if (!page_size) {
        long ps = sysconf(_SC_PAGESIZE);
        if (ps <= 0 || (ps & (ps - 1)) != 0)
            return -1;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, NULL) != 0)
            return -1;
        page_size = (size_t)ps;
    }
    in->mapped = 1;
    in->file_size = (uint64_t)st->st_size;
    if (map_need(in, 1) > 0)
        return 0;
    in->mapped = 0;
    in->read_errno = 0;
    in->eof = 0;
    return -1;
}

static void map_release(struct input *in)
{
    if (in->buf) {
        mapped_input = NULL;
        munmap(in->buf, in->cap);
    }
    in->buf = NULL;
    in->cap = in->start = in->end = 0;
}

/* input_need_more for a mapped file: maps the window that holds the n bytes
 * from the read position, as far as the file has them. */
static long map_need(struct input *in, size_t n)
{
    uint64_t pos = in->offset;
    if (pos + n > in->file_size) {
        /* a file still being written has grown since it was last looked at;
         * one that shrank was cut by another program */
        struct stat st;
        if (fstat(in->fd, &st) == 0 && st.st_size >= 0) {
            if ((uint64_t)st.st_size < in->file_size)
                in->shrank = 1;
            in->file_size = (uint64_t)st.st_size;
        }
    }
    uint64_t want_end = pos + n < in->file_size ? pos + n : in->file_size;
    if (in->buf && in->map_offset + in->end >= want_end) {
        /* the window already holds every byte the file has there */
        in->eof = 1;
        return (long)input_avail(in);
    }
    map_release(in);
    if (pos >= in->file_size) {
        in->eof = 1;
        return 0;
    }
    uint64_t base = pos & ~(uint64_t)(page_size - 1);
    uint64_t len = pos - base + n > INPUT_MAP_WINDOW ? pos - base + n : INPUT_MAP_WINDOW;
    if (len > in->file_size - base)
        len = in->file_size - base;
    if (len > SIZE_MAX || base > (uint64_t)INT64_MAX)
        return -1;
    void *m = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, in->fd, (off_t)base);
    if (m == MAP_FAILED) {
        if (errno == ENOMEM)
            return -1;
        in->read_errno = errno;
        in->eof = 1;
        return 0;
    }
    /* the kernel reads ahead further and drops pages behind sooner */
    madvise(m, (size_t)len, MADV_SEQUENTIAL);
    in->buf = m;
    in->cap = in->end = (size_t)len;
    in->start = (size_t)(pos - base);
    in->map_offset = base;
    in->eof = base + len >= in->file_size;
    mapped_input = in;
    return (long)(input_avail(in) < n ? input_avail(in) : n);
}
