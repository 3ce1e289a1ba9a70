#!/bin/bash
# layers_check_test.sh CMAKE SRC_DIR LAYER_TABLE CHECK_SCRIPT
# The include check the build runs (cmake/layers_check.cmake) fails, naming
# the line, on every way an #include can point the wrong way, and passes on
# the untouched tree. Each case edits a copy of src/, never src/ itself.
set -u
cmake=$1 src=$2 table=$3 check=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

run_check() { "$cmake" -DSRC_DIR="$work/src" -DLAYER_TABLE="$table" -P "$check" 2>&1; }

# expect_refused NAME EXPECTED-TEXT EDIT...: EDIT (run in the copy) makes the
# check fail with a line containing EXPECTED-TEXT.
expect_refused() {
    local name=$1 expected=$2
    shift 2
    rm -rf "$work/src" && cp -r "$src" "$work/src"
    (cd "$work/src" && "$@")
    local out rc
    out=$(run_check)
    rc=$?
    if [ $rc -ne 0 ] && grep -qF -- "$expected" <<< "$out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc, wanted a failure naming: $expected"
        echo "$out" | sed 's/^/    /'
    fi
}

rm -rf "$work/src" && cp -r "$src" "$work/src"
if out=$(run_check); then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL clean tree refused:"
    echo "$out" | sed 's/^/    /'
fi

# An #include put at FILE:LINE of the copy, and what the message says after
# "src/FILE:LINE: ".
while IFS='|' read -r file line directive expected; do
    expect_refused "$file:$line $directive" "src/$file:$line: $expected" \
        sed -i "${line}i $directive" "$file"
done <<'CASES'
util/fmt.c|3|#include "../app/progress.h"|util includes "../app/progress.h"
util/fmt.c|3|#include <../app/progress.h>|util includes <../app/progress.h>
util/fmt.c|3|#include <progress.h>|util includes <progress.h>
util/fmt.c|3|  #  include  "progress.h"|util includes "progress.h"
decode/names.c|2|#include "../tcp/flow.h"|decode includes "../tcp/flow.h"
modes/acktime.c|2|#include "fix/fix.h"|modes includes "fix/fix.h"
modes/kdb/kdb_mode.c|2|#include "fix/fix_mode.h"|modes/kdb includes "fix/fix_mode.h"
modes/flows/flows_mode.c|1|#include <../kdb/kdb_mode.h>|modes/flows includes <../kdb/kdb_mode.h>
util/fmt.c|3|#include "../../tests/unit/unit_main.h"|includes "../../tests/unit/unit_main.h"
util/fmt.c|3|#include "no_such.h"|includes "no_such.h", which no layer holds
util/fmt.c|3|#include FMT_EXTRA_HEADER|an #include the check cannot follow
CASES
expect_refused header_twice 'fmt.h: in both src/app and src/util' \
    cp util/fmt.h app/fmt.h
expect_refused unknown_folder 'src/extra is not a layer' \
    sh -c 'mkdir extra && echo "int x;" > extra/x.c'
expect_refused outside_folders 'src/stray.c: a source file outside the layer folders' \
    sh -c 'echo "int x;" > stray.c'

echo "layers_check_test: $pass passed, $fail failed"
[ $fail -eq 0 ]
