#include "core/nn/functional/MessagePassing.h"

#include "core/graph/EdgeIndex.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

namespace gsq::core::nn::functional {

std::pair<at::Tensor, at::Tensor> gcnNorm(
    const at::Tensor& edgeIndex, int64_t numNodes, bool addSelfLoops, const at::Tensor& edgeWeight, bool sourceDegree)
{
    if (edgeWeight.defined()) {
        at::Tensor ei = edgeIndex, w = edgeWeight;
        if (addSelfLoops) {
            auto keep = edgeIndex[0] != edgeIndex[1];
            auto loops = torch::arange(numNodes, edgeIndex.options());
            ei = torch::cat({ edgeIndex.index({ torch::indexing::Slice(), keep }), torch::stack({ loops, loops }) }, 1);
            w = torch::cat({ edgeWeight.index({ keep }), torch::ones({ numNodes }, edgeWeight.options()) });
        }
        auto deg = torch::zeros({ numNodes }, w.options()).index_add(0, ei[sourceDegree ? 0 : 1], w);
        auto inv = deg.pow(-0.5).masked_fill(deg <= 0, 0.0);
        return { ei, inv.index_select(0, ei[0]) * w * inv.index_select(0, ei[1]) };
    }
    at::Tensor ei = addSelfLoops ? graph::addSelfLoops(edgeIndex, numNodes) : edgeIndex;
    auto deg = sourceDegree ? graph::inDegree(ei.flip({ 0 }), numNodes) : graph::inDegree(ei, numNodes);
    auto inv = deg.pow(-0.5).masked_fill(deg == 0, 0.0);
    auto w = inv.index_select(0, ei[0]) * inv.index_select(0, ei[1]);
    return { ei, w };
}

at::Tensor adjacencyMatrix(const at::Tensor& edgeIndex, const at::Tensor& weight, int64_t numNodes)
{
    auto w = weight.defined() ? weight : torch::ones({ edgeIndex.size(1) }, torch::kFloat);
    return torch::sparse_coo_tensor(edgeIndex.flip({ 0 }), w.detach(), { numNodes, numNodes })
        .coalesce()
        .to_sparse_csr();
}

bool isSparse(const at::Tensor& x)
{
    return x.layout() != torch::kStrided;
}

/// out[r] = sum_k values[k] * dense[col[k]] over row r's entries. A plain loop over rows (the
/// inner loop over features vectorises); rows are independent, so threads never share outputs
/// and results do not depend on the thread count. ATen's generic sparse kernels were 3-10x
/// slower at Cora's sizes (docs/benchmarks.md).
at::Tensor csrTimesDense(
    const at::Tensor& crow, const at::Tensor& col, const at::Tensor& values, const at::Tensor& dense)
{
    return csrTimesDensePlusSelf(crow, col, values, dense, 0.0);
}

at::Tensor csrTimesDensePlusSelf(
    const at::Tensor& crow, const at::Tensor& col, const at::Tensor& values, const at::Tensor& dense, double selfScale)
{
    const int64_t rows = crow.numel() - 1;
    if (selfScale != 0.0 && rows != dense.size(0))
        throw std::invalid_argument("csrTimesDensePlusSelf: a self term needs a square matrix");
    if (dense.scalar_type() != torch::kFloat || values.scalar_type() != torch::kFloat) {
        auto out
            = std::get<0>(at::embedding_bag(dense.contiguous(), col, crow, false, 0, false, values.contiguous(), true));
        return selfScale != 0.0 ? out + selfScale * dense : out;
    }
    auto d = dense.contiguous();
    auto c = crow.contiguous(), k = col.contiguous(), v = values.contiguous();
    const int64_t width = d.size(1);
    auto out
        = selfScale != 0.0 ? torch::empty({ rows, width }, d.options()) : torch::zeros({ rows, width }, d.options());
    const int64_t* cp = c.data_ptr<int64_t>();
    const int64_t* kp = k.data_ptr<int64_t>();
    const float* vp = v.data_ptr<float>();
    const float* dp = d.data_ptr<float>();
    float* op = out.data_ptr<float>();
    const auto self = static_cast<float>(selfScale);
    at::parallel_for(0, rows, 256, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            float* dst = op + r * width;
            if (self != 0.0f) {
                const float* own = dp + r * width;
                for (int64_t f = 0; f < width; ++f)
                    dst[f] = self * own[f];
            }
            for (int64_t e = cp[r]; e < cp[r + 1]; ++e) {
                const float w = vp[e];
                const float* src = dp + kp[e] * width;
                for (int64_t f = 0; f < width; ++f)
                    dst[f] += w * src[f];
            }
        }
    });
    return out;
}

