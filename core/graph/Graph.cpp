#include "core/graph/Graph.h"

#include <torch/torch.h>

#include <stdexcept>

namespace gsq::core::graph {

GraphBatch GraphBatch::collate(const std::vector<Graph>& graphs, const std::vector<int64_t>& indices)
{
    if (indices.empty())
        throw std::invalid_argument("GraphBatch::collate: no graphs to collate");
    std::vector<at::Tensor> xs, edges, ys, batch, attrs;
    xs.reserve(indices.size());
    edges.reserve(indices.size());
    ys.reserve(indices.size());
    batch.reserve(indices.size());
    int64_t offset = 0;
    for (size_t i = 0; i < indices.size(); ++i) {
        const Graph& g = graphs.at(static_cast<size_t>(indices[i]));
        xs.push_back(g.x);
        edges.push_back(g.edgeIndex + offset);
        ys.push_back(g.y);
        if (g.edgeAttr.defined())
            attrs.push_back(g.edgeAttr);
        batch.push_back(torch::full({ g.numNodes }, static_cast<int64_t>(i), torch::kLong));
        offset += g.numNodes;
    }
    GraphBatch out;
    out.graph.x = torch::cat(xs, 0);
    out.graph.edgeIndex = torch::cat(edges, 1);
    out.graph.y = torch::cat(ys, 0);
    if (!attrs.empty()) {
        if (attrs.size() != indices.size())
            throw std::invalid_argument("GraphBatch::collate: some graphs have edge attributes and some do not");
        out.graph.edgeAttr = torch::cat(attrs, 0);
    }
    out.graph.numNodes = offset;
    out.batch = torch::cat(batch, 0);
    out.numGraphs = static_cast<int64_t>(indices.size());
    return out;
}

} // namespace gsq::core::graph
