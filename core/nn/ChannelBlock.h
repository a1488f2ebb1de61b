#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace gsq::core::nn {

/// One group of channels a layer exposes to structured pruning (core/pruning/Structured): the
/// tensors indexed by the block's output channel along dim 0 (`rows`: weight rows, bias,
/// BatchNorm scale, shift and running statistics) and by its input channel along dim 1 (`cols`).
/// Pruning the channels between two consecutive blocks removes rows of the first and columns of
/// the second. Each layer declares its own blocks (cf. Torch-Pruning's dependency groups), so
/// the pruner knows no layer type.
struct ChannelBlock {
    std::string name; ///< suffix after the layer's module path ("" or ".lin1")
    std::vector<at::Tensor> rows, cols;
    std::vector<bool> scored; ///< per row tensor: counts in the channel ranking (not running stats)

    void addRow(const at::Tensor& t, bool inScore = true)
    {
        if (t.defined()) {
            rows.push_back(t);
            scored.push_back(inScore);
        }
    }
    void addCol(const at::Tensor& t)
    {
        if (t.defined())
            cols.push_back(t);
    }
};

} // namespace gsq::core::nn
