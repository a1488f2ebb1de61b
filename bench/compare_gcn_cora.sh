#!/usr/bin/env bash
# Runs the plain-PyTorch GCN/Cora reference and graphsqueeze-cli on the same experiment, side by
# side, and prints the speed ratio, both accuracies and the CLI's peak memory.
# Usage: bench/compare_gcn_cora.sh [SEEDS] [THREADS]   (defaults: 3 seeds, 1 thread)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-3}"
threads="${2:-1}"
GSQ_WITH_BENCH=1 ./scripts/setup.sh >/dev/null
./scripts/build.sh >/dev/null
out="$(mktemp -d)"
seed_list="[$(seq -s, 0 $((seeds - 1)))]"

echo "== plain PyTorch (python3-torch), $seeds seed(s), $threads thread(s)"
/usr/bin/python3 bench/gcn_cora_reference.py --seeds "$seeds" --threads "$threads" | tee "$out/ref.txt"

echo "== graphsqueeze-cli, same experiment"
/usr/bin/time -v build/graphsqueeze-cli run resources/experiments/quickstart.yaml --quiet \
  --set "train.seeds=$seed_list" --threads "$threads" --out "$out/gsq" >"$out/gsq.txt" 2>"$out/time.txt"
grep -E "base: test" "$out/gsq.txt"

/usr/bin/python3 - "$out" <<'PY'
import csv, sys, statistics, re
out = sys.argv[1]
ref = [l.split() for l in open(f"{out}/ref.txt")]
ref_acc = [float(r[3]) for r in ref]
ref_s = [float(r[5]) for r in ref]
rows = list(csv.DictReader(open(f"{out}/gsq/results.csv")))
gsq_acc = [float(r["test_value"]) for r in rows]
gsq_s = [float(r["train_seconds"]) for r in rows]
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{out}/time.txt").read()).group(1))
print()
print(f"plain PyTorch : {statistics.mean(ref_s):8.3f} s/seed, test acc {100*statistics.mean(ref_acc):.2f} %")
print(f"GraphSqueeze  : {statistics.mean(gsq_s):8.3f} s/seed, test acc {100*statistics.mean(gsq_acc):.2f} %")
print(f"speed-up      : {statistics.mean(ref_s)/statistics.mean(gsq_s):8.1f} x   (200 epochs incl. per-epoch evaluation)")
print(f"CLI peak RSS  : {rss/1024:8.1f} MB")
PY
rm -rf "$out"
