/* exit_codes.h: the exit status of pcap2kdb (README "Exit status", the man
 * page's EXIT STATUS). Library code returns these to main, which exits. */
#ifndef PCAP2KDB_EXIT_CODES_H
#define PCAP2KDB_EXIT_CODES_H

enum {
    EXIT_OK = 0,
    EXIT_USAGE = 1,      /* usage error; an input cannot be opened or is not a capture */
    EXIT_DAMAGED = 2,    /* damaged input: the rows before the damage are written */
    /* The output could not be produced: a write error (full disk, closed
     * file), or memory ran out. Out of memory is always this code, with a
     * message on stderr, after the rows converted so far are written; no
     * row is dropped silently and the program does not abort. */
    EXIT_WRITE = 3,
    EXIT_NO_MEMORY = EXIT_WRITE,
};

#endif
