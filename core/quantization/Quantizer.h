#pragma once

#include "core/experiment/Steps.h"
#include "core/measure/ModelFile.h"
#include "core/pruning/Targets.h"
#include "core/quantization/DegreeQuant.h"
#include "core/quantization/QuantHook.h"

#include <torch/nn/module.h>

#include <map>
#include <memory>
#include <random>
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
/// Methods (QuantSpec::method):
/// - qat: fake quantization in the forward pass; weights symmetric (per tensor or per output
///   channel, scale from the current max |w|), activations affine with observed ranges.
/// - degree_quant: as qat, but while training each node stays in full precision with a
///   probability that grows with its in-degree rank in its graph; one mask per forward pass is
///   shared by every point, and only unprotected rows feed the ranges (Tailor et al., ICLR 2021;
///   camlsys/degree-quant). Evaluation quantizes every node.
/// - a2q: learnable step size and bit-width per weight output channel, and for features per node
///   (node tasks), from a pool each row picks by its max |x| (the nearest-neighbour strategy,
///   graph tasks) or per in-degree bucket, trained under a memory penalty (Zhu et al., ICLR 2023;
///   weihai-98/A2Q: quantize_function/u_quant_gc_bit_debug.py, get_scale_index.py).
/// - ptq: ranges calibrated on training data, no training.
///
/// Points are created when the first forward pass after attach() reaches them: run one
/// calibration pass (setCalibrating(true) + a forward over training data) before building an
/// optimizer, so every learnable parameter exists.
class Quantizer : public torch::nn::Module {
public:
    explicit Quantizer(QuantSpec spec, uint64_t seed = 0);
    ~Quantizer() override;

    /// Hooks every Quantizable submodule of `model` and registers this as model's "quant".
    /// Throws std::invalid_argument when a target pattern matches no weight (names listed).
    static std::shared_ptr<Quantizer> attach(torch::nn::Module& model, QuantSpec spec, uint64_t seed = 0);
    /// Unhooks and unregisters; the model is plain fp32 again.
    void detach(torch::nn::Module& model);

    const QuantSpec& spec() const { return m_spec; }

    /// Observers update on every forward while calibrating (also in evaluation mode).
    void setCalibrating(bool on) { m_calibrating = on; }
    /// Disabled, every point passes its tensor through (to time the fp32 model).
    void setEnabled(bool on) { m_enabled = on; }

    /// A²Q memory penalty a * (ReLU(avg weight bits - target)^2 + ReLU(avg feature bits -
    /// target)^2), differentiable in the bit-widths, plus weight_error * the weight channels'
    /// mean relative quantization error of the last training forward (0 unless weight_error is
    /// set); undefined for other methods.
    at::Tensor penalty();
    /// Average bits per weight element and per feature element (node rows weighted by their
    /// count in the last forward pass); spec().bits for fixed-width methods.
    double averageWeightBits();
    double averageFeatureBits();

    /// Integer weights as the model file stores them: values, one scale and bit-width per row.
    measure::QuantizedWeights quantizedWeights();
    /// Packs the quantized weights for oneDNN; under an Int8Scope weight points then return
    /// the registered copy (so functional::linear runs int8) and activation points pass through.
    void prepareInt8();
    void releaseInt8();

    /// Names of the weights this quantizer has seen (after a forward pass).
    std::vector<std::string> weightNames() const;
    /// Names of the activation points (after a forward pass).
    std::vector<std::string> activationNames() const;

    /// What an A²Q feature point learned, over the rows of the last forward pass.
    struct FeatureBits {
        std::string name;
        std::string mode; ///< per_node | nearest | degree | single
        int64_t quantizers = 0; ///< learned (step, bit-width) pairs
        int64_t rows = 0, cols = 0; ///< of the last forward
        double averageBits = 0; ///< over those rows
        std::map<int, int64_t> widths; ///< rows per rounded bit-width
        /// Mean bits of node rows per log2 in-degree bucket ("0", "1-2", "3-6", ...); empty
        /// for rows that are not the graph's nodes.
        std::vector<std::pair<std::string, double>> byDegree;
    };
    /// One entry per A²Q activation point that has seen a forward pass (empty for other methods).
    std::vector<FeatureBits> featureBits() const;

    // Called through Hook.
    at::Tensor weight(const std::string& name, const at::Tensor& w);
    at::Tensor act(const std::string& name, const at::Tensor& x, Rows rows);
    void beginGraph(const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& batch = {});

private:
    struct WeightPoint;
    struct ActPoint;
    WeightPoint& weightPoint(const std::string& name, const at::Tensor& w);
    ActPoint& actPoint(const std::string& name, const at::Tensor& x, Rows rows);
    bool observing() const;
    at::Tensor fakeQuantWeight(WeightPoint& p, const at::Tensor& w);
    at::Tensor fakeQuantAct(ActPoint& p, const at::Tensor& x, Rows rows);
    at::Tensor weightScales(const WeightPoint& p, const at::Tensor& w) const;
    at::Tensor memoryTerm(); ///< the penalty without its weight a
    at::Tensor weightErrorTerm(); ///< without weight_error; consumes the last forward's errors

    QuantSpec m_spec;
    experiment::Method m_method; ///< what m_spec.method runs as, looked up once
    pruning::Targets m_targets;
    std::vector<std::string> m_allowedWeights; ///< names selected by the targets
    std::map<std::string, std::unique_ptr<WeightPoint>> m_weights;
    std::map<std::string, std::unique_ptr<ActPoint>> m_acts;
    std::vector<Hook*> m_hooks;
    bool m_calibrating = false, m_enabled = true;
    std::mt19937_64 m_rng;
    // The current graph (beginGraph): node count, in-degrees, whether it is a batch of graphs,
    // A²Q degree group per node, protection probability.
    int64_t m_numNodes = -1;
    at::Tensor m_inDegree; ///< [N] long
    bool m_graphBatch = false; ///< beginGraph got a batch vector (graph-level task)
    at::Tensor m_group; ///< [N] long, A²Q degree group
    at::Tensor m_protect; ///< [N] float, Degree-Quant protection probability
    at::Tensor m_mask; ///< [N] bool, Degree-Quant nodes kept fp32 in this forward (training only)
    std::map<std::string, std::pair<at::Tensor, std::shared_ptr<const PackedLinear>>> m_int8;
};

} // namespace gsq::core::quantization
