#include "app/cli/CliOutput.h"

#include "core/experiment/Architecture.h"

#include <ATen/core/Tensor.h>
#include <c10/util/StringUtil.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <unistd.h>

namespace gsq::cli {

using namespace core::results;

namespace {

std::string duration(double s)
{
    if (!std::isfinite(s) || s < 0)
        return "--:--";
    const int t = static_cast<int>(s + 0.5);
    char buf[32];
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
    else
        std::snprintf(buf, sizeof buf, "%d:%02d", t / 60, t % 60);
    return buf;
}

std::string pct(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v * 100.0);
    return buf;
}

} // namespace

Progress::Progress(std::ostream& out, bool quiet)
    : m_out(out)
    , m_quiet(quiet)
    , m_tty(::isatty(STDERR_FILENO) == 1)
    , m_start(std::chrono::steady_clock::now())
    , m_lastDraw(m_start)
{
}

void Progress::onEvent(const SessionEvent& event)
{
    if (m_quiet)
        return;
    if (auto* e = std::get_if<RunStarted>(&event)) {
        m_totalJobs = std::max(1, e->totalJobs);
        m_epochsPerJob = std::max(1, e->epochsPerJob);
        m_start = std::chrono::steady_clock::now();
        m_out << e->experiment << ": " << e->model << " on " << e->datasetSummary << "\n"
              << "  " << e->totalJobs << " job(s) x " << e->epochsPerJob << " epochs, " << e->threads << " thread(s) ("
              << e->threadsReason << ")\n";
    } else if (auto* e = std::get_if<StageStarted>(&event)) {
        m_job = e->job;
        m_seed = e->seed;
        m_fold = e->fold;
        m_epoch = 0;
        m_stage = stageName(e->stage);
        if (e->stage == Stage::Base)
            m_done = static_cast<int64_t>(e->job) * m_epochsPerJob;
    } else if (auto* e = std::get_if<EpochMetrics>(&event)) {
        m_epoch = e->point.epoch;
        m_loss = e->point.loss;
        ++m_done;
        if (std::isfinite(e->point.valMetric))
            m_val = e->point.valMetric;
        draw(false);
    } else if (auto* e = std::get_if<StageFinished>(&event)) {
        m_metric = e->row.metric;
        draw(true);
        if (m_tty)
            m_out << "\r\033[K";
        m_out << "  job " << (e->job + 1) << "/" << m_totalJobs << " seed " << e->row.seed << " fold " << e->row.fold;
        if (e->row.method != "none")
            m_out << " " << e->row.method << " " << e->row.setting << " " << stageName(e->row.stage);
        m_out << ": test " << e->row.metric << " " << pct(e->row.testValue) << "%, val " << pct(e->row.valValue)
              << "% (best epoch " << e->row.bestEpoch << ", " << std::fixed << std::setprecision(2)
              << e->row.trainSeconds << " s)" << std::defaultfloat << "\n";
    } else if (auto* e = std::get_if<RunWarning>(&event)) {
        if (m_tty)
            m_out << "\r\033[K";
        m_out << "warning: " << e->message << "\n";
    } else if (std::get_if<RunFinished>(&event) || std::get_if<RunFailed>(&event)) {
        if (m_tty)
            m_out << "\r\033[K" << std::flush;
    }
}

void Progress::draw(bool force)
{
    if (!m_tty)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - m_lastDraw < std::chrono::milliseconds(100))
        return;
    m_lastDraw = now;
    const double done = std::min(
        1.0, static_cast<double>(m_done) / static_cast<double>(m_totalJobs) / static_cast<double>(m_epochsPerJob));
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const double eta = done > 0 ? elapsed * (1.0 - done) / done : NAN;
    const int width = 30;
    const int filled = static_cast<int>(done * width + 0.5);
    char buf[256];
    std::snprintf(buf, sizeof buf, "\r\033[K[%s%s] %3d%% job %d/%d %s epoch %d loss %.4f val %.2f%% ETA %s",
        std::string(static_cast<size_t>(filled), '#').c_str(),
        std::string(static_cast<size_t>(width - filled), '.').c_str(), static_cast<int>(done * 100 + 0.5), m_job + 1,
        m_totalJobs, m_stage.c_str(), m_epoch, m_loss, m_val * 100.0, duration(eta).c_str());
    m_out << buf << std::flush;
}

