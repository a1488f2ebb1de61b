#include "core/pruning/PruneMethod.h"

#include <torch/torch.h>

/// l2: the paper's L2 method as a pruning method. `l2_epochs` of training with lambda · Σ ||W||₂
/// (the non-squared norm of each target weight) added to the loss, then per-layer magnitude
/// pruning and fine-tuning with the masks kept. The regularised training removes nothing itself;
/// its row's note says how many weights it left near zero.
namespace gsq::core::pruning {
namespace {

class L2 : public PruneMethod {
public:
    using PruneMethod::PruneMethod;
    std::vector<std::string> regularized(torch::nn::Module& module) const override
    {
        return MaskSet::select(module, m_spec.targets);
    }
    at::Tensor penalty(torch::nn::Module& module, const std::vector<std::string>& names) const override
    {
        return m_spec.lambda > 0 ? m_spec.lambda * l2Penalty(module, names) : at::Tensor();
    }
};

} // namespace

PruneMethodEntry pruneMethod_L2()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Prune;
    info.name = "l2";
    info.label = "L2 regularise, then prune";
    info.help = "train with lambda * sum ||W||_2, then prune by |w| and fine-tune";
    info.keys = { "sparsity", "schedule", "agp_start", "agp_end", "agp_frequency", "finetune_epochs", "targets",
        "lambda", "l2_epochs", "near_zero" };
    info.collapseAdvice = "leave the output layer out (targets) or use global pruning, which keeps its large weights";
    info.order = 30;
    info.regularizeEpochs = [](const PruneSpec& p) { return p.l2Epochs; };
    return { info, [](const PruneSpec& spec) { return std::make_unique<L2>(spec); } };
}

} // namespace gsq::core::pruning
