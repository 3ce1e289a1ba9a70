/* column_help.h: --list-columns, NAME<TAB>TYPE<TAB>meaning for each mode. */
#ifndef PCAP2KDB_COLUMN_HELP_H
#define PCAP2KDB_COLUMN_HELP_H

#include <stddef.h>

enum column_mode { CM_PACKET, CM_FLOWS, CM_FIX, CM_KDB };

struct column_help {
    const char *name, *meaning;
};

/* The column's meaning ("" when it has none written down). */
const char *column_meaning(enum column_mode mode, const char *name);

#endif
