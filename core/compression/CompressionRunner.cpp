#include "core/compression/CompressionRunner.h"

#include "core/common/AtomicFile.h"
#include "core/compression/PruningHooks.h"
#include "core/measure/Latency.h"
#include "core/measure/ModelFile.h"
#include "core/measure/ModelStats.h"
#include "core/nn/functional/MessagePassing.h"
#include "core/pruning/Structured.h"
#include "core/quantization/Int8Linear.h"
#include "core/quantization/Quantizer.h"
#include "core/training/Task.h"
#include "core/training/Trainer.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

namespace gsq::core::compression {
namespace {

std::string settingLabel(double sparsity)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "sparsity=%g", sparsity);
    return buf;
}

results::PruningApplied pruningEvent(const JobContext& ctx, const std::string& method, const std::string& setting,
    results::Stage stage, int epoch, double target, torch::nn::Module& module, const pruning::MaskSet& masks)
{
    results::PruningApplied e;
    e.job = ctx.job;
    e.seed = ctx.seed;
    e.fold = ctx.fold;
    e.method = method;
    e.setting = setting;
    e.stage = stage;
    e.epoch = epoch;
    e.targetSparsity = target;
    for (const auto& l : masks.measure(module)) {
        results::LayerRow row;
        row.method = method;
        row.setting = setting;
        row.stage = stage;
        row.seed = ctx.seed;
        row.fold = ctx.fold;
        row.layer = l.name;
        row.params = l.numel;
        row.nnz = l.nnz;
        e.layers.push_back(row);
        if (l.nnz == 0)
            e.fullyPruned.push_back(l.name);
    }
    return e;
}

/// Evaluates and records one compression stage: row, layer rows and the StageFinished event.
void finishStage(training::Task& task, results::ResultRow row, const training::Evaluation& ev, results::Stage stage,
    JobContext& ctx, quantization::Quantizer* quantizer)
{
    row.stage = stage;
    row.testValue = ev.testMetric;
    row.valValue = ev.valMetric;
    row.testMetrics = ev.testMetrics;
    const size_t firstLayer = ctx.result.layers.size();
    CompressionRunner::measure(task, row, ctx, quantizer);
    ctx.result.rows.push_back(row);
    ctx.emit(results::StageFinished { ctx.job, row,
        { ctx.result.layers.begin() + static_cast<std::ptrdiff_t>(firstLayer), ctx.result.layers.end() } });
}

/// Quantization-aware training adds the quantizer's penalty (A²Q memory) to the loss. A²Q keeps
/// an epoch's weights as the result only once its average bit-widths meet the memory target
/// (within a quarter bit), as a gradual pruning schedule waits for its final sparsity.
class QuantizationHooks : public training::TrainerHooks {
public:
    explicit QuantizationHooks(quantization::Quantizer& q)
        : m_q(q)
    {
    }
    at::Tensor extraLoss() override { return m_q.penalty(); }
    bool acceptCheckpoint(int) override
    {
        if (m_q.spec().runsAs() != experiment::Method::A2q)
            return true;
        const double limit = m_q.spec().targetBits + 0.25;
        // The A²Q code's memory form holds only the features to the target.
        const bool weightsHeld = m_q.spec().penaltyForm != "memory";
        return (!weightsHeld || m_q.averageWeightBits() <= limit) && m_q.averageFeatureBits() <= limit;
    }

private:
    quantization::Quantizer& m_q;
};

} // namespace

void CompressionRunner::runSensitivity(
    training::Task& task, const training::Checkpoint& base, const AnalyzeSpec& spec, JobContext& ctx)
{
    auto module = task.module();
    for (const auto& layer : pruning::MaskSet::select(*module, spec.targets)) {
        pruning::Targets only;
        only.patterns = { layer };
        for (double level : spec.sparsities) {
            if (ctx.cancel.cancelled())
                throw training::Cancelled {};
            base.restore(*module);
            pruning::MaskSet::perLayerMagnitude(*module, only, level);
            ctx.result.sensitivity.push_back({ ctx.seed, ctx.fold, layer, level, task.evaluate().testMetric });
        }
    }
    base.restore(*module);
}

