#!/usr/bin/env bash
# tests/bench/publish_bench.sh: rows/s of --publish (packet rows, default
# columns) to a local receiver that discards them (qsink.c) against CSV to
# /dev/null, same capture, same build; and --publish for several --batch.
#   tests/bench/publish_bench.sh [PACKETS] [RUNS]      (default 1000000 3)
# Uses build-release/ (cmake Release); prints medians of wall time.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000} runs=${2:-3}
b=$root/build-release
cmake -S "$root" -B "$b" -DCMAKE_BUILD_TYPE=Release -DPCAP2KDB_TESTS=OFF >/dev/null
cmake --build "$b" -j2 >/dev/null
mkdir -p "$b/bench"
cc -O2 -o "$b/bench/qsink" "$root/tests/bench/qsink.c"
cc -O2 -o "$b/bench/gen_fixtraffic" "$root/tests/bench/gen_fixtraffic.c"
cap=$b/bench/publish.pcap
[ -f "$cap" ] || "$b/bench/gen_fixtraffic" -n "$n" -o "$cap" 2>/dev/null
"$b/bench/qsink" > "$b/bench/qsink.port" & sink=$!
trap 'kill $sink' EXIT
sleep 0.3
port=$(cat "$b/bench/qsink.port")
p2k=$b/pcap2kdb
t() { local s=$EPOCHREALTIME; "$@" >/dev/null 2>&1; echo "$EPOCHREALTIME - $s" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
csv=$(for i in $(seq "$runs"); do t "$p2k" "$cap"; done | median)
printf '%-22s %8.3f s %12.0f rows/s\n' "csv >/dev/null" "$csv" "$(echo "$n / $csv" | bc -l)"
for batch in 256 1024 4096 16384; do
  pub=$(for i in $(seq "$runs"); do t "$p2k" --publish "127.0.0.1:$port" --batch $batch "$cap"; done | median)
  printf '%-22s %8.3f s %12.0f rows/s  ratio to csv %.2f\n' "publish --batch $batch" "$pub" \
    "$(echo "$n / $pub" | bc -l)" "$(echo "$csv / $pub" | bc -l)"
done
