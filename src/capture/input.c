/* input.c: the buffered, never-seeking byte stream behind every reader. */
#define _POSIX_C_SOURCE 200809L
#include "input.h"
#include "decompress.h"
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int input_init_fd(struct input *in, int fd, const char *name)
{
    memset(in, 0, sizeof *in);
    in->fd = fd;
    in->name = name;
    struct stat st;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    in->is_stream = !regular;
    if (regular && st.st_size > 0)
        in->file_size = (uint64_t)st.st_size;
    in->cap = INPUT_BUFFER_SIZE;
    in->buf = malloc(in->cap);
    return in->buf ? 0 : -1;
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

/* Reaps a decompressor and its feeder (0: none); the feeder is killed
 * first, as it may be waiting for input that never comes. */
static void stop_children(pid_t child, pid_t feeder)
{
    if (feeder)
        kill(feeder, SIGKILL);
    if (child)
        decompress_wait(child);
    if (feeder)
        decompress_wait(feeder);
}

/* The first bytes of a stream, read to learn whether it is compressed:
 * as many as the longest magic, unless it ends first (or fails: the
 * reader's first read then meets the same error). */
static size_t read_magic(int fd, uint8_t *m, size_t want)
{
    size_t n = 0;
    while (n < want) {
        ssize_t got = read(fd, m + n, want - n);
        if (got < 0 && errno == EINTR && !interrupt_requested())
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    return n;
}

int input_open_fd(struct input *in, int fd, const char *name)
{
    memset(in, 0, sizeof *in);
    uint8_t magic[DECOMPRESS_MAGIC_MAX];
    struct stat st;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    /* A file's magic is looked at with pread, without moving the offset
     * the decompressor starts from; a stream's first bytes are read, and
     * stay its first bytes: fed to the decompressor, or put in the buffer. */
    off_t at = regular ? lseek(fd, 0, SEEK_CUR) : 0;
    ssize_t pgot = regular && at >= 0 ? pread(fd, magic, sizeof magic, at) : 0;
    size_t got = regular ? (pgot > 0 ? (size_t)pgot : 0) : read_magic(fd, magic, sizeof magic);
    const char *prog = decompressor_for(magic, got);
    pid_t child = 0, feeder = 0;
    int own = fd != STDIN_FILENO;
    if (prog) {
        /* decompress_start takes over the fd it is given: stdin stays */
        int dfd = !regular ? decompress_start_fed(prog, fd, magic, got, &child, &feeder)
                  : own    ? decompress_start(prog, fd, &child)
                           : decompress_start(prog, dup(fd), &child);
        if (!regular && own)
            close(fd);
        if (dfd < 0) {
            in->decompressor = prog;
            return -1;
        }
        fd = dfd;
    }
    if (input_init_fd(in, fd, name) < 0) {
        int e = errno;
        if (prog || own)
            close(fd);
        stop_children(child, feeder);
        errno = e;
        return -1;
    }
    if (!prog && !regular) {
        memcpy(in->buf, magic, got);
        in->end = got;
    }
    in->decompressor = prog;
    in->child = (int)child;
    in->feeder = (int)feeder;
    return 0;
}

int input_open(struct input *in, const char *path)
{
    memset(in, 0, sizeof *in);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    return input_open_fd(in, fd, path);
}

int input_end_status(struct input *in)
{
    if (!in->child)
        return 0;
    /* told to stop, the run reads no further; the decompressor may have
     * had the terminal's signal too: its death is no damage */
    if ((in->feeder && !in->eof) || in->interrupted) {
        /* A pipe's reader stopped before the decompressor's output ended:
         * the rest is not read, as the pipe's writer may never stop, so
         * how the decompressor would end is not known (README "Inputs") */
        close(in->fd);
        in->fd = -1;
        stop_children(in->child, in->feeder);
        in->child = in->feeder = 0;
        return 0;
    }
    /* what the child still writes is read to its end (and dropped): closed
     * early, it would fail on the closed pipe, damaged data or not */
    char drop[64 << 10];
    ssize_t got;
    while ((got = read(in->fd, drop, sizeof drop)) > 0 || (got < 0 && errno == EINTR))
        ;
    close(in->fd);
    in->fd = -1;
    int status = decompress_wait((pid_t)in->child);
    int r = decompress_output_whole(in->decompressor, status) ? 0 : -1;
    in->child = 0;
    stop_children(0, in->feeder);
    in->feeder = 0;
    return r;
}

void input_close(struct input *in)
{
    if (in->fd > 2)
        close(in->fd);
    /* stopped early (-c, damage): the closed pipe ends the decompressor;
     * its feeder may be waiting for input, and goes first */
    stop_children(in->child, in->feeder);
    in->child = in->feeder = 0;
    free(in->buf);
    in->buf = NULL;
}

/* A regular file's size, looked at before each read: one that another
 * program truncated while we read it (log rotation with copytruncate) is
 * smaller than when last looked at, also when it had grown first (a
 * capture still being written); a cut between two looks and a growth
 * after it cannot be seen. The input still ends where read() finds the end. */
static void look_at_size(struct input *in)
{
    struct stat st;
    if (fstat(in->fd, &st) == 0 && st.st_size >= 0) {
        if ((uint64_t)st.st_size < in->file_size)
            in->shrank = 1;
        in->file_size = (uint64_t)st.st_size;
    }
}

/* Whether the process was told to stop (interrupt.h): from then on the
 * input has ended. */
static int stop_asked(struct input *in)
{
    if (interrupt_requested())
        in->interrupted = 1;
    return in->interrupted;
}

/* Waits until a stream has bytes (or its end), or the process is told to
 * stop: 0 then. Before it would wait, and at least every
 * INPUT_PAUSE_MAX_NS of a busy stream, the caller's before_block runs (the
 * rows so far go out). The signal's wake-up pipe is watched with the
 * stream, as a signal that comes just before read() would not interrupt
 * it. */
static int stream_ready(struct input *in)
{
    struct pollfd p[2] = { { .fd = in->fd, .events = POLLIN },
                           { .fd = interrupt_wake_fd(), .events = POLLIN } };
    if (in->before_block) {
        int n = poll(p, 1, 0); /* the stream alone: would the read wait? */
        uint64_t now = monotonic_ns();
        if (n == 0 || now - in->before_block_ns >= INPUT_PAUSE_MAX_NS) {
            in->before_block_ns = now;
            in->before_block(in->before_block_ctx);
        }
        if (n > 0)
            return 1;
    }
    while (!stop_asked(in)) {
        int n = poll(p, 2, -1);
        if (n > 0 && p[1].revents)
            continue; /* the flag is set by now */
        if (n > 0 || errno != EINTR)
            return 1; /* the read says what the stream has (or its error) */
    }
    return 0;
}

/* Reads once into the free tail of the buffer. Returns bytes read, 0 at end
 * (also once the process is told to stop). */
static long fill_once(struct input *in)
{
    if (stop_asked(in))
        return 0;
    if (!in->is_stream)
        look_at_size(in);
    else if (!stream_ready(in))
        return 0;
    /* never more than a buffer's worth ahead, also in a buffer grown for
     * a large record */
    size_t room = in->cap - in->end;
    if (room > INPUT_BUFFER_SIZE)
        room = INPUT_BUFFER_SIZE;
    for (;;) {
        ssize_t got = read(in->fd, in->buf + in->end, room);
        if (got > 0) {
            in->end += (size_t)got;
            return got;
        }
        /* an end that comes with the signal is the signal's (a decompressor
         * killed by the terminal's SIGINT ends its output) */
        if (stop_asked(in))
            return 0;
        if (got == 0)
            return 0;
        if (errno != EINTR) {
            in->read_errno = errno;
            return 0;
        }
    }
}

/* input_need when the bytes are not all in the buffer yet. */
long input_need_more(struct input *in, size_t n)
{
    if (in->start + n > in->cap) {
        memmove(in->buf, in->buf + in->start, input_avail(in));
        in->end -= in->start;
        in->start = 0;
        /* grown for a large record: back to its size once what it holds
         * and what is asked fit, so that memory stays that of the buffer */
        if (!in->eof && in->cap > INPUT_BUFFER_SIZE && in->end <= INPUT_BUFFER_SIZE &&
            n <= INPUT_BUFFER_SIZE) {
            uint8_t *b = realloc(in->buf, INPUT_BUFFER_SIZE);
            if (b) {
                in->buf = b;
                in->cap = INPUT_BUFFER_SIZE;
            }
        }
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
        if (input_avail(in) == 0) {
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
