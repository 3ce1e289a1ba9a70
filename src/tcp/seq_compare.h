/* seq_compare.h: TCP sequence number comparisons modulo 2^32, as Wireshark's
 * packet-tcp.h writes them (GT_SEQ, LT_SEQ, LE_SEQ, GE_SEQ): x is after y when y - x,
 * taken as a signed 32-bit number, is negative, so the comparison stays right
 * across the wrap from 0xFFFFFFFF to 0. Macros, as in Wireshark, so each
 * operand keeps its own type until the subtraction. */
#ifndef PCAP2KDB_SEQ_COMPARE_H
#define PCAP2KDB_SEQ_COMPARE_H

#include <stdint.h>

#define GT_SEQ(x, y) ((int32_t)((y) - (x)) < 0)
#define LT_SEQ(x, y) ((int32_t)((x) - (y)) < 0)
#define LE_SEQ(x, y) ((int32_t)((x) - (y)) <= 0)
#define GE_SEQ(x, y) ((int32_t)((x) - (y)) >= 0)

#endif