namespace {

/// The stable order that sorts `keys` (int64 in [0, numKeys)) ascending, by counting: the same
/// permutation as a stable sort in O(n + numKeys); `offsets` [numKeys + 1] receives the start of
/// each key's run (a CSR row pointer).
at::Tensor countingSortOrder(const at::Tensor& keys, int64_t numKeys, at::Tensor& offsets)
{
    const int64_t n = keys.numel();
    const int64_t* kp = keys.data_ptr<int64_t>();
    int64_t* op = offsets.data_ptr<int64_t>();
    std::fill(op, op + numKeys + 1, 0);
    for (int64_t i = 0; i < n; ++i) {
        if (kp[i] < 0 || kp[i] >= numKeys)
            throw std::invalid_argument(
                "node index " + std::to_string(kp[i]) + " out of range [0, " + std::to_string(numKeys) + ")");
        ++op[kp[i] + 1];
    }
    for (int64_t v = 0; v < numKeys; ++v)
        op[v + 1] += op[v];
    auto order = torch::empty({ n }, torch::kLong);
    int64_t* out = order.data_ptr<int64_t>();
    std::vector<int64_t> next(op, op + numKeys);
    for (int64_t i = 0; i < n; ++i)
        out[next[static_cast<size_t>(kp[i])]++] = i;
    return order;
}

/// The transpose of a CSR pattern: crowT/colT, and `perm` mapping A's value order to A^T's.
struct CsrTranspose {
    at::Tensor col; ///< the pattern it belongs to (kept alive, compared by address)
    at::Tensor crowT, colT, perm;
};

const CsrTranspose& transposeOf(const at::Tensor& crow, const at::Tensor& col, int64_t numCols)
{
    // A model touches few patterns (features, adjacency); keep a handful, replace round robin.
    thread_local std::array<CsrTranspose, 4> entries;
    thread_local size_t next = 0;
    // col_indices() hands out a new alias each call: compare the memory, which the cached
    // tensor keeps alive, so the address cannot be reused by another pattern.
    for (const auto& e : entries)
        if (e.col.defined() && e.col.data_ptr() == col.data_ptr() && e.col.numel() == col.numel())
            return e;
    CsrTranspose& cache = entries[next];
    next = (next + 1) % entries.size();
    const int64_t rows = crow.numel() - 1;
    auto c = crow.to(torch::kLong).contiguous(), k = col.to(torch::kLong).contiguous();
    cache.col = col;
    cache.crowT = torch::empty({ numCols + 1 }, torch::kLong);
    cache.perm = countingSortOrder(k, numCols, cache.crowT);
    cache.colT = torch::empty({ k.numel() }, torch::kLong);
    const int64_t* cp = c.data_ptr<int64_t>();
    const int64_t* pp = cache.perm.data_ptr<int64_t>();
    // colT[j] = the row of entry perm[j]: invert the row ranges through a row-of-entry table.
    std::vector<int64_t> rowOf(static_cast<size_t>(k.numel()));
    for (int64_t r = 0; r < rows; ++r)
        std::fill(rowOf.begin() + cp[r], rowOf.begin() + cp[r + 1], r);
    int64_t* ct = cache.colT.data_ptr<int64_t>();
    for (int64_t j = 0; j < k.numel(); ++j)
        ct[j] = rowOf[static_cast<size_t>(pp[j])];
    return cache;
}

class SpmmFunction : public torch::autograd::Function<SpmmFunction> {
public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& dense, const at::Tensor& crow,
        const at::Tensor& col, const at::Tensor& values, int64_t numCols)
    {
        const auto& t = transposeOf(crow, col, numCols);
        ctx->save_for_backward({ t.crowT, t.colT, values.index_select(0, t.perm) });
        return csrTimesDense(crow, col, values, dense);
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads)
    {
        auto saved = ctx->get_saved_variables();
        auto gradDense = csrTimesDense(saved[0], saved[1], saved[2], grads[0]);
        return { gradDense, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor() };
    }
};

} // namespace

