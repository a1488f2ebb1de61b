#include "core/nn/SplineConv.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace gsq::core::nn {

namespace F = functional;

namespace {

/// The open B-spline basis functions of one dimension, v in [0, 1) the position inside the
/// knot interval and k the basis function (0..degree) touching it.
double basisValue(int64_t degree, double v, int64_t k)
{
    switch (degree) {
    case 1:
        return k == 0 ? 1.0 - v : v;
    case 2:
        return k == 0 ? 0.5 * v * v - v + 0.5 : k == 1 ? -v * v + v + 0.5 : 0.5 * v * v;
    default: // 3
        return k == 0 ? (1.0 - v) * (1.0 - v) * (1.0 - v) / 6.0
            : k == 1  ? (3.0 * v * v * v - 6.0 * v * v + 4.0) / 6.0
            : k == 2  ? (-3.0 * v * v * v + 3.0 * v * v + 3.0 * v + 1.0) / 6.0
                      : v * v * v / 6.0;
    }
}

int64_t power(int64_t base, int64_t exponent)
{
    int64_t r = 1;
    for (int64_t i = 0; i < exponent; ++i)
        r *= base;
    return r;
}

} // namespace

std::pair<at::Tensor, at::Tensor> splineBasis(const at::Tensor& pseudo, int64_t kernelSize, int64_t degree)
{
    if (degree < 1 || degree > 3)
        throw std::invalid_argument("SplineConv: degree must be 1, 2 or 3, got " + std::to_string(degree));
    if (kernelSize <= degree)
        throw std::invalid_argument("SplineConv: an open spline of degree " + std::to_string(degree)
            + " needs kernel_size > " + std::to_string(degree) + ", got " + std::to_string(kernelSize));
    auto p = pseudo.detach().to(torch::kDouble).contiguous();
    const int64_t e = p.size(0), d = p.size(1);
    const int64_t s = power(degree + 1, d);
    auto basis = torch::empty({ e, s }, torch::kDouble);
    auto index = torch::empty({ e, s }, torch::kLong);
    const double* pp = p.data_ptr<double>();
    double* bp = basis.data_ptr<double>();
    int64_t* ip = index.data_ptr<int64_t>();
    const double scale = static_cast<double>(kernelSize - degree); // open splines
    for (int64_t i = 0; i < e; ++i) {
        for (int64_t j = 0; j < s; ++j) {
            int64_t rest = j, wi = 0, offset = 1;
            double b = 1.0;
            for (int64_t k = 0; k < d; ++k) {
                const int64_t kMod = rest % (degree + 1);
                rest /= degree + 1;
                const double v = pp[i * d + k] * scale;
                const double fl = std::floor(v);
                wi += ((static_cast<int64_t>(v) + kMod) % kernelSize) * offset;
                offset *= kernelSize;
                b *= basisValue(degree, v - fl, kMod);
            }
            bp[i * s + j] = b;
            ip[i * s + j] = wi;
        }
    }
    return { basis.to(torch::kFloat), index };
}

SplineConvImpl::SplineConvImpl(const SplineConvOptions& options_)
    : options(options_)
{
    reset();
}

int64_t SplineConvImpl::numKernels() const
{
    return power(options.kernel_size(), options.dim());
}

void SplineConvImpl::reset()
{
    if (options.dim() < 1 || options.dim() > 3)
        throw std::invalid_argument("SplineConv: dim must be 1, 2 or 3");
    weight
        = register_parameter("weight", torch::empty({ numKernels(), options.in_channels(), options.out_channels() }));
    if (options.root_weight())
        lin = register_module("lin",
            torch::nn::Linear(torch::nn::LinearOptions(options.in_channels(), options.out_channels()).bias(false)));
    bias = options.bias() ? register_parameter("bias", torch::empty({ options.out_channels() }))
                          : register_parameter("bias", {}, /*requires_grad=*/false);
    m_basis = m_weightIndex = m_basisFor = at::Tensor();
    reset_parameters();
}

void SplineConvImpl::reset_parameters()
{
    // As PyG: U(-1/sqrt(K * in), +) for the spline weights, U(-1/sqrt(in), +) for the root.
    torch::NoGradGuard guard;
    const double bound = 1.0 / std::sqrt(static_cast<double>(numKernels() * options.in_channels()));
    weight.uniform_(-bound, bound);
    if (lin) {
        const double rootBound = 1.0 / std::sqrt(static_cast<double>(options.in_channels()));
        lin->weight.uniform_(-rootBound, rootBound);
    }
    if (bias.defined())
        bias.zero_();
}

void SplineConvImpl::pretty_print(std::ostream& stream) const
{
    stream << "SplineConv(" << options.in_channels() << ", " << options.out_channels() << ", dim=" << options.dim()
           << ", kernel_size=" << options.kernel_size() << ", degree=" << options.degree() << ")";
}

at::Tensor SplineConvImpl::forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr)
{
    F::checkInputs("SplineConv", x, edgeIndex, options.in_channels());
    const int64_t e = edgeIndex.size(1);
    if (!edgeAttr.defined())
        throw std::invalid_argument(
            "SplineConv needs pseudo-coordinates as edge attributes (dataset.edge_attr: target_indegree)");
    auto pseudo = edgeAttr.dim() == 1 ? edgeAttr.view({ -1, 1 }) : edgeAttr;
    if (pseudo.dim() != 2 || pseudo.size(0) != e || pseudo.size(1) != options.dim())
        throw std::invalid_argument("SplineConv: edge attributes must be [E, " + std::to_string(options.dim())
            + "] with E = " + std::to_string(e) + " edges");
    if (!m_basisFor.is_same(edgeAttr)) {
        std::tie(m_basis, m_weightIndex) = splineBasis(pseudo, options.kernel_size(), options.degree());
        m_basisFor = edgeAttr;
    }
    const int64_t n = x.size(0), k = numKernels(), out = options.out_channels();
    const auto& q = m_quantHook;
    auto xq = q.act("input", x);
    // Transform every node by all K kernels at once ([N, K * out]), then each edge picks and
    // blends the S kernels its pseudo-coordinate touches: cheaper than a product per edge.
    auto w = q.weight("weight", weight); // [K, in, out]
    auto stacked = w.permute({ 0, 2, 1 }).reshape({ k * out, options.in_channels() });
    auto h = F::linear(xq, stacked, {}).view({ n * k, out });
    auto src = edgeIndex[0], tgt = edgeIndex[1];
    at::Tensor messages;
    for (int64_t s = 0; s < m_basis.size(1); ++s) {
        auto rows = src * k + m_weightIndex.select(1, s);
        auto term = h.index_select(0, rows) * m_basis.select(1, s).unsqueeze(1);
        messages = messages.defined() ? messages + term : term;
    }
    messages = q.act("messages", messages, quantization::Rows::Other);
    auto summed = torch::zeros({ n, out }, messages.options()).index_add(0, tgt, messages);
    auto deg = torch::zeros({ n }, messages.options()).index_add(0, tgt, torch::ones({ e }, messages.options()));
    auto result = summed / deg.clamp_min(1.0).unsqueeze(1);
    if (lin)
        result = result + F::linear(xq, q.weight("lin.weight", lin->weight), {});
    if (bias.defined())
        result = result + bias;
    return q.act("output", result);
}

} // namespace gsq::core::nn
