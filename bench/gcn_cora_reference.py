#!/usr/bin/python3
"""Plain-PyTorch reference for GraphSqueeze's GCN/Cora benchmark.

The same model and protocol as resources/experiments/quickstart.yaml, written the way a
PyTorch user would (Kipf & Welling's GCN as in PyG's example, without PyG): row-normalised
dense features with dropout on the input, GCN 1433-16-7 with a sparse normalised adjacency,
Adam (lr 0.01, weight decay 5e-4), 200 epochs, evaluation every epoch, test accuracy of the
epoch with the best validation accuracy. Used only for benchmarking (Debian's python3-torch).

Prints one line per seed: "seed S test_acc A train_seconds T".
"""
import argparse
import os
import time

import torch
import torch.nn.functional as F


def load_cora(root):
    rows = {}
    feats, labels_by_row = [], []
    with open(os.path.join(root, "cora.content")) as f:
        for i, line in enumerate(f):
            parts = line.rstrip("\n").split("\t")
            rows[int(parts[0])] = i
            feats.append([float(v) for v in parts[1:-1]])
            labels_by_row.append(parts[-1])
    order, label, split = [], [], []
    with open(os.path.join(root, "cora.planetoid.tsv")) as f:
        for line in f:
            if line.startswith("#"):
                continue
            p = line.rstrip("\n").split("\t")
            order.append(int(p[2]))
            label.append(int(p[3]))
            split.append(p[5])
    node_of_row = {r: i for i, r in enumerate(order)}
    x = torch.tensor([feats[r] for r in order])
    y = torch.tensor(label)
    src, dst = [], []
    with open(os.path.join(root, "cora.cites")) as f:
        for line in f:
            a, b = (int(v) for v in line.split())
            i, j = node_of_row[rows[a]], node_of_row[rows[b]]
            src += [i, j]
            dst += [j, i]
    n = x.shape[0]
    ei = torch.unique(torch.tensor([src, dst]), dim=1)
    loops = torch.arange(n).repeat(2, 1)
    ei = torch.cat([ei, loops], 1)
    deg = torch.zeros(n).index_add_(0, ei[1], torch.ones(ei.shape[1]))
    w = deg[ei[0]].pow(-0.5) * deg[ei[1]].pow(-0.5)
    adj = torch.sparse_coo_tensor(torch.stack([ei[1], ei[0]]), w, (n, n)).coalesce()
    masks = {s: torch.tensor([v == s for v in split]) for s in ("train", "val", "test")}
    return x, y, adj, masks


class GCN(torch.nn.Module):
    def __init__(self, fin, hidden, classes):
        super().__init__()
        self.lin1 = torch.nn.Linear(fin, hidden, bias=False)
        self.b1 = torch.nn.Parameter(torch.zeros(hidden))
        self.lin2 = torch.nn.Linear(hidden, classes, bias=False)
        self.b2 = torch.nn.Parameter(torch.zeros(classes))
        torch.nn.init.xavier_uniform_(self.lin1.weight)
        torch.nn.init.xavier_uniform_(self.lin2.weight)

    def forward(self, x, adj):
        x = F.dropout(x, 0.5, self.training)
        x = F.relu(torch.sparse.mm(adj, self.lin1(x)) + self.b1)
        x = F.dropout(x, 0.5, self.training)
        return torch.sparse.mm(adj, self.lin2(x)) + self.b2


def run(seed, x, y, adj, masks, epochs):
    torch.manual_seed(seed)
    model = GCN(x.shape[1], 16, int(y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    best_val, best_test = -1.0, 0.0
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        opt.zero_grad()
        out = model(x, adj)
        loss = F.cross_entropy(out[masks["train"]], y[masks["train"]])
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            pred = model(x, adj).argmax(1)
        acc = {k: (pred[m] == y[m]).float().mean().item() for k, m in masks.items()}
        if acc["val"] > best_val:
            best_val, best_test = acc["val"], acc["test"]
    return best_test, time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "datasets", "cora"))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    x, y, adj, masks = load_cora(a.data)
    x = x / x.sum(1, keepdim=True).clamp(min=1)
    for s in range(a.seeds):
        acc, secs = run(s, x, y, adj, masks, a.epochs)
        print(f"seed {s} test_acc {acc:.4f} train_seconds {secs:.3f}", flush=True)


if __name__ == "__main__":
    main()
