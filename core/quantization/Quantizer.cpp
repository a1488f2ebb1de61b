#include "core/quantization/Quantizer.h"

#include "core/pruning/Pruner.h"
#include "core/quantization/A2qFakeQuant.h"
#include "core/quantization/Int8Linear.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

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

/// The in-degrees of log2 bucket b of degreeGroups: "0", "1-2", "3-6", "7-14", ...
std::string bucketLabel(int64_t b)
{
    const int64_t lo = (int64_t { 1 } << b) - 1, hi = (int64_t { 1 } << (b + 1)) - 2;
    return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

double symmetricMax(int bits)
{
    return std::ldexp(1.0, bits - 1) - 1.0;
}

} // namespace

struct Quantizer::WeightPoint {
    std::string name;
    at::Tensor source; ///< the parameter (updated in place by the optimizer)
    int64_t rows = 1, cols = 1;
    at::Tensor step, bits; ///< a2q: learnable [rows]
    at::Tensor lastError; ///< a2q weight_error: [rows], of the last training forward
};

struct Quantizer::ActPoint {
    std::string name;
    Rows rows = Rows::Nodes;
    at::Tensor range; ///< observer state, buffer [3]: lo, hi, batches seen (not a2q)
    at::Tensor lo, hi, count; ///< views of range
    std::string mode; ///< a2q: per_node | nearest | degree | single
    at::Tensor step, bits; ///< a2q: learnable [quantizers]
    at::Tensor isSigned; ///< a2q: buffer [1], 1 when the point saw negative values
    at::Tensor lastCounts; ///< a2q: elements per quantizer in the last forward pass
    at::Tensor lastIndex; ///< a2q: the quantizer each row used in the last forward pass
    int64_t lastCols = 0;
    bool lastNodes = false; ///< a2q: those rows were the graph's nodes (in-degrees known)
};

// ---------------------------------------------------------------- Quantizer

Quantizer::Quantizer(QuantSpec spec, uint64_t seed)
    : m_spec(std::move(spec))
    , m_method(m_spec.runsAs())
    , m_rng(seed * 0x2545F4914F6CDD1DULL + 7)
{
}

Quantizer::~Quantizer()
{
    releaseInt8();
}

std::shared_ptr<Quantizer> Quantizer::attach(torch::nn::Module& model, QuantSpec spec, uint64_t seed)
{
    auto q = std::make_shared<Quantizer>(std::move(spec), seed);
    q->m_allowedWeights = pruning::MaskSet::select(model, q->m_spec.targets);
    for (const auto& item : model.named_modules("", /*include_self=*/true)) {
        if (auto* quantizable = dynamic_cast<Quantizable*>(item.value().get())) {
            quantizable->quantHook().attach(q.get(), item.key().empty() ? std::string() : item.key() + ".");
            q->m_hooks.push_back(&quantizable->quantHook());
        }
    }
    model.register_module("quant", q);
    return q;
}

void Quantizer::detach(torch::nn::Module& model)
{
    for (auto* hook : m_hooks)
        hook->detach();
    m_hooks.clear();
    releaseInt8();
    if (model.named_children().contains("quant"))
        model.unregister_module("quant");
}

bool Quantizer::observing() const
{
    return m_calibrating || (is_training() && m_method != experiment::Method::Ptq);
}

void Quantizer::beginGraph(const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& batch)
{
    m_numNodes = numNodes;
    m_mask = at::Tensor();
    if (m_method != experiment::Method::A2q && m_method != experiment::Method::DegreeQuant)
        return;
    auto deg = torch::bincount(edgeIndex[1], {}, numNodes);
    if (m_method == experiment::Method::A2q) {
        m_inDegree = deg;
        m_graphBatch = batch.defined();
        m_group = degreeGroups(deg, m_spec.degreeGroups);
        return;
    }
    m_protect = protectionProbability(deg, m_spec.protectLow, m_spec.protectChange, batch);
    // Degree-Quant: one Bernoulli draw per node for this forward pass, shared by every layer and
    // quantization point (reddit_binary/gin.py draws `mask` once in forward and hands it to
    // every conv); none while calibrating or evaluating, where every node is quantized.
    if (!is_training() || m_calibrating)
        return;
    std::uniform_real_distribution<float> uniform(0.f, 1.f);
    auto prob = m_protect.contiguous();
    const float* pp = prob.data_ptr<float>();
    m_mask = torch::empty({ numNodes }, torch::kBool);
    bool* kp = m_mask.data_ptr<bool>();
    for (int64_t i = 0; i < numNodes; ++i)
        kp[i] = uniform(m_rng) < pp[i];
}

