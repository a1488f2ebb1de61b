#pragma once

#include "core/results/SessionEvents.h"

#include <vector>

namespace gsq::core::results {

/// The events a finished run would have sent, rebuilt from what it stored (a RunResult read back
/// from a run directory's journal), so a front end can show a run it did not watch, e.g. the
/// headless report of a cluster run. Per job (seed, fold, in the order of its rows): the base
/// stage's epochs and rows, then the other stages' epochs, then their rows, each StageFinished
/// with the layers recorded for that stage, a pruned row preceded by its PruningApplied (the
/// per-layer sparsity it left). Not rebuilt: per-epoch weight snapshots and a gradual schedule's
/// steps (never stored), so the epoch slider and the fine-tuning sparsity schedule stay empty.
std::vector<SessionEvent> replayEvents(const RunResult& result);

} // namespace gsq::core::results
