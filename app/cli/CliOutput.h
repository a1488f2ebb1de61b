#pragma once

#include "core/data/DatasetRegistry.h"
#include "core/measure/ModelFile.h"
#include "core/results/RobustnessSummary.h"
#include "core/results/SessionEvents.h"

#include <chrono>
#include <ostream>

namespace gsq::cli {

/// Renders session events as a progress bar with ETA (redrawn in place on a terminal, one line
/// per finished job otherwise).
class Progress {
public:
    Progress(std::ostream& out, bool quiet);
    void onEvent(const core::results::SessionEvent& event);

private:
    void draw(bool force);

    std::ostream& m_out;
    bool m_quiet, m_tty;
    std::chrono::steady_clock::time_point m_start, m_lastDraw;
    int m_totalJobs = 1, m_epochsPerJob = 1, m_job = 0, m_epoch = 0;
    int64_t m_done = 0; ///< epochs finished over all stages and jobs
    std::string m_stage;
    int64_t m_seed = 0;
    int m_fold = 0;
    double m_loss = 0, m_val = 0;
    std::string m_metric;
};

/// Prints a robustness analysis' summary (core/results/RobustnessSummary.h) for `paired`: per
/// stage and perturbation the metric at the largest strength, its drop and the extra drop against
/// the base with its interval and Holm p; then each stage's weighted worst-case score.
void printRobustness(std::ostream& out, const core::results::RobustnessSummary& summary, const std::string& test);

/// Prints per-job rows and the mean +- std summary of a finished run.
void printResults(std::ostream& out, const core::results::RunResult& result);

/// Prints one dataset's statistics for `graphsqueeze-cli datasets`.
/// The catalog's datasets, architectures and compression methods with one line of help each
/// (the end of --help).
void printChoices(std::ostream& out);

void printDatasetStats(std::ostream& out, const core::experiment::DatasetInfo& info,
    const core::data::DatasetStats& stats, const std::vector<std::string>& warnings);

/// Prints the tensors of a .gsqm file: name, shape, encoding, non-zeros, sparsity, bytes.
void printModelFile(
    std::ostream& out, const std::string& path, const std::vector<core::measure::StoredTensor>& tensors);

} // namespace gsq::cli
