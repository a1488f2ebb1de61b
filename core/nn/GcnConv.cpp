#include "core/nn/GcnConv.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

namespace gsq::core::nn {

namespace F = functional;

GcnConvImpl::GcnConvImpl(const GcnConvOptions& options_)
    : options(options_)
{
    reset();
}

void GcnConvImpl::reset()
{
    weight = register_parameter("weight", torch::empty({ options.out_channels(), options.in_channels() }));
    bias = options.bias() ? register_parameter("bias", torch::empty({ options.out_channels() }))
                          : register_parameter("bias", {}, /*requires_grad=*/false);
    m_cachedAdjacency = at::Tensor();
    m_cachedFor = at::Tensor();
    m_cachedWeightFor = at::Tensor();
    reset_parameters();
}

void GcnConvImpl::reset_parameters()
{
    torch::NoGradGuard guard;
    torch::nn::init::xavier_uniform_(weight);
    if (bias.defined())
        bias.zero_();
}

void GcnConvImpl::pretty_print(std::ostream& stream) const
{
    stream << "GcnConv(" << options.in_channels() << ", " << options.out_channels() << ")";
}

at::Tensor GcnConvImpl::forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr)
{
    F::checkInputs("GcnConv", x, edgeIndex, options.in_channels());
    const int64_t n = x.size(0);
    const auto& q = m_quantHook;
    at::Tensor edgeWeight;
    if (edgeAttr.defined()) {
        if (edgeAttr.dim() > 2 || edgeAttr.size(0) != edgeIndex.size(1)
            || (edgeAttr.dim() == 2 && edgeAttr.size(1) != 1))
            throw std::invalid_argument(
                "GcnConv: edge weights must be [E] or [E, 1] with E = " + std::to_string(edgeIndex.size(1)) + " edges");
        edgeWeight = edgeAttr.reshape({ -1 }).to(torch::kFloat);
    }
    auto h = q.act("messages", F::linear(q.act("input", x), q.weight("weight", weight), {}));
    at::Tensor out;
    if (options.cached()) {
        if (!m_cachedAdjacency.defined() || !m_cachedFor.is_same(edgeIndex) || !m_cachedWeightFor.is_same(edgeAttr)
            || m_cachedAdjacency.size(0) != n) {
            auto [ei, w] = F::gcnNorm(edgeIndex, n, options.add_self_loops(), edgeWeight, options.source_degree());
            m_cachedAdjacency = F::adjacencyMatrix(ei, w, n);
            m_cachedFor = edgeIndex;
            m_cachedWeightFor = edgeAttr;
        }
        out = F::spmm(m_cachedAdjacency, h);
    } else {
        auto [ei, w] = F::gcnNorm(edgeIndex, n, options.add_self_loops(), edgeWeight, options.source_degree());
        out = F::propagateSum(ei, w, h, n);
    }
    if (bias.defined())
        out = out + bias;
    return q.act("output", out);
}

std::vector<ChannelBlock> GcnConvImpl::channelBlocks()
{
    ChannelBlock b;
    b.addRow(weight);
    b.addRow(bias);
    b.addCol(weight);
    return { b };
}

void GcnConvImpl::syncChannelOptions()
{
    options.in_channels(weight.size(1)).out_channels(weight.size(0));
}

} // namespace gsq::core::nn
