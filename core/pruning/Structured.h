#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace gsq::core::pruning {

/// One set of hidden channels that structured pruning shrinks: the outputs of one weight block
/// coupled with the inputs of the next ("stack.conv0 -> stack.conv1", or inside a GIN layer
/// "stack.conv0.lin1 -> stack.conv0.lin2").
struct ChannelBoundary {
    std::string name;
    int64_t before = 0, after = 0; ///< channel counts
};

/// Structured channel pruning: physically removes whole hidden channels of the model's GNN
/// stack, so the dense model is really smaller and faster (no masks, no sparse kernels).
/// Channels are ranked by the L1 or L2 norm of everything coupled to them — the producing
/// layer's output row (weight rows, bias, BatchNorm scale and shift) together with the
/// consuming layer's input column — and the lowest `sparsity` fraction of each boundary is
/// removed (at least one channel stays). The stack's input and output widths never change.
/// Supported layers: gcn, sage, gin (GAT's heads are not split); anything else throws
/// std::invalid_argument naming the layer.
class StructuredPruner {
public:
    static std::vector<ChannelBoundary> prune(torch::nn::Module& model, double sparsity, const std::string& criterion);
    /// Sets every layer's recorded widths from its tensors (after tensors were replaced, e.g.
    /// by restoring a checkpoint of the unpruned model).
    static void syncOptions(torch::nn::Module& model);
    /// Throws std::invalid_argument when prune() would (unsupported layer, no stack).
    static void check(torch::nn::Module& model);
};

} // namespace gsq::core::pruning
