#include "core/models/Architecture.h"
#include "core/nn/GcnConv.h"

#include <torch/torch.h>

/// gcn: graph convolution with symmetric normalisation; on one fixed graph the normalisation is
/// computed once (cached).
namespace gsq::core::models {

ArchitectureEntry architecture_Gcn()
{
    ArchitectureEntry e;
    e.info.name = "gcn";
    e.info.label = "GCN";
    e.info.help = "graph convolution, symmetric normalisation (Kipf & Welling 2017)";
    e.info.order = 0;
    e.info.layerCount = [](const experiment::ModelConfig&, double in, double out, bool) {
        return experiment::LayerCount { in * out + out }; // weight, bias
    };
    e.layers = [](const experiment::ModelConfig&, bool cachedGraph) -> LayerFactory {
        return [cachedGraph](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
            return std::make_shared<nn::GcnConvImpl>(nn::GcnConvOptions(in, out).cached(cachedGraph));
        };
    };
    return e;
}

} // namespace gsq::core::models
