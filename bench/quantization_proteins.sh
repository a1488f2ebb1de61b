#!/usr/bin/env bash
# Issue 3 acceptance for quantization on GIN-5x64 / PROTEINS (10-fold): the five quantization
# presets, run as two experiments side by side (one core each) that share each fold's fp32 base.
# Usage: bench/quantization_proteins.sh [OUT_DIR]   (needs a build: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/bench-quantization}
cli=build/graphsqueeze-cli
"$cli" run bench/proteins-gin-quant-a.yaml --out "$out/a" --threads 1 --quiet > "$out-a.log" 2>&1 &
pa=$!
"$cli" run bench/proteins-gin-quant-b.yaml --out "$out/b" --threads 1 --quiet > "$out-b.log" 2>&1 &
pb=$!
wait $pa
wait $pb
for part in a b; do
  echo "== $part"
  cut -d, -f5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22 "$out/$part/summary.csv" | column -t -s,
done
