#include "core/nn/SageConv.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

#include <cmath>

namespace gsq::core::nn {

namespace F = functional;

SageConvImpl::SageConvImpl(const SageConvOptions& options_)
    : options(options_)
{
    reset();
}

void SageConvImpl::reset()
{
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_channels()));
    auto init = [&](std::vector<int64_t> shape) { return torch::empty(shape).uniform_(-bound, bound); };
    weightNeighbours = register_parameter("weight_neighbours", init({ options.out_channels(), options.in_channels() }));
    weightRoot = options.root_weight()
        ? register_parameter("weight_root", init({ options.out_channels(), options.in_channels() }))
        : register_parameter("weight_root", {}, false);
    bias = options.bias() ? register_parameter("bias", init({ options.out_channels() }))
                          : register_parameter("bias", {}, false);
}

void SageConvImpl::pretty_print(std::ostream& stream) const
{
    stream << "SageConv(" << options.in_channels() << ", " << options.out_channels() << ", aggr=mean)";
}

at::Tensor SageConvImpl::forward(
    const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& /*edgeAttr: unused*/)
{
    F::checkInputs("SageConv", x, edgeIndex, options.in_channels());
    const int64_t n = x.size(0);
    // mean(W x_j) == W mean(x_j): transform first so sparse inputs never need aggregating.
    const auto& q = m_quantHook;
    auto xq = q.act("input", x);
    auto out = F::propagateMean(
        edgeIndex, q.act("messages", F::linear(xq, q.weight("weight_neighbours", weightNeighbours), {})), n);
    if (weightRoot.defined())
        out = out + F::linear(xq, q.weight("weight_root", weightRoot), {});
    if (bias.defined())
        out = out + bias;
    return q.act("output", out);
}

std::vector<ChannelBlock> SageConvImpl::channelBlocks()
{
    ChannelBlock b;
    b.addRow(weightNeighbours);
    b.addRow(weightRoot);
    b.addRow(bias);
    b.addCol(weightNeighbours);
    b.addCol(weightRoot);
    return { b };
}

void SageConvImpl::syncChannelOptions()
{
    options.in_channels(weightNeighbours.size(1)).out_channels(weightNeighbours.size(0));
}

} // namespace gsq::core::nn
