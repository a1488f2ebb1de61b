#include "core/pruning/PruneMethod.h"

#include <torch/torch.h>

/// l2_only: the paper's third method. The same model trained from the job's initialisation (and
/// the base's random draws) for `l2_epochs` with lambda · Σ ||p||₂ over every parameter tensor;
/// nothing is removed (stage "regularized"; the note counts the near-zero parameters).
namespace gsq::core::pruning {
namespace {

class L2Only : public PruneMethod {
public:
    using PruneMethod::PruneMethod;
    std::vector<std::string> regularized(torch::nn::Module& module) const override
    {
        std::vector<std::string> names;
        for (const auto& p : module.named_parameters(true)) // the paper: every parameter tensor
            names.push_back(p.key());
        return names;
    }
    at::Tensor penalty(torch::nn::Module& module, const std::vector<std::string>& names) const override
    {
        return m_spec.lambda > 0 ? m_spec.lambda * l2Penalty(module, names) : at::Tensor();
    }
};

} // namespace

PruneMethodEntry pruneMethod_L2Only()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Prune;
    info.name = "l2_only";
    info.label = "L2 regularisation only (paper)";
    info.help = "train from initialisation with lambda * sum ||p||_2 over every parameter; nothing is removed";
    info.keys = { "lambda", "l2_epochs", "near_zero" };
    info.collapseAdvice = "lower lambda; the penalty pulls every weight towards zero";
    info.order = 40;
    info.fromInitialisation = true;
    info.regularizeEpochs = [](const PruneSpec& p) { return p.l2Epochs; };
    return { info, [](const PruneSpec& spec) { return std::make_unique<L2Only>(spec); } };
}

} // namespace gsq::core::pruning
