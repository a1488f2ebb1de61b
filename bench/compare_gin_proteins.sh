#!/usr/bin/env bash
# Runs the plain-PyTorch GIN-0/PROTEINS reference and graphsqueeze-cli on the same model and
# protocol (resources/experiments/proteins-gin.yaml: 100 epochs, batch 128, evaluation of train,
# validation and test every epoch), side by side, and prints both times, both accuracies, the
# speed ratio, the fraction of the FLOP bound each reaches (dense-layer FLOPs per epoch over the
# machine's measured sgemm rate at this thread count) and GraphSqueeze's 2-thread scaling
# (1- and 2-thread runs alternated), and the same folds in two one-thread worker processes
# (`run --workers 2`, one fold each at a time; wall time, and whether its rows equal the
# one-thread run's). An even number of folds keeps both workers busy to the end.
# Usage: bench/compare_gin_proteins.sh [FOLDS] [THREADS]   (defaults: 4 folds, 1 thread)
set -euo pipefail
cd "$(dirname "$0")/.."
folds="${1:-4}"
threads="${2:-1}"
GSQ_WITH_BENCH=1 ./scripts/setup.sh >/dev/null
./scripts/build.sh >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== plain PyTorch (python3-torch), $folds fold(s), $threads thread(s)"
/usr/bin/python3 bench/gin_proteins_reference.py --folds "$folds" --threads "$threads" | tee "$out/ref.txt"

echo "== graphsqueeze-cli, same model and protocol, $threads thread(s)"
build/graphsqueeze-cli run resources/experiments/proteins-gin.yaml --quiet --threads "$threads" \
  --set "dataset.run_folds=$folds" --out "$out/gsq" >"$out/gsq.txt"
grep -E "base: test" "$out/gsq.txt"

if [ "$threads" = 1 ]; then
  # Two-thread scaling: 2, 1, 2 threads alternately after the 1-thread run above, so a slow or
  # fast spell of the machine weighs on both sides (a VM's speed drifts over minutes).
  echo "== graphsqueeze-cli, 2 threads, then 1, then 2 again"
  build/graphsqueeze-cli run resources/experiments/proteins-gin.yaml --quiet --threads 2 \
    --set "dataset.run_folds=$folds" --out "$out/gsq2" >/dev/null
  build/graphsqueeze-cli run resources/experiments/proteins-gin.yaml --quiet --threads 1 \
    --set "dataset.run_folds=$folds" --out "$out/gsq1b" >/dev/null
  build/graphsqueeze-cli run resources/experiments/proteins-gin.yaml --quiet --threads 2 \
    --set "dataset.run_folds=$folds" --out "$out/gsq2b" >/dev/null
  echo "== graphsqueeze-cli, 2 worker processes of 1 thread each"
  build/graphsqueeze-cli run resources/experiments/proteins-gin.yaml --quiet --threads 1 --workers 2 \
    --set "dataset.run_folds=$folds" --out "$out/gsqw" >/dev/null
fi

/usr/bin/python3 - "$out" "$threads" "$folds" <<'PY'
import csv, os, statistics, sys, time
import torch
out, threads = sys.argv[1], int(sys.argv[2])
folds = int(sys.argv[3])

def rows(d):
    return list(csv.DictReader(open(f"{d}/results.csv")))

ref = [l.split() for l in open(f"{out}/ref.txt")]
ref_acc = [float(r[3]) for r in ref]
ref_s = [float(r[5]) for r in ref]
gsq = rows(f"{out}/gsq")
gsq_acc = [float(r["test_value"]) for r in gsq]
gsq_s = [float(r["train_seconds"]) for r in gsq]

# Dense-layer FLOPs of one epoch: GIN-0 5x64 on 3 input features, per node 3*64 + 64*64 MACs in
# layer 0 and 2*64*64 in each of the other four; training = forward + two backward GEMMs (no
# input gradient for layer 0's first linear), evaluation = one forward over all 1113 graphs.
# Aggregation, BatchNorm and the head are left out (a few per cent), so the bound is a lower one.
def nodes_per_graph():
    counts = {}
    for line in open("datasets/proteins/PROTEINS_graph_indicator.txt"):
        if line.strip():
            counts[int(line)] = counts.get(int(line), 0) + 1
    return [counts[g] for g in sorted(counts)]
