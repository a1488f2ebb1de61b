#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install dependencies, build, run the main job.
# With a display and the desktop app built, the GUI starts; otherwise the CLI runs the
# quickstart experiment (GCN on Cora) with a progress bar and a results table.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
build_dir="${GSQ_BUILD_DIR:-build}"
if [ -x "$build_dir/graphsqueeze" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$build_dir/graphsqueeze" "$@"
fi
exec "$build_dir/graphsqueeze-cli" run resources/experiments/quickstart.yaml "$@"
