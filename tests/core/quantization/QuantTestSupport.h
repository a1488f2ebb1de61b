#pragma once
// Shared by the quantization tests: experiments parsed from a compression snippet, one quantize
// step's spec, and a small GCN on a random graph.
#include "core/experiment/ConfigYaml.h"
#include "core/models/ModelFactory.h"
#include "core/models/Models.h"
#include "core/quantization/Quantizer.h"

#include <torch/torch.h>

namespace gsq::test::quant {

using namespace gsq::core;
using gsq::core::quantization::QuantSpec;

inline experiment::ExperimentConfig config(
    const std::string& compression, const std::vector<std::string>& overrides = {})
{
    return experiment::parseExperiment(
        "name: q\ndataset:\n  name: cora\ntrain:\n  epochs: 20\n  threads: 1\ncompression:\n" + compression, "q.yaml",
        overrides);
}

inline QuantSpec spec(const std::string& body)
{
    auto c = config("  - quantize:\n" + body);
    return std::get<experiment::QuantSpec>(c.steps.at(0));
}

/// A 2-layer GCN on a random 30-node graph with 12 dense features.
struct Toy {
    std::shared_ptr<models::NodeClassifier> model;
    at::Tensor x, edgeIndex;
    explicit Toy(uint64_t seed)
    {
        torch::manual_seed(static_cast<int64_t>(seed));
        experiment::ModelConfig mc;
        mc.arch = "gcn";
        mc.hidden = 8;
        mc.layers = 2;
        model = models::ModelFactory::nodeClassifier(mc, 12, 3);
        torch::manual_seed(99);
        x = torch::randn({ 30, 12 });
        edgeIndex = torch::randint(0, 30, { 2, 90 }, torch::kLong);
    }
    at::Tensor predict()
    {
        torch::NoGradGuard g;
        model->eval();
        return model->forward(x, edgeIndex);
    }
};

} // namespace gsq::test::quant
