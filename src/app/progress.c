/* progress.c: the status line. */
#define _DEFAULT_SOURCE
#include "progress.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_CHARS 200

uint64_t progress_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void progress_init(struct progress *p, int on, int fd, uint64_t total_bytes)
{
    memset(p, 0, sizeof *p);
    p->on = on;
    p->fd = fd;
    p->total_bytes = total_bytes;
    p->start_ns = p->last_ns = progress_now_ns();
    p->width = 79;
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
        p->width = ws.ws_col - 1u;
    if (p->width > LINE_MAX_CHARS)
        p->width = LINE_MAX_CHARS;
}

int progress_format_bytes(char *buf, size_t cap, double bytes)
{
    static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB" };
    int u = 0;
    while (bytes >= 999.5 && u < 5) {
        bytes /= 1000;
        u++;
    }
    if (u == 0)
        return snprintf(buf, cap, "%.0f B", bytes);
    return snprintf(buf, cap, bytes < 9.995 ? "%.2f %s" : bytes < 99.95 ? "%.1f %s" : "%.0f %s",
                    bytes, unit[u]);
}

/* 12345678 -> "12,345,678" */
static void group_digits(char *buf, size_t cap, uint64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

static void write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the line is a courtesy: never an error */
        s += w;
        n -= (size_t)w;
    }
}

void progress_update(struct progress *p, uint64_t records, uint64_t bytes)
{
    if (!p->on)
        return;
    uint64_t now = progress_now_ns();
    if (now - p->last_ns < PROGRESS_INTERVAL_MS * 1000000ull)
        return;
    p->last_ns = now;
    double secs = (double)(now - p->start_ns) / 1e9;
    double rate = secs > 0 ? (double)bytes / secs : 0;

    char recs[32], done[16], total[16], speed[16];
    char line[LINE_MAX_CHARS + 64];
    group_digits(recs, sizeof recs, records);
    progress_format_bytes(done, sizeof done, (double)bytes);
    progress_format_bytes(speed, sizeof speed, rate);
    int n;
    if (p->total_bytes && bytes <= p->total_bytes) {
        progress_format_bytes(total, sizeof total, (double)p->total_bytes);
        double pct = 100.0 * (double)bytes / (double)p->total_bytes;
        n = snprintf(line, sizeof line, "\rpcap2kdb: %s records, %s of %s (%.0f%%), %s/s", recs,
                     done, total, pct >= 99.5 && bytes < p->total_bytes ? 99.0 : pct, speed);
        if (rate > 0 && n > 0 && (size_t)n < sizeof line) {
            uint64_t left = (uint64_t)((double)(p->total_bytes - bytes) / rate + 0.5);
            if (left >= 3600)
                n += snprintf(line + n, sizeof line - (size_t)n, ", %llu:%02u:%02u left",
                              (unsigned long long)(left / 3600), (unsigned)(left / 60 % 60),
                              (unsigned)(left % 60));
            else
                n += snprintf(line + n, sizeof line - (size_t)n, ", %u:%02u left",
                              (unsigned)(left / 60), (unsigned)(left % 60));
        }
    } else {
        n = snprintf(line, sizeof line, "\rpcap2kdb: %s records, %s, %s/s", recs, done, speed);
    }
    if (n <= 0)
        return;
    size_t len = (size_t)n > sizeof line - 1 ? sizeof line - 1 : (size_t)n;
    if (len - 1 > p->width)
        len = p->width + 1; /* never wrap: a wrapped line cannot be redrawn */
    size_t visible = len - 1;
    /* pad over the rest of a longer previous line */
    while (visible < p->shown && len < sizeof line - 1) {
        line[len++] = ' ';
        visible++;
    }
    write_all(p->fd, line, len);
    p->shown = len - 1;
}

void progress_clear(struct progress *p)
{
    if (!p->on || p->shown == 0)
        return;
    char line[LINE_MAX_CHARS + 2];
    size_t n = p->shown < LINE_MAX_CHARS ? p->shown : LINE_MAX_CHARS;
    line[0] = '\r';
    memset(line + 1, ' ', n);
    line[n + 1] = '\r';
    write_all(p->fd, line, n + 2);
    p->shown = 0;
}
