#include "core/nn/GatConv.h"

#include "core/graph/EdgeIndex.h"
#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

namespace gsq::core::nn {

namespace F = functional;

GatConvImpl::GatConvImpl(const GatConvOptions& options_)
    : options(options_)
{
    reset();
}

void GatConvImpl::reset()
{
    const int64_t h = options.heads(), c = options.out_channels();
    weight = register_parameter("weight", torch::empty({ h * c, options.in_channels() }));
    attentionSource = register_parameter("att_src", torch::empty({ 1, h, c }));
    attentionTarget = register_parameter("att_dst", torch::empty({ 1, h, c }));
    bias = options.bias() ? register_parameter("bias", torch::zeros({ outChannels() }))
                          : register_parameter("bias", {}, false);
    torch::NoGradGuard guard;
    torch::nn::init::xavier_uniform_(weight);
    torch::nn::init::xavier_uniform_(attentionSource);
    torch::nn::init::xavier_uniform_(attentionTarget);
}

void GatConvImpl::pretty_print(std::ostream& stream) const
{
    stream << "GatConv(" << options.in_channels() << ", " << options.out_channels() << ", heads=" << options.heads()
           << ")";
}

at::Tensor GatConvImpl::forward(
    const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& /*edgeAttr: unused*/)
{
    F::checkInputs("GatConv", x, edgeIndex, options.in_channels());
    const int64_t n = x.size(0), h = options.heads(), c = options.out_channels();
    auto ei = options.add_self_loops() ? graph::addSelfLoops(edgeIndex, n) : edgeIndex;
    auto src = ei[0], dst = ei[1];

    const auto& q = m_quantHook;
    auto xw = q.act("messages", F::linear(q.act("input", x), q.weight("weight", weight), {})).view({ n, h, c });
    auto aSrc = (xw * attentionSource).sum(-1); // [N, H]
    auto aDst = (xw * attentionTarget).sum(-1);
    auto scores = torch::leaky_relu(aSrc.index_select(0, src) + aDst.index_select(0, dst), options.negative_slope());
    auto alpha = F::segmentSoftmax(scores, dst, n); // [E', H]
    m_lastAttention = alpha.detach();
    alpha = F::dropout(alpha, options.dropout(), is_training());

    auto msg = xw.index_select(0, src) * alpha.unsqueeze(-1); // [E', H, C]
    auto out = torch::zeros({ n, h, c }, x.options().layout(torch::kStrided)).index_add(0, dst, msg);
    out = options.concat() ? out.reshape({ n, h * c }) : out.mean(1);
    if (bias.defined())
        out = out + bias;
    return q.act("output", out);
}

} // namespace gsq::core::nn
