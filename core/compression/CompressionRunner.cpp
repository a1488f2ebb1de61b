#include "core/compression/CompressionRunner.h"

#include "core/common/AtomicFile.h"
#include "core/compression/PruningHooks.h"
#include "core/experiment/Catalog.h"
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

/// Quantization-aware training: the method's penalty joins the loss, its own parameters train
/// in their own groups, and it decides which epochs may be kept (A²Q: only once its average
/// widths meet the memory target, as a gradual pruning schedule waits for its final sparsity).
/// A model that starts from a pruned one keeps its masks: pruned weights get no gradient and are
/// zeroed again after every step, so they stay exactly zero, and zero quantizes to the integer 0.
class QuantizationHooks : public training::TrainerHooks {
public:
    QuantizationHooks(quantization::QuantMethod& method, torch::nn::Module& module, const pruning::MaskSet* masks)
        : m_method(method)
        , m_module(module)
        , m_masks(masks && !masks->empty() ? masks : nullptr)
    {
    }
    at::Tensor extraLoss() override { return m_method.penalty(); }
    void beforeOptimizerStep() override
    {
        if (m_masks)
            m_masks->maskGradients(m_module);
    }
    void afterOptimizerStep() override
    {
        if (m_masks)
            m_masks->apply(m_module);
    }
    bool acceptCheckpoint(int) override { return m_method.acceptCheckpoint(); }
    std::vector<Group> parameterGroups() override
    {
        std::vector<Group> out;
        for (auto& g : m_method.parameterGroups())
            out.push_back({ std::move(g.parameters), g.lr });
        return out;
    }

private:
    quantization::QuantMethod& m_method;
    torch::nn::Module& m_module;
    const pruning::MaskSet* m_masks;
};

void warn(JobContext& ctx, const std::string& w)
{
    ctx.result.warnings.push_back(w);
    ctx.emit(results::RunWarning { w });
}

} // namespace

