#pragma once

#include "core/results/RunResult.h"

#include <string>
#include <vector>

namespace gsq::core::results {

/// One point of the Pareto view: one summary row (a stage of a method or a pipeline, or the
/// base) of one run, its test metric against its size on disk.
struct ParetoPoint {
    SummaryRow row;
    /// Within its group (dataset × task × metric), no other point has a mean at least as high
    /// with at most as many bytes on disk, better in one of the two.
    bool onFront = false;
};

/// The points of `summaries` (of one or several runs), grouped by dataset, task and metric, since
/// sizes and metrics of different tasks do not compare; each group sorted by bytes on disk. Rows
/// without a measured size (0 bytes) are left out. Higher metric values are better (accuracy,
/// ROC-AUC, average precision, macro-F1).
std::vector<ParetoPoint> paretoPoints(const std::vector<SummaryRow>& summaries);

/// How a point's model was made: its lineage ("global sparsity=0.9 → qat bits=8"), "method
/// setting" for rows stored before lineages were recorded, "base" for the base model.
std::string lineageLabel(const SummaryRow& row);

/// pareto.csv: one line per point: dataset, task, metric, experiment, model, method, setting,
/// stage, lineage (lineageLabel), n, mean, std, size_disk_bytes, on_front (1 or 0).
std::string paretoCsv(const std::vector<ParetoPoint>& points);

} // namespace gsq::core::results
