#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/session/RunResult.h"
#include "core/session/SessionEvents.h"

namespace gsq::core::session {

/// Runs experiments. The only entry point front ends need: no LibTorch types cross it.
class Session {
public:
    /// Loads the data, trains every (fold, seed) job, emits events to `sink` as it goes, and
    /// returns the results. On failure it emits RunFailed and then throws: InputError for bad
    /// input (files, split sizes, unsupported settings), RunError for a failed run (diverged,
    /// cancelled).
    static RunResult run(const experiment::ExperimentConfig& config, const EventSink& sink, const CancelToken& cancel);

    /// Library versions (GraphSqueeze, LibTorch, yaml-cpp, RDKit, BLAS).
    static std::map<std::string, std::string> versions();
};

} // namespace gsq::core::session
