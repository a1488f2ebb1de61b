#include "core/nn/functional/MessagePassing.h"

#include "core/quantization/Int8Linear.h"

#include <torch/torch.h>

#include <map>

// functional::linear, the one place weights meet inputs: dense, sparse-input, pruned weights as
// CSR under SparseWeightsScope, oneDNN int8 under Int8Scope, and MAC counting.
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

} // namespace

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
    else if (x.dim() == 2 && bias.defined())
        return torch::addmm(bias, x, weight.t()); // bias copied into the output, one GEMM, one backward node
    else
        out = torch::matmul(x, weight.t());
    if (bias.defined())
        out = out + bias;
    return out;
}

} // namespace gsq::core::nn::functional
