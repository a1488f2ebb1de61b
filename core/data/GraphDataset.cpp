#include "core/data/GraphDataset.h"

#include "core/graph/EdgeIndex.h"

#include <torch/torch.h>

namespace gsq::core::data {

std::vector<int64_t> GraphDataset::graphLabels() const
{
    std::vector<int64_t> labels;
    labels.reserve(graphs.size());
    for (const auto& g : graphs)
        labels.push_back(g.y.item<int64_t>());
    return labels;
}

DatasetStats GraphDataset::stats() const
{
    DatasetStats s;
    s.numGraphs = static_cast<int64_t>(graphs.size());
    s.numFeatures = numFeatures;
    s.numClasses = numClasses;
    s.classCounts.assign(static_cast<size_t>(numClasses), 0);
    for (const auto& g : graphs) {
        s.numNodes += g.numNodes;
        auto ei = graph::removeSelfLoops(g.edgeIndex);
        // Count each unordered pair once.
        auto lo = torch::minimum(ei[0], ei[1]);
        auto hi = torch::maximum(ei[0], ei[1]);
        s.numUndirectedEdges += graph::coalesce(torch::stack({ lo, hi }), g.numNodes).size(1);
        auto y = g.y.contiguous();
        const int64_t* p = y.data_ptr<int64_t>();
        for (int64_t i = 0; i < y.numel(); ++i)
            if (p[i] >= 0 && p[i] < numClasses)
                ++s.classCounts[static_cast<size_t>(p[i])];
    }
    return s;
}

} // namespace gsq::core::data
