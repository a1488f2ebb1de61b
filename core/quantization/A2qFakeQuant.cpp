#include "core/quantization/A2qFakeQuant.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace gsq::core::quantization {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// Each quantizer's step s and upper level L, as the forward pass uses them.
struct Grid {
    std::vector<float> step, levels;
};

Grid gridOf(const at::Tensor& step, const at::Tensor& bits, bool isSigned)
{
    auto s = step.detach().to(torch::kFloat).contiguous();
    auto b = bits.detach().to(torch::kFloat).contiguous();
    const int64_t n = s.numel();
    Grid g;
    g.step.resize(static_cast<size_t>(n));
    g.levels.resize(static_cast<size_t>(n));
    const float* sp = s.data_ptr<float>();
    const float* bp = b.data_ptr<float>();
    for (int64_t q = 0; q < n; ++q) {
        g.step[static_cast<size_t>(q)] = std::fabs(sp[q]) + 1e-8f;
        const float width = std::nearbyint(std::clamp(bp[q], 2.f, 8.f));
        g.levels[static_cast<size_t>(q)] = std::ldexp(1.f, static_cast<int>(width) - (isSigned ? 1 : 0)) - 1.f;
    }
    return g;
}

/// The quantizer of every row, checked against the quantizer count.
std::vector<int64_t> rowQuantizers(const at::Tensor& index, int64_t rows, int64_t quantizers)
{
    std::vector<int64_t> out(static_cast<size_t>(rows));
    auto idx = index.to(torch::kLong).contiguous();
    if (idx.numel() != rows)
        throw std::invalid_argument("a2q fake quantization: index has " + std::to_string(idx.numel()) + " entries for "
            + std::to_string(rows) + " rows");
    const int64_t* ip = idx.data_ptr<int64_t>();
    for (int64_t r = 0; r < rows; ++r) {
        if (ip[r] < 0 || ip[r] >= quantizers)
            throw std::invalid_argument("a2q fake quantization: row " + std::to_string(r) + " uses quantizer "
                + std::to_string(ip[r]) + " outside [0, " + std::to_string(quantizers) + ")");
        out[static_cast<size_t>(r)] = ip[r];
    }
    return out;
}

/// Round half to even for |v| <= 2^22 (the grid's levels are at most 255): adding and removing
/// 1.5 * 2^23 leaves the float's integer part, rounded as the current (default, to-nearest-even)
/// mode does, exactly as std::nearbyint, but vectorizable on baseline x86-64 (no SSE4.1 round).
inline float roundToEven(float v)
{
    constexpr float shift = 12582912.f;
    return (v + shift) - shift;
}

/// The gradient share of the first operand of max(a, b) (or of min(b, a)): 1 when a wins,
/// 0 when it loses, 1/2 on a tie, as torch.maximum / torch.minimum split it. Branch-free, so
/// the row loops vectorize.
inline float shareOfLarger(float a, float b)
{
    return static_cast<float>(a > b) + 0.5f * static_cast<float>(a == b);
}

/// One row of the backward pass: the input gradient and each column's term of d/ds and d/dL
/// (the latter still to be multiplied by s).
void backwardRow(const float* __restrict x, const float* __restrict g, float s, float lo, float hi, float toLoSign,
    int64_t cols, float* __restrict gx, float* __restrict termStep, float* __restrict termLevels)
{
    for (int64_t c = 0; c < cols; ++c) {
        const float v = x[c] / s;
        // m = max(v, lo), then min(m, hi): each passes the gradient to the larger (smaller)
        // operand, half to each on a tie.
        const float toV = shareOfLarger(v, lo);
        const float m = std::max(v, lo);
        const float toM = shareOfLarger(hi, m);
        const float in = toM * toV;
        gx[c] = g[c] * in;
        termStep[c] = g[c] * (roundToEven(std::min(m, hi)) - in * v);
        // lo = -hi when signed: the part that went to lo reaches hi negated.
        termLevels[c] = g[c] * ((1.f - toM) - toLoSign * toM * (1.f - toV));
    }
}

int64_t grainFor(int64_t cols)
{
    return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, cols));
}

