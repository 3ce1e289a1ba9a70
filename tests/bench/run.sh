#!/usr/bin/env bash
# tests/bench/run.sh: the reproducible pcap2kdb throughput benchmark.
#
#   tests/bench/run.sh [--with-tshark] [PACKETS] [RUNS]     (default 2000000 5)
#   tests/bench/run.sh [--with-tshark] --capture FILE [RUNS]
#
# --capture FILE measures that capture (a little-endian microsecond pcap, e.g.
# the real loopback FIX capture tests/bench/capture_pingpong.sh records)
# instead of the generated one: its pcapng copy and its first TSHARK_PACKETS
# packets are made with editcap; the --kdb capture is generated as always.
#
# What it does, from the repository root or anywhere:
#   1. builds pcap2kdb in Release into build-release/
#      (cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release); a failed or
#      missing build is reported and the other tools are still measured;
#   2. builds tests/bench/gen_fixtraffic.c and ../shared/bench/naive.c with
#      cc -O2 into build-release/bench/;
#   3. generates build-release/bench/bench.pcap (microseconds) and bench.pcapng
#      (nanoseconds, if_tsresol 9) with PACKETS packets: 8 FIX 4.4 sessions over
#      127.0.0.1 TCP (handshakes with wscale/timestamps, NewOrderSingle /
#      ExecutionReport traffic of 100-300 byte segments, bundles, splits,
#      zero-window episodes, retransmissions, RST and FIN reconnects). They are
#      regenerated only when missing, when PACKETS changes or when the
#      generator's source changes (the generator is deterministic, so the same
#      PACKETS always gives the same bytes);
#   4. RUNS times, interleaving the tools inside each run so drift hits all
#      alike, measures wall time (bash EPOCHREALTIME, us) and peak RSS
#      (GNU /usr/bin/time %M) of, all writing to /dev/null:
#        pcap2kdb  --threads 1 FILE.pcap default columns, CSV, one thread (-T1)
#        pcap2kdb  --threads 1 FILE.pcapng  same, from pcapng
#        pcap2kdb  --threads 1 -f q FILE.pcap  q script output
#        naive     FILE.pcap             ../shared/bench/naive.c -O2, the baseline
#        cat       FILE.pcap             what reading the file costs
#        pcap2kdb  the three above with --threads CORES (all cores; the
#                  default is one thread, README "Benchmark")
#        pcap2kdb  --threads 1 --fix FILE.pcap  (FIX messages/s printed below)
#        pcap2kdb  --threads 1 --kdb bench-kdb.pcap  (messages/s printed below):
#                  a tickerplant's KDB_MESSAGES async .u.upd messages of about
#                  650 bytes, one a segment (gen_fixtraffic --kdb)
#        tcpdump   -nn -tt -r FILE.pcap  if installed
#        tshark    -n -r FILE -T fields ... (the default columns' fields), if
#                  installed; tshark decodes ~10k packets/s here, so it reads
#                  bench-tshark.pcap, a 200000-packet capture from the same
#                  generator (the same traffic as the first 200000 packets,
#                  except that its sessions close at the end), unless
#                  --with-tshark is given, which makes it read the full capture;
#   5. prints, per tool, the median wall seconds over RUNS, the median CPU
#      seconds (user+sys), packets/s and MB/s (capture file bytes / 10^6 / s)
#      from the median wall time, peak RSS (largest over the runs, MiB) and
#      packets/s relative to naive; then the issue's targets, each the median
#      over the runs of the ratio measured within one run (wall time; the CPU
#      time ratio in brackets, steadier on a busy machine), PASS/FAIL beside:
#        pcap2kdb CSV pcap packets/s  >= 1.5 x naive.c, same run
#        pcapng time / pcap time      <= 1.10
#        -f q time / CSV time         <= 1.10 (both --threads 1)
#        CSV all cores / cat time     <= 1.30
#        CSV --threads 1 / all cores  >= 1.60
#        --fix -T1 time / naive.c     <= 1.00
#        --kdb small messages/s       >= 1M
#        pcap2kdb peak RSS            < 16 MiB
#      The verdicts are informative: the script exits 0 unless a tool crashed
#      or exited non-zero (1), or the benchmark could not be set up (2).
#      Timing assertions do not belong in the unit tests; quote medians of
#      several runs of this script instead.
#   6. once, untimed, checks that pcap2kdb wrote one CSV row per packet and
#      that its rows match naive.c's on the first 100000 packets in every
#      column but win (naive.c does not scale the window) and sym.
#
# Needs: cmake, a C compiler, GNU time (`apt-get install time`: the script
# says so rather than installing it). tcpdump and tshark are optional.
# Files: everything lands in build-release/ (ignored by git); the two 2M
# captures take about 1 GB. Environment: CC (default cc), BENCH_DIR (default
# build-release/bench), TSHARK_PACKETS (default 200000), KDB_MESSAGES (default
# 500000: bench-kdb.pcap, about 390 MB), BENCH_NICE (a
# niceness for the measured commands, e.g. -15 as root on a shared machine, so
# that background work stretches their wall time less; default: unchanged).
# For comparable numbers keep the machine otherwise idle (the script warns when
# the load average says it is not); the captures are read once before timing
# so that all runs read from the page cache.

