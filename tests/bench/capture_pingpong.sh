#!/usr/bin/env bash
# tests/bench/capture_pingpong.sh: a real loopback FIX capture for the
# benchmark (#19): tcpdump on lo records PACKETS packets of fix_pingpong's
# traffic (a FIX client and server over one TCP connection, NewOrderSingle
# answered by ExecutionReport, bundles of three every seventh order; the
# kernel chooses segments, ACKs and timing).
#
#   tests/bench/capture_pingpong.sh [OUT.pcap] [PACKETS]   (default
#       build-release/bench/pingpong.pcap, 2000000)
#   tests/bench/run.sh --capture build-release/bench/pingpong.pcap
#
# Needs root (or CAP_NET_RAW) for tcpdump, and a C compiler. 2M packets take
# about a minute here (about a million round trips) and 330 MB.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build-release/bench/pingpong.pcap}
packets=${2:-2000000}
port=${PINGPONG_PORT:-5099}
CC=${CC:-cc}
die() { printf 'capture_pingpong.sh: %s\n' "$*" >&2; exit 2; }
command -v tcpdump >/dev/null || die "tcpdump is missing (apt-get install tcpdump)"
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pingpong.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$CC" -std=c11 -O2 -o "$tmp/fix_pingpong" "$here/fix_pingpong.c" || die "fix_pingpong build failed"

# -U: each packet written as it comes; -B: a large kernel buffer (KiB), so
# that none is dropped
tcpdump -i lo -U -B 65536 -s 262144 -c "$packets" -w "$out.tmp" "tcp port $port" 2>"$tmp/tcpdump.log" &
tpid=$!
for _ in $(seq 50); do grep -q listening "$tmp/tcpdump.log" && break; sleep 0.1; done
grep -q listening "$tmp/tcpdump.log" || die "tcpdump did not start: $(cat "$tmp/tcpdump.log")"
"$tmp/fix_pingpong" -p "$port" 2>"$tmp/pingpong.log" &
ppid=$!
wait "$tpid"
trc=$?
kill -TERM "$ppid" 2>/dev/null
wait "$ppid"
[ "$trc" -eq 0 ] || die "tcpdump failed: $(cat "$tmp/tcpdump.log")"
mv "$out.tmp" "$out"
sed 's/^/   /' "$tmp/tcpdump.log" "$tmp/pingpong.log"
printf '   %s: %s bytes\n' "$out" "$(stat -c %s "$out")"
