#pragma once

#include "core/nn/MessagePassingLayer.h"

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <utility>

namespace gsq::core::nn {

struct SplineConvOptions {
    SplineConvOptions(int64_t in, int64_t out)
        : in_channels_(in)
        , out_channels_(out)
    {
    }
    TORCH_ARG(int64_t, in_channels);
    TORCH_ARG(int64_t, out_channels);
    /// Dimension D of the pseudo-coordinates (edge attribute columns).
    TORCH_ARG(int64_t, dim) = 1;
    /// Kernel size per dimension; the layer holds kernel_size^dim weight matrices.
    TORCH_ARG(int64_t, kernel_size) = 2;
    /// B-spline degree: 1 (linear), 2 (quadratic) or 3 (cubic).
    TORCH_ARG(int64_t, degree) = 1;
    TORCH_ARG(bool, root_weight) = true;
    TORCH_ARG(bool, bias) = true;
};

/// Open B-spline basis of one set of pseudo-coordinates, as torch-spline-conv's `spline_basis`
/// (Fey et al., CVPR 2018; github rusty1s/pytorch_spline_conv, csrc/cpu/basis_cpu.cpp):
/// for each edge, (degree + 1)^D products of per-dimension basis values and the index of the
/// weight matrix each one multiplies. pseudo [E, D] in [0, 1] -> {basis [E, S] float,
/// weightIndex [E, S] int64}, S = (degree + 1)^D.
std::pair<at::Tensor, at::Tensor> splineBasis(const at::Tensor& pseudo, int64_t kernelSize, int64_t degree);

/// Spline-based convolution of SplineCNN (Fey et al., CVPR 2018) with PyG's `SplineConv`
/// semantics (open splines, mean aggregation over incoming edges, root weight, bias):
///   x'_i = 1/|N(i)| sum_{j in N(i)} sum_s B_s(u_ji) x_j W_{k_s(u_ji)} + x_i W_root + b
/// Shapes: x [N, in] (dense or sparse CSR), edgeIndex [2, E], edgeAttr [E, dim] pseudo-coordinates
/// in [0, 1] (required; e.g. dataset.edge_attr: target_indegree) -> [N, out].
/// Parameters as PyG names them: `weight` [K, in, out] with K = kernel_size^dim (prunable and
/// quantizable like any weight), `lin.weight` [out, in] (the root weight), `bias` [out].
class SplineConvImpl : public torch::nn::Cloneable<SplineConvImpl>, public MessagePassingLayer {
public:
    explicit SplineConvImpl(const SplineConvOptions& options);
    void reset() override;
    void reset_parameters();
    void pretty_print(std::ostream& stream) const override;
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr = {}) override;
    int64_t outChannels() const override { return options.out_channels(); }
    int64_t numKernels() const;

    SplineConvOptions options;
    at::Tensor weight; ///< [K, in, out]
    torch::nn::Linear lin { nullptr }; ///< root weight, no bias (undefined without root_weight)
    at::Tensor bias; ///< [out] or undefined

private:
    at::Tensor m_basis, m_weightIndex; ///< cached for the pseudo-coordinates below
    at::Tensor m_basisFor;
};
TORCH_MODULE(SplineConv);

} // namespace gsq::core::nn
