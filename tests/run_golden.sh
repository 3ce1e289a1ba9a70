#!/usr/bin/env bash
# Golden tests for pcap2kdb.
#
#   tests/run_golden.sh PCAP2KDB_BINARY [TABLE]
#                                         run every case of tests/golden.tsv
#                                         (or of TABLE, same format: e.g.
#                                         tests/robust.tsv)
#   tests/run_golden.sh --regen-check     rerun tests/gen_testdata.py into a
#                                         temporary folder and check that it
#                                         reproduces testdata/ byte for byte
#
# A case passes when stdout equals testdata/NAME.out, stderr equals
# testdata/NAME.err (empty when that file does not exist) and the exit code
# is the table's.  Each failure prints a diff; the last line is
# "N passed, N failed" and the exit status is non-zero on any failure.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
table="$here/golden.tsv"

usage() {
    echo "usage: $0 PCAP2KDB_BINARY [TABLE] | --regen-check" >&2
    exit 64
}

[ $# -eq 1 ] || { [ $# -eq 2 ] && [ "$1" != "--regen-check" ]; } || usage
[ $# -eq 2 ] && table=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")

if [ "$1" = "--regen-check" ]; then
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-regen.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    mkdir "$tmp/a" "$tmp/b"
    # twice: the generator must be deterministic, and match testdata/
    python3 "$here/gen_testdata.py" "$tmp/a" || { echo "generator failed"; exit 1; }
    python3 "$here/gen_testdata.py" "$tmp/b" || { echo "generator failed"; exit 1; }
    python3 "$here/gen_testdata.py" --table "$tmp/b" > "$tmp/table" || exit 1
    passed=0 failed=0
    if ! diff -r "$tmp/a" "$tmp/b" > /dev/null; then
        echo "FAIL: two generator runs differ"; failed=$((failed + 1))
    fi
    for f in "$tmp"/a/*; do
        name=$(basename "$f")
        if [ ! -e "$root/testdata/$name" ]; then
            echo "FAIL: testdata/$name missing (generator writes it)"
            failed=$((failed + 1))
        elif cmp -s "$f" "$root/testdata/$name"; then
            passed=$((passed + 1))
        else
            echo "FAIL: testdata/$name differs from the generator's"
            case "$name" in
                *.out|*.err) diff -u "$root/testdata/$name" "$f" | head -40 ;;
                *) cmp "$root/testdata/$name" "$f" ;;
            esac
            failed=$((failed + 1))
        fi
    done
    # every generated case must be listed in golden.tsv, as generated
    while IFS= read -r line; do
        if ! grep -qxF -- "$line" "$table"; then
            echo "FAIL: golden.tsv lacks the generated case line: $line"
            failed=$((failed + 1))
        fi
    done < "$tmp/table"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

bin=$1
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
[ -x "$bin" ] || { echo "$0: $bin: not an executable" >&2; exit 64; }

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
while IFS=$'\t' read -r name capture code args || [ -n "$name" ]; do
    case "$name" in ''|'#'*) continue ;; esac
    read -r -a extra <<< "${args:-}"
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
    else
        failed=$((failed + 1))
        echo "FAIL $name: ${extra[*]:+${extra[*]} }$capture"
        printf '%s' "$report"
    fi
done < "$table"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
