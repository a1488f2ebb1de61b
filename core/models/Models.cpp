#include "core/models/Models.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

namespace gsq::core::models {

NodeClassifier::NodeClassifier(const GnnStackOptions& options, const LayerFactory& makeLayer)
{
    stack = register_module("stack", std::make_shared<GnnStack>(options, makeLayer));
}

at::Tensor NodeClassifier::forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr)
{
    return stack->forward(x, edgeIndex, {}, edgeAttr);
}

GraphClassifier::GraphClassifier(const GnnStackOptions& options, const LayerFactory& makeLayer,
    const std::string& pooling, int64_t headHidden, int64_t numClasses, double headDropout, int headLayers)
    : m_pooling(pooling)
    , m_headDropout(headDropout)
{
    if (headLayers != 1 && headLayers != 2)
        throw std::invalid_argument("GraphClassifier: headLayers must be 1 or 2");
    stack = register_module("stack", std::make_shared<GnnStack>(options, makeLayer));
    if (headLayers == 1) {
        head1 = register_module("head1", torch::nn::Linear(options.outChannels, numClasses));
        return;
    }
    head1 = register_module("head1", torch::nn::Linear(options.outChannels, headHidden));
    head2 = register_module("head2", torch::nn::Linear(headHidden, numClasses));
}

at::Tensor GraphClassifier::forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& batch,
    int64_t numGraphs, const at::Tensor& edgeAttr)
{
    auto h = stack->forward(x, edgeIndex, batch, edgeAttr);
    namespace F = nn::functional;
    using quantization::Rows;
    const auto& q = m_quantHook;
    auto g = q.act("pooled", F::globalPool(h, batch, numGraphs, m_pooling), Rows::Other);
    if (!head2)
        return F::linear(g, q.weight("head1.weight", head1->weight), head1->bias);
    g = torch::relu(F::linear(g, q.weight("head1.weight", head1->weight), head1->bias));
    g = q.act("head_hidden", g, Rows::Other);
    g = F::dropout(g, m_headDropout, is_training());
    return F::linear(g, q.weight("head2.weight", head2->weight), head2->bias);
}

LinkPredictor::LinkPredictor(const GnnStackOptions& options, const LayerFactory& makeLayer, const std::string& decoder)
{
    stack = register_module("stack", std::make_shared<GnnStack>(options, makeLayer));
    if (decoder == "mlp") {
        dec1 = register_module("dec1", torch::nn::Linear(options.outChannels, options.outChannels));
        dec2 = register_module("dec2", torch::nn::Linear(options.outChannels, 1));
    }
}

at::Tensor LinkPredictor::encode(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr)
{
    return stack->forward(x, edgeIndex, {}, edgeAttr);
}

at::Tensor LinkPredictor::decode(const at::Tensor& z, const at::Tensor& pairs)
{
    auto zi = z.index_select(0, pairs[0]);
    auto zj = z.index_select(0, pairs[1]);
    if (!dec1)
        return (zi * zj).sum(-1);
    namespace F = nn::functional;
    using quantization::Rows;
    const auto& q = m_quantHook;
    auto h = torch::relu(
        F::linear(q.act("pairs", zi * zj, Rows::Other), q.weight("dec1.weight", dec1->weight), dec1->bias));
    return F::linear(q.act("dec_hidden", h, Rows::Other), q.weight("dec2.weight", dec2->weight), dec2->bias)
        .view({ -1 });
}

} // namespace gsq::core::models
