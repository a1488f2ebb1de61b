#!/usr/bin/env bash
# Configures the sanitizer build directory (${GSQ_ASAN_BUILD_DIR:-build-asan}) that
# scripts/sanitize.sh and scripts/fuzz.sh share: clang-14, ASan + UBSan, libFuzzer's coverage
# instrumentation. One set of flags for both, so neither rebuilds the other's objects.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-fuzz.sh
build_dir="${GSQ_ASAN_BUILD_DIR:-build-asan}"
# -O1 with line tables only: the sanitizers' stack traces name file:line, and the build costs far
# less than with full debug info (LibTorch's headers make every object large).
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DGSQ_FUZZ=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DGSQ_WERROR=OFF >/dev/null
