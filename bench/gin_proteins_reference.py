#!/usr/bin/python3
"""Plain-PyTorch reference for GraphSqueeze's GIN/PROTEINS benchmark.

The same model and protocol as resources/experiments/proteins-gin.yaml, written the way a
PyTorch user would write PyG's kernel-benchmark GIN-0 without PyG:
- PROTEINS from the TU Dortmund text files, node features = one-hot node labels (3), edges as
  listed in _A.txt (both directions), classes = the sorted graph labels;
- GIN-0 5x64: each layer x' = MLP(x + sum_{j->i} x_j) with MLP = Linear-ReLU-Linear-ReLU-
  BatchNorm, followed by ReLU; sum aggregation with index_add_ (PyG's scatter-add); global mean
  pooling; head Linear(64, 64)-ReLU-Dropout(0.5)-Linear(64, 2);
- stratified 10-fold CV dealt like GraphSqueeze's (each class shuffled, dealt round robin; fold f
  tests, fold f+1 validates, the rest trains; the shuffle differs, so folds hold other graphs);
- Adam lr 0.01 halved every 50 epochs, batch 128 reshuffled every epoch (collated with torch.cat
  per batch, as PyG's DataLoader), 100 epochs, evaluation of train, validation and test every
  epoch (evaluation batches collated once, under no_grad), test accuracy of the epoch with the
  lowest validation loss.
Used only for benchmarking (Debian's python3-torch).

Prints one line per fold: "fold F test_acc A train_seconds T".
"""
import argparse
import os
import random
import time

import torch
import torch.nn.functional as F


def load_proteins(root):
    def ints(name):
        with open(os.path.join(root, f"PROTEINS_{name}.txt")) as f:
            return [int(line) for line in f if line.strip()]

    graph_of = ints("graph_indicator")
    node_labels = ints("node_labels")
    raw = ints("graph_labels")
    classes = sorted(set(raw))
    y = [classes.index(v) for v in raw]
    num_graphs = len(raw)
    start = [0] * num_graphs
    count = [0] * num_graphs
    for g in graph_of:
        count[g - 1] += 1
    for g in range(1, num_graphs):
        start[g] = start[g - 1] + count[g - 1]
    edges = [([], []) for _ in range(num_graphs)]
    with open(os.path.join(root, "PROTEINS_A.txt")) as f:
        for line in f:
            if not line.strip():
                continue
            a, b = (int(v) for v in line.split(","))
            g = graph_of[a - 1] - 1
            edges[g][0].append(a - 1 - start[g])
            edges[g][1].append(b - 1 - start[g])
    x_all = F.one_hot(torch.tensor(node_labels), max(node_labels) + 1).float()
    graphs = []
    for g in range(num_graphs):
        graphs.append((x_all[start[g] : start[g] + count[g]], torch.tensor(edges[g], dtype=torch.long).view(2, -1),
                       count[g], y[g]))
    return graphs, len(classes)


def stratified_folds(labels, k, seed):
    rng = random.Random(seed)
    by_class = {}
    for i, c in enumerate(labels):
        by_class.setdefault(c, []).append(i)
    folds = [[] for _ in range(k)]
    nxt = 0
    for c in sorted(by_class):
        members = by_class[c]
        rng.shuffle(members)
        for i in members:
            folds[nxt].append(i)
            nxt = (nxt + 1) % k
    out = []
    for f in range(k):
        v = (f + 1) % k
        train = [i for g in range(k) if g not in (f, v) for i in folds[g]]
        out.append((train, folds[v], folds[f]))
    return out


def collate(graphs, idx):
    xs, eis, batch, ys = [], [], [], []
    offset = 0
    for b, i in enumerate(idx):
        x, ei, n, y = graphs[i]
        xs.append(x)
        eis.append(ei + offset)
        batch.append(torch.full((n,), b, dtype=torch.long))
        ys.append(y)
        offset += n
    return torch.cat(xs), torch.cat(eis, 1), torch.cat(batch), torch.tensor(ys), len(idx)


class GinConv(torch.nn.Module):
    def __init__(self, fin, hidden):
        super().__init__()
        self.lin1 = torch.nn.Linear(fin, hidden)
        self.lin2 = torch.nn.Linear(hidden, hidden)
        self.norm = torch.nn.BatchNorm1d(hidden)

    def forward(self, x, ei):
        agg = torch.zeros_like(x).index_add_(0, ei[1], x.index_select(0, ei[0]))
        h = F.relu(self.lin1(x + agg))
        return self.norm(F.relu(self.lin2(h)))


class Gin(torch.nn.Module):
    def __init__(self, fin, hidden, layers, classes):
        super().__init__()
        self.convs = torch.nn.ModuleList([GinConv(fin if i == 0 else hidden, hidden) for i in range(layers)])
        self.head1 = torch.nn.Linear(hidden, hidden)
        self.head2 = torch.nn.Linear(hidden, classes)

    def forward(self, x, ei, batch, num_graphs):
        for conv in self.convs:
            x = F.relu(conv(x, ei))
        pooled = torch.zeros(num_graphs, x.shape[1]).index_add_(0, batch, x)
        counts = torch.zeros(num_graphs).index_add_(0, batch, torch.ones(x.shape[0]))
        g = pooled / counts.clamp(min=1).view(-1, 1)
        g = F.dropout(F.relu(self.head1(g)), 0.5, self.training)
        return self.head2(g)


def run_fold(graphs, classes, split, seed, epochs, batch_size):
    torch.manual_seed(seed)
    rng = random.Random(seed)
    train, val, test = split
    model = Gin(graphs[0][0].shape[1], 64, 5, classes)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=50, gamma=0.5)

    def fixed(idx):
        return [collate(graphs, idx[s : s + batch_size]) for s in range(0, len(idx), batch_size)]

    evals = {"train": fixed(train), "val": fixed(val), "test": fixed(test)}
    order = list(train)
    best_loss, best_test = float("inf"), 0.0
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        rng.shuffle(order)
        for s in range(0, len(order), batch_size):
            x, ei, batch, y, n = collate(graphs, order[s : s + batch_size])
            opt.zero_grad()
            loss = F.cross_entropy(model(x, ei, batch, n), y)
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            res = {}
            for name, batches in evals.items():
                logits = torch.cat([model(x, ei, b, n) for x, ei, b, _, n in batches])
                labels = torch.cat([y for _, _, _, y, _ in batches])
                res[name] = (F.cross_entropy(logits, labels).item(), (logits.argmax(1) == labels).float().mean().item())
        if res["val"][0] < best_loss:
            best_loss, best_test = res["val"][0], res["test"][1]
    return best_test, time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "datasets", "proteins"))
    ap.add_argument("--folds", type=int, default=1, help="how many of the 10 folds to run")
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    graphs, classes = load_proteins(a.data)
    splits = stratified_folds([g[3] for g in graphs], 10, 0)
    for f in range(a.folds):
        acc, secs = run_fold(graphs, classes, splits[f], 0, a.epochs, 128)
        print(f"fold {f} test_acc {acc:.4f} train_seconds {secs:.3f}", flush=True)


if __name__ == "__main__":
    main()
