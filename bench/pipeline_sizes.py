#!/usr/bin/env python3
"""Pairs every compressed row of a run with the dense base of its seed and fold: how many times
smaller its model file is than the base's (size_disk_bytes), and the change in test metric in
points. Prints min / mean / max over the pairs, one line per (lineage, stage).

    python3 bench/pipeline_sizes.py RUN_DIR/results.csv
"""
import csv
import sys
from collections import defaultdict


def main(path):
    rows = list(csv.DictReader(open(path, newline="")))
    base = {(r["seed"], r["fold"]): r for r in rows if r["method"] == "none"}
    pairs = defaultdict(list)
    for r in rows:
        if r["method"] == "none":
            continue
        b = base[(r["seed"], r["fold"])]
        pairs[(r["lineage"] or r["method"] + " " + r["setting"], r["stage"])].append(
            (int(b["size_disk_bytes"]) / int(r["size_disk_bytes"]),
             100.0 * (float(r["test_value"]) - float(b["test_value"])),
             int(r["size_disk_bytes"])))
    print(f"{'lineage (stage)':<86}{'n':>3}  {'x smaller: min mean max':>26}  {'points: mean min':>18}  bytes (mean)")
    for (lineage, stage), v in pairs.items():
        ratios = [x[0] for x in v]
        diffs = [x[1] for x in v]
        print(f"{lineage + ' (' + stage + ')':<86}{len(v):>3}  {min(ratios):8.2f} {sum(ratios) / len(v):8.2f} {max(ratios):8.2f}"
              f"  {sum(diffs) / len(v):+8.2f} {min(diffs):+8.2f}  {sum(x[2] for x in v) / len(v):10.0f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results.csv")
