#pragma once

#include "core/nn/MessagePassingLayer.h"

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace gsq::core::nn {

struct GcnConvOptions {
    GcnConvOptions(int64_t in, int64_t out)
        : in_channels_(in)
        , out_channels_(out)
    {
    }
    TORCH_ARG(int64_t, in_channels);
    TORCH_ARG(int64_t, out_channels);
    TORCH_ARG(bool, bias) = true;
    /// Cache the normalised adjacency of the first graph seen (transductive tasks: one fixed graph).
    TORCH_ARG(bool, cached) = false;
    TORCH_ARG(bool, add_self_loops) = true;
    /// Normalise by the weights leaving each node instead of those entering it (HGP-SL's GCN).
    TORCH_ARG(bool, source_degree) = false;
};

/// Graph convolution of Kipf & Welling (ICLR 2017):
///   X' = D^-1/2 (A + I) D^-1/2 X W + b
/// Shapes: x [N, in] (dense or sparse COO), edgeIndex [2, E], edgeAttr [E] or [E, 1] (optional
/// edge weights: A holds them and D sums them, as PyG's GCNConv(edge_weight)) -> [N, out].
class GcnConvImpl : public torch::nn::Cloneable<GcnConvImpl>, public MessagePassingLayer {
public:
    explicit GcnConvImpl(const GcnConvOptions& options);
    void reset() override;
    void reset_parameters();
    void pretty_print(std::ostream& stream) const override;
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr = {}) override;
    std::vector<ChannelBlock> channelBlocks() override;
    void syncChannelOptions() override;
    int64_t outChannels() const override { return options.out_channels(); }

    GcnConvOptions options;
    at::Tensor weight; ///< [out, in]
    at::Tensor bias; ///< [out] or undefined

private:
    at::Tensor m_cachedAdjacency;
    at::Tensor m_cachedFor; ///< the edge index the cache belongs to (kept alive, compared by identity)
    at::Tensor m_cachedWeightFor; ///< and its edge weights (same)
};
TORCH_MODULE(GcnConv);

} // namespace gsq::core::nn
