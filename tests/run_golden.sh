#!/usr/bin/env bash
# Golden tests for pcap2kdb.
#
#   tests/run_golden.sh PCAP2KDB_BINARY [TABLE.tsv] [NAME...]
#                                         run every case of tests/golden.tsv
#                                         and tests/robust.tsv (or of TABLE),
#                                         or only the cases NAME...
#                                         (ctest runs each as golden/NAME)
#   tests/run_golden.sh --results DIR PCAP2KDB_BINARY
#                                         run every case of both tables once
#                                         and write DIR/NAME.log, starting
#                                         "PASS" or "FAIL" (ctest's golden/run;
#                                         each golden/NAME test then reads its
#                                         log: one process for all the cases
#                                         instead of a bash per case)
#   tests/run_golden.sh --regen-check     rerun every generator into a
#                                         temporary folder: it must reproduce
#                                         testdata/ byte for byte, and
#                                         every case's expected output must
#                                         come from a generator or be marked
#                                         recorded in the table
#
# GOLDEN_ARGS (environment): options put before every case's own, e.g.
# "--threads 1" (ctest's golden/threads-N runs the tables so: #19).
#
# A case passes when stdout equals testdata/NAME.out, stderr equals
# testdata/NAME.err (empty when that file does not exist) and the exit code
# is the table's.  Each failure prints a diff; the last line is
# "N passed, N failed" and the exit status is non-zero on any failure (a
# NAME that is in no table is a failure too).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
tables=("$here/golden.tsv" "$here/robust.tsv")
python=${PYTHON3:-python3}
# The generators of testdata/: each writes captures and expected outputs
# into the folder it is given, and prints its table lines with --table.
generators=(gen_testdata gen_everyday gen_fixdata gen_analysis gen_kdb gen_robust gen_hwts gen_ipfrag gen_tunnels gen_wpan gen_ipcomp gen_acktime gen_numbers gen_linkcols gen_linktypes gen_flows)

usage() {
    echo "usage: $0 PCAP2KDB_BINARY [TABLE.tsv] [NAME...] | --results DIR PCAP2KDB_BINARY" \
         "| --regen-check" >&2
    exit 64
}

# case_lines NAMES TABLE...: the case lines of the tables (all when NAMES is
# empty, else those of the space-separated NAMES), fields separated by \037:
# bash's `read` merges runs of tabs (an empty EXTRA_ARGS), not of \037.
case_lines() {
    awk -F'\t' -v names=" $1 " 'BEGIN { OFS = "\037" }
        /^#/ || /^[[:space:]]*$/ { next }
        names == "  " || index(names, " " $1 " ") { $1 = $1; print }' "${@:2}"
}