namespace {

/// CSR layout of an edge index with rows = targets, columns = sources, and the permutation
/// from edge order to CSR order (for edge weights).
struct EdgeCsr {
    at::Tensor edgeIndex; ///< kept alive, compared by address
    int64_t numNodes = 0;
    at::Tensor crow, col, perm;
    uint64_t lastUse = 0;
};

const EdgeCsr& edgeCsr(const at::Tensor& edgeIndex, int64_t numNodes)
{
    // Mini-batch training makes a new batch graph every step and reuses it across all layers;
    // evaluation batches are fixed. A small LRU serves both.
    thread_local std::array<EdgeCsr, 32> entries;
    thread_local uint64_t clock = 0;
    ++clock;
    for (auto& e : entries)
        if (e.edgeIndex.defined() && e.edgeIndex.data_ptr() == edgeIndex.data_ptr()
            && e.edgeIndex.numel() == edgeIndex.numel() && e.numNodes == numNodes) {
            e.lastUse = clock;
            return e;
        }
    auto victim = std::min_element(
        entries.begin(), entries.end(), [](const EdgeCsr& a, const EdgeCsr& b) { return a.lastUse < b.lastUse; });
    auto target = edgeIndex[1].contiguous();
    victim->edgeIndex = edgeIndex;
    victim->numNodes = numNodes;
    victim->crow = torch::empty({ numNodes + 1 }, torch::kLong);
    victim->perm = countingSortOrder(target, numNodes, victim->crow);
    victim->col = edgeIndex[0].index_select(0, victim->perm).contiguous();
    victim->lastUse = clock;
    return *victim;
}

/// out[t] = sum over edges (s -> t) of w_e x[s], differentiable in x and in the edge weights
/// (HGP-SL's learned graphs): forward through the target-major CSR, grad_x through the
/// source-major one, grad_w[e] = <grad_out[t_e], x[s_e]>. No [E, F] message tensor is built.
class WeightedPropagateFunction : public torch::autograd::Function<WeightedPropagateFunction> {
public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
        const at::Tensor& edgeIndex, int64_t numNodes)
    {
        const auto& csr = edgeCsr(edgeIndex, numNodes);
        const auto& t = transposeOf(csr.crow, csr.col, x.size(0));
        auto w = weight.detach().contiguous();
        auto xd = x.detach().contiguous();
        auto values = w.index_select(0, csr.perm);
        ctx->save_for_backward({ xd, w, edgeIndex, t.crowT, t.colT, values.index_select(0, t.perm) });
        return csrTimesDense(csr.crow, csr.col, values, xd);
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads)
    {
        auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& w = saved[1];
        const auto& ei = saved[2];
        auto g = grads[0].contiguous();
        auto gradX = csrTimesDense(saved[3], saved[4], saved[5], g); // A^T: rows = sources
        auto src = ei[0].contiguous(), dst = ei[1].contiguous();
        auto gradW = torch::empty_like(w);
        const int64_t width = x.size(1);
        const float* xp = x.data_ptr<float>();
        const float* gp = g.data_ptr<float>();
        const int64_t* sp = src.data_ptr<int64_t>();
        const int64_t* tp = dst.data_ptr<int64_t>();
        float* wp = gradW.data_ptr<float>();
        at::parallel_for(0, w.numel(), 1024, [&](int64_t begin, int64_t end) {
            for (int64_t e = begin; e < end; ++e) {
                const float* a = gp + tp[e] * width;
                const float* b = xp + sp[e] * width;
                float dot = 0;
                for (int64_t f = 0; f < width; ++f)
                    dot += a[f] * b[f];
                wp[e] = dot;
            }
        });
        return { gradX, gradW, at::Tensor(), at::Tensor() };
    }
};

} // namespace

