#!/usr/bin/env bash
# Output faults (README "Damaged input and exit codes"):
#   - a reader that goes away (`pcap2kdb big.pcap | head -1`): exit 0, and
#     nothing on stderr;
#   - a write error (-o /dev/full, stdout on /dev/full or closed, a file-size
#     limit reached mid-stream): exit 3 with exactly one message
#     "pcap2kdb: NAME: write error: REASON", and the bytes written before it
#     are a prefix of the full output;
#   - damaged input: exit 2, and every row before the damage is in the output
#     file (CSV and q), and a paused input stream gets its rows written
#     while it pauses (q batches included).
#
# Nothing here skips and no verdict depends on the machine's speed: the
# paused stream stays open until its rows are seen (or 60 s pass).
#
#   tests/output_faults.sh PCAP2KDB GEN_FIXTRAFFIC
#
# Runs as root or not, without mounting anything: the size limit is
# `prlimit --fsize` (util-linux), or bash's `ulimit -f` without it.
# The last line is "N passed, N failed".
set -u

[ $# -eq 2 ] || { echo "usage: $0 PCAP2KDB GEN_FIXTRAFFIC" >&2; exit 64; }
bin=$1 gen=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-faults.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# A capture whose CSV (about 10 MB) is far larger than any pipe or buffer.
cap=$tmp/big.pcap
# (the generator is a test tool: its leaks at exit do not matter under ASan)
gen() { ASAN_OPTIONS=detect_leaks=0 "$gen" "$@"; }
gen -n 100000 -f pcap -o "$cap" 2> /dev/null || { echo "generator failed" >&2; exit 1; }
"$bin" --sym s "$cap" > "$tmp/full.csv" 2> "$tmp/err" || { echo "conversion failed" >&2; exit 1; }
small=$tmp/small.pcap
gen -n 5 -f pcap -o "$small" 2> /dev/null

# ---- a closed pipe is not an error
for fmt in csv q; do
    "$bin" -f "$fmt" "$cap" 2> "$tmp/err" | head -1 > "$tmp/head"
    st=("${PIPESTATUS[@]}")
    if [ "${st[0]}" != 0 ]; then
        fail "head_$fmt" "exit ${st[0]}, not 0"
    elif [ -s "$tmp/err" ]; then
        fail "head_$fmt" "stderr: $(head -3 "$tmp/err")"
    elif [ "$(wc -l < "$tmp/head")" != 1 ]; then
        fail "head_$fmt" "head got no line"
    else
        pass "head_$fmt: exit 0, stderr empty"
    fi
done

# ---- write errors: exit 3, one message
# expect_write_error NAME EXPECTED_MESSAGE EXIT STDERR_FILE
expect_write_error() {
    local name=$1 want=$2 rc=$3 errf=$4
    if [ "$rc" != 3 ]; then
        fail "$name" "exit $rc, not 3; stderr: $(head -3 "$errf")"
    elif [ "$(cat "$errf")" != "$want" ]; then
        fail "$name" "stderr is not the one line '$want':"$'\n'"$(head -5 "$errf")"
    else
        pass "$name: exit 3, '$want'"
    fi
}
[ -w /dev/full ] || { echo "FAIL: /dev/full is not writable here (Linux has it)"; exit 1; }
if [ -w /dev/full ]; then
    for input in "$small" "$cap"; do
        n=$(basename "$input" .pcap)
        "$bin" -o /dev/full "$input" 2> "$tmp/err"
        expect_write_error "dev_full_o_$n" \
            "pcap2kdb: /dev/full: write error: No space left on device" $? "$tmp/err"
        "$bin" -f q "$input" > /dev/full 2> "$tmp/err"
        expect_write_error "dev_full_stdout_q_$n" \
            "pcap2kdb: stdout: write error: No space left on device" $? "$tmp/err"
    done
fi
"$bin" "$cap" 2> "$tmp/err" >&-
expect_write_error stdout_closed "pcap2kdb: stdout: write error: Bad file descriptor" $? \
    "$tmp/err"

# The message and connection modes write through their own writers: the
# same rules (the FIX sessions of the capture; kdb+ IPC from the golden
# capture, given 200 times: an output far larger than a pipe holds).
kdbcap=$(cd "$(dirname "$0")/.." && pwd)/testdata/kdb_tick.pcap
kdbinputs=()
for _ in $(seq 200); do kdbinputs+=("$kdbcap"); done
for mode in "--fix" "--fix -f q" "--flows" "--flows -f q" "--kdb" "--kdb -f q"; do
    inputs=("$cap")
    case "$mode" in --kdb*) inputs=("${kdbinputs[@]}") ;; esac
    read -r -a margs <<< "$mode"
    "$bin" "${margs[@]}" "${inputs[@]}" 2> "$tmp/err" | head -1 > /dev/null
    st=("${PIPESTATUS[@]}")
    if [ "${st[0]}" != 0 ] || [ -s "$tmp/err" ]; then
        fail "head ${mode}" "exit ${st[0]}; stderr: $(head -3 "$tmp/err")"
    else
        pass "head $mode: exit 0, stderr empty"
    fi
    if [ -w /dev/full ]; then
        "$bin" "${margs[@]}" -o /dev/full "${inputs[@]}" 2> "$tmp/err"
        expect_write_error "dev_full $mode" \
            "pcap2kdb: /dev/full: write error: No space left on device" $? "$tmp/err"
    fi
