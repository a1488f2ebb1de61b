#include "core/models/Models.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

namespace gsq::core::models {

NodeClassifier::NodeClassifier(const GnnStackOptions& options, const LayerFactory& makeLayer)
{
    stack = register_module("stack", std::make_shared<GnnStack>(options, makeLayer));
}

at::Tensor NodeClassifier::forward(const at::Tensor& x, const at::Tensor& edgeIndex)
{
    return stack->forward(x, edgeIndex);
}

GraphClassifier::GraphClassifier(const GnnStackOptions& options, const LayerFactory& makeLayer,
                                 const std::string& pooling, int64_t headHidden, int64_t numClasses, double headDropout)
    : m_pooling(pooling), m_headDropout(headDropout)
{
    stack = register_module("stack", std::make_shared<GnnStack>(options, makeLayer));
    head1 = register_module("head1", torch::nn::Linear(options.outChannels, headHidden));
    head2 = register_module("head2", torch::nn::Linear(headHidden, numClasses));
}

at::Tensor GraphClassifier::forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& batch,
                                    int64_t numGraphs)
{
    auto h = stack->forward(x, edgeIndex);
    auto g = nn::functional::globalPool(h, batch, numGraphs, m_pooling);
    g = torch::relu(head1(g));
    g = nn::functional::dropout(g, m_headDropout, is_training());
    return head2(g);
}

LinkPredictor::LinkPredictor(const GnnStackOptions& options, const LayerFactory& makeLayer, const std::string& decoder)
{
    stack = register_module("stack", std::make_shared<GnnStack>(options, makeLayer));
    if (decoder == "mlp") {
        dec1 = register_module("dec1", torch::nn::Linear(options.outChannels, options.outChannels));
        dec2 = register_module("dec2", torch::nn::Linear(options.outChannels, 1));
    }
}

at::Tensor LinkPredictor::encode(const at::Tensor& x, const at::Tensor& edgeIndex)
{
    return stack->forward(x, edgeIndex);
}

at::Tensor LinkPredictor::decode(const at::Tensor& z, const at::Tensor& pairs)
{
    auto zi = z.index_select(0, pairs[0]);
    auto zj = z.index_select(0, pairs[1]);
    if (!dec1)
        return (zi * zj).sum(-1);
    return dec2(torch::relu(dec1(zi * zj))).view({-1});
}

} // namespace gsq::core::models
