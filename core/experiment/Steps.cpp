#include "core/experiment/Steps.h"

#include <cstdio>
#include <stdexcept>

namespace gsq::core::experiment {

std::string QuantSpec::settingLabel() const
{
    if (method == "a2q") {
        char buf[48];
        std::snprintf(buf, sizeof buf, "target_bits=%g", targetBits);
        return buf;
    }
    return "bits=" + std::to_string(bits);
}

StepKind kindOf(const Step& step)
{
    switch (step.index()) {
    case 0:
        return StepKind::Prune;
    case 1:
        return StepKind::Quantize;
    default:
        return StepKind::Analyze;
    }
}

const std::string& methodOf(const Step& step)
{
    return std::visit([](const auto& s) -> const std::string& { return s.method; }, step);
}

int lineOf(const Step& step)
{
    return std::visit([](const auto& s) { return s.line; }, step);
}

const std::string& kindName(StepKind kind)
{
    static const std::string names[] = { "prune", "quantize", "analyze" };
    return names[static_cast<int>(kind)];
}

bool kindFromName(const std::string& name, StepKind& kind)
{
    for (StepKind k : { StepKind::Prune, StepKind::Quantize, StepKind::Analyze })
        if (kindName(k) == name) {
            kind = k;
            return true;
        }
    return false;
}

int stepSettings(const Step& step)
{
    if (auto* p = std::get_if<PruneSpec>(&step))
        return p->method == "l2_only" ? 1 : static_cast<int>(p->sparsities.size());
    return 1;
}

int stepEpochs(const Step& step)
{
    if (auto* p = std::get_if<PruneSpec>(&step)) {
        if (p->method == "l2_only")
            return p->l2Epochs;
        return static_cast<int>(p->sparsities.size()) * (p->finetuneEpochs + (p->method == "l2" ? p->l2Epochs : 0));
    }
    if (auto* q = std::get_if<QuantSpec>(&step))
        return q->epochs;
    return 0;
}

} // namespace gsq::core::experiment
