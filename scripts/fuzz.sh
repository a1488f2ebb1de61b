#!/usr/bin/env bash
# Fuzzes one parser for SECONDS (libFuzzer, ASan + UBSan): scripts/fuzz.sh TARGET SECONDS
#   TARGET: experiment (YAML + --set overrides), cora, tu, molecules (CSV + RDKit), modelfile (.gsqm)
# Builds the sanitizer build first if needed (scripts/sanitize.sh's build directory). The working
# corpus (build-asan/fuzz/TARGET/corpus) starts from tests/fuzz/corpus/TARGET plus the bundled
# files and presets, and grows across runs. A finding stops the run with its input saved as
# build-asan/fuzz/TARGET/crash-* (or leak-*, timeout-*, oom-*): minimise it with
#   build-asan/fuzz-TARGET -minimize_crash=1 -runs=10000 FILE
# copy the result into tests/fuzz/corpus/TARGET/ (the normal suite replays it) and fix the parser.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: scripts/fuzz.sh TARGET SECONDS (experiment|cora|tu|molecules|modelfile)}"
seconds="${2:?usage: scripts/fuzz.sh TARGET SECONDS}"
case "$target" in experiment | cora | tu | molecules | modelfile) ;; *)
  echo "fuzz.sh: unknown target '$target' (experiment, cora, tu, molecules, modelfile)" >&2
  exit 2 ;;
esac
build_dir="${GSQ_ASAN_BUILD_DIR:-build-asan}"
if [ ! -x "$build_dir/fuzz-$target" ]; then
  export CCACHE_BASEDIR="$PWD"
# Line tables make ccache hash the build directory by default, so no other checkout (CI's clean
# clone) would ever hit: hash without it (the line tables keep the first checkout's paths).
export CCACHE_NOHASHDIR=true
  ./scripts/asan-configure.sh
  cmake --build "$build_dir" -j"$(nproc)" --target "fuzz-$target"
fi
work="$build_dir/fuzz/$target"
corpus="$work/corpus"
mkdir -p "$corpus"
cp -n tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
sep=$'\n---8<---\n'
seeds() { # seed inputs from the bundled files, cut to a few kilobytes
  case "$target" in
  experiment)
    for f in resources/experiments/*.yaml resources/experiments/*/*.yaml bench/*.yaml; do
      cp -n "$f" "$corpus/preset-$(basename "$(dirname "$f")")-$(basename "$f")"
    done ;;
  cora)
    { head -n 20 datasets/cora/cora.content; printf '%s' "$sep"; head -n 60 datasets/cora/cora.cites
      printf '%s' "$sep"; head -n 30 datasets/cora/cora.planetoid.tsv; } >"$corpus/bundled-cora-head" ;;
  tu)
    # the first two PROTEINS graphs, cut out by node ids (graph_indicator lines)
    local nodes
    nodes=$(awk '$1 <= 2' datasets/proteins/PROTEINS_graph_indicator.txt | wc -l)
    { awk -F', *' -v n="$nodes" '$1 <= n && $2 <= n' datasets/proteins/PROTEINS_A.txt; printf '%s' "$sep"
      head -n "$nodes" datasets/proteins/PROTEINS_graph_indicator.txt; printf '%s' "$sep"
      head -n 2 datasets/proteins/PROTEINS_graph_labels.txt; printf '%s' "$sep"
      head -n "$nodes" datasets/proteins/PROTEINS_node_labels.txt; printf '%s' "$sep"
      head -n "$nodes" datasets/proteins/PROTEINS_node_attributes.txt; } >"$corpus/bundled-proteins-2graphs" ;;
  molecules)
    head -n 60 datasets/bbbp/BBBP.csv >"$corpus/bundled-bbbp-head.csv" ;;
  modelfile) ;; # tests/fuzz/corpus/modelfile: a small GIN's files (dense, pruned, PTQ, A²Q records)
  esac
}
seeds
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
cd "$work"
max_len=16384
[ "$target" = cora ] && max_len=65536 # a Cora paper is a 2.9 KB line
exec "../../fuzz-$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len="$max_len" \
  -print_final_stats=1 corpus
