#include "core/models/Architecture.h"
#include "core/nn/SageConv.h"

#include <torch/torch.h>

/// sage: GraphSAGE with mean aggregation and a separate root weight.
namespace gsq::core::models {

ArchitectureEntry architecture_Sage()
{
    ArchitectureEntry e;
    e.info.name = "sage";
    e.info.label = "GraphSAGE";
    e.info.help = "mean aggregation with a separate root weight (Hamilton et al. 2017)";
    e.info.order = 1;
    e.info.layerCount = [](const experiment::ModelConfig&, double in, double out, bool) {
        return experiment::LayerCount { 2 * in * out + out }; // neighbour and root weights, bias
    };
    e.layers = [](const experiment::ModelConfig&, bool) -> LayerFactory {
        return [](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
            return std::make_shared<nn::SageConvImpl>(nn::SageConvOptions(in, out));
        };
    };
    return e;
}

} // namespace gsq::core::models
