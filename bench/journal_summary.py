#!/usr/bin/env python3
"""Mean and spread per method of the finished jobs in one or more jobs.journal files (a sweep
still running, or its cells): simulated and deployed metric, bits, sizes in deployment form.
Usage: bench/journal_summary.py CELL_DIR [CELL_DIR...]"""
import statistics
import sys

COLUMNS = ("experiment,dataset,task,model,method,setting,seed,fold,stage,metric,test_value,val_value,"
           "nonzero_params,total_params,train_seconds,size_theoretical_bytes,size_dense_bytes,size_disk_bytes,"
           "size_folded_bytes,latency_ms,latency_kind,latency_masked_ms,target_sparsity,bits,feature_bits,"
           "best_epoch,stopped_early,note,deployed_value").split(",")


def rows(paths):
    for path in paths:
        block = []
        for line in open(path + "/jobs.journal", encoding="utf-8"):
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "row":
                block.append(dict(zip(COLUMNS, fields[1:])))
            elif fields[0] == "end":  # only complete job blocks count
                yield from block
                block = []
            elif fields[0] == "job":
                block = []


def main():
    data = list(rows(sys.argv[1:]))
    base = {(r["seed"], r["fold"]): float(r["size_folded_bytes"]) for r in data if r["method"] == "none"}
    keys = []
    for r in data:
        k = (r["method"], r["setting"], r["stage"])
        if k not in keys:
            keys.append(k)
    print(f"{'rows':56} {'n':>3} {'simulated':>15} {'deployed':>15} {'w bits':>7} {'f bits':>7} {'file':>7}")
    for k in keys:
        g = [r for r in data if (r["method"], r["setting"], r["stage"]) == k]
        test = [100 * float(r["test_value"]) for r in g]
        dep = [100 * float(r["deployed_value"]) for r in g]
        size = [float(r["size_folded_bytes"]) / base[(r["seed"], r["fold"])] for r in g]
        sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
        label = " ".join(x for x in (k[0], k[1], f"({k[2]})") if x)
        print(f"{label:56} {len(g):>3} {statistics.mean(test):7.2f} ± {sd(test):5.2f} "
              f"{statistics.mean(dep):7.2f} ± {sd(dep):5.2f} "
              f"{statistics.mean(float(r['bits']) for r in g):7.2f} "
              f"{statistics.mean(float(r['feature_bits']) for r in g):7.2f} {100 * statistics.mean(size):6.1f}%")


if __name__ == "__main__":
    main()