if [ "${1:-}" = "--regen-check" ]; then
    [ $# -eq 1 ] || usage
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-regen.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    mkdir "$tmp/a" "$tmp/b"
    passed=0 failed=0
    # (matching the committed bytes makes them deterministic too: testdata/
    # was written by an earlier run)
    for g in "${generators[@]}"; do
        "$python" "$here/$g.py" "$tmp/a" > /dev/null ||
            { echo "FAIL: tests/$g.py failed"; exit 1; }
        # (a folder with --table too: some generators also write their
        # files then, and by default into testdata/ -- the very files this
        # compares with)
        "$python" "$here/$g.py" --table "$tmp/b" >> "$tmp/table" || exit 1
    done
    # the captures of qscript_msg_check.py's string cases, under their names here
    "$python" "$here/qscript_msg_check.py" --gen "$tmp/q" > /dev/null || exit 1
    cp "$tmp/q/kdb_weird.pcap" "$tmp/a/kdb_qstrings.pcap"
    cp "$tmp/q/fix_weird.pcap" "$tmp/a/fix_qstrings.pcap"
    for f in "$tmp"/a/*; do
        name=$(basename "$f")
        if [ ! -e "$root/testdata/$name" ]; then
            echo "FAIL: testdata/$name missing (a generator writes it)"
            failed=$((failed + 1))
        elif cmp -s "$f" "$root/testdata/$name"; then
            passed=$((passed + 1))
        else
            echo "FAIL: testdata/$name differs from the generator's (--- committed +++ generated)"
            case "$name" in
                *.out|*.err) diff -u "$root/testdata/$name" "$f" | head -40 ;;
                *) cmp "$root/testdata/$name" "$f" ;;
            esac
            failed=$((failed + 1))
        fi
    done
    # every generated case is in a table, as generated (NAME to ARGS)
    sed 's/\t*$//' "$tmp/table" | sort > "$tmp/want"
    case_lines "" "${tables[@]}" | tr '\037' '\t' | cut -f1-4 | sed 's/\t*$//' |
        sort > "$tmp/have"
    while IFS= read -r line; do
        echo "FAIL: no table has the generated case line: $line"
        failed=$((failed + 1))
    done < <(comm -23 "$tmp/want" "$tmp/have")
    # every case's expected output is generated, or marked recorded with a reason
    while IFS=$'\037' read -r name _ _ _ origin; do
        gen=0
        [ -e "$tmp/a/$name.out" ] && gen=1
        case "$origin" in
            '')
                if [ $gen = 0 ]; then
                    echo "FAIL: $name: no generator writes testdata/$name.out and the table" \
                         "does not mark it 'recorded: REASON'"
                    failed=$((failed + 1))
                elif [ -e "$root/testdata/$name.err" ] && [ ! -e "$tmp/a/$name.err" ]; then
                    echo "FAIL: $name: testdata/$name.err is not generated"
                    failed=$((failed + 1))
                fi ;;
            recorded:?*)
                if [ $gen = 1 ]; then
                    echo "FAIL: $name: marked recorded, but a generator writes it (drop the mark)"
                    failed=$((failed + 1))
                fi ;;
            *)
                echo "FAIL: $name: last column '$origin': empty or 'recorded: REASON'"
                failed=$((failed + 1)) ;;
        esac
    done < <(case_lines "" "${tables[@]}")
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

results=
if [ "${1:-}" = "--results" ]; then
    [ $# -eq 3 ] || usage
    results=$2
    shift 2
    mkdir -p "$results" && rm -f "$results"/*.log || exit 1
    case "$results" in /*) ;; *) results="$PWD/$results" ;; esac
fi
[ $# -ge 1 ] || usage
bin=$1
shift
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
[ -x "$bin" ] || { echo "$0: $bin: not an executable" >&2; exit 64; }
if [ $# -gt 0 ] && [ "${1%.tsv}" != "$1" ]; then
    tables=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")")
    shift
fi
names=("$@")

cd "$root" || exit 1
out=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-golden.XXXXXX")
trap 'rm -rf "$out"' EXIT

# a converter that hangs fails its case instead of the whole run
if command -v timeout > /dev/null 2>&1; then
    to=(timeout 60)
else
    to=()
fi

passed=0 failed=0
declare -A seen=()
while IFS=$'\037' read -r name capture code args _origin; do
    seen[$name]=1
    read -r -a extra <<< "${GOLDEN_ARGS:-} ${args:-}"
    "${to[@]}" "$bin" "${extra[@]}" "$capture" \
        > "$out/stdout" 2> "$out/stderr" < /dev/null
    rc=$?
    ok=1
    report=""
    if [ "$rc" != "$code" ]; then
        ok=0
        report+="  exit code: expected $code, got $rc"$'\n'
    fi
    if ! cmp -s "testdata/$name.out" "$out/stdout"; then
        ok=0
        report+="  stdout differs (--- expected +++ got):"$'\n'
        report+=$(diff -u "testdata/$name.out" "$out/stdout" | head -60)$'\n'
    fi
    if [ -e "testdata/$name.err" ]; then
        experr="testdata/$name.err"
    else
        experr=/dev/null
    fi
    if ! cmp -s "$experr" "$out/stderr"; then
        ok=0
        report+="  stderr differs (--- expected +++ got):"$'\n'
        report+=$(diff -u "$experr" "$out/stderr" | head -20)$'\n'
    fi
    if [ "$ok" = 1 ]; then
        passed=$((passed + 1))
        [ -z "$results" ] || echo "PASS $name" > "$results/$name.log"
    else
        failed=$((failed + 1))
        if [ -n "$results" ]; then
            { echo "FAIL $name: ${extra[*]:+${extra[*]} }$capture"
              printf '%s' "$report"; } > "$results/$name.log"
        fi
        echo "FAIL $name: ${extra[*]:+${extra[*]} }$capture"
        printf '%s' "$report"
    fi
done < <(case_lines "${names[*]}" "${tables[@]}")

for n in "${names[@]}"; do
    if [ -z "${seen[$n]:-}" ]; then
        echo "FAIL $n: no such case in ${tables[*]}"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
# with --results the verdicts are the logs' (golden/NAME): this run only fails
# when it could not run the cases
[ -n "$results" ] || [ "$failed" -eq 0 ]
