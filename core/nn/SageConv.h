#pragma once

#include "core/nn/MessagePassingLayer.h"

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace gsq::core::nn {

struct SageConvOptions {
    SageConvOptions(int64_t in, int64_t out)
        : in_channels_(in)
        , out_channels_(out)
    {
    }
    TORCH_ARG(int64_t, in_channels);
    TORCH_ARG(int64_t, out_channels);
    TORCH_ARG(bool, bias) = true;
    TORCH_ARG(bool, root_weight) = true;
};

/// GraphSAGE with mean aggregation (Hamilton et al., NeurIPS 2017):
///   x'_i = W_l mean_{j in N(i)} x_j + W_r x_i + b
/// Shapes: x [N, in] (dense or sparse COO), edgeIndex [2, E] -> [N, out].
class SageConvImpl : public torch::nn::Cloneable<SageConvImpl>, public MessagePassingLayer {
public:
    explicit SageConvImpl(const SageConvOptions& options);
    void reset() override;
    void pretty_print(std::ostream& stream) const override;
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr = {}) override;
    std::vector<ChannelBlock> channelBlocks() override;
    void syncChannelOptions() override;
    int64_t outChannels() const override { return options.out_channels(); }

    SageConvOptions options;
    at::Tensor weightNeighbours; ///< W_l [out, in]
    at::Tensor weightRoot; ///< W_r [out, in] (undefined without root_weight)
    at::Tensor bias;
};
TORCH_MODULE(SageConv);

} // namespace gsq::core::nn
