#pragma once

#include <ATen/core/Tensor.h>

#include <string>

namespace gsq::core::quantization {

class Quantizer;

/// What a quantization point holds: node rows (one per graph node, so Degree-Quant can protect
/// nodes and A²Q can group them by degree) or anything else (pooled graph rows, decoder pairs).
enum class Rows { Nodes, Other };

/// The handle a module uses to expose its quantization points. Unattached it passes tensors
/// through untouched, so models without quantization pay one pointer test per point.
/// Names are local to the module ("lin1.weight", "aggregate"); the quantizer prefixes them with
/// the module's path ("stack.conv0.").
class Hook {
public:
    /// The weight to use in this forward pass: fake-quantized during quantization-aware
    /// training, the stored int8 copy under an Int8Scope, `w` itself when unattached.
    at::Tensor weight(const std::string& local, const at::Tensor& w) const;
    /// A fake-quantized activation (layer input, message, aggregate, output).
    at::Tensor act(const std::string& local, const at::Tensor& x, Rows rows = Rows::Nodes) const;
    /// Tells the quantizer which graph the next node-level points belong to (in-degrees).
    /// A new forward pass over a graph (or a batch of graphs: `batch` [N] gives each node's
    /// graph; undefined = one graph).
    void beginGraph(const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& batch = {}) const;

    bool attached() const { return m_quantizer != nullptr; }
    void attach(Quantizer* quantizer, std::string prefix);
    void detach();

private:
    Quantizer* m_quantizer = nullptr;
    std::string m_prefix;
};

/// Modules with quantization points (GNN layers, stacks, model heads).
class Quantizable {
public:
    virtual ~Quantizable() = default;
    Hook& quantHook() { return m_quantHook; }
    const Hook& quantHook() const { return m_quantHook; }

protected:
    Hook m_quantHook;
};

} // namespace gsq::core::quantization