sizes = nodes_per_graph()
total_nodes = sum(sizes)
fwd = 3 * 64 + 64 * 64 + 4 * 2 * 64 * 64
bwd = 2 * fwd - 3 * 64
train_nodes = total_nodes * 8 / 10   # 8 of the 10 stratified folds train
flop_epoch = 2 * (train_nodes * (fwd + bwd) + total_nodes * fwd)
torch.set_num_threads(threads)
a, b = torch.randn(5000, 64), torch.randn(64, 64)
for _ in range(20):
    torch.mm(a, b)
t = time.perf_counter()
for _ in range(400):
    torch.mm(a, b)
sgemm = 400 * 2 * 5000 * 64 * 64 / (time.perf_counter() - t)
epochs = 100
bound = flop_epoch * epochs / sgemm

def pct(v):
    return f"{100 * statistics.mean(v):.2f} +- {100 * (statistics.stdev(v) if len(v) > 1 else 0):.2f} %"
print()
print(f"dense FLOPs per epoch      : {flop_epoch / 1e9:6.2f} GFLOP; sgemm at [5000x64]x[64x64], {threads} thread(s): "
      f"{sgemm / 1e9:.1f} GFLOP/s; FLOP bound {bound:.2f} s per fold")
print(f"plain PyTorch              : {statistics.mean(ref_s):7.2f} s/fold, test acc {pct(ref_acc)}, "
      f"{100 * bound / statistics.mean(ref_s):.0f} % of the FLOP bound")
print(f"GraphSqueeze               : {statistics.mean(gsq_s):7.2f} s/fold, test acc {pct(gsq_acc)}, "
      f"{100 * bound / statistics.mean(gsq_s):.0f} % of the FLOP bound")
print(f"speed-up                   : {statistics.mean(ref_s) / statistics.mean(gsq_s):7.2f} x  ({len(ref_s)} fold(s), {threads} thread(s))")
if os.path.isdir(f"{out}/gsq2"):
    secs = lambda d: [float(r["train_seconds"]) for r in rows(f"{out}/{d}")]
    one = gsq_s + secs("gsq1b")
    two = secs("gsq2") + secs("gsq2b")
    print(f"GraphSqueeze, 1 thread     : {statistics.mean(gsq_s):7.2f} and {statistics.mean(secs('gsq1b')):.2f} s/fold")
    print(f"GraphSqueeze, 2 threads    : {statistics.mean(secs('gsq2')):7.2f} and {statistics.mean(secs('gsq2b')):.2f} s/fold, "
          f"{statistics.mean(one) / statistics.mean(two):.2f} x faster than 1 thread (all {len(one)} folds each)")
    same = [float(r["test_value"]) for r in rows(f"{out}/gsq2")] == [float(r["test_value"]) for r in rows(f"{out}/gsq2b")]
    print(f"2-thread runs give the same test accuracies: {same}")
    import json
    wall = lambda d: json.load(open(f"{out}/{d}/run.json"))["total_seconds"]
    one_wall = (wall("gsq") + wall("gsq1b")) / 2
    two_wall = (wall("gsq2") + wall("gsq2b")) / 2
    print(f"wall time per run          : 1 thread {wall('gsq'):.1f} and {wall('gsq1b'):.1f} s, 2 threads {wall('gsq2'):.1f} "
          f"and {wall('gsq2b'):.1f} s, 2 workers {wall('gsqw'):.1f} s")
    print(f"2 threads vs 1 thread      : {one_wall / two_wall:7.2f} x (wall time of the whole {folds}-fold run)")
    print(f"2 workers vs 1 thread      : {one_wall / wall('gsqw'):7.2f} x (wall time of the whole {folds}-fold run)")
    acc = lambda d: [r["test_value"] for r in rows(f"{out}/{d}")]
    print(f"2 workers give the 1-thread run's test accuracies: {acc('gsqw') == acc('gsq')}")
PY
