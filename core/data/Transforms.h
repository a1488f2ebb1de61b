#pragma once

#include <ATen/core/Tensor.h>

namespace gsq::core::data {

/// Divides every row by its sum (rows summing to 0 stay 0), as Kipf & Welling do for Cora.
at::Tensor rowNormalize(const at::Tensor& x);

/// Fraction of exactly-zero entries of a dense tensor.
double zeroFraction(const at::Tensor& x);

} // namespace gsq::core::data
