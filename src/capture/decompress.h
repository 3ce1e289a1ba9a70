/* decompress.h: compressed captures (.gz, .zst, .xz) read through the
 * system's decompressor in a child process: no library, libc only. */
#ifndef PCAP2KDB_DECOMPRESS_H
#define PCAP2KDB_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The program a file starting with p[0..n) needs ("gzip", "zstd", "xz"),
 * recognised by its magic bytes, not its name (for zstd, a frame's or a
 * skippable frame's); NULL when not compressed. */
const char *decompressor_for(const uint8_t *p, size_t n);
/* The most bytes decompressor_for looks at. */
#define DECOMPRESS_MAGIC_MAX 6

/* Runs `prog -dc` with fd (which it takes over) as its standard input and
 * its standard error silenced (our own message says what went wrong).
 * Returns the read end of its output, *pid the child; -1 with errno
 * (ENOENT: the program is not installed). */
int decompress_start(const char *prog, int fd, pid_t *pid);

/* The same for a stream (stdin, a pipe) whose first n bytes were read from
 * fd to learn that it is compressed: a feeder child writes them, then
 * copies the rest of fd, into the decompressor's standard input; fd stays
 * open here. *feeder is the feeder's pid: kill it (SIGKILL) before reaping
 * it, as it may be waiting for input that never comes. */
int decompress_start_fed(const char *prog, int fd, const uint8_t *prefix, size_t n,
                         pid_t *pid, pid_t *feeder);

/* Reaps the child (its output must be closed first, so a child still
 * writing gets EPIPE and ends): its exit status, -1 when it did not exit
 * (killed by a signal). */
int decompress_wait(pid_t pid);

/* Whether prog ("gzip", "zstd", "xz") exiting with status (decompress_wait)
 * wrote all its input held: 0, or gzip's warning status. */
int decompress_output_whole(const char *prog, int status);

#endif
