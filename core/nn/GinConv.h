#pragma once

#include "core/nn/MessagePassingLayer.h"

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace gsq::core::nn {

struct GinConvOptions {
    GinConvOptions(int64_t in, int64_t out)
        : in_channels_(in)
        , out_channels_(out)
        , hidden_channels_(out)
    {
    }
    TORCH_ARG(int64_t, in_channels);
    TORCH_ARG(int64_t, out_channels);
    TORCH_ARG(int64_t, hidden_channels);
    TORCH_ARG(bool, train_eps) = true; ///< learnable epsilon (GIN-eps); false = GIN-0
    TORCH_ARG(bool, batch_norm) = true;
};

/// Graph isomorphism network layer (Xu et al., ICLR 2019):
///   x'_i = MLP((1 + eps) x_i + sum_{j in N(i)} x_j)
/// MLP = Linear(in, hidden) - ReLU - Linear(hidden, out) - ReLU - BatchNorm(out), as in the
/// PyG kernel benchmark GIN used by the paper.
/// Shapes: x [N, in] (sparse inputs are densified), edgeIndex [2, E] -> [N, out].
class GinConvImpl : public torch::nn::Cloneable<GinConvImpl>, public MessagePassingLayer {
public:
    explicit GinConvImpl(const GinConvOptions& options);
    void reset() override;
    void pretty_print(std::ostream& stream) const override;
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr = {}) override;
    std::vector<ChannelBlock> channelBlocks() override;
    void syncChannelOptions() override;
    int64_t outChannels() const override { return options.out_channels(); }

    GinConvOptions options;
    at::Tensor eps; ///< scalar
    torch::nn::Linear lin1 { nullptr }, lin2 { nullptr };
    torch::nn::BatchNorm1d norm { nullptr };
};
TORCH_MODULE(GinConv);

} // namespace gsq::core::nn
