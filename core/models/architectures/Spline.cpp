#include "core/models/Architecture.h"
#include "core/nn/SplineConv.h"

#include <torch/torch.h>

/// spline: SplineCNN, continuous B-spline kernels over one pseudo-coordinate per edge (the
/// target's in-degree, PyG's TargetIndegree), as the paper's Cora model.
namespace gsq::core::models {

ArchitectureEntry architecture_Spline()
{
    using experiment::FieldType;
    using experiment::ModelConfig;
    ArchitectureEntry e;
    e.info.name = "spline";
    e.info.label = "SplineCNN";
    e.info.help = "continuous B-spline kernels over edge pseudo-coordinates, mean aggregation (Fey et al. 2018)";
    e.info.order = 4;
    e.info.keys = {
        experiment::memberKey("kernel_size", "Kernel size",
            "B-spline kernel size per pseudo-coordinate dimension (weight matrices per layer)", FieldType::Int, 2, 16,
            &ModelConfig::kernelSize),
        experiment::memberKey("spline_degree", "Spline degree", "B-spline degree: 1 linear, 2 quadratic, 3 cubic",
            FieldType::Int, 1, 3, &ModelConfig::splineDegree),
    };
    e.info.layerCount = [](const ModelConfig& m, double in, double out, bool) {
        // kernel [K, in, out], root weight, bias
        return experiment::LayerCount { static_cast<double>(m.kernelSize) * in * out + in * out + out };
    };
    e.info.resolve = [](experiment::ExperimentConfig& c, const experiment::ResolveFail& fail) {
        auto& d = c.dataset;
        if (!c.keyLines.count("dataset.edge_attr") && d.edgeAttr == "none")
            d.edgeAttr = "target_indegree";
        if (d.edgeAttr == "none")
            fail("dataset.edge_attr", "SplineCNN (model.arch: spline) needs pseudo-coordinates; use target_indegree");
        if (c.model.kernelSize <= c.model.splineDegree)
            fail("model.kernel_size",
                "an open B-spline of degree " + std::to_string(c.model.splineDegree) + " needs kernel_size > "
                    + std::to_string(c.model.splineDegree));
    };
    e.layers = [](const ModelConfig& c, bool) -> LayerFactory {
        const int64_t k = c.kernelSize, degree = c.splineDegree;
        return [k, degree](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
            return std::make_shared<nn::SplineConvImpl>(
                nn::SplineConvOptions(in, out).dim(1).kernel_size(k).degree(degree));
        };
    };
    return e;
}

} // namespace gsq::core::models
