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
    const std::string& stage, int epoch, double target, torch::nn::Module& module, const pruning::MaskSet& masks)
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

constexpr int kHistogramBins = 61; // odd, so one bin is centred on zero and shows the pruning spike

/// Counts of `w` in kHistogramBins equal bins over [-range, range]; values outside go to the end bins.
std::vector<int64_t> histogram(const at::Tensor& w, double range)
{
    auto idx = ((w + range) / (2 * range) * kHistogramBins).floor().clamp(0, kHistogramBins - 1).to(torch::kLong);
    auto counts = torch::bincount(idx, {}, kHistogramBins).contiguous();
    return { counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + kHistogramBins };
}

/// Evaluates and records one compression stage: row, layer rows and the StageFinished event.
void finishStage(training::Task& task, results::ResultRow row, const training::Evaluation& ev, const std::string& stage,
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

/// One training stage after the base model: events, history and the fit itself.
} // namespace

training::FitResult CompressionRunner::trainStage(training::Task& task, training::Trainer& trainer,
    const std::string& method, const std::string& stage, const std::string& setting, int epochs,
    training::TrainerHooks& hooks, uint64_t seedOffset, JobContext& ctx)
{
    ctx.emit(results::StageStarted { ctx.job, ctx.seed, ctx.fold, stage, epochs, setting, method });
    results::JobHistory history { ctx.seed, ctx.fold, stage, {}, setting, method };
    auto fit = trainer.fit(
        task, static_cast<uint64_t>(ctx.seed) + seedOffset,
        [&](const training::EpochRecord& r) {
            const results::EpochPoint point { r.epoch, r.loss, r.trainMetric, r.valMetric, r.testMetric, r.valLoss,
                r.lr, r.seconds };
            history.epochs.push_back(point);
            ctx.emit(results::EpochMetrics { ctx.job, ctx.seed, ctx.fold, stage, epochs, point, setting, method });
            if (ctx.job == 0)
                ctx.emit(results::WeightSnapshot { ctx.job, stage, method, setting, r.epoch,
                    CompressionRunner::snapshot(*task.module(), method, setting, stage) });
        },
        ctx.cancel.flag(), &hooks, epochs);
    ctx.result.histories.push_back(std::move(history));
    return fit;
}

namespace {

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
        if (m_q.spec().method != "a2q")
            return true;
        const double limit = m_q.spec().targetBits + 0.25;
        return m_q.averageWeightBits() <= limit && m_q.averageFeatureBits() <= limit;
    }

private:
    quantization::Quantizer& m_q;
};

} // namespace

