#!/usr/bin/env bash
# The sanitizer build: the whole test suite compiled with clang-14, AddressSanitizer +
# UndefinedBehaviorSanitizer (leak checks included) and libFuzzer's coverage instrumentation,
# into ${GSQ_ASAN_BUILD_DIR:-build-asan}; then every test runs there, the fuzz targets over their
# committed corpus (tests/fuzz/corpus) included. The same build serves scripts/fuzz.sh.
# Any sanitizer report fails the test that triggered it. .ci/run calls this after the normal tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
build_dir="${GSQ_ASAN_BUILD_DIR:-build-asan}"
export CCACHE_BASEDIR="$PWD"
# Line tables make ccache hash the build directory by default, so no other checkout (CI's clean
# clone) would ever hit: hash without it (the line tables keep the first checkout's paths).
export CCACHE_NOHASHDIR=true
./scripts/asan-configure.sh
cmake --build "$build_dir" -j"$(nproc)"
# halt_on_error: the first report fails the test; LibTorch's and Qt's one-off allocations that
# live until exit are not leaks of ours (scripts/lsan.supp names them).
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
cd "$build_dir"
ctest --output-on-failure -j2 -E "${GSQ_ASAN_EXCLUDE:-^$}"
