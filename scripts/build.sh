#!/usr/bin/env bash
# Configures and builds GraphSqueeze (Release) into ${GSQ_BUILD_DIR:-build}.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${GSQ_BUILD_DIR:-build}"
# ccache (when installed) keys on paths relative to the checkout, so clones elsewhere reuse it.
export CCACHE_BASEDIR="$PWD"
# GSQ_WERROR=ON|OFF when given; otherwise an existing build keeps its setting (a changed flag
# would recompile everything).
werror=()
[ -n "${GSQ_WERROR:-}" ] && werror=(-DGSQ_WERROR="$GSQ_WERROR")
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "${werror[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
