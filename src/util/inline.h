/* inline.h: ALWAYS_INLINE, for the few functions of the hottest loops that
 * the compiler would otherwise call: as calls they cost as much as their
 * work (register saves, results through memory), and inlined with constant
 * arguments their dispatch folds away. */
#ifndef PCAP2KDB_INLINE_H
#define PCAP2KDB_INLINE_H

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

#endif
