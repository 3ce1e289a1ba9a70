#!/usr/bin/env bash
# The whole test suite, as README.md gives it and CI runs it:
#   1. a normal build and every ctest (unit, golden, corpus differential, ...)
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the libFuzzer targets (clang): corpus replay and a short session
#      (FUZZ_SECONDS, default 60; tests/fuzz/README.md for long sessions)
# Corpus tests read ../shared/corpus and skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build -DPCAP2KDB_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== build and test under ASan + UBSan (clang)"
cmake -S . -B build-asan -DPCAP2KDB_TESTS=ON -DPCAP2KDB_SANITIZE=ON \
      -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== fuzz: replay tests/fuzz corpora, then fuzz each target (about a minute in all)"
bash tests/fuzz/run.sh "${FUZZ_SECONDS:-60}"

echo "== Debian package: build, install, check, remove (needs root)"
if [ "$(id -u)" = 0 ]; then
    bash tests/package_test.sh
else
    echo "package test skipped: it installs a package and needs root (CI runs it)"
fi
