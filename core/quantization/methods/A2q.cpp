#include "core/quantization/A2qFakeQuant.h"
#include "core/quantization/DegreeQuant.h"
#include "core/quantization/UniformQuant.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

/// a2q: A²Q (Zhu et al., ICLR 2023; weihai-98/A2Q: quantize_function/u_quant_gc_bit_debug.py,
/// get_scale_index.py). A learnable step size and bit-width per weight output channel, and for
/// features per node (node tasks), from a pool each row picks by its max |x| (the
/// nearest-neighbour strategy, graph tasks) or per in-degree bucket, trained under a memory
/// penalty. Where this differs from the reference code is listed in docs/reproduction.md
/// ("Known deviations from the reference code").
namespace gsq::core::quantization {
namespace {

/// round() in the forward pass, identity in the backward pass.
at::Tensor roundSte(const at::Tensor& x)
{
    return x + (x.round() - x).detach();
}

std::string keyOf(const std::string& name)
{
    return measure::ModelFile::quantizerKey(name);
}

double symmetricMax(int bits)
{
    return std::ldexp(1.0, bits - 1) - 1.0;
}

/// The in-degrees of log2 bucket b of degreeGroups: "0", "1-2", "3-6", "7-14", ...
std::string bucketLabel(int64_t b)
{
    const int64_t lo = (int64_t { 1 } << b) - 1, hi = (int64_t { 1 } << (b + 1)) - 2;
    return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

std::string number(const char* key, double v)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, " %s=%g", key, v);
    return buf;
}

struct A2qWeight : WeightPoint {
    at::Tensor step, bits; ///< learnable [rows]
    at::Tensor lastError; ///< weight_error: [rows], of the last training forward
};

struct A2qAct : ActPoint {
    std::string mode; ///< per_node | nearest | degree | single
    at::Tensor step, bits; ///< learnable [quantizers]
    at::Tensor isSigned; ///< buffer [1], 1 when the point saw negative values
    at::Tensor lastCounts; ///< elements per quantizer in the last forward pass
    at::Tensor lastIndex; ///< the quantizer each row used in the last forward pass
    int64_t lastCols = 0;
    bool lastNodes = false; ///< those rows were the graph's nodes (in-degrees known)
};

class A2q : public QuantMethod {
public:
    using QuantMethod::QuantMethod;

    void beginGraph(const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& batch) override
    {
        m_inDegree = torch::bincount(edgeIndex[1], {}, numNodes);
        m_graphBatch = batch.defined();
        m_group = degreeGroups(m_inDegree, m_spec.degreeGroups);
    }

    std::unique_ptr<WeightPoint> makeWeight(const std::string& name, const at::Tensor& w) override
    {
        auto p = std::make_unique<A2qWeight>();
        p->name = name;
        p->source = w;
        p->rows = w.size(0);
        p->cols = w.numel() / std::max<int64_t>(1, w.size(0));
        torch::NoGradGuard guard;
        // LSQ's initial step (Esser et al., ICLR 2020): 2 mean|w| / sqrt(qmax), per output channel.
        auto meanAbs = w.detach().reshape({ p->rows, p->cols }).abs().mean(1).clamp_min(1e-8);
        auto& module = m_state.module();
        p->step
            = module.register_parameter(keyOf(name) + "__step", 2.0 * meanAbs / std::sqrt(symmetricMax(m_spec.bits)));
        p->bits = module.register_parameter(
            keyOf(name) + "__bits", torch::full({ p->rows }, static_cast<double>(m_spec.bits)));
        m_weights[name] = p.get();
        return p;
    }

    at::Tensor weight(WeightPoint& point, const at::Tensor& w) override
    {
        auto& p = static_cast<A2qWeight&>(point);
        auto w2 = w.reshape({ p.rows, p.cols });
        if (m_spec.weightError > 0 && m_state.training() && torch::GradMode::is_enabled()) {
            // weight_error (our extension, not in A²Q): each channel's own quantization error,
            // weights detached, so only this channel's step and width feel it; relative to the
            // tensor's mean channel energy, so a channel with more energy than its neighbours
            // loses more by a coarse grid and keeps more bits.
            auto s = (p.step.abs() + 1e-8).unsqueeze(1);
            auto qmax = torch::pow(2.0, roundSte(p.bits.clamp(2.0, 8.0)).unsqueeze(1) - 1.0) - 1.0;
            auto wd = w2.detach();
            auto qd = torch::min(torch::max(wd / s, -qmax), qmax);
            p.lastError = (wd - roundSte(qd) * s).pow(2).sum(1) / wd.pow(2).sum(1).mean().clamp_min(1e-12);
        }
        return a2qFakeQuant(w2, p.step, p.bits, {}, /*isSigned=*/true).reshape(w.sizes());
    }

