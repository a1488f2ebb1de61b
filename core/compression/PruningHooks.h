#pragma once

#include "core/experiment/Steps.h"
#include "core/pruning/Pruner.h"
#include "core/training/Trainer.h"

#include <functional>

namespace gsq::core::compression {

using experiment::PruneSpec;

/// Keeps a pruned model pruned while it trains: zeroes the gradients of pruned weights before
/// each optimiser step and re-applies the masks after it; for gradual (AGP) schedules raises the
/// sparsity at the scheduled epochs; for the L2 method adds lambda * sum ||W||_2 to the loss.
class PruningHooks : public training::TrainerHooks {
public:
    /// `masks` may be empty (AGP starts dense). `onPrune(epoch, sparsity)` is told of every
    /// scheduled pruning step.
    PruningHooks(torch::nn::Module& module, const PruneSpec& spec, double targetSparsity, pruning::MaskSet masks,
        bool l2Only = false, std::function<void(int, double)> onPrune = {});

    void onEpochBegin(int epoch) override;
    at::Tensor extraLoss() override;
    void beforeOptimizerStep() override;
    void afterOptimizerStep() override;
    bool acceptCheckpoint(int epoch) override;

    const pruning::MaskSet& masks() const { return m_masks; }
    /// Masks of an earlier step this one starts from (`from:`): they stay applied through every
    /// (gradual) pruning step, so what the earlier step removed stays removed.
    void keep(const pruning::MaskSet& earlier);

    /// Applies the spec's criterion at `sparsity` (finegrained/l2: per layer; global: one ranking).
    static pruning::MaskSet prune(torch::nn::Module& module, const PruneSpec& spec, double sparsity);

private:
    torch::nn::Module& m_module;
    PruneSpec m_spec;
    double m_target;
    pruning::MaskSet m_masks;
    pruning::MaskSet m_kept;
    bool m_l2Only;
    std::vector<std::string> m_l2Names;
    std::function<void(int, double)> m_onPrune;
};

} // namespace gsq::core::compression
