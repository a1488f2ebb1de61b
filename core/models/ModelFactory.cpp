#include "core/models/ModelFactory.h"

#include "core/experiment/Catalog.h"
#include "core/models/Hgpsl.h"
#include "core/models/Models.h"
#include "core/nn/GatConv.h"
#include "core/nn/GcnConv.h"
#include "core/nn/GinConv.h"
#include "core/nn/GnaeConv.h"
#include "core/nn/SageConv.h"
#include "core/nn/SplineConv.h"

#include <torch/torch.h>

#include <map>
#include <stdexcept>

namespace gsq::core::models {

namespace {

/// One line per architecture: its name (as in the catalog, experiment/Catalog.cpp) and how to
/// make one of its layers from the model config.
const std::map<std::string, ModelFactory::LayerMaker>& builtinArchitectures()
{
    static const std::map<std::string, ModelFactory::LayerMaker> makers {
        { "gcn",
            [](const experiment::ModelConfig&, bool cachedGraph) -> LayerFactory {
                return [cachedGraph](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
                    return std::make_shared<nn::GcnConvImpl>(nn::GcnConvOptions(in, out).cached(cachedGraph));
                };
            } },
        { "sage",
            [](const experiment::ModelConfig&, bool) -> LayerFactory {
                return [](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
                    return std::make_shared<nn::SageConvImpl>(nn::SageConvOptions(in, out));
                };
            } },
        { "gat",
            [](const experiment::ModelConfig& c, bool) -> LayerFactory {
                const double attDrop = c.attentionDropout >= 0 ? c.attentionDropout : c.dropout;
                const int heads = c.heads, outHeads = c.outputHeads;
                return [heads, outHeads, attDrop](
                           int, int64_t in, int64_t out, bool last) -> std::shared_ptr<torch::nn::Module> {
                    return std::make_shared<nn::GatConvImpl>(
                        nn::GatConvOptions(in, out).heads(last ? outHeads : heads).concat(!last).dropout(attDrop));
                };
            } },
        { "gin",
            [](const experiment::ModelConfig& c, bool) -> LayerFactory {
                const bool bn = c.batchNorm, eps = c.trainEps;
                return [bn, eps](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
                    return std::make_shared<nn::GinConvImpl>(nn::GinConvOptions(in, out).train_eps(eps).batch_norm(bn));
                };
            } },
        { "spline",
            [](const experiment::ModelConfig& c, bool) -> LayerFactory {
                const int64_t k = c.kernelSize, degree = c.splineDegree;
                return [k, degree](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
                    return std::make_shared<nn::SplineConvImpl>(
                        nn::SplineConvOptions(in, out).dim(1).kernel_size(k).degree(degree));
                };
            } },
        { "gnae",
            [](const experiment::ModelConfig& c, bool) -> LayerFactory {
                const int64_t k = c.appnpK;
                const double alpha = c.appnpAlpha, scale = c.normScale;
                return [k, alpha, scale](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
                    return std::make_shared<nn::GnaeConvImpl>(
                        nn::GnaeConvOptions(in, out).K(k).alpha(alpha).scale(scale));
                };
            } },
    };
    return makers;
}

} // namespace

LayerFactory ModelFactory::layerFactory(const experiment::ModelConfig& c, bool cachedGraph)
{
    const auto& makers = builtinArchitectures();
    auto it = makers.find(c.arch);
    if (c.arch == "hgpsl")
        throw std::invalid_argument("architecture 'hgpsl' is a whole graph-classification model, not a layer stack");
    if (it == makers.end())
        throw std::invalid_argument("unknown architecture '" + c.arch
            + "' (valid: " + experiment::Catalog::joined(experiment::ChoiceList::Arch) + ")");
    return it->second(c, cachedGraph);
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

std::shared_ptr<HgpslClassifier> ModelFactory::hgpslClassifier(
    const experiment::ModelConfig& c, int64_t numFeatures, int64_t numClasses)
{
    HgpslOptions o;
    o.inChannels = numFeatures;
    o.hidden = c.hidden;
    o.numClasses = numClasses;
    o.levels = c.layers;
    o.ratio = c.poolRatio;
    o.lambda = c.poolLambda;
    o.sparse = c.sparseAttention;
    o.dropout = c.dropout;
    return std::make_shared<HgpslClassifier>(o);
}

std::shared_ptr<GraphModel> ModelFactory::graphModel(
    const experiment::ModelConfig& c, int64_t numFeatures, int64_t numClasses)
{
    if (c.arch == "hgpsl")
        return hgpslClassifier(c, numFeatures, numClasses);
    return graphClassifier(c, numFeatures, numClasses);
}

std::shared_ptr<LinkPredictor> ModelFactory::linkPredictor(const experiment::ModelConfig& c, int64_t numFeatures)
{
    const int64_t emb = c.embeddingDim > 0 ? c.embeddingDim : c.hidden;
    auto o = stackOptions(c, numFeatures, emb, false);
    return std::make_shared<LinkPredictor>(o, layerFactory(c, true), c.decoder);
}

} // namespace gsq::core::models
