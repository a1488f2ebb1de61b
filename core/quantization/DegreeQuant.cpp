#include "core/quantization/DegreeQuant.h"

#include <torch/torch.h>

#include <algorithm>

namespace gsq::core::quantization {

at::Tensor degreeGroups(const at::Tensor& inDegree, int groups)
{
    auto g = torch::floor(torch::log2(inDegree.to(torch::kDouble) + 1.0)).to(torch::kLong);
    return g.clamp(0, groups - 1);
}

at::Tensor protectionProbability(const at::Tensor& inDegree, double low, double change, const at::Tensor& batch)
{
    // As dq/transforms.py's ProbabilisticHighDegreeMask (per graph): p = low + (high - low) *
    // (nodes of the graph with in-degree <= d) / (nodes of the graph), high = min(low + change, 1).
    const int64_t n = inDegree.numel();
    if (n == 0)
        return torch::zeros({ 0 }, torch::kFloat);
    const double high = std::min(low + change, 1.0);
    auto deg = inDegree.to(torch::kLong);
    auto graph = batch.defined() ? batch.to(torch::kLong) : torch::zeros({ n }, torch::kLong);
    const int64_t span = deg.max().item<int64_t>() + 1;
    auto key = graph * span + deg;
    auto sorted = std::get<0>(key.sort());
    auto atMost = torch::searchsorted(sorted, key, /*out_int32=*/false, /*right=*/true);
    auto first = torch::searchsorted(sorted, graph * span, /*out_int32=*/false, /*right=*/false);
    auto sizes = torch::bincount(graph).index_select(0, graph);
    auto fraction = (atMost - first).to(torch::kDouble) / sizes.to(torch::kDouble);
    return (low + (high - low) * fraction).to(torch::kFloat);
}

} // namespace gsq::core::quantization
