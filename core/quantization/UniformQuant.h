#pragma once

#include "core/quantization/QuantMethod.h"

/// The fixed-width machinery qat, degree_quant and ptq share: weights symmetric at `bits` (per
/// tensor or per output channel, the scale from the current max |w|, gradients straight
/// through), activations affine over ranges an observer keeps (minmax | momentum | percentile)
/// in a buffer "<point>__range" of the quantizer.
namespace gsq::core::quantization {

/// The keys of a quantization-aware training step (qat; degree_quant and a2q add their own).
std::vector<std::string> uniformTrainingKeys();

class UniformQuant : public QuantMethod {
public:
    using QuantMethod::QuantMethod;

    at::Tensor weight(WeightPoint& p, const at::Tensor& w) override;
    measure::QuantizedWeight integerWeight(WeightPoint& p) override;
    std::unique_ptr<ActPoint> makeAct(const std::string& name, const at::Tensor& x, Rows rows, bool nodes) override;
    at::Tensor act(ActPoint& p, const at::Tensor& x, bool nodes) override { return quantizeAct(p, x, {}); }

protected:
    /// Whether observers update in this forward pass: while calibrating, and while training
    /// unless the method trains nothing.
    virtual bool observing() const { return m_state.calibrating() || (m_state.training() && trains()); }
    /// Fake-quantizes `x`; rows where `keepFp32` ([rows] bool, may be undefined) is true pass
    /// through in full precision and do not feed the observed range.
    at::Tensor quantizeAct(ActPoint& p, const at::Tensor& x, const at::Tensor& keepFp32);
    /// One scale per row of the weight: max |w| (of the row or of the tensor) / (2^(bits-1) - 1).
    at::Tensor weightScales(const WeightPoint& p, const at::Tensor& w) const;
};

} // namespace gsq::core::quantization
