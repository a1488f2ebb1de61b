#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/training/Task.h"

#include <atomic>
#include <functional>
#include <vector>

namespace gsq::core::training {

/// Called by the Trainer at fixed points, so compression can act inside training without the
/// Trainer knowing about it (cf. Distiller's scheduler/policy split).
class TrainerHooks {
public:
    virtual ~TrainerHooks() = default;
    virtual void onEpochBegin(int epoch) { }
    /// Extra loss terms (e.g. a regulariser), added before backward; undefined = none.
    virtual at::Tensor extraLoss() { return {}; }
    virtual void beforeOptimizerStep() { }
    virtual void afterOptimizerStep() { }
    virtual void onEpochEnd(int epoch, const Evaluation& eval) { }
    /// Whether weights of `epoch` may become the kept checkpoint (a gradual schedule refuses
    /// epochs before it reaches its final sparsity).
    virtual bool acceptCheckpoint(int epoch) { return true; }
    /// Parameters the optimizer trains in groups of their own, each at its own learning rate
    /// (0 = train.lr) and without weight decay, e.g. a quantizer's learned step sizes and
    /// bit-widths. Every other parameter of the model forms the first group.
    struct Group {
        std::vector<at::Tensor> parameters;
        double lr = 0;
    };
    virtual std::vector<Group> parameterGroups() { return {}; }
};

/// One epoch of the training history. Metrics are NaN on epochs that were not evaluated.
struct EpochRecord {
    int epoch = 0; ///< 1-based
    double loss = 0, trainMetric = 0, valMetric = 0, testMetric = 0, valLoss = 0;
    double lr = 0;
    double seconds = 0; ///< wall time of this epoch (training + evaluation)
};

struct FitResult {
    std::vector<EpochRecord> history;
    int bestEpoch = 0; ///< epoch whose weights the model holds after fit()
    Evaluation best; ///< evaluation of those weights
    double trainSeconds = 0; ///< total wall time
    bool stoppedEarly = false;
    /// The hooks accepted no epoch's weights as a result (e.g. A²Q never met its bit target): the
    /// best epoch by the selection score over all evaluated epochs was kept instead.
    bool noEligibleEpoch = false;
};

/// Thrown out of fit() when the cancel flag was raised; the model is left as it was.
struct Cancelled { };

/// The training loop: optimiser (Adam/SGD, weight decay), step LR, per-epoch evaluation,
/// early stopping and best-by-validation restore. Raises RunError("diverged at epoch N") when the
/// loss stops being finite.
class Trainer {
public:
    explicit Trainer(experiment::TrainConfig config)
        : m_config(std::move(config))
    {
    }

    /// Trains `task` for up to `epochs` (0 = config.epochs). `onEpoch` sees every record as it
    /// happens; `cancel` is polled between batches.
    FitResult fit(Task& task, uint64_t seed, const std::function<void(const EpochRecord&)>& onEpoch,
        const std::atomic<bool>* cancel = nullptr, TrainerHooks* hooks = nullptr, int epochs = 0);

private:
    experiment::TrainConfig m_config;
};

} // namespace gsq::core::training