void printResults(std::ostream& out, const RunResult& r)
{
    // The method/setting column is as wide as its longest entry (at least 26), so long settings
    // ("a2q bits=8 target_bits=4 weight_error=100") never run into the stage.
    auto methodSetting
        = [](const ResultRow& x) { return x.method == "none" ? std::string("-") : x.method + " " + x.setting; };
    int msWidth = 26;
    for (const auto& x : r.rows)
        msWidth = std::max(msWidth, static_cast<int>(methodSetting(x).size()) + 2);
    out << "\n"
        << std::left << std::setw(6) << "seed" << std::setw(6) << "fold" << std::setw(msWidth) << "method/setting"
        << std::setw(11) << "stage" << std::setw(9) << "test" << std::setw(9) << "val" << std::setw(6) << "best"
        << std::setw(18) << "nonzero/total" << std::setw(11) << "disk bytes"
        << "seconds\n";
    for (const auto& x : r.rows) {
        out << std::left << std::setw(6) << x.seed << std::setw(6) << x.fold << std::setw(msWidth) << methodSetting(x)
            << std::setw(11) << stageName(x.stage) << std::setw(9) << pct(x.testValue) << std::setw(9)
            << pct(x.valValue) << std::setw(6) << x.bestEpoch << std::setw(18)
            << (std::to_string(x.nonzeroParams) + "/" + std::to_string(x.totalParams)) << std::setw(11)
            << x.sizeDiskBytes << std::fixed << std::setprecision(2) << x.trainSeconds << std::defaultfloat << "\n";
    }
    out << "\nsummary (" << r.config.name << ")\n";
    for (const auto& s : r.summary) {
        out << "  " << s.dataset << " " << s.model << " "
            << (s.method == "none" ? "" : s.method + " " + s.setting + " ") << stageName(s.stage) << ": test "
            << s.metric << " " << pct(s.testMean) << " +- " << pct(s.testStd) << " % (n=" << s.n << "), val "
            << pct(s.valMean) << " +- " << pct(s.valStd) << " %, " << static_cast<int64_t>(s.nonzeroParamsMean) << "/"
            << s.totalParams << " params, disk " << static_cast<int64_t>(s.sizeDiskBytesMean) << " B (dense "
            << s.sizeDenseBytes << " B), " << std::fixed << std::setprecision(2) << s.trainSecondsMean << " s/job"
            << std::defaultfloat << "\n";
    }
    for (const auto& w : r.warnings)
        out << "  warning: " << w << "\n";
}

void printModelFile(std::ostream& out, const std::string& path, const std::vector<core::measure::StoredTensor>& tensors)
{
    static const char* kEncodings[] = { "dense", "csr", "bitmask", "packed", "coded" };
    out << path << ": " << tensors.size() << " tensors\n";
    out << std::left << std::setw(34) << "tensor" << std::setw(14) << "shape" << std::setw(9) << "encoding"
        << std::setw(10) << "params" << std::setw(10) << "nnz" << std::setw(10) << "sparsity" << std::setw(6) << "bits"
        << "bytes\n";
    int64_t params = 0, nnz = 0;
    uint64_t bytes = 0;
    for (const auto& t : tensors) {
        const int64_t n = t.value.numel(), z = t.value.ne(0).sum().item<int64_t>();
        params += n;
        nnz += z;
        bytes += t.bytes;
        char sp[16];
        std::snprintf(
            sp, sizeof sp, "%.1f%%", n ? 100.0 * (1.0 - static_cast<double>(z) / static_cast<double>(n)) : 0.0);
        char bits[16];
        std::snprintf(bits, sizeof bits, "%g", std::round(t.bits * 100.0) / 100.0);
        out << std::left << std::setw(34) << t.name << std::setw(14) << c10::str(t.value.sizes()) << std::setw(9)
            << kEncodings[static_cast<int>(t.encoding)] << std::setw(10) << n << std::setw(10) << z << std::setw(10)
            << sp << std::setw(6) << bits << t.bytes << "\n";
        if (!t.parts.empty()) { // a coded tensor: what its bytes hold
            out << "    ";
            for (size_t k = 0; k < t.parts.size(); ++k)
                out << (k ? ", " : "") << t.parts[k].first << " " << t.parts[k].second << " B";
            out << "\n";
        }
    }
    out << "total: " << params << " values, " << nnz << " non-zero, " << bytes << " payload bytes\n";
}

