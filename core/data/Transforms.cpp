#include "core/data/Transforms.h"

#include <torch/torch.h>

namespace gsq::core::data {

at::Tensor rowNormalize(const at::Tensor& x)
{
    auto sums = x.sum(1, /*keepdim=*/true);
    return x / sums.masked_fill(sums == 0, 1.0);
}

double zeroFraction(const at::Tensor& x)
{
    if (x.numel() == 0)
        return 0.0;
    return (x == 0).sum().item<double>() / static_cast<double>(x.numel());
}

} // namespace gsq::core::data
