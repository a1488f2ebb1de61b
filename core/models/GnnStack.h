#pragma once

#include "core/nn/MessagePassingLayer.h"
#include "core/quantization/QuantHook.h"

#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gsq::core::models {

/// Makes one message-passing layer: (index, in, out, isLast) -> module that also implements
/// MessagePassingLayer. Architectures differ only in this function (cf. PyG's BasicGNN).
using LayerFactory = std::function<std::shared_ptr<torch::nn::Module>(int index, int64_t in, int64_t out, bool isLast)>;

struct GnnStackOptions {
    int64_t inChannels = 0;
    int64_t hiddenChannels = 16;
    int64_t outChannels = 16;
    int numLayers = 2;
    double dropout = 0.5; ///< between layers
    double inputDropout = 0.5; ///< on the input features
    std::string activation = "relu";
    bool activateLast = false; ///< apply activation (and dropout) after the last layer too
};

/// A stack of message-passing layers with activation and dropout between them.
/// forward(x [N, in], edgeIndex [2, E]) -> [N, out].
class GnnStack : public torch::nn::Module, public quantization::Quantizable {
public:
    GnnStack(const GnnStackOptions& options, const LayerFactory& makeLayer);
    /// `batch` [N]: each node's graph in a mini-batch of graphs (quantizers that work per graph
    /// use it); undefined for one graph. `edgeAttr` [E, D]: edge attributes passed to every layer.
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& batch = {},
        const at::Tensor& edgeAttr = {});
    const GnnStackOptions& options() const { return m_options; }
    size_t numLayers() const { return m_layers.size(); }
    /// The layers in order; layer i is the child module "conv<i>".
    const std::vector<nn::MessagePassingLayer*>& layers() const { return m_layers; }

private:
    at::Tensor activate(const at::Tensor& h) const;

    GnnStackOptions m_options;
    std::vector<nn::MessagePassingLayer*> m_layers; ///< owned through register_module
};

} // namespace gsq::core::models
