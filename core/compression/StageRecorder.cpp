#include "core/compression/CompressionRunner.h"

// The stage recorder: training stages with their events and history, and the measurements
// (sizes, latency as deployed, per-layer rows and histograms) of every finished stage.
#include "core/analysis/Robustness.h"
#include "core/common/AtomicFile.h"
#include "core/experiment/Catalog.h"
#include "core/measure/Latency.h"
#include "core/measure/ModelFile.h"
#include "core/measure/ModelStats.h"
#include "core/nn/functional/MessagePassing.h"
#include "core/quantization/Int8Linear.h"
#include "core/quantization/Quantizer.h"
#include "core/training/Task.h"
#include "core/training/Trainer.h"

#include <torch/torch.h>

#include <cctype>
#include <cmath>
#include <cstdio>

namespace gsq::core::compression {
namespace {

constexpr int kHistogramBins = 61; // odd, so one bin is centred on zero and shows the pruning spike

/// Rows name their method; structured pruning's rows are measured as the smaller dense model.
bool isStructured(const std::string& method)
{
    const auto* m = experiment::Catalog::method(experiment::StepKind::Prune, method);
    return m && m->removesChannels;
}

/// Counts of `w` in `bins` equal bins over [-range, range]; values outside go to the end bins.
std::vector<int64_t> histogram(const at::Tensor& w, double range, int bins = kHistogramBins)
{
    auto idx = ((w + range) / (2 * range) * bins).floor().clamp(0, bins - 1).to(torch::kLong);
    auto counts = torch::bincount(idx, {}, bins).contiguous();
    return { counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + bins };
}

/// A later stage's histogram on the base model's bins: the same bin width and edges, with whole
/// bins added on both sides until every weight falls inside (fine-tuning can grow weights past
/// the base range; piling them into the end bins drew false spikes). At most kHistogramBins
/// bins are added per side; only weights beyond that go to the end bins.
void histogramOnBaseBins(const at::Tensor& w, double baseRange, results::LayerRow& l)
{
    const double width = 2 * baseRange / kHistogramBins;
    const double maxAbs = w.numel() ? w.abs().max().item<double>() : 0.0;
    const int extra
        = maxAbs > baseRange ? std::min(kHistogramBins, static_cast<int>(std::ceil((maxAbs - baseRange) / width))) : 0;
    const double range = baseRange + extra * width;
    l.histLo = -range;
    l.histHi = range;
    l.histCounts = histogram(w, range, kHistogramBins + 2 * extra);
}

/// The layers.csv rows of an A²Q quantizer's feature points: what each learned, by bit-width and
/// by in-degree, over the rows of the last evaluation pass.
void addFeatureRows(
    const quantization::Quantizer& quantizer, const results::ResultRow& row, std::vector<results::LayerRow>& layers)
{
    for (const auto& f : quantizer.featureBits()) {
        results::LayerRow l;
        l.method = row.method;
        l.setting = row.setting;
        l.stage = row.stage;
        l.seed = row.seed;
        l.fold = row.fold;
        l.kind = "features";
        l.layer = f.name;
        l.shape = "[" + std::to_string(f.rows) + ", " + std::to_string(f.cols) + "] " + f.mode;
        l.params = f.quantizers;
        l.nnz = f.quantizers;
        l.bits = f.averageBits;
        l.bitWidths = f.widths;
        for (const auto& [bucket, bits] : f.byDegree) {
            char buf[48];
            std::snprintf(buf, sizeof buf, "%s%s:%.3g", l.bitsByDegree.empty() ? "" : " ", bucket.c_str(), bits);
            l.bitsByDegree += buf;
        }
        layers.push_back(std::move(l));
    }
}

} // namespace

training::FitResult CompressionRunner::trainStage(training::Task& task, training::Trainer& trainer,
    const std::string& method, results::Stage stage, const std::string& setting, int epochs,
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

/// "w4", "a8", or "wmixed" for a fractional average width.
std::string widthTag(char letter, double bits)
{
    char buf[16];
    if (std::abs(bits - std::round(bits)) < 1e-9)
        std::snprintf(buf, sizeof buf, "%c%d", letter, static_cast<int>(std::lround(bits)));
    else
        std::snprintf(buf, sizeof buf, "%cmixed", letter);
    return std::string(buf);
}

/// Latency as deployed beside the fp32 reference, the deployed model's metric and what kernels
/// ran (latencyKind).
void measureLatency(training::Task& task, results::ResultRow& row, quantization::Quantizer* quantizer,
    const measure::QuantizedWeights& quantized)
{
    if (!quantizer) {
        // The model as it is (dense fp32, pruned zeros multiplied), and for pruned stages the
        // same weights run through the sparse kernels.
        row.latencyDenseMs = measure::timeForward([&] { task.inferenceForward(); }).medianMs;
        if (row.method == "none" || isStructured(row.method)) {
            row.latencyMs = row.latencyDenseMs;
            row.latencyKind = row.method == "none" ? "dense-fp32" : "dense-structured";
        } else {
            nn::functional::SparseWeightsScope sparse;
            row.latencyMs = measure::timeForward([&] { task.inferenceForward(); }).medianMs;
            row.latencyKind = "sparse-csr";
        }
        return;
    }
    // fp32 reference: the same weights with every quantization point passing through.
    quantizer->setEnabled(false);
    row.latencyDenseMs = measure::timeForward([&] { task.inferenceForward(); }).medianMs;
    quantizer->setEnabled(true);
    quantizer->prepareInt8();
    {
        quantization::Int8Scope int8;
        row.latencyMs = measure::timeForward([&] { task.inferenceForward(); }).medianMs;
        // What the deployed model predicts: int8 kernels, activations on their trained grid.
        auto ev = task.evaluate();
        row.testMetrics["int8_kernel_" + row.metric] = ev.testMetric;
        row.deployedValue = ev.testMetric;
    }
    quantizer->releaseInt8();
    // What runs: integer weights of this width in int8 lanes; activations clipped and rounded
    // to their trained b-bit grid (as in training) and fed to the GEMM through its per-call
    // 8-bit (7 without VNNI) lanes, or, without activation quantization, only those dynamic
    // lanes; message passing and norms in fp32.
    const std::string lanes = quantization::activationsReducedRange() ? "7" : "8";
    const bool shared = !quantized.empty()
        && std::all_of(quantized.begin(), quantized.end(), [](const auto& q) { return q.second.codebook.defined(); });
    if (shared) // weight sharing: the codebook's values decoded to fp32, fp32 kernels
        row.latencyKind = widthTag('w', quantizer->averageWeightBits()) + "-codebook-fp32";
    else
        row.latencyKind = widthTag('w', quantizer->averageWeightBits())
            + (quantizer->spec().activations ? widthTag('a', quantizer->averageFeatureBits()) + "-int" + lanes + "lanes"
                                             : "a" + lanes + "-dynamic")
            + "-onednn";
}

/// One layers.csv row per prunable tensor: sizes, MACs, widths and the histogram on the base's bins.
void addLayerRows(training::Task& task, const results::ResultRow& row, JobContext& ctx,
    const measure::ModelSizes& sizes, const measure::QuantizedWeights& quantized, quantization::Quantizer* quantizer)
{
    auto params = task.module()->named_parameters(true);
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
        if (auto it = quantized.find(t.name); it != quantized.end()) {
            w = it->second.dequantized().flatten();
            std::map<int, int64_t> widths;
            for (int b : it->second.bits)
                ++widths[b];
            l.bitWidths = widths;
        } else
            w = params[t.name].detach().flatten().to(torch::kFloat);
        // Fixed bin edges: the base model's symmetric range, remembered per layer for this job;
        // later stages extend it by whole bins where their weights reach further.
        auto& range = ctx.histogramRanges[t.name];
        if (range <= 0)
            range = std::max(1e-8, w.abs().max().item<double>());
        histogramOnBaseBins(w, range, l);
        ctx.result.layers.push_back(l);
    }
}

/// The model file's name: letters, digits, '.', '-' and '_' only ("sparsity=0.5" →
/// "sparsity_0.5"; a chain's arrow → "to").
std::string modelFileName(const results::ResultRow& row)
{
    std::string name
        = row.method == "none" ? "base" : row.method + "-" + row.setting + "-" + results::stageName(row.stage);
    for (size_t at; (at = name.find(" → ")) != std::string::npos;)
        name.replace(at, std::string(" → ").size(), "_to_");
    for (auto& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '_')
            ch = '_';
    return name + ".gsqm";
}

} // namespace

