#!/usr/bin/env python3
"""Runs a model exported by `graphsqueeze-cli export` in plain PyTorch and compares its logits with
GraphSqueeze's (the file `export --example` writes).

    graphsqueeze-cli export runs/quickstart/models/base.gsqm base.pt \
        --example resources/experiments/quickstart.yaml
    python3 tests/interop/check_export.py base.pt base.example.pt

The forward passes below use nothing but torch and the exported names (docs/interop.md); each
follows the PyTorch Geometric layer it is named after: GCNConv (self loops, symmetric degree
normalisation), SAGEConv (mean), GATConv (self loops, LeakyReLU 0.2, softmax per target), GINConv
(Sequential(Linear, ReLU, Linear, ReLU, BatchNorm1d)); graph models pool (mean, max or sum) and
apply the head. Exit status 0 when every logit matches to --tol (absolute, default 1e-5), 1 when
not, 2 for an architecture this script does not know.
"""
import argparse
import sys
import warnings

import torch

warnings.filterwarnings("ignore", message="scatter_reduce")  # "in beta" notice of torch 1.13


def scatter_sum(src, index, n):
    out = torch.zeros((n,) + tuple(src.shape[1:]), dtype=src.dtype)
    return out.index_add_(0, index, src)


def with_self_loops(edge_index, n, weight=None):
    keep = edge_index[0] != edge_index[1]
    loops = torch.arange(n, dtype=edge_index.dtype)
    ei = torch.cat([edge_index[:, keep], torch.stack([loops, loops])], 1)
    if weight is None:
        return ei, None
    return ei, torch.cat([weight[keep], torch.ones(n, dtype=weight.dtype)])


def gcn_conv(s, p, x, edge_index, edge_weight):
    n = x.shape[0]
    ei, w = with_self_loops(edge_index, n, edge_weight)
    if w is None:
        w = torch.ones(ei.shape[1])
    deg = scatter_sum(w, ei[1], n)
    inv = deg.pow(-0.5)
    inv[deg <= 0] = 0
    norm = inv[ei[0]] * w * inv[ei[1]]
    h = x @ s[p + "lin.weight"].t()
    out = scatter_sum(h[ei[0]] * norm[:, None], ei[1], n)
    return out + s[p + "bias"] if p + "bias" in s else out


def sage_conv(s, p, x, edge_index, _):
    n = x.shape[0]
    total = scatter_sum(x[edge_index[0]], edge_index[1], n)
    deg = scatter_sum(torch.ones(edge_index.shape[1]), edge_index[1], n).clamp(min=1)
    out = (total / deg[:, None]) @ s[p + "lin_l.weight"].t()
    if p + "lin_r.weight" in s:
        out = out + x @ s[p + "lin_r.weight"].t()
    return out + s[p + "lin_l.bias"] if p + "lin_l.bias" in s else out


def gat_conv(s, p, x, edge_index, _, last):
    n = x.shape[0]
    att_src, att_dst = s[p + "att_src"], s[p + "att_dst"]  # [1, heads, channels]
    heads, channels = att_src.shape[1], att_src.shape[2]
    ei, _ = with_self_loops(edge_index, n)
    h = (x @ s[p + "lin.weight"].t()).view(n, heads, channels)
    a_src, a_dst = (h * att_src).sum(-1), (h * att_dst).sum(-1)
    score = torch.nn.functional.leaky_relu(a_src[ei[0]] + a_dst[ei[1]], 0.2)
    top = torch.full((n, heads), float("-inf")).scatter_reduce(
        0, ei[1][:, None].expand_as(score), score, "amax", include_self=True)
    e = (score - top[ei[1]]).exp()
    alpha = e / scatter_sum(e, ei[1], n)[ei[1]]
    out = scatter_sum(h[ei[0]] * alpha[..., None], ei[1], n)
    out = out.mean(1) if last else out.reshape(n, heads * channels)
    return out + s[p + "bias"] if p + "bias" in s else out


