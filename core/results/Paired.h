#pragma once

#include "core/results/RunResult.h"

#include <string>
#include <vector>

namespace gsq::core::results {

/// Rows of one (method, setting, stage), e.g. "qat bits=4 observer=percentile per_channel
/// (quantized)".
struct RowKey {
    std::string method, setting;
    Stage stage = Stage::Base;
    std::string label() const;
};

/// One key against a baseline on the (seed, fold) pairs both have: candidate minus baseline.
struct PairedDifference {
    RowKey key;
    int n = 0; ///< pairs
    int wins = 0, losses = 0, ties = 0; ///< candidate above, below, equal to the baseline
    double meanDiff = 0, stdDiff = 0; ///< of the per-pair differences (sample std)
    double signP = 1; ///< two-sided exact sign test (ties dropped)
    double wilcoxonP = 1; ///< two-sided Wilcoxon signed-rank (zeros dropped, exact with ties)
};

/// Every key of `rows` other than `baseline`, each paired with the baseline by (seed, fold), in
/// the order the keys first appear. `deployed`: compare deployed values (int8 kernels) instead
/// of test values. Throws std::invalid_argument when no row has the baseline key.
std::vector<PairedDifference> pairedDifferences(
    const std::vector<ResultRow>& rows, const RowKey& baseline, bool deployed = false);

/// Rows of several runs pooled for pairing (`paired` over the cells of two experiments on the
/// same bases): a row whose key, seed and fold an earlier run already holds is dropped when its
/// test and deployed values are the same (the shared fp32 base), so no pair counts twice.
/// Throws std::invalid_argument naming the row when the values differ: the runs did not train
/// the same models, and their rows cannot be paired.
std::vector<ResultRow> poolRuns(const std::vector<std::vector<ResultRow>>& runs);

/// The key whose label() or "method setting" is `text` ("none" or "" = the base model; stage
/// optional, the key's last stage otherwise). Throws std::invalid_argument listing the keys.
RowKey findKey(const std::vector<ResultRow>& rows, const std::string& text);

/// P(at least as extreme a split) for `wins` against `losses` under a fair coin, two-sided.
double signTestP(int wins, int losses);
/// Two-sided p-value of the Wilcoxon signed-rank statistic of `diffs` (zeros dropped, tied
/// magnitudes given their average rank): exact (the permutation distribution of the ranks) up
/// to 200 non-zero differences, normal approximation beyond.
double wilcoxonP(const std::vector<double>& diffs);

} // namespace gsq::core::results
