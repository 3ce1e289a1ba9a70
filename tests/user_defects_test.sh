#!/usr/bin/env bash
# Issue #18: what a new user tripped over. Each check states the promise it
# holds the binary to; the last line is "N passed, N failed".
#
#   tests/user_defects_test.sh PCAP2KDB_BINARY
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
td=$(dirname "$here")/testdata
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-defects.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
passed=0 failed=0

ok() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok; else fail "$1: want [${2:0:600}], got [${3:0:600}]"; fi; }
# run ARGS...: sets out, err, rc
run() {
    "$bin" "$@" > out.txt 2> err.txt
    rc=$?
    out=$(cat out.txt)
    err=$(cat err.txt)
}

# --- 1. -o never destroys an input -----------------------------------------
cp "$td/tcp_flags.pcap" self.pcap
sum=$(cksum < self.pcap)
run -o self.pcap self.pcap
expect "-o onto the input: exit" 1 "$rc"
expect "-o onto the input: capture intact" "$sum" "$(cksum < self.pcap)"
case $err in *"output is also an input"*) ok ;; *) fail "-o onto the input: message [$err]" ;; esac
ln -s self.pcap link.pcap
run -o link.pcap "$td/pcap_us_le.pcap" self.pcap
expect "-o through a symlink onto an input: exit" 1 "$rc"
expect "-o through a symlink: capture intact" "$sum" "$(cksum < self.pcap)"
ln self.pcap hard.pcap
run -o hard.pcap self.pcap
expect "-o onto a hard link of the input: exit" 1 "$rc"
expect "-o onto a hard link: capture intact" "$sum" "$(cksum < self.pcap)"
"$bin" -o self.pcap < self.pcap > /dev/null 2>&1
expect "-o onto stdin's file: exit" 1 "$?"
expect "-o onto stdin's file: capture intact" "$sum" "$(cksum < self.pcap)"
echo "previous,rows" > prev.csv
run -o prev.csv missing.pcap
expect "-o with a missing input: exit" 1 "$rc"
expect "-o with a missing input: output untouched" "previous,rows" "$(cat prev.csv)"
expect "-o with a missing input: message" "pcap2kdb: missing.pcap: cannot open: No such file or directory" "$err"
# one good input of two: converted, the missing one reported once, exit 1
run -o two.csv missing.pcap "$td/pcap_us_le.pcap"
expect "-o, one of two inputs missing: exit" 1 "$rc"
expect "-o, one of two inputs missing: rows" "$("$bin" "$td/pcap_us_le.pcap")" "$(cat two.csv)"
expect "-o, one of two inputs missing: one message" 1 "$(grep -c 'cannot open' err.txt)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
