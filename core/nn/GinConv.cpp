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
    at::Tensor h;
    if (q.attached()) { // the aggregate is a quantization point of its own
        auto aggregate = q.act("aggregate", F::propagateSum(edgeIndex, {}, xd, xd.size(0)));
        h = (1 + eps) * xd + aggregate;
    } else {
        h = F::ginAggregate(edgeIndex, xd, eps);
    }
    // In place: the linear layers' backward needs their inputs, not their outputs.
    h = q.act("hidden", F::linear(h, q.weight("lin1.weight", lin1->weight), lin1->bias).relu_());
    h = F::linear(h, q.weight("lin2.weight", lin2->weight), lin2->bias).relu_();
    if (norm)
        h = norm(h);
    return q.act("output", h);
}

std::vector<ChannelBlock> GinConvImpl::channelBlocks()
{
    // Two blocks: the MLP's hidden channels (lin1 -> lin2) and the layer's outputs (lin2 and its
    // BatchNorm -> the next layer).
    ChannelBlock first { ".lin1", {}, {}, {} }, second { ".lin2", {}, {}, {} };
    first.addRow(lin1->weight);
    first.addRow(lin1->bias);
    first.addCol(lin1->weight);
    second.addRow(lin2->weight);
    second.addRow(lin2->bias);
    if (norm) {
        second.addRow(norm->weight);
        second.addRow(norm->bias);
        second.addRow(norm->running_mean, false);
        second.addRow(norm->running_var, false);
    }
    second.addCol(lin2->weight);
    return { first, second };
}

void GinConvImpl::syncChannelOptions()
{
    options.in_channels(lin1->weight.size(1)).hidden_channels(lin1->weight.size(0)).out_channels(lin2->weight.size(0));
    lin1->options.in_features(lin1->weight.size(1)).out_features(lin1->weight.size(0));
    lin2->options.in_features(lin2->weight.size(1)).out_features(lin2->weight.size(0));
    if (norm)
        norm->options.num_features(lin2->weight.size(0));
}

} // namespace gsq::core::nn
