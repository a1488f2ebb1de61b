#include "core/nn/GinConv.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

namespace gsq::core::nn {

namespace F = functional;

GinConvImpl::GinConvImpl(const GinConvOptions& options_)
    : options(options_)
{
    reset();
}

void GinConvImpl::reset()
{
    eps = register_parameter("eps", torch::zeros({ 1 }), options.train_eps());
    lin1 = register_module("lin1", torch::nn::Linear(options.in_channels(), options.hidden_channels()));
    lin2 = register_module("lin2", torch::nn::Linear(options.hidden_channels(), options.out_channels()));
    if (options.batch_norm())
        norm = register_module("norm", torch::nn::BatchNorm1d(options.out_channels()));
}

void GinConvImpl::pretty_print(std::ostream& stream) const
{
    stream << "GinConv(" << options.in_channels() << ", " << options.out_channels()
           << ", train_eps=" << (options.train_eps() ? "true" : "false") << ")";
}

at::Tensor GinConvImpl::forward(
    const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& /*edgeAttr: unused*/)
{
    F::checkInputs("GinConv", x, edgeIndex, options.in_channels());
    const auto& q = m_quantHook;
    auto xd = q.act("input", F::isSparse(x) ? x.to_dense() : x);
    auto aggregate = q.act("aggregate", F::propagateSum(edgeIndex, {}, xd, xd.size(0)));
    auto h = (1 + eps) * xd + aggregate;
    h = q.act("hidden", torch::relu(F::linear(h, q.weight("lin1.weight", lin1->weight), lin1->bias)));
    h = torch::relu(F::linear(h, q.weight("lin2.weight", lin2->weight), lin2->bias));
    if (norm)
        h = norm(h);
    return q.act("output", h);
}

} // namespace gsq::core::nn