set -u
export LC_ALL=C

with_tshark=0
args=()
capture=
while [ $# -gt 0 ]; do
    case $1 in
        --with-tshark) with_tshark=1 ;;
        --capture)
            [ $# -ge 2 ] && [ -s "$2" ] || { echo "run.sh: --capture needs a pcap file" >&2; exit 2; }
            capture=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
            shift ;;
        -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) args+=("$1") ;;
    esac
    shift
done
if [ -n "$capture" ]; then
    # the capture's own packets; the one number left is RUNS
    [ ${#args[@]} -le 1 ] || { echo "run.sh: --capture FILE takes [RUNS] only" >&2; exit 2; }
    PACKETS=100
    RUNS=${args[0]:-5}
else
    PACKETS=${args[0]:-2000000}
    RUNS=${args[1]:-5}
fi
case $PACKETS$RUNS in *[!0-9]*|'') echo "run.sh: PACKETS and RUNS are numbers" >&2; exit 2 ;; esac
[ "$RUNS" -ge 1 ] && [ "$PACKETS" -ge 100 ] || { echo "run.sh: need PACKETS >= 100 and RUNS >= 1" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build-release
bench=${BENCH_DIR:-$build/bench}
shared=$root/../shared
naive_src=$shared/bench/naive.c
CC=${CC:-cc}
TSHARK_PACKETS=${TSHARK_PACKETS:-200000}
KDB_MESSAGES=${KDB_MESSAGES:-500000}
crashed=0

say() { printf '%s\n' "$*"; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }

if ! /usr/bin/time -f '%e %M' true >/dev/null 2>&1; then
    die "GNU time is missing: install it with 'apt-get install time' (Debian package 'time') and run again"
fi
command -v cmake >/dev/null || die "cmake is missing"
command -v "$CC" >/dev/null || die "no C compiler ($CC)"
[ -f "$naive_src" ] || die "baseline $naive_src not found (../shared/bench/naive.c beside the repository)"
mkdir -p "$bench" || die "cannot create $bench"

# ---- 1. pcap2kdb, Release ------------------------------------------------
pcap2kdb=$build/pcap2kdb
say "== building pcap2kdb (Release) in $build"
if [ -f "$root/CMakeLists.txt" ] &&
   cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$bench/cmake.log" 2>&1 &&
   cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >>"$bench/cmake.log" 2>&1 &&
   [ -x "$pcap2kdb" ]; then
    rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
    git -C "$root" diff --quiet HEAD -- 2>/dev/null || rev="$rev + uncommitted changes"
    say "   ok: $pcap2kdb (source: $rev)"
else
    say "   pcap2kdb MISSING: the Release build failed or produced no $pcap2kdb (log: $bench/cmake.log); measuring the others"
    pcap2kdb=
fi

# ---- 2. generator and baseline -------------------------------------------
say "== building gen_fixtraffic and naive.c (-O2) in $bench"
"$CC" -std=c11 -O2 -o "$bench/gen_fixtraffic" "$here/gen_fixtraffic.c" || die "generator build failed"
"$CC" -O2 -o "$bench/naive" "$naive_src" || die "naive.c build failed"

# ---- 3. captures ---------------------------------------------------------
gen_id=$(cat "$here/gen_fixtraffic.c" | cksum | cut -d' ' -f1)
# made FILE STAMP HOW CMD...: FILE is up to date when its stamp file says
# STAMP; otherwise CMD writes FILE.tmp (its messages into FILE.info, which
# the generator's summary is read from), which becomes FILE.
made() {
    local f=$1 want=$2 how=$3
    shift 3
    if [ -s "$f" ] && [ "$(cat "$f.stamp" 2>/dev/null)" = "$want" ]; then
        say "   $(basename "$f"): up to date"
        return
    fi
    "$@" 2>"$f.info" || die "making $f failed: $(cat "$f.info")"
    mv "$f.tmp" "$f" && printf '%s\n' "$want" >"$f.stamp"
    say "   $(basename "$f"): $how"
}
gen_capture() { # FILE PACKETS FORMAT
    made "$1" "$gen_id $2 $3" generated "$bench/gen_fixtraffic" -n "$2" -f "$3" -o "$1.tmp"
}
# --capture FILE: that capture instead of the generated one; its pcapng and
# its first TSHARK_PACKETS packets made with editcap
from_capture() { # OUT FORMAT [RANGE]: editcap -F FORMAT [-r] FILE OUT [RANGE]
    local want="$(stat -c '%s %Y' "$capture") $*" how="made from $(basename "$capture")"
    if [ -n "${3:-}" ]; then
        made "$1" "$want" "$how" editcap -r -F "$2" "$capture" "$1.tmp" "$3"
    else
        made "$1" "$want" "$how" editcap -F "$2" "$capture" "$1.tmp"
    fi
}
say "== captures in $bench"
if [ -n "$capture" ]; then
    command -v editcap >/dev/null || die "--capture needs editcap (Debian package wireshark-common) for the pcapng copy"
    [ "$(od -An -tx4 -N4 "$capture" | tr -d ' ')" = a1b2c3d4 ] ||
        die "--capture: $capture is not a little-endian microsecond pcap (naive.c reads only that)"
    pcap=$capture
    pcapng=$bench/capture.pcapng
    from_capture "$pcapng" pcapng
    if [ -n "$pcap2kdb" ]; then
        PACKETS=$(( $("$pcap2kdb" --threads 1 --columns frame "$pcap" | wc -l) - 1 ))
    else
        PACKETS=$(( $("$bench/naive" "$pcap" | wc -l) - 1 ))
    fi
    say "   $(basename "$pcap"): $PACKETS packets, $(stat -c %s "$pcap") bytes"
else
    pcap=$bench/bench.pcap
    pcapng=$bench/bench.pcapng
    gen_capture "$pcap" "$PACKETS" pcap
    gen_capture "$pcapng" "$PACKETS" pcapng
fi
if [ "$with_tshark" = 1 ] || [ "$PACKETS" -le "$TSHARK_PACKETS" ]; then
    tshark_file=$pcap tshark_packets=$PACKETS
elif [ -n "$capture" ]; then
    tshark_file=$bench/capture-tshark.pcap tshark_packets=$TSHARK_PACKETS
    command -v tshark >/dev/null && from_capture "$tshark_file" pcap "1-$TSHARK_PACKETS"
else
    tshark_file=$bench/bench-tshark.pcap tshark_packets=$TSHARK_PACKETS
    command -v tshark >/dev/null && gen_capture "$tshark_file" "$TSHARK_PACKETS" pcap
fi
# --kdb: a tickerplant's small (about 650-byte) .u.upd messages, one a segment
kdbcap=$bench/bench-kdb.pcap
made "$kdbcap" "$gen_id kdb $KDB_MESSAGES" generated \
    "$bench/gen_fixtraffic" --kdb "$KDB_MESSAGES" -o "$kdbcap.tmp"
kdb_packets=$(sed -n 's/^gen_fixtraffic: \([0-9]*\) packets.*/\1/p' "$kdbcap.info")
[ -n "$capture" ] || sed 's/^gen_fixtraffic: /   content: /' "$pcap.info"
sed 's/^gen_fixtraffic: /   bench-kdb.pcap: /' "$kdbcap.info"
size_of() { stat -c %s "$1"; }
say "   $(basename "$pcap") $(size_of "$pcap") bytes, $(basename "$pcapng") $(size_of "$pcapng") bytes"

# ---- 4. the tools --------------------------------------------------------
# name | packets | capture file | command (eval'd, stdout to /dev/null)
tools=()
# indices 0-2 and 4-7 are fixed: the targets below refer to them
cores=$(nproc 2>/dev/null || echo 1)
[ "$cores" -gt 8 ] && cores=8 # --threads takes at most 8
if [ -n "$pcap2kdb" ]; then
    tools+=("pcap2kdb csv pcap -T1|$PACKETS|$pcap|\"$pcap2kdb\" --threads 1 \"$pcap\"")
    tools+=("pcap2kdb csv pcapng -T1|$PACKETS|$pcapng|\"$pcap2kdb\" --threads 1 \"$pcapng\"")
    tools+=("pcap2kdb -f q pcap -T1|$PACKETS|$pcap|\"$pcap2kdb\" --threads 1 -f q \"$pcap\"")
fi
tools+=("naive.c -O2 pcap|$PACKETS|$pcap|\"$bench/naive\" \"$pcap\"")
tools+=("cat pcap >/dev/null|$PACKETS|$pcap|cat \"$pcap\"")
if [ -n "$pcap2kdb" ]; then
    # all cores: --threads CORES (the default is one thread)
    tools+=("pcap2kdb csv pcap all cores|$PACKETS|$pcap|\"$pcap2kdb\" --threads $cores \"$pcap\"")
    tools+=("pcap2kdb csv pcapng all cores|$PACKETS|$pcapng|\"$pcap2kdb\" --threads $cores \"$pcapng\"")
    tools+=("pcap2kdb -f q pcap all cores|$PACKETS|$pcap|\"$pcap2kdb\" --threads $cores -f q \"$pcap\"")
    tools+=("pcap2kdb --fix pcap -T1|$PACKETS|$pcap|\"$pcap2kdb\" --threads 1 --fix \"$pcap\"")
    tools+=("pcap2kdb --kdb kdb.pcap -T1|${kdb_packets:-0}|$kdbcap|\"$pcap2kdb\" --threads 1 --kdb \"$kdbcap\"")
fi
if command -v tcpdump >/dev/null; then
    tools+=("tcpdump -nn -tt pcap|$PACKETS|$pcap|tcpdump -nn -tt -r \"$pcap\"")
else
    say "   tcpdump not installed: skipped"
fi
if command -v tshark >/dev/null; then
    tshark_fields="-e frame.time_epoch -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport -e ip.proto -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.window_size -e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr -e frame.len -e tcp.len"
    tlabel="tshark -T fields pcap"
    [ "$tshark_file" = "$pcap" ] || tlabel="tshark -T fields ($tshark_packets pkts)"
    tools+=("$tlabel|$tshark_packets|$tshark_file|tshark -n -r \"$tshark_file\" -T fields -E separator=, $tshark_fields")
else
    say "   tshark not installed: skipped"
fi

# warm the page cache
for f in "$pcap" "$pcapng" "$tshark_file" "$kdbcap"; do cat "$f" >/dev/null 2>&1; done

say ""
say "== machine: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cpus, $(uname -sr)"
say "   $("$CC" --version | head -1)"
load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0; }
busy() { awk -v l="$(load)" -v n="$(nproc 2>/dev/null || echo 1)" 'BEGIN { exit !(l > n * 0.75) }'; }
busy && say "   WARNING: load average $(load) on $(nproc) cpus before the runs: wall times will be noisy"
say "== $RUNS runs of $PACKETS packets (tools interleaved within each run)"

nice_cmd=
if [ -n "${BENCH_NICE:-}" ]; then
    if [ "$(nice -n "$BENCH_NICE" nice 2>/dev/null)" = "$BENCH_NICE" ]; then
        nice_cmd="nice -n $BENCH_NICE"
        say "   every measured command runs under nice -n $BENCH_NICE"
    else
        say "   BENCH_NICE=$BENCH_NICE: cannot set that niceness here (< 0 needs root); running at normal priority"
    fi
fi
results=$bench/results.txt   # tool-index run wall-seconds rss-kib cpu-seconds
: >"$results"
now_us() { local t=${EPOCHREALTIME/./}; [ -n "$t" ] && echo "$t" || echo $(( $(date +%s%N) / 1000 )); }
for ((r = 1; r <= RUNS; r++)); do
    line="   run $r:"
    for i in "${!tools[@]}"; do
        IFS='|' read -r name n file cmd <<<"${tools[$i]}"
        tf=$bench/time.$i
        t0=$(now_us)
        eval "/usr/bin/time -f '%e %M %U %S' -o \"$tf\" $nice_cmd $cmd" >/dev/null 2>"$bench/stderr.$i"
        rc=$?
        t1=$(now_us)
        if [ "$rc" -ne 0 ]; then
            say "   $name: FAILED (exit $rc) in run $r: $(tail -n 3 "$bench/stderr.$i" | tr '\n' ' ') $(head -n 1 "$tf")"
            crashed=1
            continue
        fi
        read -r _ rss usr sys < <(tail -n 1 "$tf")
        secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e6 }')
        cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
        printf '%s %s %s %s %s\n' "$i" "$r" "$secs" "$rss" "$cpu" >>"$results"
        line="$line $(printf '%.2fs' "$secs")"
    done
    say "$line"
