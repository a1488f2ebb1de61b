#pragma once

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <utility>

namespace gsq::core::nn {

/// The pieces of HGP-SL pooling (Zhang et al. 2019, "Hierarchical Graph Pooling with Structure
/// Learning"; reference code cszhangzhen/HGP-SL, layers.py), free functions so tests reach them.
namespace hgpsl {

/// Node information score |(I - D^-1/2 A D^-1/2) X| summed over features, [N]. A holds the edge
/// weights (undefined: ones), D sums the weights leaving each node. The paper writes D^-1 A; the
/// reference code (NodeInformationScore) normalises symmetrically, and so do we.
at::Tensor informationScore(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeWeight);

/// Per graph, the ceil(ratio * n_g) nodes of highest score (PyG's topk): node indices [K],
/// graph by graph, each graph's nodes by descending score (ties: lower index first).
/// `batch` [N] maps node -> graph (undefined: one graph).
at::Tensor topkPerGraph(const at::Tensor& score, double ratio, const at::Tensor& batch, int64_t numGraphs);

/// The candidate edges of structure learning among the kept nodes `perm` (sample_neighbor mode):
/// (s, t) for every t reachable from s by a walk of 1..maxWalk edges (the reference applies its
/// two-hop augmentation A + A^2 twice, hence 4), plus a self loop at every kept node. Indices
/// are positions in `perm`, sorted by (source, target). Returns {edgeIndex [2, E'], original
/// [E']}: the input edge each candidate is, or -1 for an augmented one (its weight is 0).
std::pair<at::Tensor, at::Tensor> candidateEdges(
    const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& perm, int maxWalk = 4);

} // namespace hgpsl

struct HgpslPoolOptions {
    explicit HgpslPoolOptions(int64_t channels)
        : in_channels_(channels)
    {
    }
    TORCH_ARG(int64_t, in_channels);
    /// Share of each graph's nodes kept (ceil(ratio * n)).
    TORCH_ARG(double, ratio) = 0.5;
    /// Weight of the existing edges added to the learned scores.
    TORCH_ARG(double, lambda) = 1.0;
    /// Normalise each node's candidate edges with sparsemax (true) or softmax.
    TORCH_ARG(bool, sparse) = true;
    TORCH_ARG(double, negative_slope) = 0.2;
};

/// A pooled graph: its node rows, learned weighted edges, each node's graph, and which input
/// node each row came from.
struct PooledGraph {
    at::Tensor x, edgeIndex, edgeWeight, batch, perm;
};

/// HGP-SL pooling with structure learning, as the reference's HGPSLPool(sample=True, sl=True):
///   1. score every node by its information score, keep the top ceil(ratio * n) of each graph
///      (rows are copied, not gated by the score);
///   2. among the kept nodes, score every candidate edge (walks of up to 4 edges in the input
///      graph, self loops) as leaky_relu(att . [x_s || x_t]) + lambda * w_st (w = 0 for new ones);
///   3. normalise each source node's scores with sparsemax (or softmax) and keep the non-zero
///      ones as the pooled graph's weighted edges.
/// `att` [1, 2C] is the only parameter.
class HgpslPoolImpl : public torch::nn::Cloneable<HgpslPoolImpl> {
public:
    explicit HgpslPoolImpl(const HgpslPoolOptions& options);
    void reset() override;
    void pretty_print(std::ostream& stream) const override;
    /// x [N, C]; edgeIndex [2, E]; edgeWeight [E] or undefined (ones); batch [N] or undefined.
    PooledGraph forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeWeight,
        const at::Tensor& batch, int64_t numGraphs);

    HgpslPoolOptions options;
    at::Tensor att; ///< [1, 2C]
};
TORCH_MODULE(HgpslPool);

} // namespace gsq::core::nn
