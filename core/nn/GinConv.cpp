#include "core/nn/GinConv.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

namespace gsq::core::nn {

namespace F = functional;

GinConvImpl::GinConvImpl(const GinConvOptions& options_) : options(options_)
{
    reset();
}

void GinConvImpl::reset()
{
    eps = register_parameter("eps", torch::zeros({1}), options.train_eps());
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

at::Tensor GinConvImpl::forward(const at::Tensor& x, const at::Tensor& edgeIndex)
{
    F::checkInputs("GinConv", x, edgeIndex, options.in_channels());
    auto xd = F::isSparse(x) ? x.to_dense() : x;
    auto h = (1 + eps) * xd + F::propagateSum(edgeIndex, {}, xd, xd.size(0));
    h = torch::relu(lin2(torch::relu(lin1(h))));
    if (norm)
        h = norm(h);
    return h;
}

} // namespace gsq::core::nn
