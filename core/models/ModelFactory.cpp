#include "core/models/ModelFactory.h"

#include "core/experiment/Catalog.h"
#include "core/models/Architecture.h"
#include "core/models/Models.h"

#include <torch/torch.h>

#include <stdexcept>

namespace gsq::core::models {

LayerFactory ModelFactory::layerFactory(const experiment::ModelConfig& c, bool cachedGraph)
{
    const auto entry = findArchitecture(c.arch);
    if (!entry)
        throw std::invalid_argument("unknown architecture '" + c.arch
            + "' (valid: " + experiment::Catalog::joined(experiment::ChoiceList::Arch) + ")");
    if (!entry->layers)
        throw std::invalid_argument(
            "architecture '" + c.arch + "' is a whole graph-classification model, not a layer stack");
    return entry->layers(c, cachedGraph);
}

namespace {
GnnStackOptions stackOptions(const experiment::ModelConfig& c, int64_t in, int64_t out, bool activateLast)
{
    GnnStackOptions o;
    o.inChannels = in;
    o.hiddenChannels = c.hidden;
    o.outChannels = out;
    o.numLayers = c.layers;
    o.dropout = c.dropout;
    o.inputDropout = c.inputDropout >= 0 ? c.inputDropout : c.dropout;
    o.activation = c.activation;
    o.activateLast = activateLast;
    return o;
}
} // namespace

std::shared_ptr<NodeClassifier> ModelFactory::nodeClassifier(
    const experiment::ModelConfig& c, int64_t numFeatures, int64_t numClasses)
{
    return std::make_shared<NodeClassifier>(stackOptions(c, numFeatures, numClasses, false), layerFactory(c, true));
}

std::shared_ptr<GraphClassifier> ModelFactory::graphClassifier(
    const experiment::ModelConfig& c, int64_t numFeatures, int64_t numClasses)
{
    // Hidden layers keep the width; the last one too, and is activated before pooling.
    auto o = stackOptions(c, numFeatures, c.hidden, true);
    o.inputDropout = c.inputDropout >= 0 ? c.inputDropout : 0.0;
    o.dropout = 0.0; // graph models regularise in the head (as the PyG kernel benchmark)
    const int64_t headHidden = c.headHidden > 0 ? c.headHidden : c.hidden;
    return std::make_shared<GraphClassifier>(
        o, layerFactory(c, false), c.pooling, headHidden, numClasses, c.dropout, c.headLayers);
}

std::shared_ptr<GraphModel> ModelFactory::graphModel(
    const experiment::ModelConfig& c, int64_t numFeatures, int64_t numClasses)
{
    if (const auto entry = findArchitecture(c.arch); entry && entry->graphModel)
        return entry->graphModel(c, numFeatures, numClasses);
    return graphClassifier(c, numFeatures, numClasses);
}

std::shared_ptr<LinkPredictor> ModelFactory::linkPredictor(const experiment::ModelConfig& c, int64_t numFeatures)
{
    const int64_t emb = c.embeddingDim > 0 ? c.embeddingDim : c.hidden;
    auto o = stackOptions(c, numFeatures, emb, false);
    return std::make_shared<LinkPredictor>(o, layerFactory(c, true), c.decoder);
}

} // namespace gsq::core::models
