#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace gsq::core::graph {

/// One graph. Shapes: x [N, F] float (dense, or sparse COO for very sparse features),
/// edgeIndex [2, E] int64 (row 0 = source, row 1 = target; undirected graphs store both
/// directions), y: [N] int64 node labels or [1] int64 graph label, edgeAttr: [E, D] float edge
/// attributes (e.g. TargetIndegree pseudo-coordinates) or undefined.
struct Graph {
    at::Tensor x;
    at::Tensor edgeIndex;
    at::Tensor y;
    int64_t numNodes = 0;
    at::Tensor edgeAttr;

    int64_t numEdges() const { return edgeIndex.defined() ? edgeIndex.size(1) : 0; }
};

/// Several graphs stacked block-diagonally (PyG-style batching).
/// batch [N] int64 maps each node to its graph (0..numGraphs-1); y holds one label per graph.
struct GraphBatch {
    Graph graph;
    at::Tensor batch;
    int64_t numGraphs = 0;

    /// Stacks `graphs[indices[i]]` in order. Graphs must share their feature layout.
    static GraphBatch collate(const std::vector<Graph>& graphs, const std::vector<int64_t>& indices);

private:
    /// The rest of collate() once the stacked features `x` are built.
    static GraphBatch collate(const std::vector<Graph>& graphs, const std::vector<int64_t>& indices, at::Tensor x);
};

} // namespace gsq::core::graph
