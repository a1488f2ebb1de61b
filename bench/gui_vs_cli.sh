#!/usr/bin/env bash
# Runs the same experiment in the desktop app (under Xvfb) and in the CLI, side by side, and
# prints the wall-time ratio and the GUI's longest event-loop stall during the run.
# Usage: bench/gui_vs_cli.sh [EXPERIMENT.yaml]   (default: quickstart, 10 seeds)
set -euo pipefail
cd "$(dirname "$0")/.."
exp="${1:-resources/experiments/quickstart.yaml}"
GSQ_WITH_BENCH=1 ./scripts/setup.sh >/dev/null
./scripts/build.sh >/dev/null
out="$(mktemp -d)"
export GRAPHSQUEEZE_HISTORY="$out/history.sqlite"

start=$(date +%s.%N)
build/graphsqueeze-cli run "$exp" --quiet --out "$out/cli" >/dev/null
cli=$(echo "$(date +%s.%N) - $start" | bc)

start=$(date +%s.%N)
xvfb-run -a -s "-screen 0 1600x1000x24" build/graphsqueeze --open "$exp" --run --quit --report-stalls \
  >"$out/gui.txt" 2>/dev/null
gui=$(echo "$(date +%s.%N) - $start" | bc)

echo "experiment    : $exp"
printf "CLI wall time : %.2f s\n" "$cli"
printf "GUI wall time : %.2f s (includes starting Xvfb and the window)\n" "$gui"
printf "GUI / CLI     : %.2f\n" "$(echo "$gui / $cli" | bc -l)"
grep "longest event-loop gap" "$out/gui.txt"
rm -rf "$out"
