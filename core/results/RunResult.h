#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/results/Stage.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gsq::core::results {

/// Mean and sample standard deviation (n - 1; 0 below two values) of a range of numbers, as
/// summary.csv reports them; shared with the front ends' charts.
template <class Range> std::pair<double, double> meanStd(const Range& values)
{
    double mean = 0, ss = 0;
    size_t n = 0;
    for (double x : values) {
        mean += x;
        ++n;
    }
    mean /= static_cast<double>(std::max<size_t>(1, n));
    for (double x : values)
        ss += (x - mean) * (x - mean);
    return { mean, n > 1 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0 };
}

/// How a compression setting is named where settings of several methods meet ("qat bits=4" and
/// "degree_quant bits=4" differ): the setting alone for the base ("") and method "none".
inline std::string settingKey(const std::string& method, const std::string& setting)
{
    return setting.empty() || method.empty() || method == "none" ? setting : method + " " + setting;
}

/// One row of results.csv: one (seed, fold, stage) of a run.
struct ResultRow {
    std::string experiment, dataset, task, model;
    std::string method = "none"; ///< compression method ("none" for the base model)
    std::string setting; ///< e.g. "sparsity=0.5"; empty for the base model
    int64_t seed = 0;
    int fold = 0; ///< 0-based; 0 when the split has no folds
    Stage stage = Stage::Base;
    std::string metric;
    double testValue = 0, valValue = 0;
    int64_t nonzeroParams = 0, totalParams = 0;
    double trainSeconds = 0;
    int bestEpoch = 0;
    bool stoppedEarly = false;
    std::map<std::string, double> testMetrics; ///< every metric on the test split
    double targetSparsity = 0; ///< requested sparsity of the setting (0 for base)
    int64_t sizeTheoreticalBytes = 0; ///< counted: non-zero values x 4 bytes (no index overhead)
    int64_t sizeDenseBytes = 0; ///< counted: every value x 4 bytes (the dense fp32 model)
    int64_t sizeDiskBytes = 0; ///< measured: bytes of the GraphSqueeze model file (.gsqm)
    /// measured: bytes of the same file in deployment form, BatchNorm folded into a scale and a
    /// shift (quantized files are always stored so: there it equals sizeDiskBytes)
    int64_t sizeFoldedBytes = 0;
    double latencyMs = 0; ///< measured: median forward pass over the test data
    /// What latencyMs ran: "dense-fp32", "dense-structured", "sparse-csr" (pruned weights
    /// skipped) or "w<N>a<K>-int<L>lanes-onednn" (N-bit integer weights in oneDNN's int8 GEMM,
    /// activations clipped and rounded to their trained K-bit grid, fed through L-bit lanes: 8, or
    /// 7 on CPUs without VNNI); "w<N>a<L>-dynamic-onednn" when activations are not quantized
    std::string latencyKind;
    double latencyDenseMs = 0; ///< measured: the same model run dense fp32 (masked zeros multiplied)
    double bits = 32; ///< bits per quantized weight (A²Q: the average); 32 = fp32
    double featureBits = 32; ///< bits per quantized activation element (A²Q: the average)
    std::string note; ///< e.g. "layer stack.conv1.weight fully pruned"
    /// The test metric of the model latencyKind describes: for quantized stages the int8
    /// kernels' own predictions (testValue is the fake-quantized, simulated model's); for every
    /// other stage the same model as testValue, so the same value.
    double deployedValue = 0;
    /// How the model was made, from the trained base: "global sparsity=0.9 → qat bits=8" for a
    /// quantize step chained (`from:`) after a prune step (chains grow with each `from:`);
    /// "method setting" for a step run from the
    /// base; empty for the base itself (and for rows stored before the column existed).
    std::string lineage;
    /// The quantize step's own setting, typed (experiment::QuantSetting), so no reader parses
    /// `setting`: its bit-width (0: the row's step does not quantize), the average width A²Q aims
    /// at (0: none), observer and granularity (methods that label them), the file form of the
    /// codes, where training started (base | init) and the method's own options as labelled.
    int quantBits = 0;
    double targetBits = 0;
    std::string observer, granularity, storage, start, methodOptions;
    /// The model the step started from, short ("global 0.9 → qat 8b"; stepLabel of each step);
    /// empty when it started from the trained base.
    std::string chain;
};

/// A step's part of a chain, short: "global 0.9" for a prune step's row (its target sparsity),
/// "qat 8b", "a2q 8b→4" for a quantize step's, the method alone for others; "" for the base.
std::string stepLabel(const ResultRow& row);

