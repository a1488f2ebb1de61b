#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace gsq::core::nn::functional {

/// Sparsemax (Martins & Astudillo, ICML 2016) over groups of a flat score vector: for each
/// group g, out = max(z - tau_g, 0) with tau_g chosen so the group's outputs sum to 1. Unlike
/// softmax it gives exact zeros, so HGP-SL's learned graphs stay sparse.
/// scores [E] float, group [E] int64 in [0, numGroups) (any order) -> [E].
/// Differentiable in `scores`: the gradient is g - mean(g over the group's support) on the
/// support and 0 elsewhere (the Jacobian of the projection onto the simplex). Follows
/// cszhangzhen/HGP-SL's sparse_softmax.py, which groups by an edge's source node.
at::Tensor sparsemax(const at::Tensor& scores, const at::Tensor& group, int64_t numGroups);

} // namespace gsq::core::nn::functional
