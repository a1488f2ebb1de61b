#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/results/RunResult.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

/// `run --workers N`: a run's jobs (fold x seed) in N processes of this binary side by side, one
/// job per process (`run --cell K/JOBS`), then merged as `merge` does. Why processes and not
/// threads: the jobs share LibTorch's global random generator and thread-local scopes, and two
/// one-thread processes use the two cores of the machines measured here better than one
/// two-thread process (2.0x against 1.2-1.5x on GIN/PROTEINS, docs/benchmarks.md). The rows
/// equal those of a one-thread run made in one process, apart from timing.
namespace gsq::cli {

struct WorkerOptions {
    int workers = 2;
    int threadsPerWorker = 1; ///< train.threads of each worker
    std::vector<std::string> overrides; ///< the --set values of the command line, passed on
    bool quiet = false; ///< no progress lines
    bool resume = false; ///< workers continue their cells' journals
};

/// Starts the program args[0] with `args` (fork + exec); with `log`, its stdout and stderr go
/// there; `env` is set in the child unless already set. Throws RunError when it cannot fork.
pid_t startProcess(
    std::vector<std::string> args, const std::string& log = {}, const std::map<std::string, std::string>& env = {});

/// Waits for a started process: its waitpid status.
int waitForExit(pid_t pid);

/// Runs `config` (read from config.sourceFile) in worker processes into `out`: the cells go to
/// out/cells/job-K, are merged into out's results.csv, summary.csv, layers.csv, run.json,
/// jobs.journal and models/, and are removed once merged. A worker that fails stops the others;
/// its cell and log stay for --resume, and its exit code (2 bad input, 1 failed run) is thrown
/// as InputError or RunError with the last lines of its log.
core::results::RunResult runWithWorkers(
    const core::experiment::ExperimentConfig& config, const std::string& out, const WorkerOptions& options);

/// The cells' journals into one run's files in `out` (the `merge` command); the models of the
/// first job come from the cell that ran it. `adjust` may amend the merged run (its wall time,
/// its environment) before anything is written.
core::results::RunResult mergeCells(const std::string& out, const std::vector<std::string>& cells,
    const std::function<void(core::results::RunResult&)>& adjust = {});

} // namespace gsq::cli
