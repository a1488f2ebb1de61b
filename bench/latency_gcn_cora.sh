#!/usr/bin/env bash
# Measured forward latency of a compressed GCN-256 on Cora: dense fp32 base vs fine-grained
# pruning (masked and sparse CSR), structured pruning (smaller dense model) and int8 (oneDNN).
# Prints the table and the speed-ups over the dense base.
# Usage: bench/latency_gcn_cora.sh [FEATURES]   (sparse | dense input features; default sparse)
set -euo pipefail
cd "$(dirname "$0")/.."
features="${1:-sparse}"
./scripts/setup.sh >/dev/null
./scripts/build.sh >/dev/null
out="$(mktemp -d)"
build/graphsqueeze-cli run bench/latency-gcn256.yaml --set "dataset.features=$features" --quiet --out "$out" >/dev/null
/usr/bin/python3 - "$out/results.csv" "$features" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
base = float(rows[0]["latency_ms"])
print(f"GCN 1433-256-7 on Cora, {sys.argv[2]} input features, 1 thread; median of 20 forward passes")
print(f"{'stage':<34}{'accuracy':>9}{'fp32 ms':>10}{'deployed ms':>13}  {'kind':<18}{'vs dense base':>13}")
for r in rows:
    name = "base (dense fp32)" if r["method"] == "none" else f"{r['method']} {r['setting']} {r['stage']}"
    lat = float(r["latency_ms"])
    print(f"{name:<34}{float(r['test_value']):>9.3f}{float(r['latency_masked_ms']):>10.3f}{lat:>13.3f}  "
          f"{r['latency_kind']:<18}{base / lat:>12.2f}x")
PY
rm -rf "$out"
