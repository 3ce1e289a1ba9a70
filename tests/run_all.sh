#!/usr/bin/env bash
# The whole test suite, as README.md gives it and CI runs it:
#   1. a normal build and every ctest test (tiers unit, golden, robust, corpus;
#      tests/CMakeLists.txt says what each holds)
#   2. AddressSanitizer + UndefinedBehaviorSanitizer (clang): the unit, golden
#      and robust tiers again, and the corpus tier on a sample of the corpus
#      (tests/corpus_sample.py); FULL=1 runs the whole corpus under the
#      sanitizers instead
#   2b. ThreadSanitizer (clang): the unit tier, tests/threads_test.sh and threads_faults_test.sh (#19),
#      built without SSE2's macro (-U__SSE2__) so that the plain C fallbacks
#      of the SSE2 code (--fix's parser, the CSV escape test) are tested too
#   3. the libFuzzer targets (clang): corpus replay and a short session
#      (FUZZ_SECONDS, default 60; tests/fuzz/README.md for long sessions)
#   4. the Debian package: build, install, check, remove (needs root)
# Each stage prints its time (wall, and user+sys CPU seconds). Corpus tests
# show as "Skipped" without ../shared/corpus ($PCAP2KDB_CORPUS). A stage that
# cannot run here (no root for the package) is listed at the end as SKIPPED;
# under CI (CI=1, as .ci/run sets) that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
full=${FULL:-0}
skipped=()
TIMEFORMAT='   stage time: %1R s wall, %1U s user + %1S s sys'

echo "== build and test (RelWithDebInfo)"
time {
    cmake -S . -B build -DPCAP2KDB_TESTS=ON >/dev/null
    cmake --build build -j"$jobs"
    ctest --test-dir build --output-on-failure -j"$jobs"
}

echo "== build and test under ASan + UBSan (clang): unit, golden, robust;" \
     "corpus $([ "$full" = 1 ] && echo "in full" || echo "sample")"
time {
    cmake -S . -B build-asan -DPCAP2KDB_TESTS=ON -DPCAP2KDB_SANITIZE=ON \
          -DPCAP2KDB_FULL_CORPUS="$([ "$full" = 1 ] && echo ON || echo OFF)" \
          -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug >/dev/null
    cmake --build build-asan -j"$jobs"
    PCAP2KDB_FULL=$full \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        ctest --test-dir build-asan --output-on-failure -j"$jobs" -L 'unit|golden|robust|corpus'
}

echo "== ThreadSanitizer (clang, the SSE2 code's plain C fallbacks): unit tier and tests/threads_test.sh"
time {
    cmake -S . -B build-tsan -DPCAP2KDB_TESTS=ON -DPCAP2KDB_TSAN=ON \
          -DCMAKE_C_FLAGS=-U__SSE2__ \
          -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build-tsan -j"$jobs"
    # one run, so that threads_test.sh (label threads) overlaps the unit tier
    TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
        ctest --test-dir build-tsan --output-on-failure -j"$jobs" -L '^(unit|threads)$'
}

echo "== fuzz: replay tests/fuzz corpora, then fuzz each target (about a minute in all)"
time bash tests/fuzz/run.sh "${FUZZ_SECONDS:-60}"

echo "== Debian package: build, install, check, remove (needs root)"
if [ "$(id -u)" = 0 ]; then
    time bash tests/package_test.sh
else
    echo "package test not run: it installs a package and needs root (CI runs it)"
    skipped+=("Debian package test (needs root)")
fi

if [ ${#skipped[@]} -gt 0 ]; then
    printf 'SKIPPED: %s\n' "${skipped[@]}"
    if [ -n "${CI:-}" ]; then
        echo "under CI nothing may be skipped"
        exit 1
    fi
fi
echo "== all stages passed"
