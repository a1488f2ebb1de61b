#include "core/quantization/UniformQuant.h"

/// ptq: post-training quantization. The fixed-width grid of qat with ranges calibrated on the
/// training data and no training at all.
namespace gsq::core::quantization {
namespace {

class Ptq : public UniformQuant {
public:
    using UniformQuant::UniformQuant;
    bool trains() const override { return false; }
};

} // namespace

QuantMethodEntry quantMethod_Ptq()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Quantize;
    info.name = "ptq";
    info.label = "Post-training quantization";
    info.help = "no training: ranges calibrated on the training data";
    info.keys = { "bits", "observer", "momentum", "percentile", "granularity", "activations", "targets", "storage" };
    info.collapseAdvice = "use 8 bits, or train quantization-aware (qat)";
    info.order = 40;
    info.quantDefaults = [](QuantSpec& q) { q.epochs = 0; }; // post-training: no training epochs
    return { info,
        [](const QuantSpec& spec, QuantState& state, uint64_t) { return std::make_unique<Ptq>(spec, state); } };
}

} // namespace gsq::core::quantization
