#pragma once

#include "core/pruning/PruneMethod.h"
#include "core/training/Trainer.h"

#include <functional>

namespace gsq::core::compression {

using experiment::PruneSpec;

/// Keeps a pruned model pruned while it trains: zeroes the gradients of pruned weights before
/// each optimiser step and re-applies the masks after it; for gradual (AGP) schedules raises the
/// sparsity at the scheduled epochs through the method's selection. Regularising instead (the
/// training before l2's pruning, or l2_only's whole training), it adds the method's penalty to
/// the loss and prunes nothing.
class PruningHooks : public training::TrainerHooks {
public:
    enum class Mode { Finetune, Regularize };
    /// `masks` may be empty (AGP starts dense). `onPrune(epoch, sparsity)` is told of every
    /// scheduled pruning step.
    PruningHooks(torch::nn::Module& module, const pruning::PruneMethod& method, double targetSparsity,
        pruning::MaskSet masks, Mode mode = Mode::Finetune, std::function<void(int, double)> onPrune = {});

    void onEpochBegin(int epoch) override;
    at::Tensor extraLoss() override;
    void beforeOptimizerStep() override;
    void afterOptimizerStep() override;
    bool acceptCheckpoint(int epoch) override;

    const pruning::MaskSet& masks() const { return m_masks; }
    /// Masks of an earlier step this one starts from (`from:`): they stay applied through every
    /// (gradual) pruning step, so what the earlier step removed stays removed.
    void keep(const pruning::MaskSet& earlier);

private:
    torch::nn::Module& m_module;
    const pruning::PruneMethod& m_method;
    const PruneSpec& m_spec;
    double m_target;
    pruning::MaskSet m_masks;
    pruning::MaskSet m_kept;
    bool m_regularize;
    std::vector<std::string> m_regularized;
    std::function<void(int, double)> m_onPrune;
};

} // namespace gsq::core::compression
