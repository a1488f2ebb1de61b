#pragma once

#include "core/nn/MessagePassingLayer.h"

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace gsq::core::nn {

struct GnaeConvOptions {
    GnaeConvOptions(int64_t in, int64_t out)
        : in_channels_(in)
        , out_channels_(out)
    {
    }
    TORCH_ARG(int64_t, in_channels);
    TORCH_ARG(int64_t, out_channels);
    /// APPNP propagation steps (Klicpera et al., ICLR 2019); 0 = no propagation.
    TORCH_ARG(int64_t, K) = 1;
    /// APPNP teleport probability: the share of the first representation kept at every step.
    TORCH_ARG(double, alpha) = 0.0;
    /// Rows are L2-normalised, then multiplied by this (GNAE's scaling factor; NESS uses 1.8).
    TORCH_ARG(double, scale) = 1.8;
    TORCH_ARG(bool, bias) = true;
};

/// The graph-normalised autoencoder encoder layer (GNAE, Ahn & Kim 2021), as the NESS code
/// (AstraZeneca/NESS, utils/model_utils.py GNAEEncoder) builds it:
///   H0 = scale * rownorm(X W^T + b),  H_{k+1} = (1 - alpha) * A_hat H_k + alpha * H0,  k < K,
/// with A_hat = D^-1/2 (A + I) D^-1/2 (PyG's APPNP with gcn_norm). With K = 1 and alpha = 0 (the
/// paper's link-prediction model) this is one normalised propagation of the normalised rows.
/// Shapes: x [N, in] (dense or sparse COO), edgeIndex [2, E] -> [N, out]; edge attributes are
/// ignored. Its only weight matrix is `weight` [out, in] (NESS prunes only this "linear1").
class GnaeConvImpl : public torch::nn::Cloneable<GnaeConvImpl>, public MessagePassingLayer {
public:
    explicit GnaeConvImpl(const GnaeConvOptions& options);
    void reset() override;
    void reset_parameters();
    void pretty_print(std::ostream& stream) const override;
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr = {}) override;
    int64_t outChannels() const override { return options.out_channels(); }

    GnaeConvOptions options;
    at::Tensor weight; ///< [out, in]
    at::Tensor bias; ///< [out] or undefined
};
TORCH_MODULE(GnaeConv);

namespace functional {
/// APPNP propagation of `h` [N, F] over `edgeIndex` [2, E]: K steps of
/// h <- (1 - alpha) * A_hat h + alpha * h0 with A_hat = D^-1/2 (A + I) D^-1/2.
at::Tensor appnp(const at::Tensor& h, const at::Tensor& edgeIndex, int64_t K, double alpha);
} // namespace functional

} // namespace gsq::core::nn
