#include "core/models/Hgpsl.h"
#include "core/models/Architecture.h"

#include <torch/torch.h>

#include <cmath>

/// hgpsl: HGP-SL, a whole graph-classification model (GCN levels with pooling between them,
/// readouts summed into an MLP; core/models/Hgpsl.h), not a layer stack.
namespace gsq::core::models {

ArchitectureEntry architecture_Hgpsl()
{
    using experiment::FieldType;
    using experiment::ModelConfig;
    ArchitectureEntry e;
    e.info.name = "hgpsl";
    e.info.label = "HGP-SL";
    e.info.help = "GCN layers with hierarchical pooling: keeps the most informative pool_ratio of each graph's nodes "
                  "and learns their edges with sparse attention; readouts of every level summed into an MLP (Zhang et "
                  "al. 2019). Graph classification";
    e.info.order = 6;
    e.info.keys = {
        experiment::memberKey("pool_ratio", "Pool ratio",
            "share of each graph's nodes kept by every pooling layer (ceil)", FieldType::Real, 0, 1,
            &ModelConfig::poolRatio, false, true),
        experiment::memberKey("pool_lambda", "Pool lambda", "weight of the existing edges in the learned structure",
            FieldType::Real, 0, 1000, &ModelConfig::poolLambda),
        experiment::memberKey("sparse_attention", "Sparse attention",
            "sparsemax (on) or softmax (off) over each node's candidate edges", FieldType::Bool, 0, 1,
            &ModelConfig::sparseAttention),
    };
    e.info.layerCount = [](const ModelConfig&, double in, double out, bool) {
        return experiment::LayerCount { in * out + out }; // its GCN layers
    };
    e.info.modelParameters = [](const ModelConfig& m, double hidden, double classes) {
        // pools' attention [1, 2C]; head 2C -> C -> C/2 -> classes
        const double half = std::floor(hidden / 2);
        return (m.layers - 1) * 2 * hidden + 2 * hidden * hidden + hidden + hidden * half + half + half * classes
            + classes;
    };
    e.info.resolve = [](experiment::ExperimentConfig& c, const experiment::ResolveFail& fail) {
        if (c.dataset.task != "graph_classification")
            fail("model.arch",
                "HGP-SL (hgpsl) pools graphs; it needs task graph_classification, this task is " + c.dataset.task);
        if (c.model.hidden < 2)
            fail("model.hidden", "HGP-SL's head halves the width; hidden must be at least 2");
    };
    e.graphModel = [](const ModelConfig& c, int64_t numFeatures, int64_t numClasses) -> std::shared_ptr<GraphModel> {
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
    };
    return e;
}

} // namespace gsq::core::models
