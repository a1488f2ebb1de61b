#include "core/nn/GnaeConv.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

namespace gsq::core::nn {

namespace F = functional;

at::Tensor functional::appnp(const at::Tensor& h, const at::Tensor& edgeIndex, int64_t K, double alpha)
{
    if (K <= 0)
        return h;
    const int64_t n = h.size(0);
    auto [ei, w] = gcnNorm(edgeIndex, n, /*addSelfLoops=*/true, {});
    at::Tensor out = h;
    for (int64_t k = 0; k < K; ++k) {
        out = propagateSum(ei, w, out, n);
        if (alpha > 0)
            out = (1.0 - alpha) * out + alpha * h;
    }
    return out;
}

GnaeConvImpl::GnaeConvImpl(const GnaeConvOptions& options_)
    : options(options_)
{
    reset();
}

void GnaeConvImpl::reset()
{
    if (options.K() < 0 || options.alpha() < 0 || options.alpha() > 1 || options.scale() <= 0)
        throw std::invalid_argument("GnaeConv: needs K >= 0, alpha in [0, 1] and scale > 0");
    weight = register_parameter("weight", torch::empty({ options.out_channels(), options.in_channels() }));
    bias = options.bias() ? register_parameter("bias", torch::empty({ options.out_channels() }))
                          : register_parameter("bias", {}, /*requires_grad=*/false);
    reset_parameters();
}

void GnaeConvImpl::reset_parameters()
{
    // torch.nn.Linear's initialisation (kaiming_uniform with a = sqrt(5), bias U(-1/sqrt(in), 1/sqrt(in))),
    // as the reference's nn.Linear.
    torch::NoGradGuard guard;
    torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
    if (bias.defined()) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(1, options.in_channels())));
        bias.uniform_(-bound, bound);
    }
}

void GnaeConvImpl::pretty_print(std::ostream& stream) const
{
    stream << "GnaeConv(" << options.in_channels() << ", " << options.out_channels() << ", K=" << options.K()
           << ", alpha=" << options.alpha() << ", scale=" << options.scale() << ")";
}

at::Tensor GnaeConvImpl::forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor&)
{
    F::checkInputs("GnaeConv", x, edgeIndex, options.in_channels());
    const auto& q = m_quantHook;
    auto h = F::linear(q.act("input", x), q.weight("weight", weight), bias);
    // F.normalize(p=2, dim=1): x / max(||x||_2, 1e-12).
    h = h / h.norm(2, 1, /*keepdim=*/true).clamp_min(1e-12) * options.scale();
    h = q.act("messages", h);
    return q.act("output", F::appnp(h, edgeIndex, options.K(), options.alpha()));
}

} // namespace gsq::core::nn