def gin_conv(s, p, x, edge_index, _):
    n = x.shape[0]
    h = (1 + s[p + "eps"]) * x + scatter_sum(x[edge_index[0]], edge_index[1], n)
    h = torch.relu(h @ s[p + "nn.0.weight"].t() + s[p + "nn.0.bias"])
    h = torch.relu(h @ s[p + "nn.2.weight"].t() + s[p + "nn.2.bias"])
    if p + "nn.4.weight" in s:
        mean, var = s[p + "nn.4.running_mean"], s[p + "nn.4.running_var"]
        h = (h - mean) / torch.sqrt(var + 1e-5) * s[p + "nn.4.weight"] + s[p + "nn.4.bias"]
    else:  # quantized files store BatchNorm folded, under GraphSqueeze's name
        folded = p.replace("convs.", "stack.conv") + "norm."
        if folded + "bn_scale" in s:
            h = h * s[folded + "bn_scale"] + s[folded + "bn_shift"]
    return h


LAYERS = {"gcn": gcn_conv, "sage": sage_conv, "gin": gin_conv}


def pool(h, batch, graphs, mode):
    if mode == "sum":
        return scatter_sum(h, batch, graphs)
    if mode == "mean":
        count = scatter_sum(torch.ones(h.shape[0]), batch, graphs).clamp(min=1)
        return scatter_sum(h, batch, graphs) / count[:, None]
    return torch.zeros(graphs, h.shape[1]).scatter_reduce(
        0, batch[:, None].expand_as(h), h, "amax", include_self=False)


def forward(s, ex):
    arch, layers = ex["arch"], int(ex["layers"])
    if arch not in LAYERS and arch != "gat":
        print(f"check_export: architecture '{arch}' is not covered by this script", file=sys.stderr)
        sys.exit(2)
    act = torch.nn.functional.elu if ex["activation"] == "elu" else torch.relu
    graph_level = "batch" in ex
    x, edge_index = ex["x"], ex["edge_index"]
    weight = ex["edge_attr"].reshape(-1).float() if "edge_attr" in ex else None
    h = x
    for k in range(layers):
        p = f"convs.{k}."
        last = k + 1 == layers
        if arch == "gat":
            h = gat_conv(s, p, h, edge_index, weight, last)
        else:
            h = LAYERS[arch](s, p, h, edge_index, weight)
        if not last or graph_level:  # graph models activate the last layer before pooling
            h = act(h)
    if not graph_level:
        return h
    batch = ex["batch"]
    g = pool(h, batch, int(batch.max()) + 1, ex["pooling"])
    g = g @ s["head1.weight"].t() + s["head1.bias"]
    if "head2.weight" in s:
        g = torch.relu(g) @ s["head2.weight"].t() + s["head2.bias"]
    return g


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("state", help="OUT.pt from graphsqueeze-cli export")
    ap.add_argument("example", help="OUT.example.pt from graphsqueeze-cli export --example")
    ap.add_argument("--tol", type=float, default=1e-5)
    a = ap.parse_args()
    state, ex = torch.load(a.state), torch.load(a.example)
    with torch.no_grad():
        logits = forward(state, ex)
    want = ex["logits"]
    if logits.shape != want.shape:
        print(f"check_export: logits {tuple(logits.shape)}, GraphSqueeze {tuple(want.shape)}", file=sys.stderr)
        return 1
    diff = (logits - want).abs().max().item()
    zeros = sum(int((v == 0).sum()) for k, v in state.items() if k.endswith("weight"))
    print(f"{ex['arch']}: {want.shape[0]} rows x {want.shape[1]} logits, max |difference| {diff:.3g} "
          f"(tolerance {a.tol:g}); {zeros} zero weights in the export")
    return 0 if diff <= a.tol else 1


if __name__ == "__main__":
    sys.exit(main())
