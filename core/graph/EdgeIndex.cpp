#include "core/graph/EdgeIndex.h"

#include <torch/torch.h>

namespace gsq::core::graph {

at::Tensor removeSelfLoops(const at::Tensor& edgeIndex)
{
    auto keep = edgeIndex[0] != edgeIndex[1];
    return edgeIndex.index({ torch::indexing::Slice(), keep });
}

at::Tensor addSelfLoops(const at::Tensor& edgeIndex, int64_t numNodes)
{
    auto loops = torch::arange(numNodes, torch::kLong).unsqueeze(0).repeat({ 2, 1 });
    return torch::cat({ removeSelfLoops(edgeIndex), loops }, 1);
}

at::Tensor coalesce(const at::Tensor& edgeIndex, int64_t numNodes)
{
    if (edgeIndex.size(1) == 0)
        return edgeIndex;
    auto key = edgeIndex[0] * numNodes + edgeIndex[1];
    auto unique = std::get<0>(torch::_unique(key, /*sorted=*/true));
    return torch::stack({ unique.div(numNodes, "floor"), unique.remainder(numNodes) }, 0);
}

at::Tensor toUndirected(const at::Tensor& edgeIndex, int64_t numNodes)
{
    return coalesce(torch::cat({ edgeIndex, edgeIndex.flip({ 0 }) }, 1), numNodes);
}

at::Tensor inDegree(const at::Tensor& edgeIndex, int64_t numNodes)
{
    auto deg = torch::zeros({ numNodes }, torch::kFloat);
    if (edgeIndex.size(1) > 0)
        deg.index_add_(0, edgeIndex[1], torch::ones({ edgeIndex.size(1) }, torch::kFloat));
    return deg;
}

bool isUndirected(const at::Tensor& edgeIndex, int64_t numNodes)
{
    auto a = coalesce(edgeIndex, numNodes);
    auto b = coalesce(edgeIndex.flip({ 0 }), numNodes);
    return a.sizes() == b.sizes() && torch::equal(a, b);
}

} // namespace gsq::core::graph
