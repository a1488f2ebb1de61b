#!/usr/bin/env bash
# Builds and runs bench/a2q_fake_quant.cpp: one A²Q feature quantization point, forward and
# backward, unfused expression against the fused kernel, 1 thread, side by side.
# Usage: bench/a2q_fake_quant.sh   (needs libtorch-dev; ~40 s to compile)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(mktemp -d)/a2q_fake_quant"
trap 'rm -rf "$(dirname "$bin")"' EXIT
g++ -O3 -fno-trapping-math -std=c++17 -fopenmp -I. bench/a2q_fake_quant.cpp core/quantization/A2qFakeQuant.cpp -o "$bin" \
  -isystem /usr/include/torch/csrc/api/include -ltorch -ltorch_cpu -lc10
"$bin"
