#include "core/nn/functional/MessagePassing.h"

#include "core/quantization/Int8Linear.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

// functional::linear, the one place weights meet inputs: dense, sparse-input, pruned weights as
// CSR under SparseWeightsScope, oneDNN int8 under Int8Scope, dense rows split between threads
// (RowSplitLinear), and MAC counting.
namespace gsq::core::nn::functional {

namespace {

thread_local bool t_sparseWeights = false;
thread_local std::map<const void*, int64_t>* t_macCounts = nullptr;

void countMacs(const at::Tensor& x, const at::Tensor& weight)
{
    torch::NoGradGuard guard;
    const auto w = weight.detach();
    int64_t macs = 0;
    if (x.layout() == torch::kSparseCsr || x.is_sparse()) {
        auto cols = x.layout() == torch::kSparseCsr ? x.col_indices() : x.coalesce().indices()[1];
        auto perInput = torch::bincount(cols, {}, x.size(1)); // stored inputs per feature k
        auto perColumn = w.ne(0).sum(0); // non-zero weights reading feature k
        macs = (perInput * perColumn).sum().item<int64_t>();
    } else {
        macs = (x.numel() / std::max<int64_t>(1, x.size(-1))) * w.ne(0).sum().item<int64_t>();
    }
    (*t_macCounts)[weight.unsafeGetTensorImpl()] += macs;
}

/// Inference forms of a weight W [out, in], cached per weight tensor and version: the dense
/// contiguous W^T (built on first use) and its CSR form (built when sparse weights are asked for).
struct CachedWeight {
    at::Tensor weight; ///< kept alive, compared by address
    int64_t version = -1;
    at::Tensor denseT, csrT;
};

CachedWeight& cachedWeight(const at::Tensor& weight)
{
    thread_local std::array<CachedWeight, 16> entries;
    thread_local size_t next = 0;
    const int64_t version = static_cast<int64_t>(weight._version());
    for (auto& e : entries)
        if (e.weight.defined() && e.weight.data_ptr() == weight.data_ptr() && e.version == version
            && e.weight.sizes() == weight.sizes())
            return e;
    CachedWeight& e = entries[next];
    next = (next + 1) % entries.size();
    e = CachedWeight { weight.detach(), version, weight.detach().t().contiguous(), {} };
    return e;
}

const at::Tensor& cachedTranspose(const at::Tensor& weight)
{
    return cachedWeight(weight).denseT;
}

const at::Tensor& cachedCsrTranspose(const at::Tensor& weight)
{
    auto& e = cachedWeight(weight);
    if (!e.csrT.defined())
        e.csrT = e.denseT.to_sparse_csr();
    return e.csrT;
}

/// Runs f(begin, end) for each of `blocks` contiguous row blocks of `rows` rows, the blocks in
/// parallel on ATen's threads. Block b is rows [rows*b/blocks, rows*(b+1)/blocks), whichever
/// thread runs it.
/// No autograd in the blocks: the worker threads have grad mode on by default, and the callers
/// pass detached tensors (out= kernels refuse inputs that require grad).
template <class F> void forEachRowBlock(int64_t rows, int64_t blocks, const F& f)
{
    at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
        torch::NoGradGuard noGrad;
        for (int64_t b = first; b < last; ++b)
            f(b, rows * b / blocks, rows * (b + 1) / blocks);
    });
}

