#pragma once

#include "core/experiment/Steps.h"
#include "core/pruning/Pruner.h"
#include "core/results/SessionEvents.h"
#include "core/training/Checkpoint.h"

#include <functional>
#include <map>
#include <string>

namespace gsq::core::training {
class Task;
class Trainer;
class TrainerHooks;
struct FitResult;
} // namespace gsq::core::training
namespace torch::nn {
class Module;
}
namespace gsq::core::quantization {
class Quantizer;
}

namespace gsq::core::compression {

using experiment::AnalyzeSpec;
using experiment::PruneSpec;
using experiment::QuantSpec;

/// A model a named step (`name:`) produced for one of its settings: what a step with `from:`
/// that name starts from, one chained job per produced model.
struct Produced {
    training::Checkpoint model;
    pruning::MaskSet masks; ///< what the step pruned (empty for structured and l2_only)
    results::ResultRow row; ///< the row of its last stage: lineage, setting, sparsity
};

/// What one (seed, fold) job hands to the compression steps.
struct JobContext {
    const experiment::ExperimentConfig& config;
    int job = 0;
    int64_t seed = 0;
    int fold = 0;
    results::ResultRow baseRow; ///< the trained base model's row (keys, metric)
    std::function<void(const results::SessionEvent&)> emit;
    const results::CancelToken& cancel;
    results::RunResult& result;
    std::string modelDir; ///< when set, .gsqm files of this job are written here
    std::map<std::string, double> histogramRanges; ///< per layer, set from the base model
    const training::Checkpoint* init = nullptr; ///< this job's untrained model (steps that train from scratch)
    std::map<std::string, std::vector<Produced>> produced; ///< by step name, in the order made
};

/// Runs the compression steps of one job. A step starts every setting from the trained base, or,
/// with `from: NAME`, from each model the step NAME produced (ctx.produced), its masks kept:
/// prune -> evaluate (stage "pruned") -> fine-tune with masks kept -> evaluate ("finetuned").
/// Method l2_only instead trains from ctx.init with the L2 penalty (stage "regularized").
/// A named step records what each of its settings produced in ctx.produced.
/// Rows go to ctx.result and as StageFinished events; per-layer statistics to ctx.result.layers
/// and PruningApplied events; fully pruned layers become warnings.
class CompressionRunner {
public:
    /// The one stage recorder, for base training and every compression stage: StageStarted,
    /// EpochMetrics per epoch, WeightSnapshot per epoch of the first job, the JobHistory (with
    /// its method) in ctx.result; trains with `hooks` for `epochs` from seed + seedOffset.
    static training::FitResult trainStage(training::Task& task, training::Trainer& trainer, const std::string& method,
        results::Stage stage, const std::string& setting, int epochs, training::TrainerHooks& hooks,
        uint64_t seedOffset, JobContext& ctx);

    static void runPrune(
        training::Task& task, const training::Checkpoint& base, const PruneSpec& spec, JobContext& ctx);

    /// An analyze step at its place in the list. Sensitivity analysis: from the trained base,
    /// prunes each selected weight tensor alone to each level (per-layer magnitude) and evaluates
    /// without fine-tuning; rows go to ctx.result.sensitivity; the base weights are restored
    /// afterwards. An analysis of every stage (robustness, MethodInfo::everyStage) does nothing
    /// here: measure() runs it on each stage's model.
    static void runAnalysis(
        training::Task& task, const training::Checkpoint& base, const AnalyzeSpec& spec, JobContext& ctx);

    /// Quantization: from the trained base (or each model of the `from:` step, its pruned
    /// weights held at exactly zero), attaches a Quantizer, calibrates its ranges on the training
    /// data, trains quantization-aware for spec.epochs (not for ptq) and evaluates the quantized
    /// model (stage "quantized"). The base weights are restored afterwards.
    static void runQuantize(
        training::Task& task, const training::Checkpoint& base, const QuantSpec& spec, JobContext& ctx);

    /// Fills the size and latency columns of `row` and appends the model's per-layer rows to
    /// ctx.result. With a quantizer: sizes of the packed integer weights, latency through the
    /// int8 kernels, fp32 latency with the quantizer disabled.
    static void measure(
        training::Task& task, results::ResultRow& row, JobContext& ctx, quantization::Quantizer* quantizer = nullptr);

    /// Histogram rows (61 bins over each weight's own symmetric range) of every weight matrix
    /// of `module`, for WeightSnapshot events.
    static std::vector<results::LayerRow> snapshot(
        torch::nn::Module& module, const std::string& method, const std::string& setting, results::Stage stage);
};

} // namespace gsq::core::compression
