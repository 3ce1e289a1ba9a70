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

# --- 2. -c N counts rows of the table written, in every mode -------------
# The first N rows of the whole table, and --stats "rows" says N.
limit_case() { # NAME CAPTURE N MODE-ARGS...
    local name=$1 cap=$2 n=$3
    shift 3
    local want
    want=$("$bin" "$@" "$cap" | head -n $((n + 1)))
    run "$@" -c "$n" --stats "$cap"
    expect "$name: rows" "$want" "$out"
    expect "$name: exit" 0 "$rc"
    expect "$name: --stats rows" "rows         $n" "$(grep '^rows ' err.txt)"
}
limit_case "--fix -c 1" "$td/fix_bundle5.pcap" 1 --fix
limit_case "--fix -c 3" "$td/fix_bundle5.pcap" 3 --fix
limit_case "--kdb -c 10" "$td/kdb_tick.pcap" 10 --kdb
limit_case "--kdb -c 1" "$td/kdb_tick.pcap" 1 --kdb
limit_case "--flows -c 1" "$td/filter_mix.pcap" 1 --flows
limit_case "--flows -c 3" "$td/filter_mix.pcap" 3 --flows
limit_case "packets -c 2" "$td/filter_mix.pcap" 2
# -f q: the script holds N rows
n=$("$bin" --fix -f q -c 2 "$td/fix_bundle5.pcap" | grep -o '`fix insert' | wc -l)
[ "$n" -ge 1 ] && ok || fail "--fix -f q -c 2: no insert"

# --- 3. --port/--host/--proto apply to --flows --------------------------
# A connection is kept when one of its two endpoints matches (as a packet
# between them would be): the rows are those of the whole --flows table
# whose src/srcport/dest/destport match.
flows_case() { # NAME AWK-CONDITION ARGS...
    local name=$1 cond=$2
    shift 2
    local want
    want=$("$bin" --flows "$td/filter_mix.pcap" | awk -F, "NR == 1 || ($cond)")
    run --flows "$@" "$td/filter_mix.pcap"
    expect "$name" "$want" "$out"
    expect "$name: exit" 0 "$rc"
}
flows_case "--flows --port 443" '$4 == 443 || $6 == 443' --port 443
flows_case "--flows --port 80 --port 40002" '$4 == 80 || $6 == 80 || $4 == 40002 || $6 == 40002' --port 80 --port 40002
flows_case "--flows --host 10.0.0.2" '$3 == "10.0.0.2" || $5 == "10.0.0.2"' --host 10.0.0.2
flows_case "--flows --host 2001:db8::/32" '$3 ~ /^2001:db8:/ || $5 ~ /^2001:db8:/' --host 2001:db8::/32
flows_case "--flows --proto tcp" '1' --proto tcp
flows_case "--flows --proto udp" '0' --proto udp
flows_case "--flows --host 10.0.0.2 --port 80" '($3 == "10.0.0.2" || $5 == "10.0.0.2") && ($4 == 80 || $6 == 80)' --host 10.0.0.2 --port 80
# -c counts the connections kept
run --flows --port 443 -c 2 "$td/filter_mix.pcap"
expect "--flows --port 443 -c 2" "$("$bin" --flows --port 443 "$td/filter_mix.pcap" | head -n 3)" "$out"

# --- 6. q names: --flows start/finish; --table refuses q's reserved words --
expect "--flows header" "stream,sym,src,srcport,dest,destport,start,finish" \
    "$("$bin" --flows "$td/filter_mix.pcap" | head -n 1 | cut -d, -f1-8)"
for t in count first flip til key select last from by xasc upsert raze; do
    run -f q --table "$t" "$td/tcp_flags.pcap"
    expect "--table $t: exit" 1 "$rc"
    expect "--table $t: no output" "" "$out"
done
for t in trades pcap flows t2 first_trades; do
    run -f q --table "$t" -c 1 "$td/tcp_flags.pcap"
    expect "--table $t: accepted" 0 "$rc"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
