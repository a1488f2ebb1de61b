#pragma once

#include "core/results/RunResult.h"

#include <string>

namespace gsq::core::session {

/// The session speaks in the result and event types of core/results.
using namespace gsq::core::results;

/// Serialises a RunResult with the columns of core/results/ResultSchema.h. Every file is written
/// atomically (temp file + rename).
class ResultWriter {
public:
    static std::string resultsCsv(const RunResult& r);
    static std::string summaryCsv(const RunResult& r);
    /// One row per weight tensor per (method, setting, stage, seed, fold).
    static std::string layersCsv(const RunResult& r);
    /// Rows: weight tensors; columns: pruning levels; cells: mean test metric over seeds and folds
    /// with only that tensor pruned to that level (no fine-tuning).
    static std::string sensitivityCsv(const RunResult& r);
    /// Config echo (YAML text and key values), versions, environment, seeds, per-epoch metrics,
    /// results and warnings.
    static std::string runJson(const RunResult& r);

    /// Writes DIR/results.csv, DIR/summary.csv, DIR/layers.csv, DIR/run.json and, after a
    /// sensitivity analysis, DIR/sensitivity.csv; after a robustness analysis, DIR/robustness.csv.
    static void writeAll(const std::string& dir, const RunResult& r);
};

} // namespace gsq::core::session
