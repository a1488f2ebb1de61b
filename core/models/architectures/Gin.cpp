#include "core/models/Architecture.h"
#include "core/nn/GinConv.h"

#include <torch/torch.h>

/// gin: sum aggregation followed by a two-layer MLP (with batch norm), learnable epsilon.
namespace gsq::core::models {

ArchitectureEntry architecture_Gin()
{
    using experiment::FieldType;
    using experiment::ModelConfig;
    ArchitectureEntry e;
    e.info.name = "gin";
    e.info.label = "GIN";
    e.info.help = "sum aggregation followed by an MLP (Xu et al. 2019)";
    e.info.order = 3;
    e.info.keys = {
        experiment::memberKey("batch_norm", "Batch norm", "batch normalisation inside each layer's MLP",
            FieldType::Bool, 0, 1, &ModelConfig::batchNorm),
        experiment::memberKey("train_eps", "Learnable epsilon", "learn the weight of each node's own features",
            FieldType::Bool, 0, 1, &ModelConfig::trainEps),
    };
    e.info.layerCount = [](const ModelConfig& m, double in, double out, bool) {
        // Linear(in, out), Linear(out, out), BatchNorm, epsilon
        return experiment::LayerCount { in * out + out + out * out + out + (m.batchNorm ? 2 * out : 0) + 1 };
    };
    e.layers = [](const ModelConfig& c, bool) -> LayerFactory {
        const bool bn = c.batchNorm, eps = c.trainEps;
        return [bn, eps](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
            return std::make_shared<nn::GinConvImpl>(nn::GinConvOptions(in, out).train_eps(eps).batch_norm(bn));
        };
    };
    return e;
}

} // namespace gsq::core::models
