#pragma once

#include "core/models/GnnStack.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <memory>
#include <string>

namespace gsq::core::models {

/// Node classification: a GnnStack whose last layer emits class logits.
/// forward(x [N, F], edgeIndex) -> logits [N, C].
class NodeClassifier : public torch::nn::Module {
public:
    NodeClassifier(const GnnStackOptions& options, const LayerFactory& makeLayer);
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr = {});
    std::shared_ptr<GnnStack> stack;
};

/// What GraphTask trains and evaluates: a mini-batch of graphs (x, edgeIndex, batch [N] node ->
/// graph, edge attributes) -> logits [numGraphs, C].
class GraphModel : public torch::nn::Module, public quantization::Quantizable {
public:
    virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& batch,
        int64_t numGraphs, const at::Tensor& edgeAttr = {})
        = 0;
};

/// Graph classification: GnnStack (activated) -> global pooling -> MLP head
/// Linear(hidden, headHidden) - ReLU - Dropout - Linear(headHidden, C), or with headLayers 1 a
/// single Linear(hidden, C) (the paper's BBBP GCN: max pool -> Linear).
/// forward(x, edgeIndex, batch [N], numGraphs) -> logits [numGraphs, C].
class GraphClassifier : public GraphModel {
public:
    GraphClassifier(const GnnStackOptions& options, const LayerFactory& makeLayer, const std::string& pooling,
        int64_t headHidden, int64_t numClasses, double headDropout, int headLayers = 2);
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& batch, int64_t numGraphs,
        const at::Tensor& edgeAttr = {}) override;
    std::shared_ptr<GnnStack> stack;
    torch::nn::Linear head1 { nullptr }, head2 { nullptr }; ///< head2 is null with one head layer

private:
    std::string m_pooling;
    double m_headDropout;
};

/// Link prediction (GAE-style): GnnStack encoder -> decoder on node pairs.
/// encode(x, edgeIndex) -> z [N, D]; decode(z, pairs [2, K]) -> logits [K].
/// Decoders: "inner_product" (z_i . z_j) or "mlp" (MLP on z_i * z_j).
class LinkPredictor : public torch::nn::Module, public quantization::Quantizable {
public:
    LinkPredictor(const GnnStackOptions& options, const LayerFactory& makeLayer, const std::string& decoder);
    at::Tensor encode(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeAttr = {});
    at::Tensor decode(const at::Tensor& z, const at::Tensor& pairs);
    std::shared_ptr<GnnStack> stack;
    torch::nn::Linear dec1 { nullptr }, dec2 { nullptr };
};

} // namespace gsq::core::models
