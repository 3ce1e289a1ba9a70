/* interrupt.h: the first SIGINT, SIGTERM or SIGHUP ends the input, not the
 * process (README "Stopping a run", the man page's EXIT STATUS).
 *
 * A run that is told to stop ends as if every input had ended where it was
 * being read: held rows, open connections and the output are finished,
 * --stats printed. Then the process dies by the same signal, so that the
 * shell sees how it ended (128+n), the convention for programs that clean
 * up on SIGINT. The first signal puts back the default action of all
 * three: a second one during the clean-up kills at once. */
#ifndef PCAP2KDB_INTERRUPT_H
#define PCAP2KDB_INTERRUPT_H

/* Catches the three signals, but not one that was ignored when the process
 * started (nohup, a background job of a script): it stays ignored. Reads
 * blocked on a pipe are interrupted (no SA_RESTART). 0, or -1 when the
 * wake-up pipe cannot be had (the signals then keep their default). */
int interrupt_catch(void);
/* The signal received (once caught), or 0. */
int interrupt_requested(void);
/* A descriptor that becomes readable when a signal has been received, for
 * poll() next to a blocking read (a signal that lands between the test of
 * interrupt_requested and the read cannot be missed); -1 when not caught. */
int interrupt_wake_fd(void);
/* In a child that runs our code without exec (a decompressor's feeder): the
 * signals' default, as exec would give. */
void interrupt_forget(void);
/* After the clean-up: dies by the signal received, if one was; returns
 * only when that signal does not kill (then the caller exits 128+n). */
void interrupt_reraise(void);

#endif
