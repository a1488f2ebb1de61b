#include "core/quantization/UniformQuant.h"

/// qat: quantization-aware training. Fake-quantized weights (symmetric, per tensor or per output
/// channel) and activations (affine, observed ranges) in every forward pass, gradients straight
/// through; trained from the fp32 model (or from initialisation, start: init).
namespace gsq::core::quantization {

QuantMethodEntry quantMethod_Qat()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Quantize;
    info.name = "qat";
    info.label = "Quantization-aware training";
    info.help = "fake-quantized weights and activations, trained from the fp32 model";
    info.keys = uniformTrainingKeys();
    info.collapseAdvice = "use more bits, percentile ranges or per-channel weights";
    info.order = 10;
    return { info, [](const QuantSpec& spec, QuantState& state, uint64_t) {
                return std::make_unique<UniformQuant>(spec, state);
            } };
}

} // namespace gsq::core::quantization
