#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/pruning/Targets.h"

#include <string>

namespace gsq::core::quantization {

/// A `quantize:` step of an experiment, checked and typed. Every method starts from the trained
/// fp32 base model of the job.
///
///   - quantize:
///       method: qat              # qat | degree_quant | a2q | ptq
///       bits: 8                  # 2..8 (a2q: the starting bit-width)
///       epochs: 50               # quantization-aware training epochs (ptq: none)
///       lr: 0.001                # learning rate of that training (default: train.lr)
///       observer: minmax         # activation ranges: minmax | momentum | percentile
///       momentum: 0.01           # momentum and percentile observers
///       percentile: 0.001        # tail cut per side; default 0.1 % at 8 bits, 1 % below
///       granularity: per_tensor  # weights: per_tensor | per_channel (a2q: always per channel)
///       backward: ste            # ste (straight-through) | clipped (zero outside the range)
///       activations: true        # also quantize layer inputs, messages, aggregates, outputs
///       targets: ["*"]           # glob patterns over weight names (matrices only)
///       protect_low: 0.0         # degree_quant: protection probability of the lowest-degree
///       protect_change: 0.1      #   node, and how much more the highest-degree node gets
///       target_bits: 4.0         # a2q: the memory target (average bits) ...
///       penalty: 0.1             #   ... and the weight a of a * ReLU(avg_bits - target)^2
///       degree_groups: 8         # a2q: feature quantizers per in-degree group (log2 buckets)
struct QuantSpec {
    std::string method;
    int bits = 8;
    int epochs = 50;
    double lr = 0; ///< 0 = the experiment's train.lr
    std::string observer = "minmax";
    double momentum = 0.01;
    double percentile = 0.001;
    std::string granularity = "per_tensor";
    std::string backward = "ste";
    bool activations = true;
    pruning::Targets targets;
    double protectLow = 0.0, protectChange = 0.1;
    double targetBits = 4.0, penalty = 0.1;
    int degreeGroups = 8;

    /// A short label for results ("bits=8").
    std::string settingLabel() const;

    /// Parses and validates `step` (InputError naming file, line and key, e.g.
    /// "compression[0].quantize.bits").
    static QuantSpec parse(const experiment::CompressionStep& step, int index, const std::string& file);
};

} // namespace gsq::core::quantization
