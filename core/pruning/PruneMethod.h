#pragma once

#include "core/experiment/Catalog.h"
#include "core/experiment/MethodRegistry.h"
#include "core/experiment/Steps.h"
#include "core/pruning/Pruner.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

/// A prune method as an object, split as Torch-Pruning splits it: which weights matter
/// (importance) and how masks are chosen from that (selection), plus the training it needs around
/// the pruning (a regulariser before it). The engine (CompressionRunner) runs the schedule —
/// one-shot or AGP — and the fine-tuning with the masks kept, and reads the method's catalog
/// entry for how its settings run (MethodInfo::fromInitialisation, removesChannels). Each
/// built-in method is one file in core/pruning/methods/; a test or plug-in adds one with
/// registerPruneMethod.
namespace gsq::core::pruning {

using experiment::PruneSpec;

class PruneMethod {
public:
    explicit PruneMethod(const PruneSpec& spec)
        : m_spec(spec)
    {
    }
    virtual ~PruneMethod() = default;
    PruneMethod(const PruneMethod&) = delete;
    PruneMethod& operator=(const PruneMethod&) = delete;

    const PruneSpec& spec() const { return m_spec; }

    /// The masks at `sparsity` over the spec's targets, applied to the weights. By default
    /// per-layer magnitude (every target loses its round(s · numel) smallest |w|).
    virtual MaskSet select(torch::nn::Module& module, double sparsity) const;
    /// The tensors the regulariser covers (its epochs before pruning: MethodInfo::regularizeEpochs;
    /// a method from initialisation trains that long and prunes nothing).
    virtual std::vector<std::string> regularized(torch::nn::Module& module) const { return {}; }
    /// The regulariser added to the loss (undefined = none).
    virtual at::Tensor penalty(torch::nn::Module& module, const std::vector<std::string>& names) const { return {}; }
    /// Methods that remove channels (MethodInfo::removesChannels): removes them at `sparsity`
    /// and says what was kept (the row's note).
    virtual std::string removeChannels(torch::nn::Module& module, double sparsity) const;

protected:
    PruneSpec m_spec;
};

using PruneMethodFactory = std::function<std::unique_ptr<PruneMethod>(const PruneSpec&)>;

/// Adds (or replaces) a prune method: its catalog entry (keys, label, help; the loader, the CLI
/// help and the form show it at once) and the object that runs it. `info.kind` must be
/// StepKind::Prune.
void registerPruneMethod(const experiment::MethodInfo& info, PruneMethodFactory make);
/// Removes a registered method (tests).
void unregisterPruneMethod(const std::string& name);
/// The method object for `spec.method`. A method only the catalog knows (Catalog::registerMethod,
/// no object) runs as per-layer magnitude pruning with the keys it accepts; a name nobody
/// registered throws std::logic_error.
std::unique_ptr<PruneMethod> makePruneMethod(const PruneSpec& spec);

/// A built-in method's entry (core/pruning/methods/*.cpp).
using PruneMethodEntry = experiment::MethodEntry<PruneMethodFactory>;
/// The built-in prune methods, one per file of core/pruning/methods/ (the build lists them).
std::vector<PruneMethodEntry> builtinPruneMethods();

} // namespace gsq::core::pruning