done

busy && say "   WARNING: load average $(load) on $(nproc) cpus after the runs: other work ran beside the benchmark"

# ---- 5. table --------------------------------------------------------------
median_of_lines() {
    sort -g | awk '{ v[NR] = $1 } END { if (!NR) exit; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
median() { # tool-index column(3 wall, 5 cpu) -> median over the runs
    awk -v i="$1" -v c="${2:-3}" '$1 == i { print $c }' "$results" | median_of_lines
}
run_ratio() { # i j column -> median over runs of (tool i / tool j), same run
    awk -v i="$1" -v j="$2" -v c="$3" '$1 == i { a[$2] = $c } $1 == j { b[$2] = $c }
        END { for (r in a) if ((r in b) && b[r] > 0) print a[r] / b[r] }' "$results" | median_of_lines
}
maxrss() { awk -v i="$1" '$1 == i && $4 > m { m = $4 } END { if (m) printf "%.1f", m / 1024 }' "$results"; }

declare -A med cpu pps rss
naive_pps= naive_i=
for i in "${!tools[@]}"; do
    IFS='|' read -r name n file cmd <<<"${tools[$i]}"
    med[$i]=$(median "$i")
    cpu[$i]=$(median "$i" 5)
    [ -n "${med[$i]}" ] || continue
    pps[$i]=$(awk -v n="$n" -v s="${med[$i]}" 'BEGIN { printf "%.0f", n / s }')
    rss[$i]=$(maxrss "$i")
    case $name in naive*) naive_pps=${pps[$i]} naive_i=$i ;; esac
