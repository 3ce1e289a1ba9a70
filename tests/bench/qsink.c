/* qsink.c: a kdb+ IPC receiver that discards what it gets, for measuring
 * --publish without the receiver as the bottleneck. Listens on 127.0.0.1
 * (port 0: the kernel picks), prints the port, serves connections one at
 * a time: handshake, then reads every message; a sync request gets ::
 * (and `0!meta` too: pcap2kdb warns and goes on). Stops on SIGTERM. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int read_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int main(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 4) ||
        getsockname(l, (struct sockaddr *)&a, &al))
        return perror("qsink"), 1;
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    static uint8_t buf[1 << 16];
    for (;;) {
        int c = accept(l, NULL, NULL);
        if (c < 0)
            continue;
        uint8_t ch = 1; /* the handshake ends at its NUL */
        while (ch != 0 && read(c, &ch, 1) == 1)
            ;
        uint8_t cap = 3;
        if (write(c, &cap, 1) != 1)
            goto done;
        for (;;) {
            uint8_t h[8];
            if (read_all(c, h, 8))
                break;
            uint32_t len = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
                           (uint32_t)h[7] << 24;
            for (size_t left = len - 8; left;) {
                size_t k = left < sizeof buf ? left : sizeof buf;
                if (read_all(c, buf, k))
                    goto done;
                left -= k;
            }
            if (h[1] == 1) {
                static const uint8_t nil[10] = { 1, 2, 0, 0, 10, 0, 0, 0, 0x65, 0 };
                if (write(c, nil, sizeof nil) != sizeof nil)
                    break;
            }
        }
    done:
        close(c);
    }
}
