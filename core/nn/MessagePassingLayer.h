#pragma once

#include "core/quantization/QuantHook.h"

#include <ATen/core/Tensor.h>

namespace gsq::core::nn {

/// The forward contract every GNN layer shares, so a GnnStack can hold any of them.
/// forward(x [N, F_in] float, dense or sparse COO; edgeIndex [2, E] int64; edgeAttr [E, D] float
/// or undefined) -> [N, F_out]. Layers that use edge attributes say how (GcnConv: a one-column
/// attribute is the edge weight, as PyG's GCNConv(edge_weight); SplineConv: the pseudo-coordinates
/// in [0, 1]); the others ignore them.
/// Wrong shapes throw std::invalid_argument naming the layer and what was expected.
/// Layers expose their quantization points (input, messages/aggregate, output, weights) through
/// quantHook(); unattached, the hook passes tensors through.
class MessagePassingLayer : public quantization::Quantizable {
public:
    virtual ~MessagePassingLayer() = default;
    virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr = {}) = 0;
    /// Output width F_out.
    virtual int64_t outChannels() const = 0;
};

} // namespace gsq::core::nn
