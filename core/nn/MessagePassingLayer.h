#pragma once

#include "core/nn/ChannelBlock.h"
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
    /// Structured pruning: the layer's channel blocks in data-flow order (GinConv has two, its
    /// MLP's hidden channels being prunable too). Empty: the layer cannot be pruned by channel.
    virtual std::vector<ChannelBlock> channelBlocks() { return {}; }
    /// After structured pruning replaced tensors (or a checkpoint restored other shapes): set the
    /// recorded widths (options) from the tensors.
    virtual void syncChannelOptions() { }
};

} // namespace gsq::core::nn
