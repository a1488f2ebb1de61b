#include "core/graph/Graph.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gsq::core::graph {

namespace {

/// Copies `rows` contiguous rows of `src` into `dst` at row `at` (same width and type).
void copyRows(at::Tensor& dst, int64_t at, const at::Tensor& src)
{
    const auto bytes = static_cast<size_t>(src.numel()) * src.element_size();
    if (bytes == 0)
        return;
    auto s = src.contiguous();
    std::memcpy(static_cast<char*>(dst.data_ptr()) + at * dst.stride(0) * dst.element_size(), s.data_ptr(), bytes);
}

} // namespace

GraphBatch GraphBatch::collate(const std::vector<Graph>& graphs, const std::vector<int64_t>& indices)
{
    // One allocation per output and plain copies: a batch is collated every training step, and
    // per-graph tensor ops (an offset add, a fill, a cat of 128 pieces) cost more than the copies.
    if (indices.empty())
        throw std::invalid_argument("GraphBatch::collate: no graphs to collate");
    int64_t nodes = 0, withAttr = 0;
    for (int64_t i : indices) {
        const Graph& g = graphs.at(static_cast<size_t>(i));
        nodes += g.numNodes;
        withAttr += g.edgeAttr.defined() ? 1 : 0;
    }
    if (withAttr != 0 && withAttr != static_cast<int64_t>(indices.size()))
        throw std::invalid_argument("GraphBatch::collate: some graphs have edge attributes and some do not");
    const Graph& first = graphs.at(static_cast<size_t>(indices.front()));
    if (first.x.layout() != torch::kStrided) { // sparse features: the general path
        std::vector<at::Tensor> xs;
        for (int64_t i : indices)
            xs.push_back(graphs.at(static_cast<size_t>(i)).x);
        return collate(graphs, indices, torch::cat(xs, 0));
    }
    auto x = torch::empty({ nodes, first.x.size(1) }, first.x.options());
    int64_t row = 0;
    for (int64_t i : indices) {
        const Graph& g = graphs.at(static_cast<size_t>(i));
        if (g.x.dim() != 2 || g.x.size(1) != x.size(1) || g.x.scalar_type() != x.scalar_type()
            || g.x.layout() != torch::kStrided)
            throw std::invalid_argument("GraphBatch::collate: graphs differ in their feature layout");
        copyRows(x, row, g.x);
        row += g.x.size(0);
    }
    return collate(graphs, indices, x);
}

GraphBatch GraphBatch::collate(const std::vector<Graph>& graphs, const std::vector<int64_t>& indices, at::Tensor x)
{
    int64_t nodes = 0, edges = 0, labels = 0;
    for (int64_t i : indices) {
        const Graph& g = graphs.at(static_cast<size_t>(i));
        nodes += g.numNodes;
        edges += g.numEdges();
        labels += g.y.numel();
    }
    GraphBatch out;
    out.graph.x = std::move(x);
    out.graph.edgeIndex = torch::empty({ 2, edges }, torch::kLong);
    out.graph.y = torch::empty({ labels }, torch::kLong);
    out.batch = torch::empty({ nodes }, torch::kLong);
    int64_t* src = out.graph.edgeIndex.data_ptr<int64_t>();
    int64_t* dst = src + edges;
    int64_t* y = out.graph.y.data_ptr<int64_t>();
    int64_t* batch = out.batch.data_ptr<int64_t>();
    std::vector<at::Tensor> attrs;
    int64_t offset = 0, e = 0, l = 0;
    for (size_t b = 0; b < indices.size(); ++b) {
        const Graph& g = graphs.at(static_cast<size_t>(indices[b]));
        if (g.numEdges() > 0) {
            auto ei = g.edgeIndex.to(torch::kLong).contiguous();
            const int64_t* p = ei.data_ptr<int64_t>();
            const int64_t m = ei.size(1);
            for (int64_t k = 0; k < m; ++k) {
                src[e + k] = p[k] + offset;
                dst[e + k] = p[m + k] + offset;
            }
            e += m;
        }
        auto gy = g.y.to(torch::kLong).contiguous().view({ -1 });
        std::copy(gy.data_ptr<int64_t>(), gy.data_ptr<int64_t>() + gy.numel(), y + l);
        l += gy.numel();
        std::fill(batch + offset, batch + offset + g.numNodes, static_cast<int64_t>(b));
        if (g.edgeAttr.defined())
            attrs.push_back(g.edgeAttr);
        offset += g.numNodes;
    }
    if (!attrs.empty())
        out.graph.edgeAttr = torch::cat(attrs, 0);
    out.graph.numNodes = nodes;
    out.numGraphs = static_cast<int64_t>(indices.size());
    return out;
}

} // namespace gsq::core::graph
