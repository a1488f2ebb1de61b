#pragma once

#include <ATen/core/Tensor.h>

namespace gsq::core::nn::functional {

/// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p).
/// Dense tensors are multiplied by a mask (differentiable); sparse COO and CSR tensors keep
/// their pattern and only their stored values are dropped.
///
/// The mask comes from a xoshiro256** stream seeded with one draw from LibTorch's default CPU
/// generator, so torch::manual_seed still makes runs reproducible. Each 64-bit draw yields four
/// 16-bit uniforms (p resolved to 1/65536), which makes masks ~20x cheaper than
/// torch::dropout's per-element Mersenne-Twister draws — the dominant cost of a GCN epoch on Cora.
at::Tensor dropout(const at::Tensor& x, double p, bool training);

/// The mask alone: float tensor of `numel` values, each 0 or 1/(1-p).
at::Tensor dropoutMask(int64_t numel, double p);

} // namespace gsq::core::nn::functional