void CompressionRunner::runPrune(
    training::Task& task, const training::Checkpoint& base, const PruneSpec& spec, JobContext& ctx)
{
    auto module = task.module();
    training::Trainer trainer(ctx.config.train);
    auto finish = [&](results::ResultRow row, const training::Evaluation& ev, results::Stage stage) {
        finishStage(task, std::move(row), ev, stage, ctx, nullptr);
    };
    auto trainStage = [&](results::Stage stage, const std::string& setting, int epochs, training::TrainerHooks& hooks,
                          uint64_t seedOffset) {
        return CompressionRunner::trainStage(
            task, trainer, spec.method, stage, setting, epochs, hooks, seedOffset, ctx);
    };
    // Fine-tunes the pruned model and records the "finetuned" row; `keep` re-applies masks.
    auto finetune = [&](const results::ResultRow& row, const std::string& setting, training::TrainerHooks& hooks,
                        const std::function<void()>& keep) {
        auto fit = trainStage(
            results::Stage::Finetuned, setting, spec.finetuneEpochsFor(ctx.config.train.epochs), hooks, 31);
        if (keep)
            keep();
        results::ResultRow tuned = row;
        tuned.trainSeconds += fit.trainSeconds;
        tuned.bestEpoch = fit.bestEpoch;
        tuned.stoppedEarly = fit.stoppedEarly;
        finish(tuned, fit.best, results::Stage::Finetuned);
    };

    // The paper's third method: the same model trained from the same initialisation (and the same
    // random draws as the base) with lambda * sum ||p||_2 over every parameter; nothing removed.
    if (spec.runsAs() == experiment::Method::L2Only) {
        if (!ctx.init)
            throw std::logic_error("l2_only needs the job's initial weights");
        ctx.init->restore(*module);
        ctx.init->restoreRandomState();
        char setting[48];
        std::snprintf(setting, sizeof setting, "lambda=%g", spec.lambda);
        results::ResultRow row = ctx.baseRow;
        row.method = spec.method;
        row.setting = setting;
        row.targetSparsity = 0;
        PruningHooks l2(*module, spec, 0.0, {}, /*l2Only=*/true);
        auto fit = trainStage(results::Stage::Regularized, setting, spec.l2Epochs, l2, 0);
        row.trainSeconds = fit.trainSeconds;
        row.bestEpoch = fit.bestEpoch;
        row.stoppedEarly = fit.stoppedEarly;
        std::vector<std::string> weights;
        for (const auto& p : module->named_parameters(true))
            weights.push_back(p.key());
        const double nz = pruning::nearZeroFraction(*module, weights, spec.nearZero);
        char note[96];
        std::snprintf(note, sizeof note, "near-zero (|p|<%g): %.1f%%", spec.nearZero, nz * 100.0);
        row.note = note;
        finish(row, fit.best, results::Stage::Regularized);
        base.restore(*module);
        return;
    }

    for (double s : spec.sparsities) {
        if (ctx.cancel.cancelled())
            throw training::Cancelled {};
        base.restore(*module);
        const std::string setting = settingLabel(s);
        results::ResultRow row = ctx.baseRow;
        row.method = spec.method;
        row.setting = setting;
        row.targetSparsity = s;
        row.trainSeconds = 0;
        row.bestEpoch = 0;
        row.stoppedEarly = false;

        // Structured: channels are removed physically; nothing to keep masked while fine-tuning.
        if (spec.runsAs() == experiment::Method::Structured) {
            const auto boundaries = pruning::StructuredPruner::prune(*module, s, spec.criterion);
            row.note = "channels kept:";
            for (const auto& b : boundaries)
                row.note += " " + b.name + " " + std::to_string(b.after) + "/" + std::to_string(b.before) + ";";
            row.note.pop_back();
            finish(row, task.evaluate(), results::Stage::Pruned);
            if (spec.finetuneEpochsFor(ctx.config.train.epochs) > 0) {
                training::TrainerHooks none;
                finetune(row, setting, none, {});
            }
            base.restore(*module);
            pruning::StructuredPruner::syncOptions(*module);
            continue;
        }

        // L2: regularised training first; no weight is removed by it.
        if (spec.runsAs() == experiment::Method::L2) {
            PruningHooks l2(*module, spec, s, {}, /*l2Only=*/true);
            auto fit = trainStage(results::Stage::Regularized, setting, spec.l2Epochs, l2, 17);
            row.trainSeconds += fit.trainSeconds;
            const double nz
                = pruning::nearZeroFraction(*module, pruning::MaskSet::select(*module, spec.targets), spec.nearZero);
            char note[96];
            std::snprintf(note, sizeof note, "near-zero (|w|<%g) after L2: %.1f%%", spec.nearZero, nz * 100.0);
            row.note = note;
        }

        // One-shot pruning (AGP starts dense and prunes during fine-tuning).
        pruning::MaskSet masks;
        if (spec.schedule == "oneshot") {
            masks = PruningHooks::prune(*module, spec, s);
            auto ev = pruningEvent(ctx, spec.method, setting, results::Stage::Pruned, 0, s, *module, masks);
            for (const auto& name : ev.fullyPruned) {
                const std::string w = "layer " + name + " is 100% pruned at " + setting + " (" + spec.method
                    + "); the model cannot pass information through it";
                ctx.result.warnings.push_back(w);
                ctx.emit(results::RunWarning { w });
                row.note += (row.note.empty() ? "" : "; ") + std::string("fully pruned: ") + name;
            }
            ctx.emit(ev);
            finish(row, task.evaluate(), results::Stage::Pruned);
        }

        if (spec.finetuneEpochsFor(ctx.config.train.epochs) > 0) {
            PruningHooks hooks(*module, spec, s, masks, false, [&](int epoch, double level) {
                ctx.emit(pruningEvent(
                    ctx, spec.method, setting, results::Stage::Finetuned, epoch, level, *module, hooks.masks()));
            });
            finetune(row, setting, hooks, [&] { hooks.masks().apply(*module); });
        }
    }
    base.restore(*module);
}

