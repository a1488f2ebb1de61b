#include "core/experiment/Steps.h"

#include "core/experiment/Catalog.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace gsq::core::experiment {

namespace {
/// The catalog entry of a prune step's method; throws std::logic_error for an unknown name.
const MethodInfo& pruneInfo(const PruneSpec& p)
{
    if (const MethodInfo* m = Catalog::method(StepKind::Prune, p.method))
        return *m;
    throw std::logic_error("no prune method '" + p.method + "' in the catalog");
}
} // namespace

QuantSetting QuantSpec::setting() const
{
    QuantSetting s;
    s.bits = bits;
    const MethodInfo* info = Catalog::method(StepKind::Quantize, method);
    if (info && info->targetsBits)
        s.targetBits = targetBits;
    if (info && info->quantLabel) {
        s.options = info->quantLabel(*this);
        s.options.erase(0, s.options.find_first_not_of(' '));
    } else {
        s.observer = observer;
        s.granularity = granularity;
    }
    s.storage = storage;
    s.start = start;
    return s;
}

std::string QuantSpec::settingLabel() const
{
    // The bit-width, then every setting that tells two steps of one method apart and differs from
    // the method's default, so results of a strong and a plain INT4 QAT never share a row key.
    static const QuantSpec defaults;
    const QuantSetting s = setting();
    std::string label = "bits=" + std::to_string(s.bits);
    if (s.targetBits > 0) {
        char buf[48];
        std::snprintf(buf, sizeof buf, " target_bits=%g", s.targetBits);
        label += buf;
    }
    if (!s.options.empty())
        label += " " + s.options;
    if (!s.observer.empty() && s.observer != defaults.observer)
        label += " observer=" + s.observer;
    if (!s.granularity.empty() && s.granularity != defaults.granularity)
        label += " " + s.granularity;
    // A file form other than packed changes the size, not the model: its own label all the same.
    if (s.storage != defaults.storage)
        label += " storage=" + s.storage;
    // Training from initialisation is another experiment than fine-tuning the base: its own label.
    return s.start == "init" ? label + " start=init" : label;
}

const std::vector<std::string>& robustnessPerturbations()
{
    static const std::vector<std::string> names { "edge_removal", "edge_addition", "feature_noise", "feature_mask",
        "fgsm", "pgd" };
    return names;
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

namespace {
/// A prune or quantize step's `name:` (from = false) or `from:`; analyze steps have neither.
const std::string& pipelineKey(const Step& step, bool from)
{
    static const std::string none;
    if (const auto* p = std::get_if<PruneSpec>(&step))
        return from ? p->from : p->name;
    if (const auto* q = std::get_if<QuantSpec>(&step))
        return from ? q->from : q->name;
    return none;
}
} // namespace

const std::string& nameOf(const Step& step)
{
    return pipelineKey(step, false);
}

const std::string& fromOf(const Step& step)
{
    return pipelineKey(step, true);
}

int stepNamed(const std::vector<Step>& steps, const std::string& name, size_t before)
{
    for (size_t i = 0; i < std::min(before, steps.size()); ++i)
        if (!name.empty() && nameOf(steps[i]) == name)
            return static_cast<int>(i);
    return -1;
}

int startModels(const std::vector<Step>& steps, size_t index)
{
    const int source = stepNamed(steps, fromOf(steps.at(index)), index);
    if (source < 0)
        return 1;
    return stepSettings(steps[static_cast<size_t>(source)]) * startModels(steps, static_cast<size_t>(source));
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
        return pruneInfo(*p).fromInitialisation ? 1 : static_cast<int>(p->sparsities.size());
    return 1;
}

int stepEpochs(const Step& step, int trainEpochs)
{
    if (auto* p = std::get_if<PruneSpec>(&step)) {
        const MethodInfo& info = pruneInfo(*p);
        const int regularize = info.regularizeEpochs ? info.regularizeEpochs(*p) : 0;
        if (info.fromInitialisation)
            return regularize;
        return static_cast<int>(p->sparsities.size()) * (p->finetuneEpochsFor(trainEpochs) + regularize);
    }
    if (auto* q = std::get_if<QuantSpec>(&step))
        return q->epochs;
    return 0;
}

} // namespace gsq::core::experiment
