#!/usr/bin/env bash
# Measured forward latency of a pruned GCN-256 on Cora: dense fp32 base vs the same pruned
# weights run dense (masked) and with sparse CSR kernels. Prints the table and the speed-ups.
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
print(f"{'stage':<28}{'accuracy':>9}{'masked ms':>11}{'sparse ms':>11}{'vs dense base':>15}")
for r in rows:
    name = "base (dense fp32)" if r["method"] == "none" else f"{r['setting']} {r['stage']}"
    lat = float(r["latency_ms"])
    print(f"{name:<28}{float(r['test_value']):>9.3f}{float(r['latency_masked_ms']):>11.3f}{lat:>11.3f}{base / lat:>14.2f}x")
PY
rm -rf "$out"