/// One weight tensor of one (seed, fold, setting, stage): a row of layers.csv.
struct LayerRow {
    std::string method, setting;
    Stage stage = Stage::Base;
    int64_t seed = 0;
    int fold = 0;
    /// "weight": a weight tensor; "features": a quantizer's activation point (A²Q), whose
    /// params are its learned quantizers and whose histogram is empty.
    std::string kind = "weight";
    std::string layer, shape;
    int64_t params = 0, nnz = 0;
    double bits = 32; ///< stored bits per value (A²Q: average over the rows)
    int64_t diskBytes = 0; ///< bytes of this tensor's payload in the model file
    /// Multiply-accumulates of this weight in one inference forward over the test data, counting
    /// only non-zero weights and, for sparse inputs, only stored inputs (message passing excluded).
    int64_t macs = 0;
    /// Weight histogram over [histLo, histHi] in histCounts.size() equal bins. The range is fixed
    /// per (layer, seed, fold) by the base model, so stages overlay bin for bin; values outside
    /// it are counted in the first or last bin.
    double histLo = 0, histHi = 0;
    std::vector<int64_t> histCounts;
    /// Quantized rows per bit-width, {3: 4, 4: 60} (weights: output channels; features: node or
    /// pooled rows of the last evaluation forward); empty when not quantized. Stored as "3:4 4:60".
    std::map<int, int64_t> bitWidths;
    /// Features: mean learned bits of the nodes per in-degree bucket, "0:5.1 1-2:4.8 3-6:4.2 7-14:4".
    std::string bitsByDegree;
    bool isWeight() const { return kind == "weight"; }
    double sparsity() const { return params ? 1.0 - static_cast<double>(nnz) / static_cast<double>(params) : 0.0; }
};

/// One row of summary.csv: rows that share everything but seed and fold, aggregated.
struct SummaryRow {
    std::string experiment, dataset, task, model, method, setting;
    Stage stage = Stage::Base;
    std::string metric;
    double testMean = 0, testStd = 0, valMean = 0, valStd = 0;
    int n = 0;
    double nonzeroParamsMean = 0;
    int64_t totalParams = 0;
    double targetSparsity = 0;
    double sizeDiskBytesMean = 0, sizeTheoreticalBytesMean = 0, sizeFoldedBytesMean = 0;
    double latencyMsMean = 0, latencyDenseMsMean = 0;
    std::string latencyKind;
    int64_t sizeDenseBytes = 0;
    double bitsMean = 32, featureBitsMean = 32;
    double trainSecondsMean = 0;
    double deployedMean = 0, deployedStd = 0; ///< of ResultRow::deployedValue
    std::string lineage; ///< ResultRow::lineage (one per method and setting)
    /// ResultRow's typed setting and chain (one per method and setting).
    int quantBits = 0;
    double targetBits = 0;
    std::string observer, granularity, storage, start, methodOptions, chain;
};

/// Sensitivity analysis: the test metric after pruning one weight tensor alone to one level,
/// without fine-tuning.
struct SensitivityRow {
    int64_t seed = 0;
    int fold = 0;
    std::string layer;
    double level = 0;
    double testValue = 0;
};

/// One epoch as recorded for history (plain copy of the trainer's record).
struct EpochPoint {
    int epoch = 0;
    double loss = 0, trainMetric = 0, valMetric = 0, testMetric = 0, valLoss = 0, lr = 0, seconds = 0;
};

/// The per-epoch history of one (seed, fold, stage).
struct JobHistory {
    int64_t seed = 0;
    int fold = 0;
    Stage stage = Stage::Base;
    std::vector<EpochPoint> epochs;
    std::string setting; ///< compression setting of the stage ("" for base)
    std::string method = "none"; ///< compression method of the stage ("none" for base): two methods
                                 ///< with the same setting label ("bits=4") never share a curve
};

/// Robustness analysis (core/analysis/Robustness.h): one stage's model of one (seed, fold) on
/// the test data under one perturbation at one strength; a row of robustness.csv.
struct RobustnessRow {
    int64_t seed = 0;
    int fold = 0;
    std::string method = "none", setting, lineage; ///< the stage's, as in its ResultRow
    Stage stage = Stage::Base;
    /// Which model ran: "fp32" (dense, or pruned with its zeros), or "fake-quant" (a quantized
    /// stage's simulated model; its int8 kernels are not attacked here).
    std::string evaluated;
    std::string perturbation; ///< edge_removal, edge_addition, feature_noise, feature_mask, fgsm, pgd
    double strength = 0; ///< as configured, in `unit`
    std::string unit; ///< "fraction of edges", "edges per edge", "feature std", "fraction of entries"
    /// What the perturbation did, in `unit`: edges removed or added over the edges there were;
    /// the largest |change| of a feature over its standard deviation (at most the budget); the
    /// fraction of entries masked; the noise's measured standard deviation over the features'.
    double realized = 0;
    std::string metric;
    double value = 0; ///< the test metric on the perturbed data
};

/// Everything a run produced; what the CLI writes to disk and the GUI shows.
struct RunResult {
    experiment::ExperimentConfig config;
    std::vector<ResultRow> rows;
    std::vector<SummaryRow> summary;
    std::vector<JobHistory> histories;
    std::vector<LayerRow> layers;
    std::vector<SensitivityRow> sensitivity;
    std::vector<RobustnessRow> robustness;
    std::map<std::string, std::string> versions; ///< library -> version
    std::map<std::string, std::string> environment; ///< threads, thread choice reason, features path
    std::vector<std::string> warnings;
    double totalSeconds = 0;

    /// Aggregates `rows` into `summary` (mean and sample standard deviation, n-1).
    void summarize();

    /// Folds in `added`: a run of further settings of this experiment from the same trained base
    /// (session::RunOptions::baseModel). Its compressed rows, layers, histories, robustness rows,
    /// sensitivity and new warnings are appended; its base rows, which repeat ours, are left out. The config
    /// becomes `config` (the experiment with every setting), the summary is recomputed and the
    /// wall times add up.
    void extend(const RunResult& added, const experiment::ExperimentConfig& config);
};

} // namespace gsq::core::results
