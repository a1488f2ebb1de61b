#pragma once

#include "core/results/RunResult.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

/// The one vocabulary in which a run reports progress, to the CLI and to the GUI alike.
/// Plain structs, no LibTorch: a front end includes this header and nothing from torch.
/// Events are emitted on the thread that calls Session::run.
namespace gsq::core::results {

struct RunStarted {
    std::string experiment;
    std::string datasetSummary; ///< e.g. "cora: 1 graph, 2708 nodes, 5278 edges, 1433 features, 7 classes"
    std::string task, model;
    int totalJobs = 0; ///< (seed, fold) combinations
    int epochsPerJob = 0;
    int threads = 1;
    std::string threadsReason; ///< "configured" or the measurement that chose it
};

struct StageStarted {
    int job = 0; ///< 0-based index among totalJobs
    int64_t seed = 0;
    int fold = 0;
    Stage stage = Stage::Base; ///< a training stage: base, regularized, finetuned or qat
    int epochs = 0;
    std::string setting; ///< compression setting ("sparsity=0.5"); empty for base
    std::string method = "none"; ///< compression method of the stage; "none" for base
};

struct EpochMetrics {
    int job = 0;
    int64_t seed = 0;
    int fold = 0;
    Stage stage = Stage::Base;
    int epochs = 0; ///< planned epochs of this stage
    EpochPoint point;
    std::string setting; ///< as in StageStarted
    std::string method = "none"; ///< as in StageStarted (settings repeat across methods)
};

struct StageFinished {
    int job = 0;
    ResultRow row;
    std::vector<LayerRow> layers; ///< per-weight statistics and histograms of this stage
};

/// A pruning step was applied (or a gradual schedule moved): per-layer sparsity after it.
struct PruningApplied {
    int job = 0;
    int64_t seed = 0;
    int fold = 0;
    std::string method, setting;
    Stage stage = Stage::Pruned; ///< Pruned, or Finetuned for a gradual schedule's steps
    int epoch = 0; ///< fine-tuning epoch for gradual schedules, 0 otherwise
    double targetSparsity = 0;
    std::vector<LayerRow> layers;
    std::vector<std::string> fullyPruned; ///< weights pruned to 100 %
};

/// Weight histograms of every weight matrix after one training epoch of the first job (seed,
/// fold), for watching the distribution move epoch by epoch. Each histogram spans that epoch's
/// own symmetric range [-max|w|, max|w|] (LayerRow::histLo/histHi); during quantization-aware
/// training these are the fp32 shadow weights.
struct WeightSnapshot {
    int job = 0;
    Stage stage = Stage::Base; ///< as in StageStarted
    std::string method, setting; ///< as in StageStarted; method "none" for base
    int epoch = 0;
    std::vector<LayerRow> layers;
};

struct RunWarning {
    std::string message;
};

struct RunFinished {
    std::shared_ptr<const RunResult> result;
};

struct RunFailed {
    std::string message;
    bool cancelled = false;
    bool invalidInput = false; ///< bad file or configuration (CLI exit code 2)
};

using SessionEvent = std::variant<RunStarted, StageStarted, EpochMetrics, StageFinished, PruningApplied, WeightSnapshot,
    RunWarning, RunFinished, RunFailed>;
using EventSink = std::function<void(const SessionEvent&)>;

/// Set from any thread to stop a run between two training steps.
class CancelToken {
public:
    void cancel() { m_flag.store(true); }
    bool cancelled() const { return m_flag.load(); }
    const std::atomic<bool>* flag() const { return &m_flag; }

private:
    std::atomic<bool> m_flag { false };
};

} // namespace gsq::core::results
