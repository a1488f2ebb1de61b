#include "core/compression/PruneSpec.h"

#include "core/compression/StepReader.h"

namespace gsq::core::compression {

PruneSpec PruneSpec::parse(const experiment::CompressionStep& step, int index, const std::string& file)
{
    StepReader r{step, "compression[" + std::to_string(index) + "]." + step.kind, file};
    r.checkKeys({"sparsity", "schedule", "agp_start", "agp_end", "agp_frequency", "finetune_epochs", "targets",
                 "overrides", "lambda", "l2_epochs", "near_zero", "criterion"});
    PruneSpec spec;
    spec.method = step.method;
    if (spec.method != "structured" && step.params.count("criterion"))
        r.fail("criterion", "applies to method structured only");
    spec.criterion = r.choice("criterion", spec.criterion, {"l1", "l2"});
    if (auto n = r.node("sparsity"); n.IsDefined() && !n.IsNull()) {
        spec.sparsities.clear();
        if (n.IsSequence()) {
            for (const auto& item : n)
                spec.sparsities.push_back(r.real(item, "sparsity", 0.0, 1.0, true));
            if (spec.sparsities.empty())
                r.fail("sparsity", "expected at least one value");
        } else {
            spec.sparsities.push_back(r.real(n, "sparsity", 0.0, 1.0, true));
        }
    }
    if (auto n = r.node("schedule"); n.IsDefined() && !n.IsNull()) {
        spec.schedule = n.IsScalar() ? n.Scalar() : "";
        if (spec.schedule != "oneshot" && spec.schedule != "agp")
            r.fail("schedule", "unknown value '" + spec.schedule + "'; valid choices: oneshot, agp");
    }
    spec.finetuneEpochs = r.integer("finetune_epochs", spec.finetuneEpochs, 0, 100000);
    spec.agpStart = r.integer("agp_start", spec.agpStart, 1, 100000);
    spec.agpEnd = r.integer("agp_end", std::max(spec.agpStart, spec.finetuneEpochs / 2), 1, 100000);
    spec.agpFrequency = r.integer("agp_frequency", spec.agpFrequency, 1, 100000);
    if (spec.method == "structured" && spec.schedule != "oneshot")
        r.fail("schedule", "structured pruning removes channels once (oneshot); gradual schedules need masks");
    if (spec.schedule == "agp") {
        if (spec.finetuneEpochs == 0)
            r.fail("schedule", "agp prunes during fine-tuning; set finetune_epochs > 0");
        if (spec.agpEnd < spec.agpStart || spec.agpEnd > spec.finetuneEpochs)
            r.fail("agp_end", "must lie in [agp_start, finetune_epochs] = [" + std::to_string(spec.agpStart) + ", " +
                                  std::to_string(spec.finetuneEpochs) + "]");
    }
    if (auto n = r.node("targets"); n.IsDefined() && !n.IsNull()) {
        spec.targets.patterns.clear();
        if (!n.IsSequence())
            r.fail("targets", "expected a list of name patterns like [\"stack.conv0.*\"]");
        for (const auto& item : n)
            spec.targets.patterns.push_back(item.as<std::string>());
    }
    if (spec.method == "structured" && step.params.count("targets"))
        r.fail("targets", "structured pruning shrinks the hidden channels of the whole GNN stack; targets do not apply");
    if (auto n = r.node("overrides"); n.IsDefined() && !n.IsNull()) {
        if (!n.IsMap())
            r.fail("overrides", "expected a mapping of weight name to sparsity");
        if (spec.method != "finegrained")
            r.fail("overrides", "per-layer overrides apply to finegrained pruning only");
        for (auto it = n.begin(); it != n.end(); ++it)
            spec.targets.overrides[it->first.as<std::string>()] = r.real(it->second, "overrides", 0.0, 1.0, true);
    }
    if (auto n = r.node("lambda"); n.IsDefined() && !n.IsNull())
        spec.lambda = r.real(n, "lambda", 0.0, 10.0, false);
    spec.l2Epochs = r.integer("l2_epochs", spec.l2Epochs, 1, 100000);
    if (auto n = r.node("near_zero"); n.IsDefined() && !n.IsNull())
        spec.nearZero = r.real(n, "near_zero", 0.0, 1.0, false);
    return spec;
}

} // namespace gsq::core::compression