void CompressionRunner::runAnalysis(
    training::Task& task, const training::Checkpoint& base, const AnalyzeSpec& spec, JobContext& ctx)
{
    if (const auto* info = experiment::Catalog::method(experiment::StepKind::Analyze, spec.method);
        info && info->everyStage)
        return;
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

namespace {

/// The models a step starts from: the trained base (nullptr), or each model its `from:` step made.
std::vector<const Produced*> startsOf(const std::string& from, const JobContext& ctx)
{
    if (from.empty())
        return { nullptr };
    auto it = ctx.produced.find(from);
    if (it == ctx.produced.end())
        throw std::logic_error("no step named '" + from + "' has produced a model in this job");
    std::vector<const Produced*> out;
    for (const auto& p : it->second)
        out.push_back(&p);
    return out;
}

/// Puts the model a setting starts from in place (shapes and channel options too, after
/// structured pruning).
void restoreStart(torch::nn::Module& module, const training::Checkpoint& base, const Produced* source)
{
    (source ? source->model : base).restore(module);
    pruning::StructuredPruner::syncOptions(module);
}

/// The row of one setting of a step, before it is evaluated: keys from the base, the setting and
/// lineage chained after the source's ("global sparsity=0.9 → bits=8", lineage "global
/// sparsity=0.9 → qat bits=8").
results::ResultRow settingRow(
    const JobContext& ctx, const std::string& method, const std::string& setting, const Produced* source)
{
    results::ResultRow row = ctx.baseRow;
    row.method = method;
    row.setting = source ? source->row.lineage + " → " + setting : setting;
    row.lineage = (source ? source->row.lineage + " → " : "") + results::settingKey(method, setting);
    if (source)
        row.chain = (source->row.chain.empty() ? "" : source->row.chain + " → ") + results::stepLabel(source->row);
    row.targetSparsity = source ? source->row.targetSparsity : 0;
    row.trainSeconds = 0;
    row.bestEpoch = 0;
    row.stoppedEarly = false;
    return row;
}

/// A named step keeps what this setting made, for the steps that start from it.
void recordProduced(const std::string& name, torch::nn::Module& module, const pruning::MaskSet& masks, JobContext& ctx)
{
    if (!name.empty())
        ctx.produced[name].push_back({ training::Checkpoint::capture(module), masks, ctx.result.rows.back() });
}

/// A method from initialisation (the paper's third method, l2_only): the same model trained from
/// the same initialisation (and the same random draws as the base) with the method's regulariser
/// (lambda * sum ||p||_2 over every parameter); nothing removed.
void runFromInitialisation(training::Task& task, training::Trainer& trainer, const training::Checkpoint& base,
    const pruning::PruneMethod& method, int epochs, JobContext& ctx)
{
    const PruneSpec& spec = method.spec();
    auto module = task.module();
    if (!ctx.init)
        throw std::logic_error(spec.method + " needs the job's initial weights");
    ctx.init->restore(*module);
    ctx.init->restoreRandomState();
    char setting[48];
    std::snprintf(setting, sizeof setting, "lambda=%g", spec.lambda);
    results::ResultRow row = settingRow(ctx, spec.method, setting, nullptr);
    PruningHooks l2(*module, method, 0.0, {}, PruningHooks::Mode::Regularize);
    auto fit = CompressionRunner::trainStage(
        task, trainer, spec.method, results::Stage::Regularized, setting, epochs, l2, 0, ctx);
    row.trainSeconds = fit.trainSeconds;
    row.bestEpoch = fit.bestEpoch;
    row.stoppedEarly = fit.stoppedEarly;
    const double nz = pruning::nearZeroFraction(*module, method.regularized(*module), spec.nearZero);
    char note[96];
    std::snprintf(note, sizeof note, "near-zero (|p|<%g): %.1f%%", spec.nearZero, nz * 100.0);
    row.note = note;
    finishStage(task, row, fit.best, results::Stage::Regularized, ctx, nullptr);
    recordProduced(spec.name, *module, {}, ctx);
    base.restore(*module);
}

/// One sparsity of a prune step from one start model: prune (channels, after regularising,
/// one-shot or gradually), evaluate, fine-tune with the masks (and the source's) kept.
void pruneSetting(training::Task& task, training::Trainer& trainer, const pruning::PruneMethod& method,
    const experiment::MethodInfo& info, double s, const Produced* source, JobContext& ctx)
{
    const PruneSpec& spec = method.spec();
    auto module = task.module();
    const std::string setting = settingLabel(s);
    results::ResultRow row = settingRow(ctx, spec.method, setting, source);
    row.targetSparsity = s;
    const std::string& label = row.setting;
    const int finetuneEpochs = spec.finetuneEpochsFor(ctx.config.train.epochs);
    auto trainStage = [&](results::Stage stage, int epochs, training::TrainerHooks& hooks, uint64_t seedOffset) {
        return CompressionRunner::trainStage(task, trainer, spec.method, stage, label, epochs, hooks, seedOffset, ctx);
    };
    // Fine-tunes the pruned model and records the "finetuned" row; `keep` re-applies masks.
    auto finetune = [&](training::TrainerHooks& hooks, const std::function<void()>& keep) {
        auto fit = trainStage(results::Stage::Finetuned, finetuneEpochs, hooks, 31);
        if (keep)
            keep();
        results::ResultRow tuned = row;
        tuned.trainSeconds += fit.trainSeconds;
        tuned.bestEpoch = fit.bestEpoch;
        tuned.stoppedEarly = fit.stoppedEarly;
        finishStage(task, tuned, fit.best, results::Stage::Finetuned, ctx, nullptr);
    };

    // Channels are removed physically; nothing to keep masked while fine-tuning.
    if (info.removesChannels) {
        row.note = method.removeChannels(*module, s);
        finishStage(task, row, task.evaluate(), results::Stage::Pruned, ctx, nullptr);
        if (finetuneEpochs > 0) {
            training::TrainerHooks none;
            finetune(none, {});
        }
        recordProduced(spec.name, *module, {}, ctx);
        return;
    }

    // Regularised training first (l2); no weight is removed by it.
    if (const int epochs = info.regularizeEpochs ? info.regularizeEpochs(spec) : 0; epochs > 0) {
        PruningHooks l2(*module, method, s, {}, PruningHooks::Mode::Regularize);
        if (source)
            l2.keep(source->masks);
        auto fit = trainStage(results::Stage::Regularized, epochs, l2, 17);
        row.trainSeconds += fit.trainSeconds;
        const double nz = pruning::nearZeroFraction(*module, method.regularized(*module), spec.nearZero);
        char note[96];
        std::snprintf(note, sizeof note, "near-zero (|w|<%g) after L2: %.1f%%", spec.nearZero, nz * 100.0);
        row.note = note;
    }

    // One-shot pruning (AGP starts dense, or from the source's masks, and prunes during fine-tuning).
    pruning::MaskSet masks;
    if (spec.schedule == "oneshot") {
        masks = method.select(*module, s);
        if (source) {
            masks.merge(source->masks);
            masks.apply(*module);
        }
        auto ev = pruningEvent(ctx, spec.method, label, results::Stage::Pruned, 0, s, *module, masks);
        for (const auto& name : ev.fullyPruned) {
            warn(ctx,
                "layer " + name + " is 100% pruned at " + label + " (" + spec.method
                    + "); the model cannot pass information through it");
            row.note += (row.note.empty() ? "" : "; ") + std::string("fully pruned: ") + name;
        }
        ctx.emit(ev);
        finishStage(task, row, task.evaluate(), results::Stage::Pruned, ctx, nullptr);
    } else if (source) {
        masks = source->masks;
    }

    if (finetuneEpochs > 0) {
        PruningHooks hooks(*module, method, s, masks, PruningHooks::Mode::Finetune, [&](int epoch, double level) {
            ctx.emit(
                pruningEvent(ctx, spec.method, label, results::Stage::Finetuned, epoch, level, *module, hooks.masks()));
        });
        if (source)
            hooks.keep(source->masks);
        finetune(hooks, [&] { hooks.masks().apply(*module); });
        masks = hooks.masks();
    }
    recordProduced(spec.name, *module, masks, ctx);
}

} // namespace

void CompressionRunner::runPrune(
    training::Task& task, const training::Checkpoint& base, const PruneSpec& spec, JobContext& ctx)
{
    auto module = task.module();
    training::Trainer trainer(ctx.config.train);
    const auto method = pruning::makePruneMethod(spec);
    const experiment::MethodInfo* entry = experiment::Catalog::method(experiment::StepKind::Prune, spec.method);
    if (!entry)
        throw std::logic_error("no prune method '" + spec.method + "' in the catalog");
    const experiment::MethodInfo info = *entry; // a copy: the catalog may change while the step runs
    if (info.fromInitialisation) {
        runFromInitialisation(
            task, trainer, base, *method, info.regularizeEpochs ? info.regularizeEpochs(spec) : 0, ctx);
        return;
    }
    for (const Produced* source : startsOf(spec.from, ctx)) {
        for (double s : spec.sparsities) {
            if (ctx.cancel.cancelled())
                throw training::Cancelled {};
            restoreStart(*module, base, source);
            pruneSetting(task, trainer, *method, info, s, source, ctx);
        }
    }
    base.restore(*module);
    pruning::StructuredPruner::syncOptions(*module);
}

namespace {

/// One quantize step from one start model (the base, or a produced model whose masks are kept).
void quantizeFrom(training::Task& task, const training::Checkpoint& base, const QuantSpec& spec, const Produced* source,
    JobContext& ctx)
{
    auto module = task.module();
    restoreStart(*module, base, source);
    results::ResultRow row = settingRow(ctx, spec.method, spec.settingLabel(), source);
    const experiment::QuantSetting typed = spec.setting();
    row.quantBits = typed.bits;
    row.targetBits = typed.targetBits;
    row.observer = typed.observer;
    row.granularity = typed.granularity;
    row.storage = typed.storage;
    row.start = typed.start;
    row.methodOptions = typed.options;

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
            pruning::StructuredPruner::syncOptions(module);
        }
    } restore { *module, *quantizer, base };

    // Ranges (and A²Q's initial step sizes) from the training data, before any optimizer exists.
    quantizer->setCalibrating(true);
    task.calibrationForward();
    quantizer->setCalibrating(false);

    training::Evaluation ev;
    auto& method = quantizer->method();
    bool noEpochAccepted = false; // the method accepted no epoch (A²Q: the bit target never met)
    if (!method.trains()) {
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
        training::Trainer trainer(trainConfig);
        QuantizationHooks hooks(method, *module, source ? &source->masks : nullptr);
        auto fit = CompressionRunner::trainStage(
            task, trainer, spec.method, results::Stage::Qat, row.setting, spec.epochs, hooks, 47, ctx);
        row.trainSeconds = fit.trainSeconds;
        row.bestEpoch = fit.bestEpoch;
        row.stoppedEarly = fit.stoppedEarly;
        noEpochAccepted = fit.noEligibleEpoch;
        if (noEpochAccepted)
            if (auto w = method.noEpochAcceptedWarning(fit.bestEpoch); !w.empty())
                warn(ctx, w);
        // The best epoch's evaluation ran before the last epoch's; evaluate the kept weights again
        // so the A²Q feature-bit counts describe this model.
        ev = task.evaluate();
    }
    row.bits = quantizer->averageWeightBits();
    row.featureBits = quantizer->averageFeatureBits();
    auto outcome = method.outcome(noEpochAccepted);
    if (!outcome.note.empty())
        row.note = outcome.note;
    for (const auto& w : outcome.warnings)
        warn(ctx, w);
    finishStage(task, row, ev, results::Stage::Quantized, ctx, quantizer.get());
    if (!spec.name.empty()) {
        // Later steps start from this model as its file stores it: each quantized weight on its
        // grid (the integer codes dequantized), the start model's masks kept; the quantizer's own
        // state (activation ranges, learned widths) stays behind and the next step calibrates anew.
        auto weights = quantizer->quantizedWeights();
        quantizer->detach(*module);
        {
            torch::NoGradGuard guard;
            auto params = module->named_parameters(true);
            for (const auto& [name, q] : weights)
                params[name].copy_(q.dequantized().reshape(params[name].sizes()));
        }
        recordProduced(spec.name, *module, source ? source->masks : pruning::MaskSet {}, ctx);
    }
}

} // namespace

void CompressionRunner::runQuantize(
    training::Task& task, const training::Checkpoint& base, const QuantSpec& spec, JobContext& ctx)
{
    for (const Produced* source : startsOf(spec.from, ctx)) {
        if (ctx.cancel.cancelled())
            throw training::Cancelled {};
        quantizeFrom(task, base, spec, source, ctx);
    }
}

} // namespace gsq::core::compression