std::vector<std::string> Quantizer::weightNames() const
{
    std::vector<std::string> out;
    for (const auto& [name, p] : m_weights)
        out.push_back(name);
    return out;
}

std::vector<std::string> Quantizer::activationNames() const
{
    std::vector<std::string> out;
    for (const auto& [name, p] : m_acts)
        out.push_back(name);
    return out;
}

// ---------------------------------------------------------------- weights

Quantizer::WeightPoint& Quantizer::weightPoint(const std::string& name, const at::Tensor& w)
{
    auto it = m_weights.find(name);
    if (it != m_weights.end())
        return *it->second;
    auto p = std::make_unique<WeightPoint>();
    p->name = name;
    p->source = w;
    p->rows = w.size(0);
    p->cols = w.numel() / std::max<int64_t>(1, w.size(0));
    if (m_method == experiment::Method::A2q) {
        torch::NoGradGuard guard;
        // LSQ's initial step (Esser et al., ICLR 2020): 2 mean|w| / sqrt(qmax), per output channel.
        auto meanAbs = w.detach().reshape({ p->rows, p->cols }).abs().mean(1).clamp_min(1e-8);
        p->step = register_parameter(keyOf(name) + "__step", 2.0 * meanAbs / std::sqrt(symmetricMax(m_spec.bits)));
        p->bits
            = register_parameter(keyOf(name) + "__bits", torch::full({ p->rows }, static_cast<double>(m_spec.bits)));
    }
    return *m_weights.emplace(name, std::move(p)).first->second;
}

at::Tensor Quantizer::weightScales(const WeightPoint& p, const at::Tensor& w) const
{
    const double qmax = symmetricMax(m_spec.bits);
    auto flat = w.detach().reshape({ p.rows, p.cols }).abs();
    if (m_spec.granularity == "per_channel")
        return (flat.amax(1) / qmax).clamp_min(1e-12);
    return (flat.max() / qmax).clamp_min(1e-12).expand({ p.rows }).contiguous();
}