    measure::QuantizedWeight integerWeight(WeightPoint& point) override
    {
        auto& p = static_cast<A2qWeight&>(point);
        auto w2 = p.source.detach().reshape({ p.rows, p.cols }).to(torch::kFloat);
        measure::QuantizedWeight q;
        q.scales = (p.step.detach().abs() + 1e-8).to(torch::kFloat).contiguous();
        q.derived = { "quant." + keyOf(p.name) + "__step", "quant." + keyOf(p.name) + "__bits" };
        auto b = p.bits.detach().clamp(2.0, 8.0).round().to(torch::kInt).contiguous();
        q.bits.assign(b.data_ptr<int>(), b.data_ptr<int>() + b.numel());
        auto qmax = (torch::pow(2.0, b.to(torch::kDouble) - 1.0) - 1.0).to(torch::kFloat).unsqueeze(1);
        auto v = (w2 / q.scales.unsqueeze(1)).round();
        q.values = torch::min(torch::max(v, -qmax), qmax).to(torch::kChar).contiguous();
        q.storage = storage();
        return q;
    }

    std::unique_ptr<ActPoint> makeAct(const std::string& name, const at::Tensor& x, Rows rows, bool nodes) override;
    at::Tensor act(ActPoint& p, const at::Tensor& x, bool nodes) override;

    at::Tensor penalty() override
    {
        if (m_spec.penalty <= 0 && m_spec.weightError <= 0)
            return {};
        return m_spec.penalty * memoryTerm() + m_spec.weightError * weightErrorTerm();
    }

    /// Step sizes and bit-widths without weight decay (it would pull them towards zero), each at
    /// its own learning rate, as the A²Q reference trains them.
    std::vector<ParameterGroup> parameterGroups() override
    {
        auto endsWith = [](const std::string& s, const std::string& tail) {
            return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
        };
        ParameterGroup steps { {}, m_spec.stepLr }, bits { {}, m_spec.bitsLr };
        for (const auto& p : m_state.module().named_parameters(/*recurse=*/false))
            (endsWith(p.key(), "__bits") ? bits : steps).parameters.push_back(p.value());
        return { steps, bits };
    }

    /// An epoch's weights become the result only once the average widths meet the target
    /// (within a quarter bit), as a gradual pruning schedule waits for its final sparsity.
    bool acceptCheckpoint() override
    {
        const double limit = m_spec.targetBits + 0.25;
        // The memory form (as A²Q's graph-level script) holds only the features to the target.
        const bool weightsHeld = m_spec.penaltyForm != "memory";
        return (!weightsHeld || averageWeightBits() <= limit) && featureBitsOrFp32() <= limit;
    }

    std::string noEpochAcceptedWarning(int bestEpoch) override
    {
        char w[256];
        std::snprintf(w, sizeof w,
            "a2q: no epoch met the memory target of %g average bits; the best epoch by validation (%d, "
            "%.2f weight and %.2f feature bits) is reported; raise quantize.penalty, quantize.epochs or "
            "quantize.target_bits",
            m_spec.targetBits, bestEpoch, averageWeightBits(), featureBitsOrFp32());
        return w;
    }

    /// What it learned, and a warning when the widths fell to the floor.
    Outcome outcome(bool noEpochAccepted) override
    {
        const double weightBits = averageWeightBits(), featureBits = featureBitsOrFp32();
        Outcome out;
        char note[128];
        std::snprintf(note, sizeof note, "a2q: weights %.2f bits, features %.2f bits on average (target %g)",
            weightBits, featureBits, m_spec.targetBits);
        out.note = note;
        if (noEpochAccepted)
            out.note += "; target not met";
        if (weightBits <= 2.0 + 1e-9 || featureBits <= 2.0 + 1e-9) {
            out.warnings.push_back(std::string("a2q: the memory penalty drove the ")
                + (weightBits <= 2.0 + 1e-9 ? "weight" : "feature") + " bit-widths to the 2-bit floor (penalty "
                + std::to_string(m_spec.penalty) + "); lower quantize.penalty or raise quantize.target_bits");
            out.note += "; bits collapsed to the floor";
        }
        return out;
    }

