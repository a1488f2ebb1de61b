#pragma once

#include "core/results/RunResult.h"

#include <map>
#include <string>
#include <vector>

namespace gsq::core::session {

/// Everything one finished job (one fold x seed, its base training and every compression step)
/// added to a RunResult.
struct JobRecord {
    int job = 0;
    int64_t seed = 0;
    int fold = 0;
    std::vector<results::ResultRow> rows;
    std::vector<results::LayerRow> layers;
    std::vector<results::JobHistory> histories;
    std::vector<results::SensitivityRow> sensitivity;
    std::vector<std::string> warnings;
    std::vector<results::RobustnessRow> robustness;
};

/// What a journal holds: the experiment it belongs to and the jobs that finished.
struct Journal {
    std::string configYaml; ///< the experiment, as toYaml wrote it when the journal began
    std::map<std::string, std::string> environment; ///< of the run that began it
    std::vector<std::string> warnings; ///< the run's own (dataset, memory) warnings
    int totalJobs = 0;
    std::map<int, JobRecord> jobs;
    size_t completeBytes = 0; ///< where the last complete block (or the header) ends
};

/// A durable log of finished jobs (OUT/jobs.journal): a header, then one block per job, each
/// appended and fsync'ed when its job ends, so a killed run loses at most the job it was in.
/// Numbers are written with 17 significant digits, so results read back are bit for bit the
/// ones computed. A block without its closing line (killed mid-write) is ignored.
/// Used by `run --resume` (skip finished jobs) and by `run --cell` + `merge` (jobs of one
/// experiment computed by several processes).
class JobJournal {
public:
    /// Starts a new journal at `path` (replacing any), atomically.
    static void begin(const std::string& path, const Journal& header);
    /// Appends one finished job and flushes it to disk.
    static void append(const std::string& path, const JobRecord& record);
    /// Reads a journal; throws InputError naming the file and line for anything malformed.
    static Journal read(const std::string& path);
    /// Reads a journal to continue it: a block cut off by a kill is removed from the file, so
    /// the next append starts on a clean line.
    static Journal reopen(const std::string& path);
    /// The experiment's text as journals record and compare it (toYaml: every key, defaults
    /// filled in, so any change to the experiment, thread count included, shows).
    static std::string canonicalYaml(const experiment::ExperimentConfig& config);
};

} // namespace gsq::core::session