struct A2qFakeQuantFunction : public torch::autograd::Function<A2qFakeQuantFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& step, const at::Tensor& bits,
        const at::Tensor& index, bool isSigned)
    {
        auto xc = x.detach().to(torch::kFloat).contiguous();
        const int64_t rows = xc.size(0), cols = xc.size(1);
        const Grid grid = gridOf(step, bits, isSigned);
        const auto quantizer = rowQuantizers(index, rows, step.numel());
        auto y = torch::empty_like(xc);
        const float* xp = xc.data_ptr<float>();
        float* yp = y.data_ptr<float>();
        at::parallel_for(0, rows, grainFor(cols), [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r) {
                const auto q = static_cast<size_t>(quantizer[static_cast<size_t>(r)]);
                const float s = grid.step[q], hi = grid.levels[q], lo = isSigned ? -hi : 0.f;
                const float* xr = xp + r * cols;
                float* yr = yp + r * cols;
                for (int64_t c = 0; c < cols; ++c)
                    yr[c] = roundToEven(std::min(std::max(xr[c] / s, lo), hi)) * s;
            }
        });
        ctx->save_for_backward({ xc, step, bits, index });
        ctx->saved_data["signed"] = isSigned;
        return y.to(x.scalar_type());
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        auto saved = ctx->get_saved_variables();
        const auto& xc = saved[0];
        const auto& step = saved[1];
        const auto& bits = saved[2];
        const bool isSigned = ctx->saved_data["signed"].toBool();
        const bool wantX = ctx->needs_input_grad(0), wantStep = ctx->needs_input_grad(1),
                   wantBits = ctx->needs_input_grad(2);
        auto gy = grads[0].to(torch::kFloat).contiguous();
        const int64_t rows = xc.size(0), cols = xc.size(1), quantizers = step.numel();
        const Grid grid = gridOf(step, bits, isSigned);
        const auto quantizer = rowQuantizers(saved[3], rows, quantizers);
        at::Tensor gx = wantX ? torch::empty_like(xc) : at::Tensor();
        std::vector<double> rowStep(static_cast<size_t>(rows)), rowLevels(static_cast<size_t>(rows));
        const float* xp = xc.data_ptr<float>();
        const float* gp = gy.data_ptr<float>();
        float* gxp = wantX ? gx.data_ptr<float>() : nullptr;
        const float toLoSign = isSigned ? 1.f : 0.f;
        at::parallel_for(0, rows, grainFor(cols), [&](int64_t begin, int64_t end) {
            std::vector<float> termStep(static_cast<size_t>(cols)), termLevels(static_cast<size_t>(cols));
            std::vector<float> scratch(gxp ? 0 : static_cast<size_t>(cols));
            for (int64_t r = begin; r < end; ++r) {
                const auto q = static_cast<size_t>(quantizer[static_cast<size_t>(r)]);
                const float s = grid.step[q], hi = grid.levels[q], lo = isSigned ? -hi : 0.f;
                backwardRow(xp + r * cols, gp + r * cols, s, lo, hi, toLoSign, cols,
                    gxp ? gxp + r * cols : scratch.data(), termStep.data(), termLevels.data());
                double dStep = 0, dLevels = 0;
                for (int64_t c = 0; c < cols; ++c) {
                    dStep += termStep[static_cast<size_t>(c)];
                    dLevels += termLevels[static_cast<size_t>(c)];
                }
                rowStep[static_cast<size_t>(r)] = dStep;
                rowLevels[static_cast<size_t>(r)] = dLevels * s;
            }
        });
        at::Tensor gStep, gBits;
        if (wantStep || wantBits) {
            std::vector<double> perStep(static_cast<size_t>(quantizers), 0.0), perLevels(perStep);
            for (int64_t r = 0; r < rows; ++r) {
                const auto q = static_cast<size_t>(quantizer[static_cast<size_t>(r)]);
                perStep[q] += rowStep[static_cast<size_t>(r)];
                perLevels[q] += rowLevels[static_cast<size_t>(r)];
            }
            auto sv = step.detach().to(torch::kFloat).contiguous();
            auto bv = bits.detach().to(torch::kFloat).contiguous();
            const float* sp = sv.data_ptr<float>();
            const float* bp = bv.data_ptr<float>();
            gStep = torch::empty({ quantizers }, torch::kFloat);
            gBits = torch::empty({ quantizers }, torch::kFloat);
            float* gsp = gStep.data_ptr<float>();
            float* gbp = gBits.data_ptr<float>();
            for (int64_t q = 0; q < quantizers; ++q) {
                const auto qi = static_cast<size_t>(q);
                // s = |step| + 1e-8; b = round_ste(clamp(bits, 2, 8)) (clamp passes its bounds);
                // L = 2^(b - 1) - 1 or 2^b - 1, so dL/db = ln 2 (L + 1).
                const double sign = sp[q] > 0 ? 1.0 : sp[q] < 0 ? -1.0 : 0.0;
                gsp[q] = static_cast<float>(perStep[qi] * sign);
                const bool inRange = bp[q] >= 2.f && bp[q] <= 8.f;
                gbp[q] = inRange ? static_cast<float>(perLevels[qi] * std::log(2.0) * (grid.levels[qi] + 1.0)) : 0.f;
            }
            gStep = gStep.to(step.scalar_type()).view(step.sizes());
            gBits = gBits.to(bits.scalar_type()).view(bits.sizes());
        }
        return { wantX ? gx : at::Tensor(), wantStep ? gStep : at::Tensor(), wantBits ? gBits : at::Tensor(),
            at::Tensor(), at::Tensor() };
    }
};

} // namespace

