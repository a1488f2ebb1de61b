#pragma once

#include <ATen/core/Tensor.h>

namespace gsq::core::data {

/// Divides every row by its sum (rows summing to 0 stay 0), as Kipf & Welling do for Cora.
at::Tensor rowNormalize(const at::Tensor& x);

/// PyG's `TargetIndegree` (norm=True): one edge attribute per edge, the in-degree of its target
/// divided by the graph's largest in-degree, [E, 1] float in [0, 1].
at::Tensor targetIndegree(const at::Tensor& edgeIndex, int64_t numNodes);

/// Fraction of exactly-zero entries of a dense tensor.
double zeroFraction(const at::Tensor& x);

} // namespace gsq::core::data
