#include "core/quantization/QuantSpec.h"

#include "core/compression/StepReader.h"

namespace gsq::core::quantization {

std::string QuantSpec::settingLabel() const
{
    if (method == "a2q") {
        char buf[48];
        std::snprintf(buf, sizeof buf, "target_bits=%g", targetBits);
        return buf;
    }
    return "bits=" + std::to_string(bits);
}

QuantSpec QuantSpec::parse(const experiment::CompressionStep& step, int index, const std::string& file)
{
    compression::StepReader r{step, "compression[" + std::to_string(index) + "]." + step.kind, file};
    r.checkKeys({"bits", "epochs", "lr", "observer", "momentum", "percentile", "granularity", "backward", "activations",
                 "targets", "protect_low", "protect_change", "target_bits", "penalty", "degree_groups"});
    QuantSpec spec;
    spec.method = step.method;
    spec.bits = r.integer("bits", spec.bits, 2, 8);
    const bool trains = spec.method != "ptq";
    if (!trains && step.params.count("epochs"))
        r.fail("epochs", "post-training quantization does not train; remove the key or use method qat");
    spec.epochs = trains ? r.integer("epochs", spec.epochs, 1, 100000) : 0;
    if (!trains && step.params.count("lr"))
        r.fail("lr", "post-training quantization does not train; remove the key or use method qat");
    spec.lr = r.number("lr", 0.0, 0.0, 10.0);
    const std::string defaultObserver = spec.method == "degree_quant" ? "percentile" : "minmax";
    spec.observer = r.choice("observer", defaultObserver, {"minmax", "momentum", "percentile"});
    spec.momentum = r.number("momentum", spec.momentum, 1e-6, 1.0);
    spec.percentile = r.number("percentile", spec.bits >= 8 ? 0.001 : 0.01, 0.0, 0.2);
    spec.granularity = r.choice("granularity", spec.method == "a2q" ? "per_channel" : "per_tensor",
                                {"per_tensor", "per_channel"});
    if (spec.method == "a2q" && spec.granularity != "per_channel")
        r.fail("granularity", "a2q learns a step size and bit-width per output channel; use per_channel");
    spec.backward = r.choice("backward", spec.backward, {"ste", "clipped"});
    spec.activations = r.boolean("activations", spec.activations);
    if (auto n = r.node("targets"); n.IsDefined() && !n.IsNull()) {
        spec.targets.patterns.clear();
        if (!n.IsSequence() || n.size() == 0)
            r.fail("targets", "expected a list of name patterns like [\"stack.conv0.*\"]");
        for (const auto& item : n)
            spec.targets.patterns.push_back(item.as<std::string>());
    }
    const bool dq = spec.method == "degree_quant", a2q = spec.method == "a2q";
    for (const char* key : {"protect_low", "protect_change"})
        if (!dq && step.params.count(key))
            r.fail(key, "applies to method degree_quant only");
    for (const char* key : {"target_bits", "penalty", "degree_groups"})
        if (!a2q && step.params.count(key))
            r.fail(key, "applies to method a2q only");
    spec.protectLow = r.number("protect_low", spec.protectLow, 0.0, 1.0);
    spec.protectChange = r.number("protect_change", spec.protectChange, 0.0, 1.0);
    if (spec.protectLow + spec.protectChange > 1.0)
        r.fail("protect_change", "protect_low + protect_change must not exceed 1 (a probability)");
    spec.targetBits = r.number("target_bits", spec.targetBits, 2.0, 8.0);
    spec.penalty = r.number("penalty", spec.penalty, 0.0, 1000.0);
    spec.degreeGroups = r.integer("degree_groups", spec.degreeGroups, 1, 32);
    return spec;
}

} // namespace gsq::core::quantization
