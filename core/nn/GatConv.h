#pragma once

#include "core/nn/MessagePassingLayer.h"

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace gsq::core::nn {

struct GatConvOptions {
    GatConvOptions(int64_t in, int64_t out)
        : in_channels_(in)
        , out_channels_(out)
    {
    }
    TORCH_ARG(int64_t, in_channels);
    TORCH_ARG(int64_t, out_channels); ///< per head
    TORCH_ARG(int64_t, heads) = 1;
    TORCH_ARG(bool, concat) = true; ///< concatenate heads (else average them)
    TORCH_ARG(double, negative_slope) = 0.2;
    TORCH_ARG(double, dropout) = 0.0; ///< on the attention coefficients
    TORCH_ARG(bool, add_self_loops) = true;
    TORCH_ARG(bool, bias) = true;
};

/// Graph attention (Velickovic et al., ICLR 2018):
///   alpha_ij = softmax_j(LeakyReLU(a_s^T W x_j + a_t^T W x_i)),  x'_i = ||_h sum_j alpha_ij^h W^h x_j
/// Softmax runs over each node's incoming edges (self loop included).
/// Shapes: x [N, in] (dense or sparse COO), edgeIndex [2, E] -> [N, heads*out] (concat) or [N, out].
class GatConvImpl : public torch::nn::Cloneable<GatConvImpl>, public MessagePassingLayer {
public:
    explicit GatConvImpl(const GatConvOptions& options);
    void reset() override;
    void pretty_print(std::ostream& stream) const override;
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr = {}) override;
    int64_t outChannels() const override
    {
        return options.concat() ? options.heads() * options.out_channels() : options.out_channels();
    }
    /// Attention coefficients [E', heads] of the last forward pass (edges incl. self loops).
    const at::Tensor& lastAttention() const { return m_lastAttention; }

    GatConvOptions options;
    at::Tensor weight; ///< [heads*out, in]
    at::Tensor attentionSource; ///< [1, heads, out]
    at::Tensor attentionTarget; ///< [1, heads, out]
    at::Tensor bias;

private:
    at::Tensor m_lastAttention;
};
TORCH_MODULE(GatConv);

} // namespace gsq::core::nn
