#include "core/models/GnnStack.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

#include <stdexcept>

namespace gsq::core::models {

GnnStack::GnnStack(const GnnStackOptions& options, const LayerFactory& makeLayer)
    : m_options(options)
{
    if (options.numLayers < 1)
        throw std::invalid_argument("GnnStack needs at least one layer");
    int64_t in = options.inChannels;
    for (int i = 0; i < options.numLayers; ++i) {
        const bool last = i + 1 == options.numLayers;
        const int64_t out = last ? options.outChannels : options.hiddenChannels;
        auto module = makeLayer(i, in, out, last);
        auto* layer = dynamic_cast<nn::MessagePassingLayer*>(module.get());
        if (!layer)
            throw std::logic_error("layer factory returned a module without the MessagePassingLayer contract");
        register_module("conv" + std::to_string(i), module);
        m_layers.push_back(layer);
        in = layer->outChannels();
    }
}

at::Tensor GnnStack::activate(const at::Tensor& h) const
{
    return m_options.activation == "elu" ? torch::elu(h) : torch::relu(h);
}

at::Tensor GnnStack::forward(
    const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& batch, const at::Tensor& edgeAttr)
{
    m_quantHook.beginGraph(edgeIndex, x.size(0), batch);
    at::Tensor h = nn::functional::dropout(x, m_options.inputDropout, is_training());
    for (size_t i = 0; i < m_layers.size(); ++i) {
        h = m_layers[i]->forward(h, edgeIndex, edgeAttr);
        if (i + 1 < m_layers.size() || m_options.activateLast) {
            h = activate(h);
            h = nn::functional::dropout(h, m_options.dropout, is_training());
        }
    }
    return h;
}

} // namespace gsq::core::models
