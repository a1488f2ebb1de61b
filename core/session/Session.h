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
    /// When set, every finished job is appended to this journal (JobJournal) as it ends.
    std::string journalPath;
    /// With journalPath: jobs the existing journal holds are not run again; their results are
    /// read from it (the experiment must be unchanged). Without a journal the run starts afresh.
    bool resume = false;
    /// Run only slice `cellIndex` (0-based) of `cellCount` equal slices of the job grid
    /// (fold-major, then seed); `merge` combines the slices' journals.
    int cellIndex = 0, cellCount = 1;
    /// When set, the base model is not trained but loaded from this .gsqm file (the trained base
    /// of the same experiment, e.g. an earlier run's models/base.gsqm) and evaluated; its row
    /// has train_seconds 0 and no epoch history. The random state that earlier run ended with
    /// (`random.state`, written beside every run's models) is restored too, so a setting
    /// appended to the last step gives the rows a full run of every setting gives. Only for
    /// runs of one job. The app's "Prune 10 % more" adds a setting to a lesson this way.
    std::string baseModel;
};

struct Journal;

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

    /// The run that the journals of its cells describe together (`merge`): every job exactly
    /// once, rows in job order, summary and warnings as a single run computes them. Throws
    /// InputError naming the journal when the experiments differ or a job is missing or repeated.
    /// `combined`, when given, receives one journal of all the jobs (the first cell's header).
    static RunResult merge(const std::vector<std::string>& journalPaths, Journal* combined = nullptr);

    /// The jobs [first, end) that slice `cell` of `cells` runs out of `totalJobs`.
    static std::pair<int, int> cellJobs(int totalJobs, int cell, int cells);

    /// Writes model file `modelFile` (.gsqm) as a torch.load-able state dict at `out`, named as
    /// PyTorch Geometric's layers (ModelFile::exportTorch; docs/interop.md). InputError for a
    /// missing or corrupt file. Returns the number of tensors the model file holds.
    static size_t exportModel(const std::string& modelFile, const std::string& out, bool codes);

    /// Writes one evaluation-mode forward pass of model file `modelFile` on `config`'s data at
    /// `out` (torch.load-able dict): the inputs as the model sees them (features transformed as
    /// configured; graph tasks: the first test batch of the first fold), the logits GraphSqueeze
    /// computes, and the model's shape ("arch", "activation", "pooling", "head_layers",
    /// "layers"). A quantized file runs with its weights dequantized and fp32 activations: what
    /// its exported state dict computes in plain PyTorch. InputError when the file does not fit
    /// the configured model or the task has no example (link prediction).
    static void exportExample(
        const experiment::ExperimentConfig& config, const std::string& modelFile, const std::string& out);

    /// Library versions (GraphSqueeze, LibTorch, yaml-cpp, RDKit, BLAS).
    static std::map<std::string, std::string> versions();
};

} // namespace gsq::core::session
