/* fix_mode.h: `--fix`: one row per FIX message (README "Message rows").
 * Packets go through the flow table and the generic reassembler (reasm.h)
 * into the FIX framer (fix.h); framed messages are parsed, paired with their
 * orders for latency, and written when the packet that completed them is
 * done (so `bundled` is known). */
#ifndef PCAP2KDB_FIX_MODE_H
#define PCAP2KDB_FIX_MODE_H

#include <stddef.h>
#include "fix.h"
#include "mode.h"

/* Outstanding orders remembered for latency pairing (fixed, set-associative;
 * the oldest in a set makes room; an order leaves when a report gives it a
 * final OrdStatus). */
#define FIX_LAT_SLOTS (1u << 15)

/* The column set of the options and the --tags it adds; -1 with a usage
 * message in err. */
int fix_mode_columns(const struct mode_opts *o, struct mt_columns *cols, uint32_t *tags,
                     int *ntags, char *err, size_t errlen);

extern const struct mode_ops fix_mode_ops;

/* Every column of --fix (name, q type), for --list-columns. */
const struct column_def *fix_mode_coldefs(int *n);

#endif
