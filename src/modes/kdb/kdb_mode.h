/* kdb_mode.h: `--kdb`: one row per kdb+ IPC message (README "Message
 * rows (--kdb)"). Packets go through the flow table and the generic
 * reassembler (reasm.h) into the kdb+ framer (kdb_framer.h); each message is
 * written as soon as the packet that completes it has been framed. */
#ifndef PCAP2KDB_KDB_MODE_H
#define PCAP2KDB_KDB_MODE_H

#include "mode.h"

extern const struct mode_ops kdb_mode_ops;

/* Every column of --kdb (name, q type), for --list-columns. */
const struct column_def *kdb_mode_coldefs(int *n);

#endif
