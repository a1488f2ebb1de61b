#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/models/GnnStack.h"

#include <functional>
#include <memory>

namespace gsq::core::models {

class NodeClassifier;
class GraphModel;
class GraphClassifier;
class HgpslClassifier;
class LinkPredictor;

/// Builds models from the experiment's ModelConfig. The only place that maps `arch` names to
/// layer classes: adding an architecture is one line in ModelFactory.cpp's table (and its name
/// and help in the catalog, experiment/Catalog.cpp).
class ModelFactory {
public:
    /// Makes the layer factory of one architecture from the model config.
    using LayerMaker = std::function<LayerFactory(const experiment::ModelConfig&, bool cachedGraph)>;

    /// Layer maker for `config.arch` (gcn, sage, gat, gin). `cachedGraph` enables GCN's cached
    /// normalisation for transductive tasks on one fixed graph.
    static LayerFactory layerFactory(const experiment::ModelConfig& config, bool cachedGraph);

    static std::shared_ptr<NodeClassifier> nodeClassifier(
        const experiment::ModelConfig& config, int64_t numFeatures, int64_t numClasses);
    /// The graph-classification model of `config.arch`: an HgpslClassifier for `hgpsl`, else a
    /// GraphClassifier (layer stack -> global pooling -> head).
    static std::shared_ptr<GraphModel> graphModel(
        const experiment::ModelConfig& config, int64_t numFeatures, int64_t numClasses);
    static std::shared_ptr<HgpslClassifier> hgpslClassifier(
        const experiment::ModelConfig& config, int64_t numFeatures, int64_t numClasses);
    static std::shared_ptr<GraphClassifier> graphClassifier(
        const experiment::ModelConfig& config, int64_t numFeatures, int64_t numClasses);
    static std::shared_ptr<LinkPredictor> linkPredictor(const experiment::ModelConfig& config, int64_t numFeatures);
};

} // namespace gsq::core::models