void CompressionRunner::measure(
    training::Task& task, results::ResultRow& row, JobContext& ctx, quantization::Quantizer* quantizer)
{
    row.deployedValue = row.testValue; // the same model, unless int8 kernels run it (below)
    auto module = task.module();
    auto params = module->named_parameters(true);
    measure::QuantizedWeights quantized;
    if (quantizer)
        quantized = quantizer->quantizedWeights();
    auto sizes = measure::measureSizes(*module, quantizer ? &quantized : nullptr);
    row.sizeTheoreticalBytes = sizes.theoreticalBytes;
    row.sizeDenseBytes = sizes.denseBytes;
    row.sizeDiskBytes = sizes.diskBytes;
    row.nonzeroParams = sizes.nonzeroParams;
    // Structured pruning removes parameters: count them against the unpruned model's total.
    row.totalParams = row.method == "structured" ? ctx.baseRow.totalParams : sizes.totalParams;
    if (quantizer) {
        // fp32 reference: the same weights with every quantization point passing through.
        quantizer->setEnabled(false);
        row.latencyDenseMs = measure::timeForward([&] { task.inferenceForward(); }).medianMs;
        quantizer->setEnabled(true);
        quantizer->prepareInt8();
        {
            quantization::Int8Scope int8;
            row.latencyMs = measure::timeForward([&] { task.inferenceForward(); }).medianMs;
            // What the deployed int8 kernels predict (activations quantized per call).
            auto ev = task.evaluate();
            row.testMetrics["int8_kernel_" + row.metric] = ev.testMetric;
            row.deployedValue = ev.testMetric;
        }
        quantizer->releaseInt8();
        // What runs: integer weights of this width in int8 lanes, dynamic 8-bit (7 without VNNI)
        // activations, everything else (message passing, norms) in fp32.
        const double bits = quantizer->averageWeightBits();
        char weights[16];
        if (std::abs(bits - std::round(bits)) < 1e-9)
            std::snprintf(weights, sizeof weights, "w%d", static_cast<int>(std::lround(bits)));
        else
            std::snprintf(weights, sizeof weights, "wmixed");
        row.latencyKind
            = std::string(weights) + "a" + (quantization::activationsReducedRange() ? "7" : "8") + "-dynamic-onednn";
    } else {
        // The model as it is (dense fp32, pruned zeros multiplied), and for pruned stages the
        // same weights run through the sparse kernels.
        row.latencyDenseMs = measure::timeForward([&] { task.inferenceForward(); }).medianMs;
        if (row.method == "none" || row.method == "structured") {
            row.latencyMs = row.latencyDenseMs;
            row.latencyKind = row.method == "none" ? "dense-fp32" : "dense-structured";
        } else {
            nn::functional::SparseWeightsScope sparse;
            row.latencyMs = measure::timeForward([&] { task.inferenceForward(); }).medianMs;
            row.latencyKind = "sparse-csr";
        }
    }
    // Weight MACs of one inference pass, on the fp32 parameters themselves (quantizer off).
    std::map<const void*, int64_t> macs;
    {
        if (quantizer)
            quantizer->setEnabled(false);
        nn::functional::MacCountScope counting(&macs);
        task.inferenceForward();
        if (quantizer)
            quantizer->setEnabled(true);
    }
    for (const auto& t : sizes.tensors) {
        if (!t.prunable)
            continue;
        results::LayerRow l;
        if (auto it = macs.find(params[t.name].unsafeGetTensorImpl()); it != macs.end())
            l.macs = it->second;
        l.method = row.method;
        l.setting = row.setting;
        l.stage = row.stage;
        l.seed = row.seed;
        l.fold = row.fold;
        l.layer = t.name;
        l.shape = t.shape;
        l.params = t.params;
        l.nnz = t.nnz;
        l.bits = t.bits;
        l.diskBytes = t.diskBytes;
        // Quantized weights are histogrammed as stored (integer levels times their scales).
        at::Tensor w;
        if (auto it = quantized.find(t.name); it != quantized.end())
            w = (it->second.values.to(torch::kFloat) * it->second.scales.unsqueeze(1)).flatten();
        else
            w = params[t.name].detach().flatten().to(torch::kFloat);
        // Fixed bin edges: the base model's symmetric range, remembered per layer for this job.
        auto& range = ctx.histogramRanges[t.name];
        if (range <= 0)
            range = std::max(1e-8, w.abs().max().item<double>());
        l.histLo = -range;
        l.histHi = range;
        l.histCounts = histogram(w, range);
        ctx.result.layers.push_back(l);
    }
    if (!ctx.modelDir.empty()) {
        std::string name = row.method == "none" ? "base" : row.method + "-" + row.setting + "-" + row.stage;
        for (auto& ch : name)
            if (ch == '=')
                ch = '_';
        ensureWritableDirectory(ctx.modelDir);
        measure::ModelFile::save(*module, ctx.modelDir + "/" + name + ".gsqm", quantizer ? &quantized : nullptr);
    }
}

