#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

/// Edge-index utilities. An edge index is an int64 tensor [2, E]: row 0 sources, row 1 targets.
namespace gsq::core::graph {

/// Appends one (i, i) edge for every node i in [0, numNodes). Existing self loops are removed
/// first so every node ends up with exactly one.
at::Tensor addSelfLoops(const at::Tensor& edgeIndex, int64_t numNodes);

/// Drops all (i, i) edges.
at::Tensor removeSelfLoops(const at::Tensor& edgeIndex);

/// Adds the reverse of every edge and removes duplicates; result sorted by (source, target).
at::Tensor toUndirected(const at::Tensor& edgeIndex, int64_t numNodes);

/// Removes duplicate edges; result sorted by (source, target).
at::Tensor coalesce(const at::Tensor& edgeIndex, int64_t numNodes);

/// In-degree of every node (number of edges whose target is the node), as float [numNodes].
at::Tensor inDegree(const at::Tensor& edgeIndex, int64_t numNodes);

/// True when every edge (i, j) has its reverse (j, i).
bool isUndirected(const at::Tensor& edgeIndex, int64_t numNodes);

} // namespace gsq::core::graph
