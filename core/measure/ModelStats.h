#pragma once

#include "core/measure/ModelFile.h"

#include <cstdint>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace gsq::core::measure {

/// One stored tensor: counted sizes and the bytes its model-file payload takes.
struct TensorStat {
    std::string name, shape; ///< shape as "[16, 1433]"
    int64_t params = 0, nnz = 0;
    double bits = 32; ///< stored bits per value (quantized: average over rows)
    int64_t diskBytes = 0;
    bool prunable = false; ///< more than one dimension (a weight matrix)
};

/// The three sizes GraphSqueeze reports for every model, and why they differ:
/// theoretical counts non-zero values only at their bit-width (nnz x bits / 8 bytes), dense
/// counts every value as fp32 (numel x 4 bytes), disk is the measured size of the .gsqm file,
/// which pays for sparse indices (CSR or bitmask), per-row scales and headers.
/// Tensors of the quantizer itself ("quant.*": observer ranges, A²Q step sizes) are stored in
/// the file but are not model parameters, so they count towards disk bytes only.
struct ModelSizes {
    int64_t theoreticalBytes = 0, denseBytes = 0, diskBytes = 0;
    int64_t foldedBytes = 0; ///< the file with BatchNorm folded (= diskBytes for quantized models)
    int64_t nonzeroParams = 0, totalParams = 0; ///< parameters only (no buffers)
    std::vector<TensorStat> tensors; ///< parameters and buffers
};

ModelSizes measureSizes(torch::nn::Module& module, const QuantizedWeights* quantized = nullptr);

} // namespace gsq::core::measure
