/* decompress.c: a decompressor child behind a pipe. */
#define _POSIX_C_SOURCE 200809L
#include "decompress.h"
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A zstd skippable frame (RFC 8878 3.1.2): magic 0x184D2A50 to 0x184D2A5F,
 * little-endian. zstd -dc skips it, and pzstd starts every file with one,
 * so it begins a zstd stream as a zstd frame does. */
static int zstd_skippable(const uint8_t *p, size_t n)
{
    return n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18;
}

const char *decompressor_for(const uint8_t *p, size_t n)
{
    static const uint8_t gz[] = { 0x1f, 0x8b };                       /* RFC 1952 */
    static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };           /* RFC 8878 */
    static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };    /* xz format 2.2 */
    _Static_assert(sizeof xz <= DECOMPRESS_MAGIC_MAX, "the longest magic");
    if (n >= sizeof gz && memcmp(p, gz, sizeof gz) == 0)
        return "gzip";
    if ((n >= sizeof zst && memcmp(p, zst, sizeof zst) == 0) || zstd_skippable(p, n))
        return "zstd";
    if (n >= sizeof xz && memcmp(p, xz, sizeof xz) == 0)
        return "xz";
    return NULL;
}

int decompress_start(const char *prog, int fd, pid_t *pid)
{
    int out[2], err[2] = { -1, -1 };
    if (fd < 0)
        return -1;
    if (pipe(out) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    /* exec failure travels back through a close-on-exec pipe: nothing read
     * means the program runs */
    if (pipe(err) != 0 || fcntl(err[1], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(out[0], F_SETFD, FD_CLOEXEC) != 0) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        if (err[0] >= 0) {
            close(err[0]);
            close(err[1]);
        }
        close(fd);
        errno = e;
        return -1;
    }
    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        close(err[0]);
        close(err[1]);
        close(fd);
        errno = e;
        return -1;
    }
    if (child == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (dup2(fd, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
            (devnull >= 0 && dup2(devnull, STDERR_FILENO) < 0))
            _exit(127);
        close(err[0]);
        execlp(prog, prog, "-dc", (char *)NULL);
        int e = errno;
        ssize_t w = write(err[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(fd);
    close(out[1]);
    close(err[1]);
    int e = 0;
    ssize_t got;
    do
        got = read(err[0], &e, sizeof e);
    while (got < 0 && errno == EINTR);
    close(err[0]);
    if (got == (ssize_t)sizeof e) {
        decompress_wait(child);
        close(out[0]);
        errno = e;
        return -1;
    }
    *pid = child;
    return out[0];
}

int decompress_start_fed(const char *prog, int fd, const uint8_t *prefix, size_t n,
                         pid_t *pid, pid_t *feeder)
{
    int feed[2];
    if (pipe(feed) != 0)
        return -1;
    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(feed[0]);
        close(feed[1]);
        errno = e;
        return -1;
    }
    if (child == 0) {
        /* a stop signal ends it, as it ends the decompressor (exec'd) */
        interrupt_forget();
        /* Holds nothing but its two ends: our output, a socket or the
         * decompressor's pipe kept open here would not end with us. */
        long max = sysconf(_SC_OPEN_MAX);
        for (int i = 0; i < (max > 0 && max < 4096 ? max : 4096); i++)
            if (i != fd && i != feed[1])
                close(i);
        const uint8_t *p = prefix;
        static uint8_t copy[64 << 10];
        ssize_t got = (ssize_t)n;
        for (;;) {
            while (got > 0) {
                ssize_t w = write(feed[1], p, (size_t)got);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    _exit(1);  /* the decompressor stopped reading */
                p += w;
                got -= w;
            }
            do
                got = read(fd, copy, sizeof copy);
            while (got < 0 && errno == EINTR);
            if (got <= 0)
                _exit(got == 0 ? 0 : 1);
            p = copy;
        }
    }
    close(feed[1]);
    int out = decompress_start(prog, feed[0], pid);
    if (out < 0) {
        int e = errno;
        kill(child, SIGKILL);
        decompress_wait(child);
        errno = e;
        return -1;
    }
    *feeder = child;
    return out;
}

int decompress_wait(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int decompress_output_whole(const char *prog, int status)
{
    /* gzip(1): "if an error occurs, exit status is 1. If a warning occurs,
     * exit status is 2", and an error wins over a warning; the one warning
     * of gzip -dc is bytes after the last member that are not gzip data
     * ("decompression OK, trailing garbage ignored"): every member was
     * whole. */
    static const int gzip_warning = 2;
    return status == 0 || (strcmp(prog, "gzip") == 0 && status == gzip_warning);
}