at::Tensor propagateSum(const at::Tensor& edgeIndex, const at::Tensor& weight, const at::Tensor& x, int64_t numNodes)
{
    if (weight.defined() && weight.requires_grad() && torch::GradMode::is_enabled() && x.scalar_type() == torch::kFloat
        && weight.scalar_type() == torch::kFloat && !isSparse(x) && x.dim() == 2 && edgeIndex.size(1) > 0)
        return WeightedPropagateFunction::apply(x, weight.reshape({ -1 }), edgeIndex, numNodes);
    if ((weight.defined() && weight.requires_grad() && torch::GradMode::is_enabled())
        || x.scalar_type() != torch::kFloat || edgeIndex.size(1) == 0) {
        // Differentiable in the edge weights: the gather/scatter formulation.
        auto msg = x.index_select(0, edgeIndex[0]);
        if (weight.defined())
            msg = msg * weight.view({ -1, 1 });
        return torch::zeros({ numNodes, x.size(1) }, x.options()).index_add(0, edgeIndex[1], msg);
    }
    const auto& csr = edgeCsr(edgeIndex, numNodes);
    auto values = weight.defined() ? weight.detach().index_select(0, csr.perm)
                                   : torch::ones({ edgeIndex.size(1) }, torch::kFloat);
    auto a = at::_sparse_csr_tensor_unsafe(
        csr.crow, csr.col, values, { numNodes, x.size(0) }, values.options().layout(torch::kSparseCsr));
    return spmm(a, x);
}

namespace {

/// out = (1 + eps) x + A x for GIN with the adjacency A as a target-major CSR: one pass that
/// starts each output row from its own scaled input instead of a zero row, a multiply and an
/// add. Backward: grad_x = (1 + eps) g + A^T g in one pass the same way; grad_eps = <g, x>.
class GinAggregateFunction : public torch::autograd::Function<GinAggregateFunction> {
public:
    static at::Tensor forward(
        torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& eps, const at::Tensor& edgeIndex)
    {
        const int64_t n = x.size(0);
        const auto& csr = edgeCsr(edgeIndex, n);
        const auto& t = transposeOf(csr.crow, csr.col, n);
        const double self = 1.0 + eps.item<double>();
        auto xd = x.detach().contiguous();
        ctx->saved_data["self"] = self;
        ctx->saved_data["eps_grad"] = eps.requires_grad();
        ctx->save_for_backward({ t.crowT, t.colT, eps.requires_grad() ? xd : at::Tensor() });
        auto ones = torch::ones({ csr.col.numel() }, x.options());
        return csrTimesDensePlusSelf(csr.crow, csr.col, ones, xd, self);
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads)
    {
        auto saved = ctx->get_saved_variables();
        const double self = ctx->saved_data["self"].toDouble();
        auto g = grads[0].contiguous();
        auto ones = torch::ones({ saved[1].numel() }, g.options());
        auto gradX = csrTimesDensePlusSelf(saved[0], saved[1], ones, g, self);
        at::Tensor gradEps;
        if (ctx->saved_data["eps_grad"].toBool())
            gradEps = (g * saved[2]).sum().reshape({ 1 });
        return { gradX, gradEps, at::Tensor() };
    }
};

} // namespace

at::Tensor ginAggregate(const at::Tensor& edgeIndex, const at::Tensor& x, const at::Tensor& eps)
{
    if (x.scalar_type() != torch::kFloat || isSparse(x) || x.dim() != 2 || eps.numel() != 1)
        return (1 + eps) * x + propagateSum(edgeIndex, {}, x, x.size(0));
    if (!torch::GradMode::is_enabled() || (!x.requires_grad() && !eps.requires_grad())) {
        const auto& csr = edgeCsr(edgeIndex, x.size(0));
        return csrTimesDensePlusSelf(
            csr.crow, csr.col, torch::ones({ csr.col.numel() }, x.options()), x.contiguous(), 1.0 + eps.item<double>());
    }
    return GinAggregateFunction::apply(x, eps, edgeIndex);
}

