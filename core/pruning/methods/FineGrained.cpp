#include "core/pruning/PruneMethod.h"

/// finegrained: the paper's fine-grained pruning. Every target weight matrix loses the same share
/// of its smallest |w| (Han et al. 2015); `overrides` sets that share per weight. The selection
/// is PruneMethod's default (per-layer magnitude).
namespace gsq::core::pruning {

PruneMethodEntry pruneMethod_FineGrained()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Prune;
    info.name = "finegrained";
    info.label = "Fine-grained (per layer)";
    info.help = "every weight matrix pruned to the same sparsity by |w| (Han et al. 2015)";
    info.keys = { "sparsity", "schedule", "agp_start", "agp_end", "agp_frequency", "finetune_epochs", "targets",
        "overrides" };
    info.collapseAdvice = "leave the output layer out (targets) or use global pruning, which keeps its large weights";
    info.order = 10;
    return { info, [](const PruneSpec& spec) { return std::make_unique<PruneMethod>(spec); } };
}

} // namespace gsq::core::pruning