/// x @ W^T + bias with x's rows split into blocks, each block one GEMM on one thread (the BLAS
/// runs single-threaded inside a parallel region), in both directions:
///   forward   out_b    = bias + x_b W^T
///   backward  grad_x_b = g_b W,  grad_W = sum_b g_b^T x_b,  grad_bias = sum_b colsum(g_b)
/// Why: with the layer shapes of the graph-level models ([5000 x 64] rows times a 64 x 64 weight)
/// the BLAS's own two-thread split of g W and g^T x gained little (1.07-1.2x on 2 cores), while
/// one GEMM per half gains 1.6-1.9x (docs/benchmarks.md, two threads). The partial products of
/// grad_W and grad_bias are summed in block order, so a result depends on the number of blocks
/// (the thread count), never on which thread ran which block.
class RowSplitLinear : public torch::autograd::Function<RowSplitLinear> {
public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
        const at::Tensor& bias, int64_t blocks)
    {
        const auto xc = x.detach().contiguous();
        ctx->save_for_backward({ x, weight });
        ctx->saved_data["blocks"] = blocks;
        const auto wt = weight.detach().t();
        const auto b = bias.detach();
        auto out = at::empty({ xc.size(0), weight.size(0) }, xc.options());
        forEachRowBlock(xc.size(0), blocks, [&](int64_t, int64_t begin, int64_t end) {
            auto o = out.narrow(0, begin, end - begin);
            at::addmm_out(o, b, xc.narrow(0, begin, end - begin), wt);
        });
        return out;
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto x = saved[0].detach().contiguous();
        const auto weight = saved[1].detach();
        const int64_t blocks = ctx->saved_data["blocks"].toInt();
        const auto g = grads[0].detach().contiguous();
        const int64_t rows = x.size(0);
        at::Tensor gradX, partialW, partialB;
        if (ctx->needs_input_grad(0))
            gradX = at::empty_like(x);
        if (ctx->needs_input_grad(1))
            partialW = at::empty({ blocks, weight.size(0), weight.size(1) }, g.options());
        if (ctx->needs_input_grad(2))
            partialB = at::empty({ blocks, weight.size(0) }, g.options());
        forEachRowBlock(rows, blocks, [&](int64_t b, int64_t begin, int64_t end) {
            const auto gb = g.narrow(0, begin, end - begin);
            if (gradX.defined()) {
                auto o = gradX.narrow(0, begin, end - begin);
                at::mm_out(o, gb, weight);
            }
            if (partialW.defined()) {
                auto o = partialW.select(0, b);
                at::mm_out(o, gb.t(), x.narrow(0, begin, end - begin));
            }
            if (partialB.defined()) {
                auto o = partialB.select(0, b);
                at::sum_out(o, gb, 0);
            }
        });
        auto sumBlocks = [](const at::Tensor& partial) {
            at::Tensor total = partial.select(0, 0).clone();
            for (int64_t b = 1; b < partial.size(0); ++b)
                total.add_(partial.select(0, b));
            return total;
        };
        return { gradX, partialW.defined() ? sumBlocks(partialW) : at::Tensor(),
            partialB.defined() ? sumBlocks(partialB) : at::Tensor(), at::Tensor() };
    }
};

} // namespace

int64_t linearRowBlocks(int64_t rows, int64_t in, int64_t out)
{
    if (at::in_parallel_region())
        return 1;
    const int64_t byWork = rows * in * out / kRowBlockMinMacs;
    return std::max<int64_t>(
        1, std::min({ static_cast<int64_t>(at::get_num_threads()), rows / kRowBlockMinRows, byWork }));
}

SparseWeightsScope::SparseWeightsScope()
    : m_previous(t_sparseWeights)
{
    t_sparseWeights = true;
}

SparseWeightsScope::~SparseWeightsScope()
{
    t_sparseWeights = m_previous;
}

bool SparseWeightsScope::active()
{
    return t_sparseWeights;
}

at::Tensor csrTimesCsr(const at::Tensor& a, const at::Tensor& b)
{
    if (a.size(1) != b.size(0))
        throw std::invalid_argument("csrTimesCsr: inner dimensions differ");
    auto ac = a.crow_indices().contiguous(), ak = a.col_indices().contiguous(),
         av = a.values().to(torch::kFloat).contiguous();
    auto bc = b.crow_indices().contiguous(), bk = b.col_indices().contiguous(),
         bv = b.values().to(torch::kFloat).contiguous();
    const int64_t rows = a.size(0), cols = b.size(1);
    auto out = torch::zeros({ rows, cols }, torch::kFloat);
    const int64_t *acp = ac.data_ptr<int64_t>(), *akp = ak.data_ptr<int64_t>();
    const int64_t *bcp = bc.data_ptr<int64_t>(), *bkp = bk.data_ptr<int64_t>();
    const float *avp = av.data_ptr<float>(), *bvp = bv.data_ptr<float>();
    float* op = out.data_ptr<float>();
    at::parallel_for(0, rows, 64, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            float* dst = op + r * cols;
            for (int64_t e = acp[r]; e < acp[r + 1]; ++e) {
                const float x = avp[e];
                const int64_t k = akp[e];
                for (int64_t f = bcp[k]; f < bcp[k + 1]; ++f)
                    dst[bkp[f]] += x * bvp[f];
            }
        }
    });
    return out;
}