std::vector<results::LayerRow> CompressionRunner::snapshot(
    torch::nn::Module& module, const std::string& method, const std::string& setting, const std::string& stage)
{
    torch::NoGradGuard guard;
    std::vector<results::LayerRow> rows;
    for (const auto& p : module.named_parameters(true)) {
        if (p.value().dim() < 2 || p.key().rfind("quant.", 0) == 0)
            continue;
        results::LayerRow l;
        l.method = method;
        l.setting = setting;
        l.stage = stage;
        l.layer = p.key();
        l.shape = c10::str(p.value().sizes());
        l.params = p.value().numel();
        auto w = p.value().detach().flatten().to(torch::kFloat);
        l.nnz = w.ne(0).sum().item<int64_t>();
        const double range = std::max(1e-8, w.abs().max().item<double>());
        l.histLo = -range;
        l.histHi = range;
        l.histCounts = histogram(w, range);
        rows.push_back(std::move(l));
    }
    return rows;
}

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
    auto finish = [&](results::ResultRow row, const training::Evaluation& ev, const std::string& stage) {
        finishStage(task, std::move(row), ev, stage, ctx, nullptr);
    };
    auto trainStage = [&](const std::string& stage, const std::string& setting, int epochs,
                          training::TrainerHooks& hooks, uint64_t seedOffset) {
        return CompressionRunner::trainStage(
            task, trainer, spec.method, stage, setting, epochs, hooks, seedOffset, ctx);
    };
    // Fine-tunes the pruned model and records the "finetuned" row; `keep` re-applies masks.
    auto finetune = [&](const results::ResultRow& row, const std::string& setting, training::TrainerHooks& hooks,
                        const std::function<void()>& keep) {
        auto fit = trainStage("finetuned", setting, spec.finetuneEpochs, hooks, 31);
        if (keep)
            keep();
        results::ResultRow tuned = row;
        tuned.trainSeconds += fit.trainSeconds;
        tuned.bestEpoch = fit.bestEpoch;
        tuned.stoppedEarly = fit.stoppedEarly;
        finish(tuned, fit.best, "finetuned");
    };

    // The paper's third method: the same model trained from the same initialisation (and the same
    // random draws as the base) with lambda * sum ||p||_2 over every parameter; nothing removed.
    if (spec.method == "l2_only") {
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
        auto fit = trainStage("regularized", setting, spec.l2Epochs, l2, 0);
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
        finish(row, fit.best, "regularized");
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
        if (spec.method == "structured") {
            const auto boundaries = pruning::StructuredPruner::prune(*module, s, spec.criterion);
            row.note = "channels kept:";
            for (const auto& b : boundaries)
                row.note += " " + b.name + " " + std::to_string(b.after) + "/" + std::to_string(b.before) + ";";
            row.note.pop_back();
            finish(row, task.evaluate(), "pruned");
            if (spec.finetuneEpochs > 0) {
                training::TrainerHooks none;
                finetune(row, setting, none, {});
            }
            base.restore(*module);
            pruning::StructuredPruner::syncOptions(*module);
            continue;
        }

        // L2: regularised training first; no weight is removed by it.
        if (spec.method == "l2") {
            PruningHooks l2(*module, spec, s, {}, /*l2Only=*/true);
            auto fit = trainStage("regularized", setting, spec.l2Epochs, l2, 17);
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
            auto ev = pruningEvent(ctx, spec.method, setting, "pruned", 0, s, *module, masks);
            for (const auto& name : ev.fullyPruned) {
                const std::string w = "layer " + name + " is 100% pruned at " + setting + " (" + spec.method
                    + "); the model cannot pass information through it";
                ctx.result.warnings.push_back(w);
                ctx.emit(results::RunWarning { w });
                row.note += (row.note.empty() ? "" : "; ") + std::string("fully pruned: ") + name;
            }
            ctx.emit(ev);
            finish(row, task.evaluate(), "pruned");
        }

        if (spec.finetuneEpochs > 0) {
            PruningHooks hooks(*module, spec, s, masks, false, [&](int epoch, double level) {
                ctx.emit(pruningEvent(ctx, spec.method, setting, "finetuned", epoch, level, *module, hooks.masks()));
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
    if (spec.method == "ptq") {
        ev = task.evaluate();
    } else {
        auto trainConfig = ctx.config.train;
        if (spec.lr > 0) {
            trainConfig.lr = spec.lr;
            trainConfig.lrStepSize = 0; // a constant rate for the short quantization-aware training
        }
        training::Trainer trainer(trainConfig);
        QuantizationHooks hooks(*quantizer);
        auto fit = CompressionRunner::trainStage(
            task, trainer, spec.method, "qat", row.setting, spec.epochs, hooks, 47, ctx);
        row.trainSeconds = fit.trainSeconds;
        row.bestEpoch = fit.bestEpoch;
        row.stoppedEarly = fit.stoppedEarly;
        ev = fit.best;
        // The best epoch's evaluation ran before the last epoch's; evaluate the kept weights again
        // so the A²Q feature-bit counts describe this model.
        ev = task.evaluate();
    }
    row.bits = quantizer->averageWeightBits();
    row.featureBits = quantizer->averageFeatureBits();
    if (spec.method == "a2q") {
        char note[128];
        std::snprintf(note, sizeof note, "a2q: weights %.2f bits, features %.2f bits on average (target %g)", row.bits,
            row.featureBits, spec.targetBits);
        row.note = note;
        if (row.bits <= 2.0 + 1e-9 || row.featureBits <= 2.0 + 1e-9) {
            const std::string w = std::string("a2q: the memory penalty drove the ")
                + (row.bits <= 2.0 + 1e-9 ? "weight" : "feature") + " bit-widths to the 2-bit floor (penalty "
                + std::to_string(spec.penalty) + "); lower quantize.penalty or raise quantize.target_bits";
            ctx.result.warnings.push_back(w);
            ctx.emit(results::RunWarning { w });
            row.note += "; bits collapsed to the floor";
        }
    }
    finishStage(task, row, ev, "quantized", ctx, quantizer.get());
}

} // namespace gsq::core::compression
