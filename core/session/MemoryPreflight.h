#pragma once

#include "core/data/GraphDataset.h"
#include "core/experiment/ExperimentConfig.h"

#include <cstdint>
#include <string>

namespace gsq::core::session {

/// What one training job of an experiment holds in memory at its peak, estimated from the
/// configuration and the dataset alone, before any model is built (a model too large for the
/// machine must be refused, not allocated).
struct MemoryEstimate {
    int64_t parameters = 0; ///< of the model as configured (GNN stack and head)
    double parameterBytes = 0; ///< weights, gradients and the checkpoints a job keeps (base, best, init)
    double optimizerBytes = 0; ///< Adam/AdamW moments (2 per parameter), SGD momentum (1)
    double activationBytes = 0; ///< layer outputs and messages kept for the backward pass
    double total() const { return parameterBytes + optimizerBytes + activationBytes; }
};

/// Estimates the training memory of one job of `config` on `stats` (features as loaded).
MemoryEstimate estimateMemory(const experiment::ExperimentConfig& config, const data::DatasetStats& stats);

/// Throws InputError at `model.hidden` of `file` when one job of `config` cannot fit in the
/// available memory; returns a warning when it needs more than half of it, else "".
std::string checkMemory(
    const experiment::ExperimentConfig& config, const data::DatasetStats& stats, const std::string& file);

/// Bytes of memory this machine can still give (MemAvailable of /proc/meminfo); 0 when unknown.
double availableMemoryBytes();

/// "1.5 GiB", "640 MiB", "12 KiB".
std::string formatBytes(double bytes);

} // namespace gsq::core::session
