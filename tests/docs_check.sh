#!/usr/bin/env bash
# Documentation check: README.md and man/pcap2kdb.1 must mention every column
# name the binary accepts (from its unknown-column message) and every long
# option of --help (a mention as a whole word; roff escapes removed).
# Usage: tests/docs_check.sh PCAP2KDB_BINARY
# Gaps already known are listed in tests/docs_known_gaps.txt ("DOC NAME" a
# line): they are reported but do not fail, and a listed gap that is no longer
# missing fails (remove its line), so the list only shrinks.
# Prints each missing name; the last line is "N passed, N failed".
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
bin=${1:?usage: $0 PCAP2KDB_BINARY}

cols=$("$bin" --columns no_such_column --schema 2>&1 >/dev/null |
       sed -n 's/.*valid columns: \([^ ]*\).*/\1/p' | tr ',' ' ')
opts=$("$bin" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
[ -n "$cols" ] && [ -n "$opts" ] || { echo "cannot read columns/options from $bin"; exit 1; }

# The man page as plain text: roff's \- is a hyphen, font escapes go.
man_text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(em/ /g' "$root/man/pcap2kdb.1")
readme_text=$(cat "$root/README.md")

# Each document's words: the runs of [A-Za-z0-9_-], the same as a grep for
# (^|[^A-Za-z0-9_-])WORD([^A-Za-z0-9_-]|$), but one pass per document
# instead of two processes per name.
declare -A words=() known=()
for doc in README.md man/pcap2kdb.1; do
    if [ "$doc" = README.md ]; then text=$readme_text; else text=$man_text; fi
    while IFS= read -r w; do words["$doc $w"]=1; done < <(grep -oE -- '[A-Za-z0-9_-]+' <<< "$text" | sort -u)
done
known_file="$here/docs_known_gaps.txt"
while IFS= read -r line; do
    [ -n "$line" ] && known["$line"]=1
done < <(grep -v '^#' "$known_file" 2>/dev/null)
passed=0 failed=0
check() {   # DOC_NAME WORD KIND
    if [ -n "${words["$1 $2"]:-}" ]; then
        if [ -n "${known["$1 $2"]:-}" ]; then
            echo "FAIL: $1 mentions $3 $2 now: remove '$1 $2' from tests/docs_known_gaps.txt"
            failed=$((failed + 1))
        else
            passed=$((passed + 1))
        fi
    elif [ -n "${known["$1 $2"]:-}" ]; then
        echo "known gap: $1 lacks $3 $2"
        passed=$((passed + 1))
    else
        echo "MISSING in $1: $3 $2"
        failed=$((failed + 1))
    fi
}
for doc in README.md man/pcap2kdb.1; do
    for c in $cols; do check "$doc" "$c" column; done
    for o in $opts; do check "$doc" "$o" option; done
done
# Every load line the documents give for a mode's default columns
# (TABLE:("TYPES";enlist",") 0: `:out.csv) must be the one --schema prints:
# a column added to a table must update them.
for mode in "" --fix --kdb --flows; do
    line=$("$bin" $mode --schema)
    table=${line%%:*}
    for doc in README.md man/pcap2kdb.1; do
        if [ "$doc" = README.md ]; then text=$readme_text; else text=$man_text; fi
        while IFS= read -r got; do
            [ -n "$got" ] || continue
            if [ "$got" = "$line" ]; then
                passed=$((passed + 1))
            else
                echo "FAIL: $doc gives the load line $got, --schema ${mode:-(packets)} prints $line"
                failed=$((failed + 1))
            fi
        done < <(grep -oE -- "$table:\(\"[A-Z*]+\";enlist\",\"\) 0: \`:out\.csv" <<< "$text")
    done
done
# A --schema command shown in an example, followed (within six lines) by a
# load line, must print exactly that line: the file it names comes from
# the command's -o.
for doc in README.md man/pcap2kdb.1; do
    if [ "$doc" = README.md ]; then text=$readme_text; else text=$man_text; fi
    while IFS=$'\t' read -r cmd shown; do
        read -r -a args <<< "$cmd"
        got=$(cd "$root" && "$bin" "${args[@]}" 2>&1)
        if [ "$got" = "$shown" ]; then
            passed=$((passed + 1))
        else
            echo "FAIL: $doc shows '$shown' for 'pcap2kdb $cmd', which prints '$got'"
            failed=$((failed + 1))
        fi
    done < <(awk '
        /^[ \t]*pcap2kdb .*--schema/ && !/--publish/ {
            c = $0; sub(/#.*/, "", c); sub(/^[ \t]*pcap2kdb[ \t]+/, "", c); sub(/[ \t]+$/, "", c); left = 6; next
        }
        left > 0 && /^[a-z]+:\("/ { print c "\t" $0; left = 0; next }
        left > 0 { left-- }' <<< "$text")
done
# --table's default depends on the mode (fix, kdb, flows): --help says so
for mode in fix kdb flows; do
    if "$bin" --help | grep -A1 -- '--table' | grep -q -- "$mode" &&
        [ "$("$bin" --$mode --schema | cut -d: -f1)" = "$mode" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL: --help does not give --$mode's default table name ($mode)"
        failed=$((failed + 1))
    fi
done
# --list-columns' meanings (src/app/column_help.c) are generated from
# README's column tables: a README edit must regenerate them
if command -v python3 > /dev/null; then
    if python3 "$root/tools/gen_column_help.py" | cmp -s - "$root/src/app/column_help.c"; then
        passed=$((passed + 1))
    else
        echo "FAIL: src/app/column_help.c is not what tools/gen_column_help.py makes of README.md"
        failed=$((failed + 1))
    fi
fi
# Where the documents describe memory (the man page's MEMORY section,
# README's "Memory and speed" up to its first subsection), they name the two
# terms the message modes add: the reassembly budget and the per-connection
# framer state.
memory_text() {   # DOC
    if [ "$1" = README.md ]; then
        sed -n '/^## Memory and speed/,/^###* /p' <<< "$readme_text"
    else
        sed -n '/^\.SH MEMORY/,/^\.SH EXIT/p' <<< "$man_text"
    fi
}
for doc in README.md man/pcap2kdb.1; do
    mem=$(memory_text "$doc" | tr '\n' ' ' | tr -s ' ')
    for term in "reassembly budget" "64 MiB" "per-connection framer state"; do
        if grep -qiF -- "$term" <<< "$mem"; then
            passed=$((passed + 1))
        else
            echo "FAIL: $doc describes memory without \"$term\""
            failed=$((failed + 1))
        fi
    done
done
# The documentation stands alone (#13): no code, test or document of the
# repository sends its reader to the project's shared notes outside it (the
# contract SCHEMA.md, the reference notes under shared/docs); public
# specifications are cited instead. The corpus and the benchmark baseline
# are inputs of tests, not references, and stay allowed.
outside=$(cd "$root" && grep -rnE 'SCHEMA\.md|shared/docs|kdb-ipc\.md|hw-timestamps\.md' \
              src tests man README.md CMakeLists.txt cmake tools .ci 2>/dev/null |
          grep -v '^tests/fuzz/corpus/' | grep -v '^tests/docs_check.sh:')
if [ -z "$outside" ]; then
    passed=$((passed + 1))
else
    echo "FAIL: these lines cite notes outside the repository:"
    echo "$outside"
    failed=$((failed + 1))
fi
# The user's documents stand alone (audit 15): no example or reference in
# README or the man page names a path outside the repository (../shared);
# the corpus is named through $PCAP2KDB_CORPUS, examples use testdata/.
outside=$(cd "$root" && grep -nF '../shared' README.md man/pcap2kdb.1)
if [ -z "$outside" ]; then
    passed=$((passed + 1))
else
    echo "FAIL: README/man name paths outside the repository:"
    echo "$outside"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
