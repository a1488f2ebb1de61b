#include "core/data/Transforms.h"

#include <torch/torch.h>

namespace gsq::core::data {

at::Tensor rowNormalize(const at::Tensor& x)
{
    auto sums = x.sum(1, /*keepdim=*/true);
    return x / sums.masked_fill(sums == 0, 1.0);
}

at::Tensor targetIndegree(const at::Tensor& edgeIndex, int64_t numNodes)
{
    auto deg = torch::zeros({ numNodes }, torch::kFloat)
                   .index_add(0, edgeIndex[1], torch::ones({ edgeIndex.size(1) }, torch::kFloat));
    const float mx = edgeIndex.size(1) > 0 ? deg.max().item<float>() : 1.0F;
    return (deg.index_select(0, edgeIndex[1]) / mx).view({ -1, 1 });
}

double zeroFraction(const at::Tensor& x)
{
    if (x.numel() == 0)
        return 0.0;
    return (x == 0).sum().item<double>() / static_cast<double>(x.numel());
}

} // namespace gsq::core::data
