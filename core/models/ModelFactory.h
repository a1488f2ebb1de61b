#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/models/GnnStack.h"

#include <functional>
#include <memory>

namespace gsq::core::models {

class NodeClassifier;
class GraphModel;
class GraphClassifier;
class LinkPredictor;

/// Builds models from the experiment's ModelConfig: the task heads around the layers that
/// `config.arch`'s entry makes (models/Architecture.h; each architecture is one file of
/// models/architectures/ or a registerArchitecture call).
class ModelFactory {
public:
    /// The layer factory of `config.arch`. `cachedGraph` enables cached normalisation (GCN) for
    /// transductive tasks on one fixed graph. Throws std::invalid_argument for an unknown
    /// architecture or a whole model (HGP-SL).
    static LayerFactory layerFactory(const experiment::ModelConfig& config, bool cachedGraph);

    static std::shared_ptr<NodeClassifier> nodeClassifier(
        const experiment::ModelConfig& config, int64_t numFeatures, int64_t numClasses);
    /// The graph-classification model of `config.arch`: its whole model when it makes one
    /// (HGP-SL), else a GraphClassifier (layer stack -> global pooling -> head).
    static std::shared_ptr<GraphModel> graphModel(
        const experiment::ModelConfig& config, int64_t numFeatures, int64_t numClasses);
    static std::shared_ptr<GraphClassifier> graphClassifier(
        const experiment::ModelConfig& config, int64_t numFeatures, int64_t numClasses);
    static std::shared_ptr<LinkPredictor> linkPredictor(const experiment::ModelConfig& config, int64_t numFeatures);
};

} // namespace gsq::core::models
