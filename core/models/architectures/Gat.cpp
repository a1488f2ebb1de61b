#include "core/models/Architecture.h"
#include "core/nn/GatConv.h"

#include <torch/torch.h>

/// gat: multi-head attention; hidden layers concatenate their heads, the output layer averages.
namespace gsq::core::models {

ArchitectureEntry architecture_Gat()
{
    using experiment::FieldType;
    using experiment::ModelConfig;
    ArchitectureEntry e;
    e.info.name = "gat";
    e.info.label = "GAT";
    e.info.help = "multi-head attention over neighbours (Velickovic et al. 2018)";
    e.info.order = 2;
    e.info.keys = {
        experiment::memberKey("heads", "Heads", "attention heads of the hidden layers (concatenated)", FieldType::Int,
            1, 64, &ModelConfig::heads),
        experiment::memberKey("output_heads", "Output heads", "attention heads of the output layer (averaged)",
            FieldType::Int, 1, 64, &ModelConfig::outputHeads),
        experiment::memberKey("attention_dropout", "Attention dropout",
            "dropout on the attention coefficients; unset: the model's dropout", FieldType::Real, 0, 1,
            &ModelConfig::attentionDropout, true),
    };
    e.info.layerCount = [](const ModelConfig& m, double in, double out, bool last) {
        const double heads = last ? m.outputHeads : m.heads;
        experiment::LayerCount c;
        c.parameters = heads * (in * out + 2 * out) + heads * out; // weights, two attention vectors, bias
        c.width = last ? out : out * heads;
        c.edgeWidth = c.width + heads; // one attention score per head too
        return c;
    };
    e.info.resolve = [](experiment::ExperimentConfig& c, const experiment::ResolveFail&) {
        if (c.model.activation == "relu" && !c.keyLines.count("model.activation"))
            c.model.activation = "elu"; // as the GAT paper
    };
    e.layers = [](const ModelConfig& c, bool) -> LayerFactory {
        const double attDrop = c.attentionDropout >= 0 ? c.attentionDropout : c.dropout;
        const int heads = c.heads, outHeads = c.outputHeads;
        return
            [heads, outHeads, attDrop](int, int64_t in, int64_t out, bool last) -> std::shared_ptr<torch::nn::Module> {
                return std::make_shared<nn::GatConvImpl>(
                    nn::GatConvOptions(in, out).heads(last ? outHeads : heads).concat(!last).dropout(attDrop));
            };
    };
    return e;
}

} // namespace gsq::core::models
