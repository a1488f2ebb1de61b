#include "core/pruning/PruneMethod.h"

#include <torch/torch.h>

#include <map>
#include <mutex>
#include <stdexcept>

namespace gsq::core::pruning {
namespace {

struct Registry {
    std::mutex mutex;
    std::map<std::string, PruneMethodFactory> factories;
    std::vector<experiment::MethodInfo> builtinInfos;
    Registry()
    {
        for (auto& entry : builtinPruneMethods()) {
            if (entry.info.kind != experiment::StepKind::Prune)
                throw std::logic_error("built-in prune method '" + entry.info.name + "' declares another kind");
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

/// The catalog's view of the built-in prune methods (Catalog.cpp declares this).
std::vector<experiment::MethodInfo> builtinPruneMethodInfos()
{
    return registry().builtinInfos;
}

MaskSet PruneMethod::select(torch::nn::Module& module, double sparsity) const
{
    return MaskSet::perLayerMagnitude(module, m_spec.targets, sparsity);
}

std::string PruneMethod::removeChannels(torch::nn::Module&, double) const
{
    throw std::logic_error("prune method '" + m_spec.method + "' removes no channels");
}

void registerPruneMethod(const experiment::MethodInfo& info, PruneMethodFactory make)
{
    if (info.kind != experiment::StepKind::Prune)
        throw std::invalid_argument("registerPruneMethod: '" + info.name + "' is not a prune method");
    if (!make)
        throw std::invalid_argument("registerPruneMethod: '" + info.name + "' has no factory");
    auto& r = registry();
    {
        std::lock_guard<std::mutex> lock(r.mutex);
        r.factories[info.name] = std::move(make);
    }
    experiment::Catalog::registerMethod(info);
}

void unregisterPruneMethod(const std::string& name)
{
    auto& r = registry();
    {
        std::lock_guard<std::mutex> lock(r.mutex);
        for (const auto& m : r.builtinInfos)
            if (m.name == name)
                throw std::invalid_argument("unregisterPruneMethod: '" + name + "' is built in");
        r.factories.erase(name);
    }
    experiment::Catalog::unregisterMethod(experiment::StepKind::Prune, name);
}

std::unique_ptr<PruneMethod> makePruneMethod(const PruneSpec& spec)
{
    auto& r = registry();
    PruneMethodFactory make;
    {
        std::lock_guard<std::mutex> lock(r.mutex);
        if (auto it = r.factories.find(spec.method); it != r.factories.end())
            make = it->second;
    }
    if (make)
        return make(spec);
    if (!experiment::Catalog::method(experiment::StepKind::Prune, spec.method))
        throw std::logic_error("no prune method '" + spec.method + "' is registered");
    return std::make_unique<PruneMethod>(spec); // catalog-only: per-layer magnitude
}

} // namespace gsq::core::pruning
