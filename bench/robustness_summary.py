#!/usr/bin/env python3
"""Reads a run's robustness.csv and asks, per compressed stage, whether it loses robustness
faster than the dense base of the same seed and fold.

For every stage and perturbation at its largest strength it prints the metric (mean over the
jobs), its drop from the stage's own clean value, and the paired difference of drops

    extra drop = (stage perturbed - stage clean) - (base perturbed - base clean)

per seed/fold (negative: the compressed model loses more than the dense one), with a 95 %
t-interval and a Holm-corrected two-sided p over every (stage, perturbation) line printed. It
also prints each stage's weighted worst-case score (docs/robustness.md): per job, the metric
under each perturbation at its largest strength, sorted from worst to best and weighted
k, k-1, ..., 1 (normalised), so the worst perturbation weighs most; paired against the base.

Jobs of different seeds are independent trainings; folds of one cross-validation are not (their
training sets overlap), so with folds the interval and p use the corrected resampled t-test
(Nadeau & Bengio 2003) with test/train = 1/(k-2) for k folds, as `graphsqueeze-cli paired`;
k is the number of folds in the rows, so a run of only some of its folds differs from `paired`,
which uses the experiment's k.

    python3 bench/robustness_summary.py RUN_DIR/robustness.csv
"""
import csv
import math
import sys
from collections import defaultdict


def betacf(a, b, x):
    """Continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1) * (a + m2)), -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-14:
            break
    return h


def incbeta(a, b, x):
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * betacf(a, b, x) / a
    return 1.0 - front * betacf(b, a, 1 - x) / b


def t_two_sided_p(t, df):
    return incbeta(df / 2.0, 0.5, df / (df + t * t))


def t_quantile(df, q=0.975):
    lo, hi = 0.0, 100.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 1 - t_two_sided_p(mid, df) / 2 < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def paired(diffs, folds):
    """Mean, 95 % interval half-width and two-sided p of paired differences."""
    n = len(diffs)
    mean = sum(diffs) / n
    if n < 2:
        return mean, float("nan"), float("nan")
    var = sum((d - mean) ** 2 for d in diffs) / (n - 1)
    # Nadeau & Bengio: folds share training data; inflate the variance by test/train, 1/(k - 2)
    # for GraphSqueeze's folds (one tests, the next validates, k - 2 train), as `paired` does.
    factor = 1.0 / n + (1.0 / (folds - 2) if folds > 2 else 0.0)
    se = math.sqrt(var * factor)
    if se == 0:
        return mean, 0.0, 1.0 if mean == 0 else 0.0
    df = n - 1
    return mean, t_quantile(df) * se, t_two_sided_p(abs(mean) / se, df)


def holm(ps):
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    out, running = [1.0] * len(ps), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        out[i] = running
    return out


def main(path):
    rows = list(csv.DictReader(open(path, newline="")))
    folds = len({r["fold"] for r in rows})
    value = {}
    strengths = defaultdict(set)
    stages = []
    for r in rows:
        stage = (r["lineage"] or "base", r["stage"])
        if stage not in stages:
            stages.append(stage)
        key = (stage, r["perturbation"], float(r["strength"]), r["seed"], r["fold"])
        value[key] = float(r["value"])
        strengths[r["perturbation"]].add(float(r["strength"]))
    perturbations = [p for p in ("edge_removal", "edge_addition", "feature_noise", "feature_mask", "fgsm", "pgd")
                     if p in strengths]
    top = {p: max(strengths[p]) for p in perturbations}
    jobs = sorted({(r["seed"], r["fold"]) for r in rows})
    base = next(s for s in stages if s[1] == "base")

    def drop(stage, p, job):
        return value[(stage, p, top[p]) + job] - value[(stage, p, 0.0) + job]

    def score(stage, job):
        worst_first = sorted(value[(stage, p, top[p]) + job] for p in perturbations)
        k = len(worst_first)
        return sum((k - i) * a for i, a in enumerate(worst_first)) / (k * (k + 1) / 2)

    lines = []
    for stage in stages:
        for p in perturbations:
            have = [j for j in jobs if (stage, p, top[p]) + j in value and (base, p, top[p]) + j in value]
            if not have:
                continue
            perturbed = [value[(stage, p, top[p]) + j] for j in have]
            drops = [drop(stage, p, j) for j in have]
            extra = [drop(stage, p, j) - drop(base, p, j) for j in have] if stage != base else None
            lines.append((stage, p, perturbed, drops, extra))
    # Holm over the compared lines only (the base's own lines test nothing).
    tested = [i for i, line in enumerate(lines) if line[4]]
    ps = [1.0] * len(lines)
    for i, p in zip(tested, holm([paired(lines[i][4], folds)[2] for i in tested])):
        ps[i] = p
    print(f"jobs: {len(jobs)} ({'folds of one cross-validation: corrected resampled t' if folds > 1 else 'seeds'}); "
          f"largest strengths: " + ", ".join(f"{p} {top[p]:g}" for p in perturbations))
    print(f"{'stage (lineage)':<52}{'perturbation':<15}{'metric':>8}{'drop':>9}{'extra drop vs base [95 % interval]':>40}"
          f"{'Holm p':>9}")
    for (stage, p, perturbed, drops, extra), hp in zip(lines, ps):
        label = f"{stage[0]} ({stage[1]})"
        text = ""
        if extra:
            mean, half, _ = paired([100 * e for e in extra], folds)
            text = f"{mean:+7.2f} [{mean - half:+7.2f}, {mean + half:+7.2f}]"
        print(f"{label:<52}{p:<15}{100 * sum(perturbed) / len(perturbed):8.2f}{100 * sum(drops) / len(drops):+9.2f}"
              f"{text:>40}{(f'{hp:9.3g}' if extra else ''):>9}")
    print()
    print(f"{'stage (lineage)':<52}{'weighted worst-case score':>26}{'vs base [95 % interval]':>34}")
    for stage in stages:
        have = [j for j in jobs if all((stage, p, top[p]) + j in value and (base, p, top[p]) + j in value
                                       for p in perturbations)]
        if not have:
            continue
        scores = [score(stage, j) for j in have]
        text = ""
        if stage != base:
            mean, half, _ = paired([100 * (score(stage, j) - score(base, j)) for j in have], folds)
            text = f"{mean:+7.2f} [{mean - half:+7.2f}, {mean + half:+7.2f}]"
        print(f"{stage[0] + ' (' + stage[1] + ')':<52}{100 * sum(scores) / len(scores):26.2f}{text:>34}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "robustness.csv")
