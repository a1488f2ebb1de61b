#!/usr/bin/env bash
# Builds and runs bench/gemm_row_split.cpp: a dense layer's three GEMMs at GIN/PROTEINS shapes on
# 1 thread, on 2 threads split by the BLAS, and on 2 threads split by rows (RowSplitLinear).
# Usage: bench/gemm_row_split.sh   (needs libtorch-dev; ~20 s to compile)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(mktemp -d)/gemm_row_split"
trap 'rm -rf "$(dirname "$bin")"' EXIT
g++ -O2 -std=c++17 -fopenmp bench/gemm_row_split.cpp -o "$bin" \
  -isystem /usr/include/torch/csrc/api/include -ltorch -ltorch_cpu -lc10
"$bin"
