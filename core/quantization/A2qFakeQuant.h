#pragma once

#include <ATen/core/Tensor.h>

namespace gsq::core::quantization {

/// A²Q's fake quantizer with learnable step size and bit-width per quantizer (Zhu et al.,
/// "A²Q: Aggregation-Aware Quantization for Graph Neural Networks", ICLR 2023; the step size as
/// in LSQ, Esser et al., ICLR 2020), fused into one pass forward and one backward.
///
/// Row r of `x` [R, C] uses quantizer q = index[r] (undefined index: q = r) with step
/// s = |step[q]| + 1e-8 and width b = round(clamp(bits[q], 2, 8)); its levels are
/// L = 2^(b-1) - 1 (signed, grid -L..L) or 2^b - 1 (unsigned, 0..L), and
///
///     y = round(clamp(x / s, lo, L)) * s.
///
/// The gradients are those of that expression written with min/max and a straight-through
/// round (what autograd gives the unfused form, ties at a clamp bound splitting the gradient in
/// half as torch.max/min do): d/dx = 1 inside the grid; d/ds = round(q) - x/s inside, the bound
/// outside; d/dL = s beyond the upper bound (and -s below -L when signed), L's gradient reaching
/// bits[q] through dL/db = ln 2 · (L + 1) where 2 <= bits[q] <= 8. Per-row terms are summed per
/// quantizer. The unfused form took about twenty tensor operations per quantization point in
/// each direction.
at::Tensor a2qFakeQuant(
    const at::Tensor& x, const at::Tensor& step, const at::Tensor& bits, const at::Tensor& index, bool isSigned);

/// A²Q's nearest-neighbour choice (get_scale_index_uniform in the A²Q code): for each row of
/// `x` [R, C], the quantizer whose largest value L · s is nearest the row's max |x| (the first
/// on a tie, as argmin). One pass, no gradient.
at::Tensor a2qNearestQuantizers(const at::Tensor& x, const at::Tensor& step, const at::Tensor& bits, bool isSigned);

} // namespace gsq::core::quantization