at::Tensor Quantizer::fakeQuantWeight(WeightPoint& p, const at::Tensor& w)
{
    auto w2 = w.reshape({ p.rows, p.cols });
    if (m_method == experiment::Method::A2q) {
        if (m_spec.weightError > 0 && is_training() && torch::GradMode::is_enabled()) {
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
    const double qmax = symmetricMax(m_spec.bits);
    auto s = weightScales(p, w).unsqueeze(1);
    auto fq = (w2.detach() / s).round().clamp(-qmax, qmax) * s;
    // Weights take the straight-through gradient under either `backward`: their range is their own
    // max |w| (per tensor or channel), so the clipped estimator would clip nothing.
    return (w2 + (fq - w2).detach()).reshape(w.sizes());
}

at::Tensor Quantizer::weight(const std::string& name, const at::Tensor& w)
{
    if (!m_enabled || std::find(m_allowedWeights.begin(), m_allowedWeights.end(), name) == m_allowedWeights.end())
        return w;
    if (Int8Scope::active()) {
        if (auto it = m_int8.find(name); it != m_int8.end())
            return it->second.first;
    }
    return fakeQuantWeight(weightPoint(name, w), w);
}

measure::QuantizedWeights Quantizer::quantizedWeights()
{
    torch::NoGradGuard guard;
    measure::QuantizedWeights out;
    for (auto& [name, p] : m_weights) {
        auto w2 = p->source.detach().reshape({ p->rows, p->cols }).to(torch::kFloat);
        measure::QuantizedWeight q;
        at::Tensor qmax;
        if (m_method == experiment::Method::A2q) {
            q.scales = (p->step.detach().abs() + 1e-8).to(torch::kFloat).contiguous();
            q.derived = { "quant." + keyOf(name) + "__step", "quant." + keyOf(name) + "__bits" };
            auto b = p->bits.detach().clamp(2.0, 8.0).round().to(torch::kInt).contiguous();
            q.bits.assign(b.data_ptr<int>(), b.data_ptr<int>() + b.numel());
            qmax = (torch::pow(2.0, b.to(torch::kDouble) - 1.0) - 1.0).to(torch::kFloat).unsqueeze(1);
        } else {
            q.scales = weightScales(*p, w2).to(torch::kFloat).contiguous();
            q.bits.assign(static_cast<size_t>(p->rows), m_spec.bits);
            qmax = torch::full({ p->rows, 1 }, symmetricMax(m_spec.bits));
        }
        auto v = (w2 / q.scales.unsqueeze(1)).round();
        q.values = torch::min(torch::max(v, -qmax), qmax).to(torch::kChar).contiguous();
        q.storage = m_spec.storage == "huffman" ? measure::CodeStorage::Huffman
            : m_spec.storage == "sparse"        ? measure::CodeStorage::Sparse
                                                : measure::CodeStorage::Packed;
        out.emplace(name, std::move(q));
    }
    return out;
}

void Quantizer::prepareInt8()
{
    releaseInt8();
    for (auto& [name, q] : quantizedWeights()) {
        const auto& p = *m_weights.at(name);
        if (p.source.dim() != 2)
            continue; // only [out, in] matrices run through functional::linear
        auto deq = (q.values.to(torch::kFloat) * q.scales.unsqueeze(1)).reshape(p.source.sizes()).contiguous();
        auto packed = std::make_shared<const PackedLinear>(q.values, q.scales);
        registerPacked(deq, packed);
        m_int8.emplace(name, std::make_pair(deq, packed));
    }
}

void Quantizer::releaseInt8()
{
    for (auto& [name, entry] : m_int8)
        unregisterPacked(entry.first);
    m_int8.clear();
}

// ---------------------------------------------------------------- activations

Quantizer::ActPoint& Quantizer::actPoint(const std::string& name, const at::Tensor& x, Rows rows)
{
    auto it = m_acts.find(name);
    if (it != m_acts.end())
        return *it->second;
    auto p = std::make_unique<ActPoint>();
    p->name = name;
    p->rows = rows;
    const std::string key = keyOf(name);
    if (m_method != experiment::Method::A2q) {
        p->range = register_buffer(key + "__range", torch::zeros({ 3 }));
        p->lo = p->range.narrow(0, 0, 1);
        p->hi = p->range.narrow(0, 1, 1);
        p->count = p->range.narrow(0, 2, 1);
        return *m_acts.emplace(name, std::move(p)).first->second;
    }
    torch::NoGradGuard guard;
    const bool nodes = rows == Rows::Nodes && x.size(0) == m_numNodes;
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
    const int64_t quantizers = mode == "per_node" ? m_numNodes
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
    p->step = register_parameter(key + "__step", init.clamp_min(1e-8).to(torch::kFloat).contiguous());
    p->bits = register_parameter(key + "__bits", torch::full({ quantizers }, static_cast<double>(m_spec.bits)));
    p->isSigned = register_buffer(key + "__signed", torch::full({ 1 }, isSigned ? 1.0 : 0.0));
    return *m_acts.emplace(name, std::move(p)).first->second;
}

at::Tensor Quantizer::act(const std::string& name, const at::Tensor& x, Rows rows)
{
    // Sparse inputs are data as given (e.g. Cora's bag of words); they stay sparse. Under an
    // Int8Scope the points quantize as in evaluation too: the deployed model clips and rounds
    // activations to the ranges and widths it was trained with before the int8 kernels see them.
    if (!m_enabled || !m_spec.activations || x.is_sparse() || x.layout() != torch::kStrided || x.numel() == 0)
        return x;
    return fakeQuantAct(actPoint(name, x, rows), x, rows);
}

at::Tensor Quantizer::fakeQuantAct(ActPoint& p, const at::Tensor& x, Rows rows)
{
    const bool nodes = rows == Rows::Nodes && x.dim() == 2 && x.size(0) == m_numNodes;
    if (m_method == experiment::Method::A2q) {
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

    // Degree-Quant while training: protected rows stay fp32 and only the unprotected rows feed
    // the low-precision ranges (dq/multi_quant.py: the *_low quantizers see x[~mask] only).
    const bool masked
        = m_method == experiment::Method::DegreeQuant && nodes && m_mask.defined() && is_training() && !m_calibrating;
    if (observing() && (!masked || !m_mask.all().item<bool>())) {
        torch::NoGradGuard guard;
        auto flat = (masked ? x.detach().index({ m_mask.logical_not() }) : x.detach()).reshape({ -1 });
        double bmin = 0, bmax = 0;
        if (m_spec.observer == "percentile") {
            const int64_t n = flat.numel(), cap = 1 << 16;
            auto sample = n > cap ? flat.slice(0, 0, n, (n + cap - 1) / cap) : flat;
            const int64_t m = sample.numel();
            const int64_t k = std::clamp<int64_t>(static_cast<int64_t>(std::llround(m_spec.percentile * m)), 1, m);
            bmin = std::get<0>(sample.kthvalue(k)).item<double>();
            bmax = std::get<0>(sample.kthvalue(m - k + 1)).item<double>();
        } else {
            auto [mn, mx] = torch::aminmax(flat);
            bmin = mn.item<double>();
            bmax = mx.item<double>();
        }
        if (p.count.item<double>() == 0) {
            p.lo.fill_(bmin);
            p.hi.fill_(bmax);
        } else if (m_spec.observer == "minmax") {
            p.lo.fill_(std::min(p.lo.item<double>(), bmin));
            p.hi.fill_(std::max(p.hi.item<double>(), bmax));
        } else {
            // Calibration averages its batches; training follows them with the set momentum.
            const double m
                = m_calibrating ? std::max(m_spec.momentum, 1.0 / (p.count.item<double>() + 1.0)) : m_spec.momentum;
            p.lo.fill_(p.lo.item<double>() * (1 - m) + bmin * m);
            p.hi.fill_(p.hi.item<double>() * (1 - m) + bmax * m);
        }
        p.count.add_(1);
    }
    if (p.count.item<double>() == 0)
        return x; // never observed: nothing to quantize with yet
    const double lo = std::min(0.0, p.lo.item<double>()), hi = std::max(0.0, p.hi.item<double>());
    const int64_t levels = (int64_t { 1 } << m_spec.bits) - 1;
    const double scale = std::max((hi - lo) / static_cast<double>(levels), 1e-8);
    const int64_t zero = std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(-lo / scale)), 0, levels);
    if (!torch::GradMode::is_enabled() && !masked) {
        // Inference (evaluation, the deployed int8 model): the grid alone, without the autograd
        // bookkeeping of the straight-through estimator.
        const double s = scale;
        return (x / s + static_cast<double>(zero)).round_().clamp_(0, static_cast<double>(levels)).sub_(zero).mul_(s);
    }
    auto y = torch::fake_quantize_per_tensor_affine(x, scale, zero, 0, levels);
    if (m_spec.backward == "ste")
        y = x + (y - x).detach();
    if (masked)
        y = torch::where(m_mask.unsqueeze(1), x, y);
    return y;
}

// ---------------------------------------------------------------- A²Q penalty and averages

at::Tensor Quantizer::penalty()
{
    if (m_method != experiment::Method::A2q || (m_spec.penalty <= 0 && m_spec.weightError <= 0))
        return {};
    return m_spec.penalty * memoryTerm() + m_spec.weightError * weightErrorTerm();
}

at::Tensor Quantizer::weightErrorTerm()
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

at::Tensor Quantizer::memoryTerm()
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
        // What A²Q's graph-level script penalises, the features' memory in KB (bits / 8 / 1024), in our form
        // (docs/reproduction.md, "Known deviations"), against the memory the target width would take; weight widths are
        // left to the task loss.
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

double Quantizer::averageWeightBits()
{
    if (m_method != experiment::Method::A2q)
        return m_spec.bits;
    double bits = 0, elems = 0;
    for (auto& [name, p] : m_weights) {
        bits += p->bits.detach().clamp(2.0, 8.0).round().sum().item<double>() * static_cast<double>(p->cols);
        elems += static_cast<double>(p->rows * p->cols);
    }
    return elems > 0 ? bits / elems : m_spec.bits;
}

double Quantizer::averageFeatureBits()
{
    if (!m_spec.activations)
        return 32;
    if (m_method != experiment::Method::A2q)
        return m_spec.bits;
    double bits = 0, elems = 0;
    for (auto& [name, p] : m_acts) {
        if (!p->lastCounts.defined())
            continue;
        bits += (p->bits.detach().clamp(2.0, 8.0).round().to(torch::kDouble) * p->lastCounts).sum().item<double>();
        elems += p->lastCounts.sum().item<double>();
    }
    return elems > 0 ? bits / elems : m_spec.bits;
}

std::vector<Quantizer::FeatureBits> Quantizer::featureBits() const
{
    std::vector<FeatureBits> out;
    if (m_method != experiment::Method::A2q)
        return out;
    torch::NoGradGuard guard;
    for (const auto& [name, p] : m_acts) {
        if (!p->lastIndex.defined())
            continue;
        FeatureBits f;
        f.name = name;
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

} // namespace gsq::core::quantization
