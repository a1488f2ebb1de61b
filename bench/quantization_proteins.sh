#!/usr/bin/env bash
# Acceptance run for quantization on GIN-5x64 / PROTEINS: every quantization preset's steps on
# one shared fp32 base per (seed, fold), 10 folds x 3 seeds, as two cells side by side (one core
# each), merged, then compared pair by pair with the strong INT4 QAT and the fp32 base.
# Usage: bench/quantization_proteins.sh [OUT_DIR]   (needs a build: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/bench-quantization}
cli=build/graphsqueeze-cli
yaml=bench/proteins-gin-quant-paired.yaml
mkdir -p "$out"
start=$(date +%s)
for cell in 0 1; do
  "$cli" run "$yaml" --out "$out/cell$cell" --cell "$cell/2" --threads 1 --quiet > "$out/cell$cell.log" 2>&1 &
done
wait
echo "wall time: $(( $(date +%s) - start )) s (two cells, one thread each)"
"$cli" merge "$out/all" "$out/cell0" "$out/cell1" > "$out/merge.log"
cut -d, -f5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22 "$out/all/summary.csv" | column -t -s,
echo
"$cli" paired "$out/cell0" "$out/cell1"
echo
"$cli" paired "$out/cell0" "$out/cell1" --baseline "qat bits=4 observer=percentile per_channel"
echo
"$cli" paired "$out/cell0" "$out/cell1" --baseline "degree_quant bits=4 protect_change=0"
echo
"$cli" paired "$out/cell0" "$out/cell1" --deployed