void CompressionRunner::runQuantize(
    training::Task& task, const training::Checkpoint& base, const QuantSpec& spec, JobContext& ctx)
{
    if (ctx.cancel.cancelled())
        throw training::Cancelled {};
    auto module = task.module();
    base.restore(*module);
    results::ResultRow row = ctx.baseRow;
    row.method = spec.method;
    row.setting = spec.settingLabel();
    row.targetSparsity = 0;
    row.trainSeconds = 0;
    row.bestEpoch = 0;
    row.stoppedEarly = false;

    // start: init trains the quantized model from the job's own initialisation and random state
    // (the Degree-Quant code the paper runs); start: base fine-tunes the trained model.
    if (spec.start == "init") {
        if (!ctx.init)
            throw std::logic_error("quantize start: init needs the job's initial weights");
        ctx.init->restore(*module);
        ctx.init->restoreRandomState();
    }
    auto quantizer = quantization::Quantizer::attach(*module, spec, static_cast<uint64_t>(ctx.seed));
    // Whatever happens below, the model leaves as the plain fp32 base it came in as.
    struct Restore {
        torch::nn::Module& module;
        quantization::Quantizer& quantizer;
        const training::Checkpoint& base;
        ~Restore()
        {
            quantizer.detach(module);
            base.restore(module);
        }
    } restore { *module, *quantizer, base };

    // Ranges (and A²Q's initial step sizes) from the training data, before any optimizer exists.
    quantizer->setCalibrating(true);
    task.calibrationForward();
    quantizer->setCalibrating(false);

    training::Evaluation ev;
    bool targetMissed = false; // A²Q: no epoch met the bit target, so no epoch was eligible
    if (spec.runsAs() == experiment::Method::Ptq) {
        ev = task.evaluate();
    } else {
        auto trainConfig = ctx.config.train;
        if (spec.lr > 0) {
            trainConfig.lr = spec.lr;
            trainConfig.lrStepSize = 0; // a constant rate for the short quantization-aware training
        }
        if (spec.lrStepSize >= 0)
            trainConfig.lrStepSize = spec.lrStepSize;
        if (spec.lrGamma > 0)
            trainConfig.lrGamma = spec.lrGamma;
        if (spec.weightDecay >= 0)
            trainConfig.weightDecay = spec.weightDecay;
        trainConfig.quantStepLr = spec.stepLr;
        trainConfig.quantBitsLr = spec.bitsLr;
        training::Trainer trainer(trainConfig);
        QuantizationHooks hooks(*quantizer);
        auto fit = CompressionRunner::trainStage(
            task, trainer, spec.method, results::Stage::Qat, row.setting, spec.epochs, hooks, 47, ctx);
        row.trainSeconds = fit.trainSeconds;
        row.bestEpoch = fit.bestEpoch;
        row.stoppedEarly = fit.stoppedEarly;
        ev = fit.best;
        targetMissed = fit.noEligibleEpoch && spec.runsAs() == experiment::Method::A2q;
        if (targetMissed) {
            char w[256];
            std::snprintf(w, sizeof w,
                "a2q: no epoch met the memory target of %g average bits; the best epoch by validation (%d, "
                "%.2f weight and %.2f feature bits) is reported; raise quantize.penalty, quantize.epochs or "
                "quantize.target_bits",
                spec.targetBits, fit.bestEpoch, quantizer->averageWeightBits(), quantizer->averageFeatureBits());
            ctx.result.warnings.push_back(w);
            ctx.emit(results::RunWarning { w });
        }
        // The best epoch's evaluation ran before the last epoch's; evaluate the kept weights again
        // so the A²Q feature-bit counts describe this model.
        ev = task.evaluate();
    }
    row.bits = quantizer->averageWeightBits();
    row.featureBits = quantizer->averageFeatureBits();
    if (spec.runsAs() == experiment::Method::A2q) {
        char note[128];
        std::snprintf(note, sizeof note, "a2q: weights %.2f bits, features %.2f bits on average (target %g)", row.bits,
            row.featureBits, spec.targetBits);
        row.note = note;
        if (targetMissed)
            row.note += "; target not met";
        if (row.bits <= 2.0 + 1e-9 || row.featureBits <= 2.0 + 1e-9) {
            const std::string w = std::string("a2q: the memory penalty drove the ")
                + (row.bits <= 2.0 + 1e-9 ? "weight" : "feature") + " bit-widths to the 2-bit floor (penalty "
                + std::to_string(spec.penalty) + "); lower quantize.penalty or raise quantize.target_bits";
            ctx.result.warnings.push_back(w);
            ctx.emit(results::RunWarning { w });
            row.note += "; bits collapsed to the floor";
        }
    }
    finishStage(task, row, ev, results::Stage::Quantized, ctx, quantizer.get());
}

} // namespace gsq::core::compression
