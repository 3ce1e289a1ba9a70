/* input.h: one buffered byte stream over a file descriptor. Never seeks, so
 * pipes, stdin and `zcat x.pcap.gz |` work like files. A reader asks for n
 * contiguous bytes (input_need), looks at them in place (input_data) and
 * consumes them (input_consume): parsing happens in the buffer, no copy.
 *
 * Every input, a capture file named on the command line too, is read with
 * read() into one buffer of INPUT_BUFFER_SIZE bytes, reused: memory stays
 * flat. Files were once mapped instead; on most hosts measured the mapped
 * pages cost more than read()'s copy (README "Benchmark"). */
#ifndef PCAP2KDB_INPUT_H
#define PCAP2KDB_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
    int fd;
    const char *name;          /* for messages: the path, or "-" */
    uint8_t *buf;
    size_t cap, start, end;    /* unread bytes are buf[start, end) */
    uint64_t offset;           /* file offset of buf[start] */
    int eof;
    int read_errno;            /* set when read() failed */
    int is_stream;             /* pipe, tty or socket: input may pause */
    /* Called before a read that may block on a paused stream, so that rows
     * already decoded reach the reader of our output without waiting; also
     * at least every INPUT_PAUSE_MAX_NS of a stream that never pauses. */
    void (*before_block)(void *ctx);
    void *before_block_ctx;
    uint64_t before_block_ns;  /* CLOCK_MONOTONIC of the last call */
    /* A compressed file (#18): read through this program's child process. */
    const char *decompressor;  /* "gzip", "zstd", "xz"; NULL: plain */
    int child;                 /* its pid, 0 once reaped */
    int feeder;                /* a stream's: the child feeding it (pid), or 0 */
    /* A regular file: its size as last seen by fstat (at the open and at
     * each end of its data), and whether it was ever smaller than before. */
    uint64_t file_size;
    int shrank;                /* see input_shrank */
    int interrupted;           /* see input_interrupted */
};

/* A stream whose data keeps coming still gets its rows out this often. */
#define INPUT_PAUSE_MAX_NS 100000000ull

/* The buffer starts at this size and grows only for a record larger than it.
 * The sanitizer build sets it to one page, so that its tests refill (and
 * grow) the buffer at nearly every record. */
#ifndef INPUT_BUFFER_SIZE
#define INPUT_BUFFER_SIZE (1u << 20)
#endif

/* 0, or -1 with errno. An input compressed with gzip, zstd or xz (by its
 * magic) is read through `PROG -dc`; when PROG is not installed, -1 with
 * errno ENOENT and in->decompressor naming it. */
int input_open(struct input *in, const char *path);
/* The same over an fd already open (stdin): a stream's first bytes are
 * read at once, to look for a magic. Takes over fd, but for stdin. */
int input_open_fd(struct input *in, int fd, const char *name);
/* At the end of the data, or where a reader stopped: reads what a
 * decompressor still writes to its end (discarded; the offset stays), then
 * reaps it; -1 when it failed (the compressed data is damaged). 0 for a
 * plain input, once reaped, and for a pipe whose reader stopped before
 * the decompressor's output ended (its rest is not read: not known). */
int input_end_status(struct input *in);
/* Wraps an fd that is already open, as it is (no magic looked for: unit
 * tests, a fuzzing memfd). */
int input_init_fd(struct input *in, int fd, const char *name);
/* An input over a copy of n bytes in memory, already at its end (no fd):
 * for the fuzz targets and unit tests. The buffer is exactly n bytes, so a
 * read past the data is caught by AddressSanitizer. */
int input_init_mem(struct input *in, const uint8_t *data, size_t n, const char *name);
void input_close(struct input *in);

/* Whether reading stopped because the process was told to stop
 * (interrupt.h): the input ends there, wherever that is (inside a record,
 * before a decompressor's end), and the cut is not damage. */
static inline int input_interrupted(const struct input *in)
{
    return in->interrupted;
}

/* Makes n contiguous bytes available at input_data(); returns how many are
 * (less than n only at end of input or on a read error). n must be bounded
 * by the caller: the buffer grows to n if needed. Returns -1 when memory
 * for n bytes cannot be had. */
static inline size_t input_avail(const struct input *in);
long input_need_more(struct input *in, size_t n);
/* Inline: the readers ask twice a record, and the bytes are nearly always
 * there. */
static inline long input_need(struct input *in, size_t n)
{
    return input_avail(in) >= n ? (long)n : input_need_more(in, n);
}

static inline const uint8_t *input_data(const struct input *in) { return in->buf + in->start; }
static inline size_t input_avail(const struct input *in) { return in->end - in->start; }
static inline void input_consume(struct input *in, size_t n)
{
    in->start += n;
    in->offset += n;
}

/* Nonzero once a regular file was found, at the end of its data, shorter
 * than it had been (another program truncated it while we read): its end,
 * and a record cut short there, are then the cut's, not damage. */
static inline int input_shrank(const struct input *in) { return in->shrank; }
/* A regular file's size as last seen. */
static inline uint64_t input_known_size(const struct input *in) { return in->file_size; }

/* Skips n bytes without holding them all (for large blocks we do not read);
 * returns how many were skipped. */
uint64_t input_skip(struct input *in, uint64_t n);

#endif
