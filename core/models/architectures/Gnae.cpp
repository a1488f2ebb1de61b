#include "core/models/Architecture.h"
#include "core/nn/GnaeConv.h"

#include <torch/torch.h>

/// gnae: NESS's encoder: a linear layer, rows L2-normalised and scaled, APPNP propagation.
namespace gsq::core::models {

ArchitectureEntry architecture_Gnae()
{
    using experiment::FieldType;
    using experiment::ModelConfig;
    ArchitectureEntry e;
    e.info.name = "gnae";
    e.info.label = "GNAE";
    e.info.help = "linear, row L2 normalisation scaled by norm_scale, APPNP(appnp_k, appnp_alpha) propagation: the "
                  "encoder of NESS (Ahn & Kim 2021; Ucar 2023)";
    e.info.order = 5;
    e.info.keys = {
        experiment::memberKey("appnp_k", "APPNP steps", "APPNP propagation steps K (Klicpera et al. 2019)",
            FieldType::Int, 0, 100, &ModelConfig::appnpK),
        experiment::memberKey("appnp_alpha", "APPNP alpha", "APPNP teleport probability alpha", FieldType::Real, 0, 1,
            &ModelConfig::appnpAlpha),
        experiment::memberKey("norm_scale", "Norm scale",
            "rows are L2-normalised and scaled by this before propagation", FieldType::Real, 0, 1000,
            &ModelConfig::normScale, false, true),
    };
    e.info.layerCount = [](const ModelConfig&, double in, double out, bool) {
        return experiment::LayerCount { in * out + out }; // weight, bias
    };
    e.layers = [](const ModelConfig& c, bool) -> LayerFactory {
        const int64_t k = c.appnpK;
        const double alpha = c.appnpAlpha, scale = c.normScale;
        return [k, alpha, scale](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
            return std::make_shared<nn::GnaeConvImpl>(nn::GnaeConvOptions(in, out).K(k).alpha(alpha).scale(scale));
        };
    };
    return e;
}

} // namespace gsq::core::models
