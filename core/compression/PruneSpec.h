#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/pruning/Targets.h"

#include <string>
#include <vector>

namespace gsq::core::compression {

/// A `prune:` step of an experiment, checked and typed.
///
///   - prune:
///       method: finegrained        # finegrained | global | l2 | structured
///       sparsity: [0.1, 0.5, 0.9]  # one value or a sweep; each in [0, 1)
///       schedule: oneshot          # oneshot | agp (gradual, during fine-tuning)
///       agp_start: 1               # agp: first and last pruning epoch of the fine-tuning,
///       agp_end: 50                #      and how often (epochs) the target rises
///       agp_frequency: 5
///       finetune_epochs: 100       # 0 = evaluate the pruned model without fine-tuning
///       targets: ["*"]             # glob patterns over weight names
///       overrides: {stack.conv0.weight: 0.5}   # finegrained: per-weight sparsity
///       lambda: 0.0005             # l2: weight of sum_W ||W||_2 during regularised training
///       l2_epochs: 100             # l2: epochs of regularised training before pruning
///       near_zero: 0.001           # l2: |w| below this counts as near zero in reports
///       criterion: l2              # structured: rank channels by the l1 or l2 norm of their
///                                  #   coupled weights; sparsity = fraction of channels removed
struct PruneSpec {
    std::string method;
    std::vector<double> sparsities{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    std::string schedule = "oneshot";
    int agpStart = 1, agpEnd = 0, agpFrequency = 1; ///< agpEnd 0 = half the fine-tuning epochs
    int finetuneEpochs = 100;
    pruning::Targets targets;
    double lambda = 5e-4;
    int l2Epochs = 100;
    double nearZero = 1e-3;
    std::string criterion = "l2";

    /// Parses and validates `step`; errors are InputError naming the file, the step's line and
    /// the key (e.g. "compression[0].prune.sparsity").
    static PruneSpec parse(const experiment::CompressionStep& step, int index, const std::string& file);
};

} // namespace gsq::core::compression