at::Tensor spmm(const at::Tensor& csr, const at::Tensor& dense)
{
    if (csr.layout() != torch::kSparseCsr)
        throw std::invalid_argument("spmm: expected a sparse CSR matrix");
    if (csr.size(1) != dense.size(0))
        throw std::invalid_argument("spmm: shapes do not match: [" + std::to_string(csr.size(0)) + ", "
            + std::to_string(csr.size(1)) + "] @ [" + std::to_string(dense.size(0)) + ", "
            + std::to_string(dense.size(1)) + "]");
    auto crow = csr.crow_indices(), col = csr.col_indices(), values = csr.values();
    if (!dense.requires_grad() || !torch::GradMode::is_enabled())
        return csrTimesDense(crow, col, values, dense);
    return SpmmFunction::apply(dense, crow, col, values, csr.size(1));
}

at::Tensor propagateMean(const at::Tensor& edgeIndex, const at::Tensor& x, int64_t numNodes)
{
    auto sum = propagateSum(edgeIndex, {}, x, numNodes);
    auto deg = graph::inDegree(edgeIndex, numNodes).clamp_min(1.0).view({ -1, 1 });
    return sum / deg;
}

at::Tensor segmentSoftmax(const at::Tensor& scores, const at::Tensor& target, int64_t numNodes)
{
    auto idx = target.view({ -1, 1 }).expand_as(scores);
    // Subtract each segment's max for stability; the max carries no gradient.
    auto maxPer = torch::full({ numNodes, scores.size(1) }, -std::numeric_limits<float>::infinity(), scores.options())
                      .scatter_reduce(0, idx, scores.detach(), "amax", /*include_self=*/true);
    auto e = (scores - maxPer.index_select(0, target)).exp();
    auto denom = torch::zeros({ numNodes, scores.size(1) }, scores.options()).index_add(0, target, e);
    return e / (denom.index_select(0, target) + 1e-16);
}

at::Tensor globalPool(const at::Tensor& x, const at::Tensor& batch, int64_t numGraphs, const std::string& mode)
{
    auto sum = torch::zeros({ numGraphs, x.size(1) }, x.options()).index_add(0, batch, x);
    if (mode == "sum")
        return sum;
    if (mode == "mean") {
        auto count
            = torch::zeros({ numGraphs }, x.options()).index_add(0, batch, torch::ones({ x.size(0) }, x.options()));
        return sum / count.clamp_min(1.0).view({ -1, 1 });
    }
    if (mode == "max") {
        auto idx = batch.view({ -1, 1 }).expand_as(x);
        return torch::zeros({ numGraphs, x.size(1) }, x.options())
            .scatter_reduce(0, idx, x, "amax", /*include_self=*/false);
    }
    throw std::invalid_argument("unknown pooling '" + mode + "' (valid: mean, max, sum)");
}

void checkInputs(const char* layer, const at::Tensor& x, const at::Tensor& edgeIndex, int64_t expectedFeatures)
{
    const std::string name(layer);
    if (!x.defined() || x.dim() != 2)
        throw std::invalid_argument(name + ": x must be a 2-D [N, F] tensor, got "
            + (x.defined() ? std::to_string(x.dim()) + "-D" : std::string("undefined")));
    if (x.size(1) != expectedFeatures)
        throw std::invalid_argument(name + ": x has " + std::to_string(x.size(1)) + " features, layer expects "
            + std::to_string(expectedFeatures));
    if (!edgeIndex.defined() || edgeIndex.dim() != 2 || edgeIndex.size(0) != 2)
        throw std::invalid_argument(name + ": edgeIndex must be [2, E] (sources; targets)");
    if (edgeIndex.scalar_type() != torch::kLong)
        throw std::invalid_argument(name + ": edgeIndex must be int64");
    if (edgeIndex.size(1) > 0) {
        // One pass over both rows (two reductions and two synchronising item() calls per layer
        // were a measurable share of a small graph batch's forward pass).
        auto ei = edgeIndex.contiguous();
        const int64_t* p = ei.data_ptr<int64_t>();
        int64_t mn = p[0], mx = p[0];
        for (int64_t i = 1, n = ei.numel(); i < n; ++i) {
            mn = std::min(mn, p[i]);
            mx = std::max(mx, p[i]);
        }
        if (mn < 0 || mx >= x.size(0))
            throw std::invalid_argument(name + ": edgeIndex refers to node " + std::to_string(mn < 0 ? mn : mx)
                + " but x has " + std::to_string(x.size(0)) + " rows");
    }
}

} // namespace gsq::core::nn::functional
