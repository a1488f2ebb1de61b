#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/results/RunResult.h"
#include "core/results/SessionEvents.h"

namespace gsq::core::session {

/// The session speaks in the result and event types of core/results.
using namespace gsq::core::results;

/// Optional behaviour of a run.
struct RunOptions {
    /// When set, the first job's models are written here as .gsqm files (base and every
    /// compressed stage), so their sizes on disk can be checked and the models reloaded.
    std::string modelDir;
};

/// Runs experiments. The only entry point front ends need: no LibTorch types cross it.
class Session {
public:
    /// Loads the data, trains every (fold, seed) job, emits events to `sink` as it goes, and
    /// returns the results. On failure it emits RunFailed and then throws: InputError for bad
    /// input (files, split sizes, unsupported settings), RunError for a failed run (diverged,
    /// cancelled).
    static RunResult run(const experiment::ExperimentConfig& config, const EventSink& sink, const CancelToken& cancel);
    static RunResult run(const experiment::ExperimentConfig& config, const EventSink& sink, const CancelToken& cancel,
        const RunOptions& options);

    /// Library versions (GraphSqueeze, LibTorch, yaml-cpp, RDKit, BLAS).
    static std::map<std::string, std::string> versions();
};

} // namespace gsq::core::session