void printChoices(std::ostream& out)
{
    using core::experiment::Catalog;
    auto line = [&](const std::string& name, const std::string& help) {
        out << "  " << std::left << std::setw(22) << name << help << "\n";
    };
    out << "\nDatasets (dataset.name):\n";
    for (const auto& d : Catalog::datasets())
        line(d.name, d.help);
    out << "\nArchitectures (model.arch):\n";
    for (const auto& a : core::experiment::architectures()) {
        line(a.name, a.help);
        std::vector<std::string> keys;
        for (const auto& k : a.keys)
            keys.push_back(k.field.key);
        if (!keys.empty())
            out << "  " << std::string(22, ' ') << "keys: " << core::experiment::joinNames(keys) << "\n";
    }
    using core::experiment::StepKind;
    for (StepKind kind : { StepKind::Prune, StepKind::Quantize, StepKind::Analyze }) {
        out << "\nCompression steps '- " << core::experiment::kindName(kind) << ":' (method):\n";
        for (const auto& m : Catalog::methods(kind)) {
            line(m.name, m.help);
            out << "  " << std::string(22, ' ') << "keys: " << core::experiment::joinNames(m.keys) << "\n";
        }
    }
}

void printDatasetStats(std::ostream& out, const core::experiment::DatasetInfo& info, const core::data::DatasetStats& s,
    const std::vector<std::string>& warnings)
{
    out << info.name << " - " << info.help << "\n"
        << "  graphs " << s.numGraphs << ", nodes " << s.numNodes << ", undirected edges " << s.numUndirectedEdges
        << ", features " << s.numFeatures << ", classes " << s.numClasses << "\n  class counts";
    for (size_t c = 0; c < s.classCounts.size(); ++c)
        out << (c ? ", " : " ") << c << ":" << s.classCounts[c];
    out << "\n  tasks: " << core::experiment::joinNames(info.tasks) << "\n  cite: " << info.citation << "\n";
    for (const auto& w : warnings)
        out << "  note: " << w << "\n";
    out << "\n";
}

void printRobustness(std::ostream& out, const core::results::RobustnessSummary& summary, const std::string& test)
{
    out << "\nrobustness (robustness.csv), " << summary.jobs << " jobs: each perturbation at its largest strength; "
        << "drop = perturbed - clean of the stage itself, extra drop = its drop - the base's, per (seed, fold), in "
           "points (negative: the stage loses more than the base)\n"
        << test << "\n\n";
    out << std::left << std::setw(52) << "stage (lineage)" << ' ' << std::setw(15) << "perturbation" << std::right
        << std::setw(9) << "strength" << std::setw(8) << "metric" << std::setw(8) << "drop" << std::setw(12)
        << "extra drop" << std::setw(20) << "95 % interval" << std::setw(10) << "p" << std::setw(10) << "Holm p"
        << "\n";
    for (const auto& l : summary.lines) {
        char nums[160];
        std::snprintf(nums, sizeof nums, "%9g%8.2f%+8.2f", l.strength, 100 * l.perturbed, 100 * l.drop);
        out << std::left << std::setw(52) << l.stage << ' ' << std::setw(15) << l.perturbation << std::right << nums;
        if (l.compared) {
            std::snprintf(nums, sizeof nums, "%+12.2f    [%+6.2f, %+6.2f]%10.3g%10.3g", 100 * l.extraDrop,
                100 * l.ciLow, 100 * l.ciHigh, l.p, l.holmP);
            out << nums;
        }
        out << "\n";
    }
    out << "\n"
        << std::left << std::setw(52) << "stage (lineage)" << ' ' << std::right << std::setw(26)
        << "weighted worst-case score" << std::setw(12) << "vs base" << std::setw(20) << "95 % interval"
        << "\n";
    for (const auto& sc : summary.scores) {
        char nums[96];
        std::snprintf(nums, sizeof nums, "%26.2f", 100 * sc.score);
        out << std::left << std::setw(52) << sc.stage << ' ' << std::right << nums;
        if (sc.compared) {
            std::snprintf(
                nums, sizeof nums, "%+12.2f    [%+6.2f, %+6.2f]", 100 * sc.diff, 100 * sc.ciLow, 100 * sc.ciHigh);
            out << nums;
        }
        out << "\n";
    }
}

} // namespace gsq::cli
