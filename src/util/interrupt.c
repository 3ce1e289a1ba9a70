/* interrupt.c: see interrupt.h. */
#define _POSIX_C_SOURCE 200809L
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define N_STOP_SIGNALS (int)(sizeof stop_signals / sizeof stop_signals[0])

static volatile sig_atomic_t received;
static int wake[2] = { -1, -1 };
static int caught[N_STOP_SIGNALS]; /* handled here (not ignored at start) */

/* Each caught signal back to its default: the next one kills at once. */
static void default_action_again(void)
{
    for (int i = 0; i < N_STOP_SIGNALS; i++)
        if (caught[i])
            signal(stop_signals[i], SIG_DFL);
}

static void on_stop_signal(int sig)
{
    int e = errno; /* the interrupted code may look at errno next */
    if (!received)
        received = sig;
    default_action_again();
    ssize_t w = write(wake[1], "", 1); /* non-blocking: one byte is enough */
    (void)w;
    errno = e;
}

static int ignored_at_start(int sig)
{
    struct sigaction old;
    return sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN;
}

int interrupt_catch(void)
{
    if (wake[0] >= 0)
        return 0;
    if (pipe(wake) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(wake[i], F_SETFD, FD_CLOEXEC);
        fcntl(wake[i], F_SETFL, fcntl(wake[i], F_GETFL) | O_NONBLOCK);
    }
    struct sigaction sa = { 0 };
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < N_STOP_SIGNALS; i++)
        sigaddset(&sa.sa_mask, stop_signals[i]); /* one handler at a time */
    sa.sa_flags = 0; /* no SA_RESTART: a read blocked on a pipe returns EINTR */
    for (int i = 0; i < N_STOP_SIGNALS; i++) {
        if (ignored_at_start(stop_signals[i]))
            continue;
        caught[i] = 1; /* before: the handler may run at once */
        if (sigaction(stop_signals[i], &sa, NULL) != 0)
            caught[i] = 0;
    }
    return 0;
}

int interrupt_requested(void)
{
    return received;
}

int interrupt_wake_fd(void)
{
    return wake[0];
}

void interrupt_forget(void)
{
    default_action_again();
}

void interrupt_reraise(void)
{
    int sig = received;
    if (!sig)
        return;
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
}