/// x [N, K] (dense) @ b [K, M] (CSR) -> [N, M]: each non-zero x[r, k] adds x[r, k] * b[k, :],
/// visiting only b's stored entries — no transposed copies of x or b.
at::Tensor denseTimesCsr(const at::Tensor& x, const at::Tensor& b)
{
    auto xc = x.to(torch::kFloat).contiguous();
    auto bc = b.crow_indices().contiguous(), bk = b.col_indices().contiguous(),
         bv = b.values().to(torch::kFloat).contiguous();
    const int64_t rows = xc.size(0), inner = xc.size(1), cols = b.size(1);
    auto out = torch::zeros({ rows, cols }, torch::kFloat);
    const float* xp = xc.data_ptr<float>();
    const int64_t *bcp = bc.data_ptr<int64_t>(), *bkp = bk.data_ptr<int64_t>();
    const float* bvp = bv.data_ptr<float>();
    float* op = out.data_ptr<float>();
    at::parallel_for(0, rows, 64, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const float* xr = xp + r * inner;
            float* dst = op + r * cols;
            for (int64_t k = 0; k < inner; ++k) {
                const float v = xr[k];
                if (v == 0.0f)
                    continue;
                for (int64_t f = bcp[k]; f < bcp[k + 1]; ++f)
                    dst[bkp[f]] += v * bvp[f];
            }
        }
    });
    return out;
}

MacCountScope::MacCountScope(std::map<const void*, int64_t>* counts)
    : m_previous(t_macCounts)
{
    t_macCounts = counts;
}

MacCountScope::~MacCountScope()
{
    t_macCounts = m_previous;
}

at::Tensor linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias)
{
    if (t_macCounts)
        countMacs(x, weight);
    at::Tensor out;
    if (quantization::Int8Scope::active() && !torch::GradMode::is_enabled() && !isSparse(x) && x.dim() == 2) {
        // Real int8: weights registered by a Quantizer run through oneDNN's int8 GEMM.
        if (auto packed = quantization::findPacked(weight))
            return packed->forward(x, bias);
    }
    if (t_sparseWeights && !torch::GradMode::is_enabled() && weight.scalar_type() == torch::kFloat) {
        const auto& csrT = cachedCsrTranspose(weight);
        if (x.layout() == torch::kSparseCsr)
            out = csrTimesCsr(x, csrT);
        else
            out = denseTimesCsr(x.is_sparse() ? x.to_dense() : x, csrT);
    } else if (x.layout() == torch::kSparseCsr && !torch::GradMode::is_enabled()
        && weight.scalar_type() == torch::kFloat) {
        // Inference: reuse the weight's cached transpose instead of copying it every call.
        out = csrTimesDense(x.crow_indices(), x.col_indices(), x.values(), cachedTranspose(weight));
    } else if (x.layout() == torch::kSparseCsr)
        out = spmm(x, weight.t());
    else if (x.is_sparse())
        out = torch::mm(x, weight.t());
    else if (x.dim() == 2 && bias.defined()) {
        if (x.scalar_type() == torch::kFloat && weight.scalar_type() == torch::kFloat
            && bias.scalar_type() == torch::kFloat) {
            if (const int64_t blocks = linearRowBlocks(x.size(0), x.size(1), weight.size(0)); blocks > 1)
                return RowSplitLinear::apply(x, weight, bias, blocks);
        }
        return torch::addmm(bias, x, weight.t()); // bias copied into the output, one GEMM, one backward node
    } else
        out = torch::matmul(x, weight.t());
    if (bias.defined())
        out = out + bias;
    return out;
}

} // namespace gsq::core::nn::functional
