#include "core/quantization/Quantizer.h"

#include "core/pruning/Pruner.h"
#include "core/quantization/Int8Linear.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

namespace gsq::core::quantization {

Quantizer::Quantizer(QuantSpec spec, uint64_t seed)
{
    // In the body: every member the method may ask about (QuantState) is initialised by now.
    m_method = makeQuantMethod(spec, *this, seed);
}

Quantizer::~Quantizer()
{
    releaseInt8();
}

std::shared_ptr<Quantizer> Quantizer::attach(torch::nn::Module& model, QuantSpec spec, uint64_t seed)
{
    auto q = std::make_shared<Quantizer>(std::move(spec), seed);
    q->m_allowedWeights = pruning::MaskSet::select(model, q->spec().targets);
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

void Quantizer::beginGraph(const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& batch)
{
    m_numNodes = numNodes;
    m_method->beginGraph(edgeIndex, numNodes, batch);
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

at::Tensor Quantizer::weight(const std::string& name, const at::Tensor& w)
{
    if (!m_enabled || std::find(m_allowedWeights.begin(), m_allowedWeights.end(), name) == m_allowedWeights.end())
        return w;
    if (Int8Scope::active()) {
        if (auto it = m_int8.find(name); it != m_int8.end())
            return it->second.first;
    }
    auto it = m_weights.find(name);
    if (it == m_weights.end())
        it = m_weights.emplace(name, m_method->makeWeight(name, w)).first;
    return m_method->weight(*it->second, w);
}

at::Tensor Quantizer::act(const std::string& name, const at::Tensor& x, Rows rows)
{
    // Sparse inputs are data as given (e.g. Cora's bag of words); they stay sparse. Under an
    // Int8Scope the points quantize as in evaluation too: the deployed model clips and rounds
    // activations to the ranges and widths it was trained with before the int8 kernels see them.
    if (!m_enabled || !spec().activations || x.is_sparse() || x.layout() != torch::kStrided || x.numel() == 0)
        return x;
    auto it = m_acts.find(name);
    if (it == m_acts.end()) {
        if (m_frozen)
            return x;
        const bool nodeRows = rows == Rows::Nodes && x.size(0) == m_numNodes;
        it = m_acts.emplace(name, m_method->makeAct(name, x, rows, nodeRows)).first;
    }
    const bool nodes = rows == Rows::Nodes && x.dim() == 2 && x.size(0) == m_numNodes;
    return m_method->act(*it->second, x, nodes);
}

measure::QuantizedWeights Quantizer::quantizedWeights()
{
    torch::NoGradGuard guard;
    measure::QuantizedWeights out;
    for (auto& [name, p] : m_weights)
        out.emplace(name, m_method->integerWeight(*p));
    return out;
}

void Quantizer::prepareInt8()
{
    releaseInt8();
    for (auto& [name, q] : quantizedWeights()) {
        const auto& p = *m_weights.at(name);
        if (q.codebook.defined()) {
            // A deployed weight-shared model decodes its codebook once, at load: fp32 weights,
            // fp32 kernels, no lookup per forward pass.
            m_int8.emplace(name, std::make_pair(q.dequantized().reshape(p.source.sizes()).contiguous(), nullptr));
            continue;
        }
        if (p.source.dim() != 2)
            continue; // only [out, in] matrices run through the int8 GEMM
        auto deq = (q.values.to(torch::kFloat) * q.scales.unsqueeze(1)).reshape(p.source.sizes()).contiguous();
        auto packed = std::make_shared<const PackedLinear>(q.values, q.scales);
        registerPacked(deq, packed);
        m_int8.emplace(name, std::make_pair(deq, packed));
    }
}

void Quantizer::releaseInt8()
{
    for (auto& [name, entry] : m_int8)
        if (entry.second) // decoded codebooks register nothing
            unregisterPacked(entry.first);
    m_int8.clear();
}

} // namespace gsq::core::quantization
