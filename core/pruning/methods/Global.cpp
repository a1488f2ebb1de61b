#include "core/pruning/PruneMethod.h"

/// global: one |w| ranking across all target weights (Blalock et al. 2020), so layers end at
/// different sparsities and one may empty completely (the run warns when it does).
namespace gsq::core::pruning {
namespace {

class Global : public PruneMethod {
public:
    using PruneMethod::PruneMethod;
    MaskSet select(torch::nn::Module& module, double sparsity) const override
    {
        return MaskSet::globalMagnitude(module, m_spec.targets, sparsity);
    }
};

} // namespace

PruneMethodEntry pruneMethod_Global()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Prune;
    info.name = "global";
    info.label = "Global magnitude";
    info.help = "one |w| ranking across all layers; a layer may empty (Blalock et al. 2020)";
    info.keys = { "sparsity", "schedule", "agp_start", "agp_end", "agp_frequency", "finetune_epochs", "targets" };
    info.collapseAdvice = "use finegrained pruning so every layer keeps weights";
    info.order = 20;
    return { info, [](const PruneSpec& spec) { return std::make_unique<Global>(spec); } };
}

} // namespace gsq::core::pruning
