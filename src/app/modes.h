/* modes.h: the list of table modes (modes.c). */
#ifndef PCAP2KDB_MODES_H
#define PCAP2KDB_MODES_H

#include "mode.h"

/* Room for this many in the option table of main.c. */
#define MAX_TABLE_MODES 16

extern const struct mode_ops *const table_modes[];
extern const int n_table_modes;

#endif
