#!/usr/bin/env bash
# Configures and builds GraphSqueeze (Release) into ${GSQ_BUILD_DIR:-build}.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${GSQ_BUILD_DIR:-build}"
# ccache (when installed) keys on paths relative to the checkout, so clones elsewhere reuse it.
export CCACHE_BASEDIR="$PWD"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DGSQ_WERROR="${GSQ_WERROR:-OFF}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
