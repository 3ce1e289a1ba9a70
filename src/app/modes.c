/* modes.c: the table modes the program offers (mode.h). Adding a mode is a
 * folder src/modes/NAME/ and one line here: its option --NAME, its --help
 * line, its default table name and its columns come from its mode_ops. */
#include "modes.h"
#include "fix_mode.h"
#include "flows_summary.h"
#include "kdb_mode.h"

const struct mode_ops *const table_modes[] = {
    &fix_mode_ops,
    &kdb_mode_ops,
    &flows_mode_ops,
};
const int n_table_modes = (int)(sizeof table_modes / sizeof table_modes[0]);
_Static_assert(sizeof table_modes / sizeof table_modes[0] <= MAX_TABLE_MODES,
               "MAX_TABLE_MODES (modes.h) is too small");
