#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] [TARGET...]: build the libFuzzer targets with
# clang (-fsanitize=fuzzer,address,undefined) into build-fuzz/, replay the
# regression corpus and the seeds, then fuzz each target for SECONDS
# (default 60, split evenly between the targets; 0 = replay only).
#
#   TARGET        fuzz_convert (capture bytes through reader, decoders, flow
#                 table and every output mode: packets CSV/q, --fix CSV/q,
#                 --flows), fuzz_kdb_ipc (src/modes/kdb/kdb_ipc.c), fuzz_fix (src/modes/fix/fix.c);
#                 default: all three
#   FUZZ_JOBS=N   run N fuzzing processes per target (libFuzzer -fork=N)
#   FUZZ_ARGS     more libFuzzer flags, e.g. FUZZ_ARGS="-max_len=65536"
#
# Dictionaries: tests/fuzz/TARGET.dict when present.
# Inputs: tests/fuzz/corpus/TARGET (inputs that found bugs: kept for ever),
# tests/fuzz/seeds/TARGET, testdata/ and, when present, the small captures of
# ../shared/corpus (fuzz_convert). New coverage goes to
# build-fuzz/work/TARGET (kept between runs, never committed); a crash is
# written to build-fuzz/artifacts/ and fails the script: minimise it
# (./build-fuzz/tests/fuzz/TARGET -minimize_crash=1 -runs=10000 FILE), fix
# the bug, and add the input to tests/fuzz/corpus/TARGET. The last line is
# "N passed, N failed" (one per replay and per fuzzing session).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_convert fuzz_kdb_ipc fuzz_fix)
build=$root/build-fuzz
cc=${CC:-clang}

mkdir -p "$build"
if ! command -v "$cc" > /dev/null 2>&1; then
    echo "run.sh: $cc not found (apt-get install clang)" >&2
    exit 1
fi
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DPCAP2KDB_FUZZ=ON \
      -DPCAP2KDB_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build/cmake.log" 2>&1 &&
    cmake --build "$build" -j"$(nproc)" >> "$build/cmake.log" 2>&1 || {
    cat "$build/cmake.log" >&2
    echo "run.sh: build failed" >&2
    exit 1
}

# Seeds of fuzz_convert from ../shared/corpus: the captures up to 16 KiB.
shared_seeds=$build/seeds-shared
corpus=${PCAP2KDB_CORPUS:-$root/../shared/corpus}
if [ ! -d "$shared_seeds" ] && [ -d "$corpus" ]; then
    mkdir -p "$shared_seeds"
    find "$corpus" -maxdepth 1 -type f \
         \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -size -16k \
         -exec cp {} "$shared_seeds/" \;
fi

mkdir -p "$build/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0
per=$(( secs / ${#targets[@]} ))
for t in "${targets[@]}"; do
    bin=$build/tests/fuzz/$t
    [ -x "$bin" ] || { echo "run.sh: no target $t" >&2; failed=$((failed + 1)); continue; }
    dirs=()
    for d in "$here/corpus/$t" "$here/seeds/$t"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    if [ "$t" = fuzz_convert ]; then
        dirs+=("$root/testdata")
        [ -d "$shared_seeds" ] && dirs+=("$shared_seeds")
    fi
    # replay: every kept input once
    if "$bin" -runs=0 -artifact_prefix="$build/artifacts/$t-" "${dirs[@]}" \
         > "$build/$t.replay.log" 2>&1; then
        echo "ok   $t: replayed $(grep -o '[0-9]* files found' "$build/$t.replay.log" |
                                  awk '{ n += $1 } END { print n }') inputs"
        passed=$((passed + 1))
    else
        echo "FAIL $t: replay crashed (build-fuzz/$t.replay.log):"
        grep -E 'ERROR|runtime error|SUMMARY|Test unit' "$build/$t.replay.log" | head -10
        failed=$((failed + 1))
        continue
    fi
    [ "$per" -gt 0 ] || continue
    work=$build/work/$t
    mkdir -p "$work"
    jobs=()
    [ -n "${FUZZ_JOBS:-}" ] && jobs=(-fork="$FUZZ_JOBS")
    [ -f "$here/$t.dict" ] && jobs+=(-dict="$here/$t.dict")
    # shellcheck disable=SC2086
    "$bin" "${jobs[@]}" -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" ${FUZZ_ARGS:-} \
        "$work" "${dirs[@]}" > "$build/$t.fuzz.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$t.fuzz.log" | tail -1)
    [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$build/$t.fuzz.log" | tail -1 | tr -d '#')
    if [ $rc -eq 0 ]; then
        echo "ok   $t: fuzzed ${per}s, ${runs:-?} executions, corpus $(ls "$work" | wc -l) inputs"
        passed=$((passed + 1))
    else
        echo "FAIL $t: fuzzing found a bug after ${runs:-?} executions (build-fuzz/$t.fuzz.log):"
        grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$build/$t.fuzz.log" | head -10
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