    double averageWeightBits() override
    {
        double bits = 0, elems = 0;
        for (auto& [name, p] : m_weights) {
            bits += p->bits.detach().clamp(2.0, 8.0).round().sum().item<double>() * static_cast<double>(p->cols);
            elems += static_cast<double>(p->rows * p->cols);
        }
        return elems > 0 ? bits / elems : m_spec.bits;
    }

    double averageFeatureBits() override
    {
        double bits = 0, elems = 0;
        for (auto& [name, p] : m_acts) {
            if (!p->lastCounts.defined())
                continue;
            bits += (p->bits.detach().clamp(2.0, 8.0).round().to(torch::kDouble) * p->lastCounts).sum().item<double>();
            elems += p->lastCounts.sum().item<double>();
        }
        return elems > 0 ? bits / elems : m_spec.bits;
    }

    std::vector<FeatureBits> featureBits() const override;

private:
    double featureBitsOrFp32() { return m_spec.activations ? averageFeatureBits() : 32; }
    at::Tensor memoryTerm(); ///< the penalty without its weight a
    at::Tensor weightErrorTerm(); ///< without weight_error; consumes the last forward's errors

    // Points by name (the Quantizer owns them); sums run in name order.
    std::map<std::string, A2qWeight*> m_weights;
    std::map<std::string, A2qAct*> m_acts;
    at::Tensor m_inDegree; ///< [N] long
    bool m_graphBatch = false; ///< beginGraph got a batch vector (graph-level task)
    at::Tensor m_group; ///< [N] long, degree group
};

std::unique_ptr<ActPoint> A2q::makeAct(const std::string& name, const at::Tensor& x, Rows rows, bool nodes)
{
    auto p = std::make_unique<A2qAct>();
    p->name = name;
    p->rows = rows;
    torch::NoGradGuard guard;
    // A²Q's code gives node-level tasks one quantizer per node and graph-level tasks a pool that
    // rows pick from by their max |x| (the nearest-neighbour strategy); rows that are not the
    // graph's nodes (pooled graphs, decoder pairs) use the pool under per_node too.
    std::string mode = m_spec.features;
    if (mode == "auto")
        mode = m_graphBatch ? "nearest" : "per_node";
    if (mode == "per_node" && !nodes)
        mode = "nearest";
    if (mode == "degree" && !(nodes && m_group.defined()))
        mode = "single";
    p->mode = mode;
    const int64_t quantizers = mode == "per_node" ? m_state.numNodes()
        : mode == "nearest"                       ? m_spec.nearestGroups
        : mode == "degree"                        ? m_spec.degreeGroups
                                                  : 1;
    auto x2 = x.detach().reshape({ x.size(0), -1 }).to(torch::kFloat);
    const bool isSigned = x2.min().item<double>() < 0;
    const double qmax = isSigned ? symmetricMax(m_spec.bits) : std::ldexp(1.0, m_spec.bits) - 1.0;
    const double globalMean = std::max(1e-8, x2.abs().mean().item<double>());
    auto rowMean = x2.abs().mean(1);
    at::Tensor init; // initial step sizes [quantizers]
    if (mode == "per_node") {
        // LSQ's initial step (Esser et al., ICLR 2020), 2 mean|x| / sqrt(qmax), per node.
        init = 2.0 * torch::where(rowMean > 0, rowMean, torch::full_like(rowMean, globalMean)) / std::sqrt(qmax);
    } else if (mode == "nearest") {
        // The pool's ranges spread over the calibration rows' max |x| (quantiles (g + 0.5) / G), so
        // every row finds a quantizer whose range fits it; the A²Q code draws the initial step
        // sizes at random instead (|N(0.01, 0.01)|), which leaves most of a pool unused.
        auto rowMax = std::get<0>(x2.abs().max(1)).clamp_min(1e-8);
        auto q = (torch::arange(quantizers, torch::kFloat) + 0.5) / static_cast<double>(quantizers);
        init = torch::quantile(rowMax, q) / qmax;
    } else if (mode == "degree") {
        // LSQ's initial step per degree group (groups without nodes in the calibration batch start
        // from the whole tensor's).
        auto sums = torch::zeros({ quantizers }).index_add(0, m_group, rowMean);
        auto counts = torch::bincount(m_group, {}, quantizers).to(torch::kFloat);
        init = torch::where(
                   counts > 0, (sums / counts.clamp_min(1)).clamp_min(1e-8), torch::full({ quantizers }, globalMean))
            * 2.0 / std::sqrt(qmax);
    } else {
        init = torch::full({ 1 }, 2.0 * globalMean / std::sqrt(qmax));
    }
    const std::string key = keyOf(name);
    auto& module = m_state.module();
    p->step = module.register_parameter(key + "__step", init.clamp_min(1e-8).to(torch::kFloat).contiguous());
    p->bits = module.register_parameter(key + "__bits", torch::full({ quantizers }, static_cast<double>(m_spec.bits)));
    p->isSigned = module.register_buffer(key + "__signed", torch::full({ 1 }, isSigned ? 1.0 : 0.0));
    m_acts[name] = p.get();
    return p;
}

at::Tensor A2q::act(ActPoint& point, const at::Tensor& x, bool nodes)
{
    auto& p = static_cast<A2qAct&>(point);
    const int64_t quantizers = p.step.size(0);
    auto x2 = x.dim() == 2 ? x : x.reshape({ x.size(0), -1 });
    const bool isSigned = p.isSigned.item<double>() > 0.5;
    at::Tensor g; // the quantizer of each row
    if (p.mode == "per_node") {
        if (x2.size(0) != quantizers)
            throw std::runtime_error("a2q per-node feature quantizers of '" + p.name + "' were made for "
                + std::to_string(quantizers) + " nodes, this forward pass has " + std::to_string(x2.size(0))
                + "; use quantize.feature_quantizers: nearest");
        g = torch::arange(quantizers, torch::kLong);
    } else if (p.mode == "nearest") {
        // The quantizer whose largest level (levels * step) is nearest the row's max |x|
        // (get_scale_index_uniform in the A²Q code; no gradient through the choice).
        g = a2qNearestQuantizers(x2, p.step, p.bits, isSigned);
    } else if (p.mode == "degree" && nodes && m_group.defined()) {
        g = m_group;
    } else {
        g = torch::zeros({ x2.size(0) }, torch::kLong);
    }
    p.lastCounts = torch::bincount(g, {}, quantizers).to(torch::kDouble) * static_cast<double>(x2.size(1));
    p.lastIndex = g;
    p.lastCols = x2.size(1);
    p.lastNodes = nodes && m_inDegree.defined();
    return a2qFakeQuant(x2, p.step, p.bits, g, isSigned).reshape(x.sizes());
}

at::Tensor A2q::weightErrorTerm()
{
    // Element-weighted mean over the channels seen in the last training forward, as the average
    // weight bits are weighted; each channel's term is consumed once.
    at::Tensor sum = torch::zeros({});
    double elems = 0;
    for (auto& [name, p] : m_weights) {
        if (!p->lastError.defined())
            continue;
        sum = sum + p->lastError.sum() * static_cast<double>(p->cols);
        elems += static_cast<double>(p->rows * p->cols);
        p->lastError = at::Tensor();
    }
    return elems > 0 ? sum / elems : sum;
}

at::Tensor A2q::memoryTerm()
{
    at::Tensor total = torch::zeros({});
    at::Tensor fBits = torch::zeros({});
    double fElems = 0;
    for (auto& [name, p] : m_acts) {
        if (!p->lastCounts.defined())
            continue;
        fBits = fBits + (p->bits.clamp(2.0, 8.0) * p->lastCounts.to(torch::kFloat)).sum();
        fElems += p->lastCounts.sum().item<double>();
    }
    if (m_spec.penaltyForm == "memory") {
        // What A²Q's graph-level script penalises, the features' memory in KB (bits / 8 / 1024), in
        // our form (docs/reproduction.md, "Known deviations"), against the memory the target width
        // would take; weight widths are left to the task loss.
        if (fElems > 0)
            total = torch::relu(fBits / 8192.0 - m_spec.targetBits * fElems / 8192.0).pow(2);
        return total;
    }
    double wElems = 0;
    at::Tensor wBits = torch::zeros({});
    for (auto& [name, p] : m_weights) {
        wBits = wBits + p->bits.clamp(2.0, 8.0).sum() * static_cast<double>(p->cols);
        wElems += static_cast<double>(p->rows * p->cols);
    }
    if (wElems > 0)
        total = total + torch::relu(wBits / wElems - m_spec.targetBits).pow(2);
    if (fElems > 0)
        total = total + torch::relu(fBits / fElems - m_spec.targetBits).pow(2);
    return total;
}

std::vector<FeatureBits> A2q::featureBits() const
{
    std::vector<FeatureBits> out;
    torch::NoGradGuard guard;
    for (const auto& [name, p] : m_acts) {
        if (!p->lastIndex.defined())
            continue;
        FeatureBits f;
        f.name = p->name;
        f.mode = p->mode;
        f.quantizers = p->step.size(0);
        f.rows = p->lastIndex.size(0);
        f.cols = p->lastCols;
        auto perRow
            = p->bits.detach().clamp(2.0, 8.0).round().index_select(0, p->lastIndex).to(torch::kLong).contiguous();
        const int64_t* rb = perRow.data_ptr<int64_t>();
        double sum = 0;
        for (int64_t r = 0; r < f.rows; ++r) {
            ++f.widths[static_cast<int>(rb[r])];
            sum += static_cast<double>(rb[r]);
        }
        f.averageBits = f.rows ? sum / static_cast<double>(f.rows) : 0;
        if (p->lastNodes && m_inDegree.defined() && m_inDegree.size(0) == f.rows) {
            // The log2 buckets of A²Q's degree groups, as many as the degrees need.
            auto bucket = degreeGroups(m_inDegree, 63).contiguous();
            const int64_t* bp = bucket.data_ptr<int64_t>();
            std::map<int64_t, std::pair<double, int64_t>> buckets;
            for (int64_t r = 0; r < f.rows; ++r) {
                auto& b = buckets[bp[r]];
                b.first += static_cast<double>(rb[r]);
                ++b.second;
            }
            for (const auto& [b, acc] : buckets)
                f.byDegree.emplace_back(bucketLabel(b), acc.first / static_cast<double>(acc.second));
        }
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace

QuantMethodEntry quantMethod_A2q()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Quantize;
    info.name = "a2q";
    info.label = "A2Q (learned bit-widths)";
    info.help = "learnable step size and bit-width per weight channel and per node or node pool (Zhu et al. 2023)";
    info.keys = uniformTrainingKeys();
    info.keys.insert(info.keys.end(),
        { "target_bits", "penalty", "penalty_form", "feature_quantizers", "nearest_groups", "degree_groups", "step_lr",
            "bits_lr", "weight_error" });
    info.collapseAdvice = "raise target_bits or lower the penalty";
    info.order = 30;
    info.quantDefaults = [](QuantSpec& q) { q.granularity = "per_channel"; };
    info.quantCheck = [](const QuantSpec& q) -> std::pair<std::string, std::string> {
        if (q.granularity != "per_channel")
            return { "granularity", "a2q learns a step size and bit-width per output channel; use per_channel" };
        return {};
    };
    info.targetsBits = true;
    info.quantLabel = [](const QuantSpec& q) {
        static const QuantSpec defaults;
        std::string label;
        if (q.penalty != defaults.penalty)
            label += number("penalty", q.penalty);
        if (q.penaltyForm != defaults.penaltyForm)
            label += " penalty_form=" + q.penaltyForm;
        if (q.features != defaults.features)
            label += " feature_quantizers=" + q.features;
        if (q.weightError != 0.0)
            label += number("weight_error", q.weightError);
        return label;
    };
    return { info,
        [](const QuantSpec& spec, QuantState& state, uint64_t) { return std::make_unique<A2q>(spec, state); } };
}

} // namespace gsq::core::quantization