done

say ""
printf '%-30s %9s %8s %11s %8s %8s %8s\n' tool "median s" "cpu s" packets/s MB/s "RSS MiB" "x naive"
for i in "${!tools[@]}"; do
    IFS='|' read -r name n file cmd <<<"${tools[$i]}"
    if [ -z "${med[$i]:-}" ]; then printf '%-30s %9s\n' "$name" "failed"; continue; fi
    mbs=$(awk -v b="$(size_of "$file")" -v s="${med[$i]}" 'BEGIN { printf "%.1f", b / 1e6 / s }')
    ratio=$(awk -v a="${pps[$i]}" -v b="${naive_pps:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    printf '%-30s %9.3f %8.2f %11s %8s %8s %8s\n' "$name" "${med[$i]}" "${cpu[$i]}" "${pps[$i]}" "$mbs" "${rss[$i]}" "$ratio"
done
if [ -n "$pcap2kdb" ] && [ -n "${med[8]:-}" ]; then
    fixmsgs=$(( $("$pcap2kdb" --fix --columns time "$pcap" 2>/dev/null | wc -l) - 1 ))
    say "$(awk -v m="$fixmsgs" -v s="${med[8]}" 'BEGIN { printf "--fix --threads 1: %d FIX messages, %.0f messages/s (issue: about 2M/s)", m, m / s }')"
fi
if [ -n "$pcap2kdb" ] && [ -n "${med[9]:-}" ]; then
    kdbmsgs=$(( $("$pcap2kdb" --kdb --columns time "$kdbcap" 2>/dev/null | wc -l) - 1 ))
    kdbrate=$(awk -v m="$kdbmsgs" -v s="${med[9]}" 'BEGIN { printf "%.0f", m / s }')
    say "--kdb --threads 1: $kdbmsgs kdb+ messages of about 650 bytes, $kdbrate messages/s"
fi
[ "$tshark_file" = "$pcap" ] || say "(tshark read $(basename "$tshark_file"), the first $tshark_packets packets of the same traffic; --with-tshark makes it read the full capture)"

say ""
say "== targets (informative): median over the $RUNS runs of the ratio within each run, wall time"
say "   (the same ratio on user+sys CPU seconds in brackets: steadier when the machine is busy)"
verdict() { awk -v v="$1" -v lim="$2" -v op="$3" 'BEGIN { ok = op == ">=" ? v >= lim : op == "<=" ? v <= lim : v < lim; print ok ? "PASS" : "FAIL" }'; }
target() { # label i j limit op: ratio of tool i to tool j (j over i for ">=", a speed-up)
    local label=$1 i=$2 j=$3 lim=$4 op=$5 w c
    if [ -z "$pcap2kdb" ] || [ -z "$i" ] || [ -z "$j" ] || [ -z "${med[$i]:-}" ] || [ -z "${med[$j]:-}" ]; then
        printf '   %-40s %6s %9s  (%s %.2f)  %s\n' "$label" "-" "" "$op" "$lim" "n/a"
        return
    fi
    if [ "$op" = ">=" ]; then w=$(run_ratio "$j" "$i" 3) c=$(run_ratio "$j" "$i" 5)
    else w=$(run_ratio "$i" "$j" 3) c=$(run_ratio "$i" "$j" 5); fi
    w=$(printf '%.2f' "$w"); c=$(printf '%.2f' "${c:-0}")
    printf '   %-40s %6s %9s  (%s %.2f)  %s\n' "$label" "$w" "[$c]" "$op" "$lim" "$(verdict "$w" "$lim" "$op")"
}
target "pcap2kdb CSV pcap packets/s / naive.c" 0 "$naive_i" 1.5 ">="
target "pcapng time / pcap time" 1 0 1.10 "<="
target "-f q time / CSV time (--threads 1)" 2 0 1.10 "<="
target "CSV all cores time / cat time" 5 4 1.30 "<="
target "CSV speed-up, all cores / --threads 1" 5 0 1.60 ">="
target "--fix --threads 1 time / naive.c time" 8 "$naive_i" 1.00 "<="
if [ -n "${kdbrate:-}" ]; then
    printf '   %-40s %6s %9s  (%s %s)  %s\n' "--kdb small messages/s (M)" \
        "$(awk -v r="$kdbrate" 'BEGIN { printf "%.2f", r / 1e6 }')" "" ">=" "1.00" \
        "$(verdict "$kdbrate" 1000000 ">=")"
fi
if [ "$cores" -le 1 ]; then
    say "   (one CPU online: 'all cores' is --threads 1, the one-thread path)"
else
    say "   (all cores: --threads $cores here; the default is 1)"
fi
if [ -n "$pcap2kdb" ] && [ -n "${rss[0]:-}" ]; then
    m=$(printf '%s\n' "${rss[0]}" "${rss[1]:-0}" "${rss[2]:-0}" "${rss[5]:-0}" "${rss[6]:-0}" "${rss[7]:-0}" | sort -g | tail -n 1)
    printf '   %-40s %6s %9s  (<  16.0)  %s\n' "pcap2kdb peak RSS MiB (all its runs)" "$m" "" "$(verdict "$m" 16 '<')"
else
    printf '   %-40s %6s %9s  (<  16.0)  %s\n' "pcap2kdb peak RSS MiB (all its runs)" "-" "" "n/a"
fi
[ -n "$pcap2kdb" ] || say "   (pcap2kdb missing: nothing to compare)"

# ---- 6. sanity, untimed ----------------------------------------------------
if [ -n "$pcap2kdb" ]; then
    say ""
    say "== sanity (untimed)"
    for f in "$pcap" "$pcapng"; do
        rows=$("$pcap2kdb" "$f" 2>/dev/null | wc -l)
        if [ "$rows" -eq $((PACKETS + 1)) ]; then
            say "   $(basename "$f"): $rows lines = header + $PACKETS rows"
        else
            say "   $(basename "$f"): $rows lines, expected $((PACKETS + 1)) (header + one row per packet)"
        fi
    done
    k=100000
    # columns but sym (2) and win (11)
    a=$("$pcap2kdb" "$pcap" 2>/dev/null | head -n $((k + 1)) | cut -d, -f1,3-10,12- | cksum)
    b=$("$bench/naive" "$pcap" | head -n $((k + 1)) | cut -d, -f1,3-10,12- | cksum)
    if [ "$a" = "$b" ]; then
        say "   first $k rows match naive.c (all columns but sym and win)"
    else
        say "   first $k rows DIFFER from naive.c in columns other than sym and win"
    fi
fi

exit "$crashed"