at::Tensor a2qFakeQuant(
    const at::Tensor& x, const at::Tensor& step, const at::Tensor& bits, const at::Tensor& index, bool isSigned)
{
    if (x.dim() != 2)
        throw std::invalid_argument(
            "a2q fake quantization expects [rows, cols], got " + std::to_string(x.dim()) + " dimensions");
    if (step.numel() != bits.numel())
        throw std::invalid_argument("a2q fake quantization: " + std::to_string(step.numel()) + " step sizes but "
            + std::to_string(bits.numel()) + " bit-widths");
    if (!index.defined() && x.size(0) != step.numel())
        throw std::invalid_argument("a2q fake quantization: " + std::to_string(x.size(0)) + " rows need "
            + std::to_string(x.size(0)) + " quantizers without an index, got " + std::to_string(step.numel()));
    // Autograd functions take defined tensors only: "one quantizer per row" is the identity index.
    return A2qFakeQuantFunction::apply(
        x, step, bits, index.defined() ? index : torch::arange(x.size(0), torch::kLong), isSigned);
}

at::Tensor a2qNearestQuantizers(const at::Tensor& x, const at::Tensor& step, const at::Tensor& bits, bool isSigned)
{
    if (x.dim() != 2 || step.numel() == 0 || step.numel() != bits.numel())
        throw std::invalid_argument("a2q nearest quantizers: expects [rows, cols] and as many step sizes as widths");
    auto xc = x.detach().to(torch::kFloat).contiguous();
    const int64_t rows = xc.size(0), cols = xc.size(1), quantizers = step.numel();
    const Grid grid = gridOf(step, bits, isSigned);
    std::vector<float> reach(static_cast<size_t>(quantizers));
    for (size_t q = 0; q < reach.size(); ++q)
        reach[q] = grid.levels[q] * grid.step[q];
    auto out = torch::empty({ rows }, torch::kLong);
    const float* xp = xc.data_ptr<float>();
    int64_t* op = out.data_ptr<int64_t>();
    at::parallel_for(0, rows, grainFor(cols), [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const float* xr = xp + r * cols;
            float top = cols > 0 ? std::fabs(xr[0]) : 0.f;
            for (int64_t c = 1; c < cols; ++c)
                top = std::max(top, std::fabs(xr[c]));
            int64_t best = 0;
            float bestDistance = (top - reach[0]) * (top - reach[0]);
            for (int64_t q = 1; q < quantizers; ++q) {
                const float d = (top - reach[static_cast<size_t>(q)]) * (top - reach[static_cast<size_t>(q)]);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = q;
                }
            }
            op[r] = best;
        }
    });
    return out;
}

} // namespace gsq::core::quantization
