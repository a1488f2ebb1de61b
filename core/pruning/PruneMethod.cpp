#include "core/pruning/PruneMethod.h"

#include <torch/torch.h>

#include <stdexcept>

namespace gsq::core::pruning {
namespace {

experiment::MethodRegistry<PruneMethodFactory>& registry()
{
    static experiment::MethodRegistry<PruneMethodFactory> r(experiment::StepKind::Prune, builtinPruneMethods());
    return r;
}

} // namespace

/// The catalog's view of the built-in prune methods (Catalog.cpp declares this).
std::vector<experiment::MethodInfo> builtinPruneMethodInfos()
{
    return registry().builtinInfos();
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
    registry().add(info, std::move(make));
}

void unregisterPruneMethod(const std::string& name)
{
    registry().remove(name);
}

std::unique_ptr<PruneMethod> makePruneMethod(const PruneSpec& spec)
{
    if (auto make = registry().find(spec.method))
        return make(spec);
    if (!experiment::Catalog::method(experiment::StepKind::Prune, spec.method))
        throw std::logic_error("no prune method '" + spec.method + "' is registered");
    return std::make_unique<PruneMethod>(spec); // catalog-only: per-layer magnitude
}

} // namespace gsq::core::pruning
