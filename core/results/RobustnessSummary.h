#pragma once

#include "core/results/Paired.h"
#include "core/results/RunResult.h"

#include <string>
#include <vector>

namespace gsq::core::results {

/// What a robustness analysis (robustness.csv) says per stage, paired with the dense base of the
/// same (seed, fold): the core of the Robustness tab, the report's section and
/// bench/robustness_summary.py (which computes the same from the CSV).
///
/// For a stage and a perturbation at its largest strength, per job:
///   drop       = metric perturbed - metric clean (strength 0) of the stage itself
///   extra drop = drop of the stage - drop of the base (negative: the compressed model loses more)
/// The interval and p are the paired t-test's over the jobs, the corrected resampled t-test
/// (Nadeau and Bengio 2003) when the jobs are folds of one cross-validation (`design`); Holm's
/// correction runs over every compared (stage, perturbation) line, the base's own lines excluded.
///
/// The weighted worst-case score of a stage (docs/robustness.md): per job, the metric under each
/// perturbation at its largest strength, sorted from worst to best and weighted k, k-1, ..., 1
/// (normalised), so the worst perturbation weighs most; its mean, and its paired difference from
/// the base's with the same interval.
struct RobustnessLine {
    std::string stage; ///< "global sparsity=0.9 (finetuned)": the lineage (or "base") and the stage
    std::string perturbation;
    double strength = 0; ///< the perturbation's largest strength in the rows
    std::string unit;
    int n = 0; ///< jobs with both this stage's and the base's values
    double clean = 0, perturbed = 0, drop = 0; ///< means over the jobs
    bool compared = false; ///< false for the base itself
    double extraDrop = 0, ciLow = 0, ciHigh = 0, p = 1, holmP = 1;
};

struct RobustnessScore {
    std::string stage;
    int n = 0;
    double score = 0; ///< mean over the jobs
    bool compared = false;
    double diff = 0, ciLow = 0, ciHigh = 0; ///< paired against the base's score
};

struct RobustnessSummary {
    std::vector<std::string> stages; ///< in the order their first row came; the base first
    std::vector<std::string> perturbations; ///< in the analysis' own order
    std::vector<RobustnessLine> lines; ///< stage-major, then perturbation
    std::vector<RobustnessScore> scores; ///< per stage with every perturbation measured
    int jobs = 0;
};

/// The stage name a robustness row belongs to: "global sparsity=0.9 (finetuned)", "base (base)".
std::string robustnessStage(const RobustnessRow& row);

/// Summarises `rows` (one run's robustness rows); empty when there are none. Throws
/// std::invalid_argument when there are rows but no base stage to pair with.
RobustnessSummary summarizeRobustness(const std::vector<RobustnessRow>& rows, const PairedDesign& design = {});

} // namespace gsq::core::results
