#include "core/quantization/QuantMethod.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

namespace gsq::core::quantization {
namespace {

experiment::MethodRegistry<QuantMethodFactory>& registry()
{
    static experiment::MethodRegistry<QuantMethodFactory> r(experiment::StepKind::Quantize, builtinQuantMethods());
    return r;
}

} // namespace

/// The catalog's view of the built-in quantize methods (Catalog.cpp declares this; it holds no
/// LibTorch itself).
std::vector<experiment::MethodInfo> builtinQuantMethodInfos()
{
    return registry().builtinInfos();
}

std::unique_ptr<WeightPoint> QuantMethod::makeWeight(const std::string& name, const at::Tensor& w)
{
    auto p = std::make_unique<WeightPoint>();
    p->name = name;
    p->source = w;
    p->rows = w.size(0);
    p->cols = w.numel() / std::max<int64_t>(1, w.size(0));
    return p;
}

std::unique_ptr<ActPoint> QuantMethod::makeAct(const std::string& name, const at::Tensor&, Rows rows, bool)
{
    auto p = std::make_unique<ActPoint>();
    p->name = name;
    p->rows = rows;
    return p;
}

measure::CodeStorage QuantMethod::storage() const
{
    return m_spec.storage == "huffman" ? measure::CodeStorage::Huffman
        : m_spec.storage == "sparse"   ? measure::CodeStorage::Sparse
                                       : measure::CodeStorage::Packed;
}

void registerQuantMethod(const experiment::MethodInfo& info, QuantMethodFactory make)
{
    registry().add(info, std::move(make));
}

void unregisterQuantMethod(const std::string& name)
{
    registry().remove(name);
}

std::unique_ptr<QuantMethod> makeQuantMethod(const QuantSpec& spec, QuantState& state, uint64_t seed)
{
    auto make = registry().find(spec.method);
    if (!make)
        throw std::logic_error("no quantize method '" + spec.method + "' is registered");
    return make(spec, state, seed);
}

} // namespace gsq::core::quantization
