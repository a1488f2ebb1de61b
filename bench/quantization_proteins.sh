#!/usr/bin/env bash
# Acceptance run for quantization on GIN-5x64 / PROTEINS: every quantization preset's steps on
# one shared fp32 base per (seed, fold), 10 folds x 3 seeds, as two cells side by side (one core
# each), merged, then compared pair by pair with the strong INT4 QAT and the fp32 base.
# The run takes several core-hours, so it is built to span sittings: each cell's journal is kept
# gzipped in bench/results/<experiment>/ (refreshed while the cells run; commit it), and
# a later run continues from there (--resume) instead of starting over.
# Usage: bench/quantization_proteins.sh [OUT_DIR [YAML]]   (needs a build: scripts/build.sh)
#   YAML defaults to bench/proteins-gin-quant-paired.yaml; bench/proteins-gin-qat8-strong.yaml is
#   the same protocol with the strong INT8 QAT alone (its bases equal the main run's, so the two
#   runs' rows pair up: graphsqueeze-cli paired takes the cells of both).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/bench-quantization}
yaml=${2:-bench/proteins-gin-quant-paired.yaml}
kept=bench/results/$(basename "$yaml" .yaml)
cli=${GSQ_CLI:-build/graphsqueeze-cli}
mkdir -p "$out" "$kept"
start=$(date +%s)
for cell in 0 1; do
  resume=()
  if [ ! -f "$out/cell$cell/jobs.journal" ] && [ -f "$kept/cell$cell.journal.gz" ]; then
    mkdir -p "$out/cell$cell"
    gunzip -c "$kept/cell$cell.journal.gz" > "$out/cell$cell/jobs.journal"
  fi
  [ -f "$out/cell$cell/jobs.journal" ] && resume=(--resume)
  "$cli" run "$yaml" --out "$out/cell$cell" --cell "$cell/2" --threads 1 --quiet "${resume[@]}" \
    > "$out/cell$cell.log" 2>&1 &
done
# Keep the journals while the cells run (each block is appended and fsync'ed when its job ends; a
# block cut off mid-copy is dropped when the run resumes).
keep() {
  for cell in 0 1; do
    [ -f "$out/cell$cell/jobs.journal" ] || continue
    gzip -9 -c "$out/cell$cell/jobs.journal" > "$kept/cell$cell.journal.gz.tmp"
    mv "$kept/cell$cell.journal.gz.tmp" "$kept/cell$cell.journal.gz"
  done
}
while [ -n "$(jobs -r)" ]; do
  sleep 60
  keep
done
wait
keep
echo "wall time: $(( $(date +%s) - start )) s (two cells, one thread each)"
"$cli" merge "$out/all" "$out/cell0" "$out/cell1" > "$out/merge.log"
cut -d, -f5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22 "$out/all/summary.csv" | column -t -s,
[ "$yaml" = bench/proteins-gin-quant-paired.yaml ] || exit 0
echo
"$cli" paired "$out/cell0" "$out/cell1"
echo
"$cli" paired "$out/cell0" "$out/cell1" --baseline "qat bits=4 observer=percentile per_channel"
echo
"$cli" paired "$out/cell0" "$out/cell1" --baseline "degree_quant bits=4 protect_change=0"
echo
"$cli" paired "$out/cell0" "$out/cell1" --deployed
