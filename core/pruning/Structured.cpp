#include "core/pruning/Structured.h"

#include "core/models/GnnStack.h"

#include <torch/torch.h>

#include <stdexcept>

namespace gsq::core::pruning {
namespace {

using Block = nn::ChannelBlock;

models::GnnStack* findStack(torch::nn::Module& model, std::string& prefix)
{
    for (const auto& item : model.named_modules("", true))
        if (auto* stack = dynamic_cast<models::GnnStack*>(item.value().get())) {
            prefix = item.key().empty() ? "" : item.key() + ".";
            return stack;
        }
    throw std::invalid_argument("structured pruning needs a model with a GNN layer stack");
}

/// The stack's channel blocks in data-flow order, as each layer declares them; a layer that
/// declares none cannot be pruned by channel.
std::vector<Block> blocksOf(models::GnnStack& stack, const std::string& prefix)
{
    std::vector<Block> blocks;
    const auto children = stack.named_children();
    for (size_t i = 0; i < stack.layers().size(); ++i) {
        const std::string name = prefix + "conv" + std::to_string(i);
        auto layerBlocks = stack.layers()[i]->channelBlocks();
        if (layerBlocks.empty())
            throw std::invalid_argument("structured pruning supports gcn, sage and gin layers; " + name + " is "
                + children[name.substr(prefix.size())]->name());
        for (auto& b : layerBlocks) {
            b.name = name + b.name;
            blocks.push_back(std::move(b));
        }
    }
    return blocks;
}

} // namespace

std::vector<ChannelBoundary> StructuredPruner::prune(
    torch::nn::Module& model, double sparsity, const std::string& criterion)
{
    if (!(sparsity >= 0 && sparsity < 1))
        throw std::invalid_argument("structured sparsity must lie in [0, 1)");
    std::string prefix;
    auto* stack = findStack(model, prefix);
    auto blocks = blocksOf(*stack, prefix);
    torch::NoGradGuard guard;
    std::vector<ChannelBoundary> out;
    for (size_t i = 0; i + 1 < blocks.size(); ++i) {
        Block& producer = blocks[i];
        Block& consumer = blocks[i + 1];
        const int64_t channels = producer.rows.front().size(0);
        auto score = torch::zeros({ channels }, torch::kDouble);
        auto add = [&](const at::Tensor& t) {
            auto v = t.to(torch::kDouble);
            score += criterion == "l1" ? v.abs() : v.pow(2);
        };
        for (size_t k = 0; k < producer.rows.size(); ++k)
            if (producer.scored[k]) {
                const auto& t = producer.rows[k];
                add(t.dim() > 1 ? (criterion == "l1" ? t.abs().sum(1) : t.pow(2).sum(1).sqrt()) : t);
            }
        for (const auto& t : consumer.cols)
            add(criterion == "l1" ? t.abs().sum(0) : t.pow(2).sum(0).sqrt());
        const int64_t keepCount = std::max<int64_t>(
            1, channels - static_cast<int64_t>(std::llround(sparsity * static_cast<double>(channels))));
        // Highest scores stay; kept channels keep their order.
        auto keep = std::get<0>(std::get<1>(score.topk(keepCount)).sort());
        // set_data keeps each parameter's identity; its old-shaped gradient must go.
        for (auto& t : producer.rows) {
            t.set_data(t.detach().index_select(0, keep).contiguous());
            t.mutable_grad() = at::Tensor();
        }
        for (auto& t : consumer.cols) {
            t.set_data(t.detach().index_select(1, keep).contiguous());
            t.mutable_grad() = at::Tensor();
        }
        out.push_back({ producer.name + " -> " + consumer.name, channels, keepCount });
    }
    syncOptions(model);
    return out;
}

void StructuredPruner::check(torch::nn::Module& model)
{
    std::string prefix;
    blocksOf(*findStack(model, prefix), prefix);
}

void StructuredPruner::syncOptions(torch::nn::Module& model)
{
    std::string prefix;
    models::GnnStack* stack = nullptr;
    try {
        stack = findStack(model, prefix);
    } catch (const std::invalid_argument&) {
        return;
    }
    for (auto* layer : stack->layers())
        layer->syncChannelOptions();
}

} // namespace gsq::core::pruning
