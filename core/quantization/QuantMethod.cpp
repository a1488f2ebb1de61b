#include "core/quantization/QuantMethod.h"

#include <torch/torch.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace gsq::core::quantization {
namespace {

struct Registry {
    std::mutex mutex;
    std::map<std::string, QuantMethodFactory> factories;
    std::vector<experiment::MethodInfo> builtinInfos;
    Registry()
    {
        for (auto& entry : builtinQuantMethods()) {
            if (entry.info.kind != experiment::StepKind::Quantize)
                throw std::logic_error("built-in quantize method '" + entry.info.name + "' declares another kind");
            factories[entry.info.name] = std::move(entry.make);
            builtinInfos.push_back(std::move(entry.info));
        }
    }
};

Registry& registry()
{
    static Registry r;
    return r;
}

} // namespace

/// The catalog's view of the built-in quantize methods (Catalog.cpp declares this; it holds no
/// LibTorch itself).
std::vector<experiment::MethodInfo> builtinQuantMethodInfos()
{
    return registry().builtinInfos;
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
    if (info.kind != experiment::StepKind::Quantize)
        throw std::invalid_argument("registerQuantMethod: '" + info.name + "' is not a quantize method");
    if (!make)
        throw std::invalid_argument("registerQuantMethod: '" + info.name + "' has no factory");
    auto& r = registry();
    {
        std::lock_guard<std::mutex> lock(r.mutex);
        r.factories[info.name] = std::move(make);
    }
    experiment::Catalog::registerMethod(info);
}

void unregisterQuantMethod(const std::string& name)
{
    auto& r = registry();
    {
        std::lock_guard<std::mutex> lock(r.mutex);
        const bool builtin = std::any_of(r.builtinInfos.begin(), r.builtinInfos.end(),
            [&](const experiment::MethodInfo& m) { return m.name == name; });
        if (builtin)
            throw std::invalid_argument("unregisterQuantMethod: '" + name + "' is built in");
        r.factories.erase(name);
    }
    experiment::Catalog::unregisterMethod(experiment::StepKind::Quantize, name);
}

std::unique_ptr<QuantMethod> makeQuantMethod(const QuantSpec& spec, QuantState& state, uint64_t seed)
{
    auto& r = registry();
    QuantMethodFactory make;
    {
        std::lock_guard<std::mutex> lock(r.mutex);
        auto it = r.factories.find(spec.method);
        if (it == r.factories.end())
            throw std::logic_error("no quantize method '" + spec.method + "' is registered");
        make = it->second;
    }
    return make(spec, state, seed);
}

} // namespace gsq::core::quantization
