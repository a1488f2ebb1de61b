#include "core/pruning/Structured.h"

#include "core/models/GnnStack.h"
#include "core/nn/GcnConv.h"
#include "core/nn/GinConv.h"
#include "core/nn/SageConv.h"

#include <torch/torch.h>

#include <stdexcept>

namespace gsq::core::pruning {
namespace {

/// A block's coupled tensors: `rows` are indexed by its output channel (dim 0), `cols` by its
/// input channel (dim 1); `scored` says which rows count in the ranking (not running stats).
struct Block {
    std::string name;
    std::vector<at::Tensor> rows, cols;
    std::vector<bool> scored;
};

void addRow(Block& b, const at::Tensor& t, bool scored = true)
{
    if (t.defined()) {
        b.rows.push_back(t);
        b.scored.push_back(scored);
    }
}

void addCol(Block& b, const at::Tensor& t)
{
    if (t.defined())
        b.cols.push_back(t);
}

/// The stack's layers as blocks in data-flow order (a GIN layer is two blocks).
std::vector<Block> blocksOf(models::GnnStack& stack, const std::string& prefix)
{
    std::vector<Block> blocks;
    for (const auto& child : stack.named_children()) {
        const std::string name = prefix + child.key();
        torch::nn::Module* m = child.value().get();
        if (auto* g = dynamic_cast<nn::GcnConvImpl*>(m)) {
            Block b { name, {}, {}, {} };
            addRow(b, g->weight);
            addRow(b, g->bias);
            addCol(b, g->weight);
            blocks.push_back(b);
        } else if (auto* s = dynamic_cast<nn::SageConvImpl*>(m)) {
            Block b { name, {}, {}, {} };
            addRow(b, s->weightNeighbours);
            addRow(b, s->weightRoot);
            addRow(b, s->bias);
            addCol(b, s->weightNeighbours);
            addCol(b, s->weightRoot);
            blocks.push_back(b);
        } else if (auto* gin = dynamic_cast<nn::GinConvImpl*>(m)) {
            Block first { name + ".lin1", {}, {}, {} }, second { name + ".lin2", {}, {}, {} };
            addRow(first, gin->lin1->weight);
            addRow(first, gin->lin1->bias);
            addCol(first, gin->lin1->weight);
            addRow(second, gin->lin2->weight);
            addRow(second, gin->lin2->bias);
            if (gin->norm) {
                addRow(second, gin->norm->weight);
                addRow(second, gin->norm->bias);
                addRow(second, gin->norm->running_mean, false);
                addRow(second, gin->norm->running_var, false);
            }
            addCol(second, gin->lin2->weight);
            blocks.push_back(first);
            blocks.push_back(second);
        } else {
            throw std::invalid_argument(
                "structured pruning supports gcn, sage and gin layers; " + name + " is " + m->name());
        }
    }
    return blocks;
}

models::GnnStack* findStack(torch::nn::Module& model, std::string& prefix)
{
    for (const auto& item : model.named_modules("", true))
        if (auto* stack = dynamic_cast<models::GnnStack*>(item.value().get())) {
            prefix = item.key().empty() ? "" : item.key() + ".";
            return stack;
        }
    throw std::invalid_argument("structured pruning needs a model with a GNN layer stack");
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
    for (const auto& child : stack->named_children()) {
        torch::nn::Module* m = child.value().get();
        if (auto* g = dynamic_cast<nn::GcnConvImpl*>(m)) {
            g->options.in_channels(g->weight.size(1)).out_channels(g->weight.size(0));
        } else if (auto* s = dynamic_cast<nn::SageConvImpl*>(m)) {
            s->options.in_channels(s->weightNeighbours.size(1)).out_channels(s->weightNeighbours.size(0));
        } else if (auto* gin = dynamic_cast<nn::GinConvImpl*>(m)) {
            gin->options.in_channels(gin->lin1->weight.size(1))
                .hidden_channels(gin->lin1->weight.size(0))
                .out_channels(gin->lin2->weight.size(0));
            gin->lin1->options.in_features(gin->lin1->weight.size(1)).out_features(gin->lin1->weight.size(0));
            gin->lin2->options.in_features(gin->lin2->weight.size(1)).out_features(gin->lin2->weight.size(0));
            if (gin->norm)
                gin->norm->options.num_features(gin->lin2->weight.size(0));
        }
    }
}

} // namespace gsq::core::pruning
