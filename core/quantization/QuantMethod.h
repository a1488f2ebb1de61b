#pragma once

#include "core/experiment/Catalog.h"
#include "core/experiment/MethodRegistry.h"
#include "core/experiment/Steps.h"
#include "core/measure/ModelFile.h"
#include "core/quantization/QuantHook.h"

#include <torch/nn/module.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

/// A quantization method as an object: what one `quantize:` method does at each quantization
/// point, while training, and when the model is written. The Quantizer (Quantizer.h) keeps the
/// shared machinery (hooks, target selection, points by name, the int8 copies) and hands every
/// decision to the method it was made for. Each built-in method is one file in
/// core/quantization/methods/ that declares its catalog entry (keys, label, help) and its
/// behaviour; a test or plug-in adds one with registerQuantMethod.
namespace gsq::core::quantization {

using experiment::QuantSpec;

/// A weight matrix the method quantizes (created on the first forward pass that reaches it). A
/// method keeps its own state in a subclass (makeWeight).
struct WeightPoint {
    virtual ~WeightPoint() = default;
    std::string name;
    at::Tensor source; ///< the parameter (updated in place by the optimizer)
    int64_t rows = 1, cols = 1; ///< [rows = output channels, cols = the rest]
};

/// An activation point (layer input, message, aggregate, output).
struct ActPoint {
    virtual ~ActPoint() = default;
    std::string name;
    Rows rows = Rows::Nodes;
};

/// A group of the quantizer's own parameters the optimizer trains at its own learning rate,
/// without weight decay (A²Q's step sizes and bit-widths).
struct ParameterGroup {
    std::vector<at::Tensor> parameters;
    double lr = 0; ///< 0 = the step's learning rate
};

/// What an A²Q-like method learned for one feature point, over the rows of the last forward pass.
struct FeatureBits {
    std::string name;
    std::string mode; ///< per_node | nearest | degree | single
    int64_t quantizers = 0; ///< learned (step, bit-width) pairs
    int64_t rows = 0, cols = 0; ///< of the last forward
    double averageBits = 0; ///< over those rows
    std::map<int, int64_t> widths; ///< rows per rounded bit-width
    /// Mean bits of node rows per log2 in-degree bucket ("0", "1-2", "3-6", ...); empty for rows
    /// that are not the graph's nodes.
    std::vector<std::pair<std::string, double>> byDegree;
};

/// Where a method registers its learnable parameters and buffers (the Quantizer, registered in
/// the model as "quant", so the optimizer, checkpoints and model file see them), and what the
/// current forward pass is.
class QuantState {
public:
    virtual ~QuantState() = default;
    virtual torch::nn::Module& module() = 0;
    /// Observers update on every forward while calibrating (also in evaluation mode).
    virtual bool calibrating() const = 0;
    bool training() const { return const_cast<QuantState*>(this)->module().is_training(); }
    /// Nodes of the graph of the current forward pass (beginGraph); -1 before the first.
    virtual int64_t numNodes() const = 0;
};

class QuantMethod {
public:
    QuantMethod(const QuantSpec& spec, QuantState& state)
        : m_spec(spec)
        , m_state(state)
    {
    }
    virtual ~QuantMethod() = default;
    QuantMethod(const QuantMethod&) = delete;
    QuantMethod& operator=(const QuantMethod&) = delete;

    const QuantSpec& spec() const { return m_spec; }

    // ---- the forward pass
    /// A new forward pass over a graph or a batch of graphs (`batch` [N], undefined = one graph).
    virtual void beginGraph(const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& batch) { }
    /// The point of a weight seen for the first time (a subclass holds the method's state).
    virtual std::unique_ptr<WeightPoint> makeWeight(const std::string& name, const at::Tensor& w);
    /// The weight this forward pass uses (fake-quantized, gradients straight through or as the
    /// method defines them).
    virtual at::Tensor weight(WeightPoint& p, const at::Tensor& w) = 0;
    /// The integer codes the model file stores for a weight (values, one scale and width per
    /// row), from the parameter as it is now.
    virtual measure::QuantizedWeight integerWeight(WeightPoint& p) = 0;
    /// The point of an activation seen for the first time; `x` is its first tensor, `nodes`
    /// whether its rows are the current graph's nodes.
    virtual std::unique_ptr<ActPoint> makeAct(const std::string& name, const at::Tensor& x, Rows rows, bool nodes);
    virtual at::Tensor act(ActPoint& p, const at::Tensor& x, bool nodes) = 0;

    // ---- training
    /// False: no training after calibration (post-training quantization).
    virtual bool trains() const { return true; }
    /// A term added to the task loss (undefined = none).
    virtual at::Tensor penalty() { return {}; }
    /// Own parameters trained in groups of their own (none by default). A parameter a method
    /// registers and leaves out of every group trains with the model's weights: the step's
    /// learning rate and its weight decay.
    virtual std::vector<ParameterGroup> parameterGroups() { return {}; }
    /// Whether the weights as they are now may become the kept result (A²Q: the bit target met).
    virtual bool acceptCheckpoint() { return true; }
    /// The warning when no epoch was accepted (the best epoch by validation is kept instead).
    virtual std::string noEpochAcceptedWarning(int bestEpoch) { return {}; }
    /// A note for the result row and warnings for the run, once training is over.
    struct Outcome {
        std::string note;
        std::vector<std::string> warnings;
    };
    virtual Outcome outcome(bool noEpochAccepted) { return {}; }

    // ---- what it learned
    /// Average bits per weight element and per feature element (fixed-width methods: bits).
    virtual double averageWeightBits() { return m_spec.bits; }
    virtual double averageFeatureBits() { return m_spec.bits; }
    /// Learned feature widths per point (empty for fixed-width methods).
    virtual std::vector<FeatureBits> featureBits() const { return {}; }

protected:
    QuantSpec m_spec;
    QuantState& m_state;
    /// The storage the spec asks for (packed | sparse | huffman).
    measure::CodeStorage storage() const;
};

using QuantMethodFactory = std::function<std::unique_ptr<QuantMethod>(const QuantSpec&, QuantState&, uint64_t seed)>;

/// Adds (or replaces) a quantize method: its catalog entry (keys, label, help; the loader, the
/// CLI help and the form show it at once) and the object that runs it. `info.kind` must be
/// StepKind::Quantize.
void registerQuantMethod(const experiment::MethodInfo& info, QuantMethodFactory make);
/// Removes a registered method (tests).
void unregisterQuantMethod(const std::string& name);
/// The method object for `spec.method`; throws std::logic_error for a name nothing registered.
std::unique_ptr<QuantMethod> makeQuantMethod(const QuantSpec& spec, QuantState& state, uint64_t seed);

/// A built-in method's entry (core/quantization/methods/*.cpp).
using QuantMethodEntry = experiment::MethodEntry<QuantMethodFactory>;
/// The built-in quantize methods, one per file of core/quantization/methods/ (the build lists
/// them from core/BuiltinList.cpp.in).
std::vector<QuantMethodEntry> builtinQuantMethods();

} // namespace gsq::core::quantization