void CompressionRunner::measure(
    training::Task& task, results::ResultRow& row, JobContext& ctx, quantization::Quantizer* quantizer)
{
    row.deployedValue = row.testValue; // the same model, unless int8 kernels run it (below)
    auto module = task.module();
    measure::QuantizedWeights quantized;
    if (quantizer)
        quantized = quantizer->quantizedWeights();
    auto sizes = measure::measureSizes(*module, quantizer ? &quantized : nullptr);
    row.sizeTheoreticalBytes = sizes.theoreticalBytes;
    row.sizeDenseBytes = sizes.denseBytes;
    row.sizeDiskBytes = sizes.diskBytes;
    row.sizeFoldedBytes = sizes.foldedBytes;
    row.nonzeroParams = sizes.nonzeroParams;
    // Structured pruning removes parameters: count them against the unpruned model's total.
    row.totalParams = isStructured(row.method) ? ctx.baseRow.totalParams : sizes.totalParams;
    measureLatency(task, row, quantizer, quantized);
    addLayerRows(task, row, ctx, sizes, quantized, quantizer);
    if (quantizer)
        addFeatureRows(*quantizer, row, ctx.result.layers);
    if (!ctx.modelDir.empty()) {
        ensureWritableDirectory(ctx.modelDir);
        measure::ModelFile::save(*module, ctx.modelDir + "/" + modelFileName(row), quantizer ? &quantized : nullptr);
    }
    // Every stage's model under the robustness analysis' perturbations (one per experiment).
    for (const auto& step : ctx.config.steps)
        if (const auto* a = std::get_if<experiment::AnalyzeSpec>(&step)) {
            const auto* info = experiment::Catalog::method(experiment::StepKind::Analyze, a->method);
            if (!info || !info->everyStage)
                continue;
            // Perturbed features may reach the model in another layout than in training (dense
            // where sparse): no quantization point is made for them.
            struct Frozen {
                quantization::Quantizer* q;
                ~Frozen()
                {
                    if (q)
                        q->setFrozen(false);
                }
            } frozen { quantizer };
            if (quantizer)
                quantizer->setFrozen(true);
            auto rows = analysis::robustness(task, *a, row, quantizer != nullptr, ctx.cancel);
            ctx.result.robustness.insert(ctx.result.robustness.end(), rows.begin(), rows.end());
        }
}

std::vector<results::LayerRow> CompressionRunner::snapshot(
    torch::nn::Module& module, const std::string& method, const std::string& setting, results::Stage stage)
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

} // namespace gsq::core::compression
