#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>

#include <string>
#include <utility>
#include <vector>

/// What ModelFile.cpp (writing) and ModelFileRead.cpp (reading) share; not part of the API.
namespace gsq::core::measure::detail {

extern const char kMagic[4];

/// Every parameter and buffer of `module` with its full name, detached.
std::vector<std::pair<std::string, at::Tensor>> stateOf(torch::nn::Module& module);

/// A BatchNorm layer in its evaluation form y = scale * x + shift, as quantized model files store
/// it (two vectors instead of weight, bias, running mean, running variance and a counter).
struct FoldedNorm {
    std::string prefix; ///< "stack.conv0.norm."
    torch::nn::BatchNorm1dImpl* module = nullptr;
};

std::vector<FoldedNorm> batchNorms(torch::nn::Module& module);
bool startsWith(const std::string& s, const std::string& prefix);
/// The tensors of one BatchNorm that a folded record replaces.
const std::vector<std::string>& normTensors();

} // namespace gsq::core::measure::detail