done

# A file-size limit reached mid-stream: the write fails with EFBIG (and no
# SIGXFSZ kills the process); what was written is a prefix of the output.
limit=300000
if command -v prlimit > /dev/null 2>&1; then
    prlimit --fsize=$limit "$bin" --sym s -o "$tmp/lim.csv" "$cap" 2> "$tmp/err"
    rc=$?
else
    (ulimit -f $((limit / 1024)) && exec "$bin" --sym s -o "$tmp/lim.csv" "$cap") 2> "$tmp/err"
    rc=$?
    limit=$((limit / 1024 * 1024))
fi
expect_write_error fsize_limit "pcap2kdb: $tmp/lim.csv: write error: File too large" $rc \
    "$tmp/err"
size=$(wc -c < "$tmp/lim.csv")
if [ "$size" != "$limit" ] || ! cmp -s "$tmp/lim.csv" <(head -c "$size" "$tmp/full.csv"); then
    fail fsize_prefix "wrote $size bytes (limit $limit), not a prefix of the full output"
else
    pass "fsize_prefix: the $size bytes written are the output's first"
fi

# ---- damaged input: every row before the damage reaches the output
# The capture cut inside a record, a third of the way in; K records fit.
csize=$(wc -c < "$cap")
cut=$((csize / 3))
head -c $cut "$cap" > "$tmp/cut.pcap"
k=$("$bin" --no-header --columns caplen "$cap" |
    awk -v cut=$cut 'BEGIN { end = 24 } { end += 16 + $1; if (end > cut) exit; n++ }
                     END { print n + 0 }')
"$bin" --sym s -o "$tmp/cut.csv" "$tmp/cut.pcap" 2> "$tmp/err"
rc=$?
lines=$(wc -l < "$tmp/cut.csv")
if [ "$rc" != 2 ] || [ "$(wc -l < "$tmp/err")" != 1 ]; then
    fail damaged_csv "exit $rc (want 2); stderr: $(head -3 "$tmp/err")"
elif [ "$lines" != $((k + 1)) ] || ! cmp -s "$tmp/cut.csv" <(head -n "$lines" "$tmp/full.csv"); then
    fail damaged_csv "$((lines - 1)) rows written, want the $k before the damage"
else
    pass "damaged_csv: exit 2, all $k rows before the damage written"
fi
"$bin" -f q --columns frame -o "$tmp/cut.q" "$tmp/cut.pcap" 2> /dev/null
rc=$?
frames=$(grep '^`pcap insert' "$tmp/cut.q" | tr -c '0-9\n' ' ' | tr -s ' ' '\n' | grep -c .)
last=$(grep '^`pcap insert' "$tmp/cut.q" | tail -1 | tr -c '0-9' ' ' | awk '{ print $NF }')
if [ "$rc" != 2 ] || [ "$frames" != "$k" ] || [ "$last" != "$k" ]; then
    fail damaged_q "exit $rc, $frames frames up to ${last:-none}; want exit 2, frames 1..$k"
else
    pass "damaged_q: exit 2, frames 1..$k inserted"
fi

# A stream that pauses: rows decoded so far are written while it waits.
# The input (a FIFO) stays open, silent, until the rows are all seen or 60 s
# pass: rows that arrive were written on the pause, however slow the machine.
count_rows() {
    if [ "$1" = csv ]; then
        echo $(($(wc -l < "$2") - 1))
    else
        grep '^`pcap insert' "$2" | tr -c '0-9\n' ' ' | tr -s ' ' '\n' | grep -c .
    fi
}
for fmt in csv q; do
    mkfifo "$tmp/in.$fmt"
    "$bin" -f $fmt --columns frame -o "$tmp/live.$fmt" - < "$tmp/in.$fmt" 2> /dev/null &
    pid=$!
    exec 3> "$tmp/in.$fmt"
    head -c $cut "$cap" >&3
    got=0
    end=$((SECONDS + 60))
    while [ $SECONDS -lt $end ]; do
        got=$(count_rows $fmt "$tmp/live.$fmt" 2> /dev/null || echo 0)
        [ "$got" = "$k" ] && break
        sleep 0.1
    done
    exec 3>&-
    wait $pid
    if [ "$got" != "$k" ]; then
        fail "paused_$fmt" "$got rows out while input paused, want $k"
    else
        pass "paused_$fmt: all $k rows out while the input paused"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
