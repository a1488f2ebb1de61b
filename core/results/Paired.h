#pragma once

#include "core/results/RunResult.h"

#include <string>
#include <tuple>
#include <vector>

namespace gsq::core::results {

/// Rows of one (method, setting, stage), e.g. "qat bits=4 observer=percentile per_channel
/// (quantized)".
struct RowKey {
    std::string method, setting;
    Stage stage = Stage::Base;
    std::string label() const;
};

/// Differences are compared after rounding to this: metrics are ratios of counts, so real
/// differences are far larger, while two differences of stored values that are equal in exact
/// arithmetic can differ in their last float bits (they would split one tie into two ranks).
constexpr double kTiePrecision = 1e-9;

/// Where the pairs come from, so the test fits the design.
struct PairedDesign {
    /// k of a k-fold cross-validation; 1 when the jobs are independent seeds (no folds).
    int folds = 1;
    /// n_test / n_train of one fold (Nadeau and Bengio's n2/n1): 1 / (k - 2) for GraphSqueeze's
    /// folds, where one fold tests, the next validates and the other k - 2 train.
    double testTrainRatio = 0;
    /// The test every comparison of the table uses and its interval, said in one line.
    std::string describe() const;
    /// The design of a run that trained `foldsRun` of `folds` folds per seed: folds of one
    /// cross-validation when more than one ran (of more than two), independent seeds otherwise.
    static PairedDesign of(int foldsRun, int folds);
};

/// One key against a baseline on the (seed, fold) pairs both have: candidate minus baseline.
struct PairedDifference {
    RowKey key;
    int n = 0; ///< pairs
    int wins = 0, losses = 0, ties = 0; ///< candidate above, below, equal to the baseline
    double meanDiff = 0, stdDiff = 0; ///< of the per-pair differences (sample std)
    double signP = 1; ///< two-sided exact sign test (ties dropped)
    double wilcoxonP = 1; ///< two-sided Wilcoxon signed-rank (zeros dropped, exact with ties)
    /// The design's test: with folds, the corrected resampled t-test (Nadeau and Bengio 2003;
    /// Bouckaert and Frank 2004), whose variance (1/n + n2/n1) s^2 allows for the overlap of the
    /// folds' training sets; with independent seeds, the Wilcoxon signed-rank test.
    double testP = 1;
    double holmP = 1; ///< testP after Holm's step-down correction over every key of the table
    /// 95 % interval of the mean difference: the corrected t interval with folds, the paired t
    /// interval with seeds.
    double ciLow = 0, ciHigh = 0;
};

/// Every key of `rows` other than `baseline`, each paired with the baseline by (seed, fold), in
/// the order the keys first appear, tested as `design` says, Holm-corrected over the keys.
/// `deployed`: compare deployed values (int8 kernels) instead of test values. Throws
/// std::invalid_argument when no row has the baseline key.
std::vector<PairedDifference> pairedDifferences(
    const std::vector<ResultRow>& rows, const RowKey& baseline, bool deployed = false, const PairedDesign& design = {});

/// Two-sided p of Student's t statistic `t` with `df` degrees of freedom.
double studentTwoSidedP(double t, double df);
/// The t with P(T <= t) = `q` (0.5 < q < 1) for `df` degrees of freedom.
double studentQuantile(double q, double df);
/// Holm's step-down adjusted p-values, in the order given (Holm 1979).
std::vector<double> holmAdjusted(const std::vector<double>& p);
/// Nadeau and Bengio's corrected resampled t-test of paired differences from `diffs` resamples
/// with test/train ratio `ratio`: {two-sided p, 95 % interval low, high}.
std::tuple<double, double, double> correctedResampledT(const std::vector<double>& diffs, double ratio);

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
