#pragma once

#include "core/nn/functional/Dropout.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>

/// Stateless message-passing math shared by the layers, pooling and tests.
/// Edge indices are int64 [2, E]: messages flow from row 0 (source) to row 1 (target).
namespace gsq::core::nn::functional {

/// Symmetric GCN normalisation (Kipf & Welling 2017): adds self loops (when asked) and returns
/// the edges with weights 1/sqrt(deg(i) deg(j)), deg counted over targets including self loops.
/// With `edgeWeight` [E]: weights w_ij / sqrt(deg(i) deg(j)), deg(i) the sum of the weights into i;
/// existing self loops are replaced by loops of weight 1 (PyG's gcn_norm keeps their weight).
/// `sourceDegree`: deg(i) sums the weights out of i instead (HGP-SL's own GCN, layers.py, whose
/// learned edge weights are normalised per source node).
/// Returns {edgeIndex [2, E'], weight [E']}.
std::pair<at::Tensor, at::Tensor> gcnNorm(const at::Tensor& edgeIndex, int64_t numNodes, bool addSelfLoops = true,
    const at::Tensor& edgeWeight = {}, bool sourceDegree = false);

/// Weighted sum aggregation: out[t] = sum over edges (s -> t) of weight_e * x[s].
/// `weight` may be undefined (all ones). x [N, F] -> [numNodes, F]. Differentiable in x and weight.
at::Tensor propagateSum(const at::Tensor& edgeIndex, const at::Tensor& weight, const at::Tensor& x, int64_t numNodes);

/// The same product as a sparse CSR matrix A [numNodes, N] with A[t, s] = weight, built once and
/// reused with spmm(A, x) (faster for a fixed graph; not differentiable in the weights).
at::Tensor adjacencyMatrix(const at::Tensor& edgeIndex, const at::Tensor& weight, int64_t numNodes);

/// A @ dense for a sparse CSR matrix A [M, K] and dense [K, F] -> [M, F], differentiable w.r.t.
/// `dense` (not w.r.t. A's values). Runs on ATen's embedding-bag kernel in both directions; the
/// transpose needed by the backward pass is computed once per sparsity pattern and cached, so
/// re-valued copies of A (dropout on stored values) reuse it.
at::Tensor spmm(const at::Tensor& csr, const at::Tensor& dense);

/// While alive (on this thread, in no-grad inference), linear() runs pruned weight matrices as
/// sparse CSR: dense inputs through CSR(W) @ x^T, CSR inputs through a CSR x CSR product, so
/// the zeros are skipped instead of multiplied. The CSR form of each weight is built once and
/// cached until the weight changes.
class SparseWeightsScope {
public:
    SparseWeightsScope();
    ~SparseWeightsScope();
    SparseWeightsScope(const SparseWeightsScope&) = delete;
    SparseWeightsScope& operator=(const SparseWeightsScope&) = delete;
    static bool active();

private:
    bool m_previous;
};

/// While alive (on this thread), linear() adds the multiply-accumulates each weight performs to
/// `counts` (keyed by the weight's TensorImpl): rows x non-zero weights for dense inputs, and
/// sum over stored inputs x[i, k] of the non-zeros in weight column k for sparse inputs.
class MacCountScope {
public:
    explicit MacCountScope(std::map<const void*, int64_t>* counts);
    ~MacCountScope();
    MacCountScope(const MacCountScope&) = delete;
    MacCountScope& operator=(const MacCountScope&) = delete;

private:
    std::map<const void*, int64_t>* m_previous;
};

/// out [rows, F] = A @ dense for A given as CSR (crow, col, values): a plain loop over rows whose
/// inner loop over features vectorises; rows are independent, so threads never share outputs.
at::Tensor csrTimesDense(
    const at::Tensor& crow, const at::Tensor& col, const at::Tensor& values, const at::Tensor& dense);

/// selfScale * dense + A @ dense for a square A (GIN's (1 + eps) x + sum of neighbours): each
/// output row starts from its own scaled input; selfScale 0 is csrTimesDense.
at::Tensor csrTimesDensePlusSelf(
    const at::Tensor& crow, const at::Tensor& col, const at::Tensor& values, const at::Tensor& dense, double selfScale);

/// GIN's aggregation (1 + eps) x + sum_{j -> i} x_j in one pass over the target-major CSR,
/// differentiable in x and in eps [1]; equal to (1 + eps) * x + propagateSum(edgeIndex, {}, x, N).
at::Tensor ginAggregate(const at::Tensor& edgeIndex, const at::Tensor& x, const at::Tensor& eps);

/// x [N, K] (CSR) @ b [K, M] (CSR) -> dense [N, M]; the reference is torch::mm on dense copies.
at::Tensor csrTimesCsr(const at::Tensor& a, const at::Tensor& b);

/// True for sparse COO and CSR tensors.
bool isSparse(const at::Tensor& x);

/// Mean over incoming messages (0 for nodes without in-edges).
at::Tensor propagateMean(const at::Tensor& edgeIndex, const at::Tensor& x, int64_t numNodes);

/// Softmax of per-edge scores [E, H] over the edges that share a target node.
at::Tensor segmentSoftmax(const at::Tensor& scores, const at::Tensor& target, int64_t numNodes);

/// Pools node rows [N, F] into one row per graph [numGraphs, F]; `batch` [N] maps node -> graph.
/// `mode` is "mean", "max" or "sum"; throws std::invalid_argument otherwise.
at::Tensor globalPool(const at::Tensor& x, const at::Tensor& batch, int64_t numGraphs, const std::string& mode);

/// x @ weight^T + bias for dense, sparse COO or sparse CSR x (weight [out, in]).
/// A dense float x with a bias runs as linearRowBlocks(...) > 1 row blocks when there are enough
/// threads and work: one one-thread GEMM per block, in parallel, forward and backward (its grad_fn
/// is then RowSplitLinear; see Linear.cpp for why).
at::Tensor linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

/// The fewest rows, and multiply-accumulates, a row block of linear() gets: smaller blocks were
/// measured slower than the BLAS's own threading (docs/benchmarks.md, two threads).
constexpr int64_t kRowBlockMinRows = 1024;
constexpr int64_t kRowBlockMinMacs = 1024 * 64 * 64;

/// How many row blocks linear() splits a dense [rows, in] @ [in, out] product into on the current
/// number of ATen threads: min(threads, rows / kRowBlockMinRows, rows*in*out / kRowBlockMinMacs),
/// at least 1; 1 inside a parallel region.
int64_t linearRowBlocks(int64_t rows, int64_t in, int64_t out);

/// Throws std::invalid_argument with a hint when x / edgeIndex do not fit the forward contract.
void checkInputs(const char* layer, const at::Tensor& x, const at::Tensor& edgeIndex, int64_t expectedFeatures);

} // namespace gsq::core::nn::functional
