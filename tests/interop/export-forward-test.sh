#!/usr/bin/env bash
# Models out to PyTorch, end to end: trains a small GCN on Cora (base, 50 % fine-grained pruned,
# fine-tuned), a GIN on PROTEINS (base, INT8 post-training quantization) and the GraphSAGE and GAT
# presets' base models, exports each with `graphsqueeze-cli export --example`, and runs it in
# plain PyTorch (check_export.py), which must reproduce GraphSqueeze's logits to 1e-5.
# Skipped (exit 77) where Debian's python3-torch is missing.
# Usage: export-forward-test.sh GRAPHSQUEEZE_CLI SOURCE_DIR
set -euo pipefail
cli="$1"
src="$2"
python=/usr/bin/python3 # Debian's interpreter: python3-torch installs there
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "SKIP: $python cannot import torch (install Debian's python3-torch)"
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat >"$work/cora.yaml" <<'EOF'
name: interop-cora
dataset: { name: cora, task: node_classification, split: public, normalize_features: true }
model: { arch: gcn, hidden: 16, layers: 2, dropout: 0.5 }
train: { epochs: 5, seeds: [3], threads: 1 }
compression:
  - prune: { method: finegrained, sparsity: [0.5], finetune_epochs: 2 }
EOF
cat >"$work/proteins.yaml" <<'EOF'
name: interop-proteins
dataset: { name: proteins, task: graph_classification, split: kfold, folds: 10, run_folds: 1 }
model: { arch: gin, hidden: 32, layers: 3, pooling: mean, head_hidden: 32, batch_norm: true, train_eps: true }
train: { epochs: 2, batch_size: 128, seeds: [1], threads: 1 }
compression:
  - quantize: { method: ptq, bits: 8 }
EOF

checked=0
for name in cora proteins; do
  "$cli" run "$work/$name.yaml" --out "$work/$name" --quiet >/dev/null
  for model in "$work/$name"/models/*.gsqm; do
    out="$work/$(basename "$model" .gsqm).pt"
    "$cli" export "$model" "$out" --example "$work/$name.yaml" >/dev/null
    echo "$name $(basename "$model"):"
    "$python" "$src/tests/interop/check_export.py" "$out" "${out%.pt}.example.pt"
    checked=$((checked + 1))
  done
done
# GraphSAGE and GAT on Cora: the base models of their presets, two epochs
for preset in cora-sage cora-gat; do
  "$cli" run "$src/resources/experiments/$preset.yaml" --set train.epochs=2 --set train.repeats=1 \
    --set train.threads=1 --out "$work/$preset" --quiet >/dev/null
  "$cli" export "$work/$preset/models/base.gsqm" "$work/$preset.pt" \
    --example "$src/resources/experiments/$preset.yaml" >/dev/null
  echo "$preset base.gsqm:"
  "$python" "$src/tests/interop/check_export.py" "$work/$preset.pt" "$work/$preset.example.pt"
  checked=$((checked + 1))
done
# Cora GCN: base, pruned, fine-tuned; PROTEINS GIN: base, quantized; SAGE and GAT
if [ "$checked" -ne 7 ]; then
  echo "FAIL: expected 7 model files, checked $checked"
  exit 1
fi
echo "PASS: $checked exported models match GraphSqueeze's logits in plain PyTorch"
