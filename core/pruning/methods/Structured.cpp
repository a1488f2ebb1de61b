#include "core/pruning/Structured.h"
#include "core/pruning/PruneMethod.h"

/// structured: whole hidden channels removed, ranked by the l1 or l2 norm of everything coupled
/// to them (Structured.h); the model physically shrinks, so fine-tuning keeps no masks.
namespace gsq::core::pruning {
namespace {

class Structured : public PruneMethod {
public:
    using PruneMethod::PruneMethod;
    std::string removeChannels(torch::nn::Module& module, double sparsity) const override
    {
        std::string note = "channels kept:";
        for (const auto& b : StructuredPruner::prune(module, sparsity, m_spec.criterion))
            note += " " + b.name + " " + std::to_string(b.after) + "/" + std::to_string(b.before) + ";";
        note.pop_back();
        return note;
    }
};

} // namespace

PruneMethodEntry pruneMethod_Structured()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Prune;
    info.name = "structured";
    info.label = "Structured (channels)";
    info.help = "remove whole hidden channels ranked by coupled norms; the model shrinks";
    info.keys = { "sparsity", "schedule", "finetune_epochs", "criterion" };
    info.collapseAdvice = "lower the sparsity; every removed channel is gone for good";
    info.order = 50;
    info.removesChannels = true;
    info.pruneCheck = [](const PruneSpec& p) -> std::pair<std::string, std::string> {
        if (p.schedule != "oneshot")
            return { "schedule", "structured pruning removes channels once (oneshot); gradual schedules need masks" };
        return {};
    };
    return { info, [](const PruneSpec& spec) { return std::make_unique<Structured>(spec); } };
}

} // namespace gsq::core::pruning
