#pragma once

#include "core/experiment/Steps.h"
#include "core/measure/ModelFile.h"
#include "core/quantization/QuantHook.h"
#include "core/quantization/QuantMethod.h"

#include <torch/nn/module.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gsq::core::quantization {

using experiment::QuantSpec;

class PackedLinear;

/// Quantizes a model's weights and activations for one quantize step. It is registered in the
/// model as the submodule "quant" while it works, so its observer ranges and A²Q's learnable
/// step sizes and bit-widths are parameters/buffers of the model: the optimizer trains them,
/// checkpoints keep them with the weights, and the model file stores them.
///
/// The Quantizer holds the machinery every method shares: it hooks the model's quantization
/// points, selects the target weights, keeps each point by name, and packs the int8 copies of
/// the deployed model. What happens at a point, in training and in the file is the method's
/// (QuantMethod.h; one file per method in core/quantization/methods/).
///
/// Points are created when the first forward pass after attach() reaches them: run one
/// calibration pass (setCalibrating(true) + a forward over training data) before building an
/// optimizer, so every learnable parameter exists.
class Quantizer : public torch::nn::Module, private QuantState {
public:
    explicit Quantizer(QuantSpec spec, uint64_t seed = 0);
    ~Quantizer() override;

    /// Hooks every Quantizable submodule of `model` and registers this as model's "quant".
    /// Throws std::invalid_argument when a target pattern matches no weight (names listed).
    static std::shared_ptr<Quantizer> attach(torch::nn::Module& model, QuantSpec spec, uint64_t seed = 0);
    /// Unhooks and unregisters; the model is plain fp32 again.
    void detach(torch::nn::Module& model);

    const QuantSpec& spec() const { return m_method->spec(); }
    /// The method this quantizer runs (training hooks, what it learned).
    QuantMethod& method() { return *m_method; }

    /// Observers update on every forward while calibrating (also in evaluation mode).
    void setCalibrating(bool on) { m_calibrating = on; }
    /// Disabled, every point passes its tensor through (to time the fp32 model).
    void setEnabled(bool on) { m_enabled = on; }
    /// Frozen (a robustness analysis), an activation point the model never met in training
    /// passes its tensor through instead of being made: e.g. dense perturbed features where the
    /// trained model read sparse ones, which no point quantized. The model stays the one trained.
    void setFrozen(bool on) { m_frozen = on; }

    /// The method's extra loss term (A²Q's memory penalty); undefined for none.
    at::Tensor penalty() { return m_method->penalty(); }
    /// Average bits per weight element and per feature element (node rows weighted by their
    /// count in the last forward pass); spec().bits for fixed-width methods, 32 for features
    /// when activations are not quantized.
    double averageWeightBits() { return m_method->averageWeightBits(); }
    double averageFeatureBits() { return spec().activations ? m_method->averageFeatureBits() : 32; }

    /// Integer weights as the model file stores them: values, one scale and bit-width per row.
    measure::QuantizedWeights quantizedWeights();
    /// Packs the quantized weights for oneDNN (a codebook is decoded once, to fp32); under an
    /// Int8Scope weight points return that copy (functional::linear runs int8 for packed ones).
    void prepareInt8();
    void releaseInt8();

    /// Names of the weights this quantizer has seen (after a forward pass).
    std::vector<std::string> weightNames() const;
    /// Names of the activation points (after a forward pass).
    std::vector<std::string> activationNames() const;

    using FeatureBits = quantization::FeatureBits;
    /// One entry per learned-width activation point that has seen a forward pass (empty for
    /// fixed-width methods).
    std::vector<FeatureBits> featureBits() const { return m_method->featureBits(); }

    // Called through Hook.
    at::Tensor weight(const std::string& name, const at::Tensor& w);
    at::Tensor act(const std::string& name, const at::Tensor& x, Rows rows);
    void beginGraph(const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& batch = {});

private:
    // QuantState
    torch::nn::Module& module() override { return *this; }
    bool calibrating() const override { return m_calibrating; }
    int64_t numNodes() const override { return m_numNodes; }

    std::unique_ptr<QuantMethod> m_method;
    std::vector<std::string> m_allowedWeights; ///< names selected by the targets
    std::map<std::string, std::unique_ptr<WeightPoint>> m_weights;
    std::map<std::string, std::unique_ptr<ActPoint>> m_acts;
    std::vector<Hook*> m_hooks;
    bool m_calibrating = false, m_enabled = true, m_frozen = false;
    int64_t m_numNodes = -1; ///< nodes of the current graph (beginGraph)
    std::map<std::string, std::pair<at::Tensor, std::shared_ptr<const PackedLinear>>> m_int8;
};

} // namespace gsq::core::quantization
