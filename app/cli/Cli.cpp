// graphsqueeze-cli: runs GraphSqueeze experiments without a display.
// Argument parsing and terminal output only; all work happens in core/session.
#include "app/cli/Cli.h"
#include "app/cli/CliOutput.h"
#include "app/cli/Workers.h"

#include "core/common/AtomicFile.h"
#include "core/common/DirectoryLock.h"
#include "core/common/Error.h"
#include "core/data/DatasetRegistry.h"
#include "core/experiment/ConfigYaml.h"
#include "core/measure/ModelFile.h"
#include "core/results/Paired.h"
#include "core/results/Pareto.h"
#include "core/session/JobJournal.h"
#include "core/session/ResultWriter.h"
#include "core/session/Session.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace gsq::core;

const char* kUsage = R"(Usage:
  graphsqueeze-cli run FILE.yaml|DIR [--out DIR] [--threads N] [--set key.path=value]... [--quiet]
                       [--resume] [--cell I/N] [--workers N]
  graphsqueeze-cli merge OUT CELL_DIR...
  graphsqueeze-cli paired RUN_DIR [CELL_DIR...] [--baseline LABEL] [--deployed]
  graphsqueeze-cli pareto RUN_DIR... [--out FILE]
  graphsqueeze-cli report RUN_DIR [--html FILE] [--charts DIR]
  graphsqueeze-cli validate FILE.yaml [--set key.path=value]...
  graphsqueeze-cli datasets
  graphsqueeze-cli inspect MODEL.gsqm
  graphsqueeze-cli export MODEL.gsqm OUT.pt [--codes] [--example FILE.yaml [--set key.path=value]...]
  graphsqueeze-cli --help | --version

Commands:
  run        train the experiment: progress on stderr, results table on stdout,
             DIR/results.csv, DIR/summary.csv and DIR/run.json (default DIR: runs/<name>).
             Given a directory, runs every *.yaml in it (sorted by file name; all are
             validated first), each into OUT/<name> (default OUT: runs/<directory name>).
             Every finished job is also appended to DIR/jobs.journal as it ends
  merge      combine the cells of a sweep (run --cell I/N, each with its own --out) into OUT:
             the same results.csv, summary.csv, layers.csv, run.json and jobs.journal as one run
  paired     compare every method of a finished run with a baseline (default: the fp32 base)
             fold by fold and seed by seed: mean and std of the paired differences, the
             95 % interval and p of the test that fits the design (folds of one
             cross-validation: the corrected resampled t-test; independent seeds:
             Wilcoxon signed-rank), Holm-corrected over the table, wins/ties/losses,
             sign-test and Wilcoxon p-values
             (the cells of a sweep are given together, as to merge; runs of other
             experiments on the same bases may be added: their rows pair across runs)
  pareto     every stage of every method and pipeline of the runs (the cells of a sweep
             given together, as to merge), mean test metric against mean bytes on disk;
             the non-dominated points marked per dataset x task x metric (sizes and
             metrics of different tasks do not compare); pareto.csv (or --out FILE)
  report     the desktop app's one-file HTML report of a finished run (default
             RUN_DIR/report.html) and, with --charts, every chart as PNG and SVG, without
             a display: runs `graphsqueeze --show-run` offscreen (needs the graphsqueeze
             binary beside this one)
  validate   check an experiment file and print it with defaults filled in
  datasets   print the statistics of the bundled datasets
  inspect    print the per-tensor table of a saved model file (.gsqm)
  export     write a model file as a torch.load-able state dict, named as PyTorch Geometric's
             layers where one exists (docs/interop.md); --codes adds the integer codes,
             scales and bits of quantized weights; --example FILE.yaml also writes
             OUT.example.pt: inputs and GraphSqueeze's logits of one forward pass on
             that experiment's data, to check a PyTorch port against

Options:
  --out DIR           where to write results (created if missing); pareto: the CSV file
  --threads N         intra-op threads (same as --set train.threads=N; 0 = measure)
  --set key=value     override any YAML value, e.g. --set train.epochs=50
  --quiet             no progress bar
  --resume            continue a stopped run from DIR/jobs.journal: finished jobs are
                      read back, not trained again (the experiment must be unchanged)
  --cell I/N          run only slice I (0-based) of N equal slices of the job grid
                      (fold-major, then seed), e.g. one slice per cluster task
  --workers N         run the jobs (fold x seed) in N processes side by side, one job each,
                      each on train.threads threads (1 unless set), and merge them: the rows
                      of a one-thread run, ~2x sooner on two cores (docs/benchmarks.md)
  --baseline LABEL    paired: the rows to compare with, as the command lists them, e.g.
                      "qat bits=4 observer=percentile per_channel" (stage optional)
  --deployed          paired: compare the deployed (int8-kernel) metric, not the simulated
  --html FILE         report: where the HTML report goes (default RUN_DIR/report.html)
  --charts DIR        report: also write every chart as PNG and SVG into DIR

Exit codes: 0 success, 1 the run failed, 2 invalid input (file, YAML, option).
)";

struct Args {
    std::string command, file, out;
    std::vector<std::string> overrides;
    std::vector<std::string> cells; ///< merge: the cell directories
    bool quiet = false, resume = false, codes = false, deployed = false;
    int cellIndex = 0, cellCount = 1;
    int workers = 1; ///< run: worker processes
    std::string baseline; ///< paired
    std::string example; ///< export: the experiment whose data the example forward pass uses
    std::string html, charts; ///< report
};

/// "I/N" with 0 <= I < N.
void parseCell(const std::string& text, Args& a)
{
    const auto slash = text.find('/');
    size_t used = 0;
    try {
        if (slash != std::string::npos) {
            a.cellIndex = std::stoi(text.substr(0, slash), &used);
            if (used == slash) {
                a.cellCount = std::stoi(text.substr(slash + 1), &used);
                if (used == text.size() - slash - 1 && a.cellCount >= 1 && a.cellIndex >= 0
                    && a.cellIndex < a.cellCount)
                    return;
            }
        }
    } catch (const std::exception&) {
    }
    throw InputError("--cell", 0, "expected I/N with 0 <= I < N (e.g. 0/4), got '" + text + "'");
}

Args parse(int argc, char** argv)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        auto value = [&](const char* name) {
            if (i + 1 >= argc)
                throw InputError(name, 0, "missing value");
            return std::string(argv[++i]);
        };
        if (s == "--help" || s == "-h" || s == "--version") {
            a.command = s == "--version" ? "--version" : "--help";
            return a;
        }
        if (s == "--out")
            a.out = value("--out");
        else if (s == "--threads")
            a.overrides.push_back("train.threads=" + value("--threads"));
        else if (s == "--set")
            a.overrides.push_back(value("--set"));
        else if (s.rfind("--set=", 0) == 0)
            a.overrides.push_back(s.substr(6));
        else if (s == "--quiet" || s == "-q")
            a.quiet = true;
        else if (s == "--resume")
            a.resume = true;
        else if (s == "--codes")
            a.codes = true;
        else if (s == "--cell")
            parseCell(value("--cell"), a);
        else if (s == "--workers") {
            const std::string text = value("--workers");
            size_t used = 0;
            try {
                a.workers = std::stoi(text, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != text.size() || text.empty() || a.workers < 1 || a.workers > 256)
                throw InputError("--workers", 0, "expected a number of processes from 1 to 256, got '" + text + "'");
        } else if (s == "--baseline")
            a.baseline = value("--baseline");
        else if (s == "--deployed")
            a.deployed = true;
        else if (s == "--example")
            a.example = value("--example");
        else if (s == "--html")
            a.html = value("--html");
        else if (s == "--charts")
            a.charts = value("--charts");
        else if (!s.empty() && s[0] == '-')
            throw InputError(s, 0, "unknown option (see --help)");
        else if (a.command.empty())
            a.command = s;
        else if (a.file.empty())
            a.file = s;
        else if (a.command == "merge" || a.command == "paired" || a.command == "pareto"
            || (a.command == "export" && a.cells.empty()))
            a.cells.push_back(s);
        else
            throw InputError(s, 0, "unexpected argument (see --help)");
    }
    return a;
}

/// export --example: OUT.pt -> OUT.example.pt (any other name gets ".example.pt" appended).
std::string exampleFile(const std::string& out)
{
    const std::string ext = ".pt";
    const bool pt = out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0;
    return (pt ? out.substr(0, out.size() - ext.size()) : out) + ".example.pt";
}

int runDatasets()
{
    for (const auto& b : data::DatasetRegistry::builtins()) {
        experiment::DatasetConfig c;
        c.name = b.name;
        auto ds = data::DatasetRegistry::load(c);
        gsq::cli::printDatasetStats(std::cout, b, ds.stats(), ds.warnings);
    }
    return 0;
}

/// Runs one experiment into `out` (held by the caller) with a progress display, writes its files
/// and prints its table.
results::RunResult runHeld(const experiment::ExperimentConfig& config, const std::string& out, const Args& a)
{
    namespace fs = std::filesystem;
    // --workers: the jobs in processes of their own, unless there is one job, or a resumed run
    // was already merged (its journal then holds every job and is read back in this process).
    const bool merged = a.resume && !fs::exists(out + "/cells") && fs::exists(out + "/jobs.journal");
    if (a.workers > 1 && config.jobCount() > 1 && !merged) {
        gsq::cli::WorkerOptions w;
        w.workers = a.workers;
        w.threadsPerWorker = config.train.threads > 0 ? config.train.threads : 1;
        w.overrides = a.overrides;
        w.quiet = a.quiet;
        w.resume = a.resume;
        auto result = gsq::cli::runWithWorkers(config, out, w);
        gsq::cli::printResults(std::cout, result);
        return result;
    }
    if (a.workers > 1 && merged && config.train.threads <= 0) {
        // The workers ran on train.threads=1 and their merged journal says so.
        auto asRun = config;
        asRun.train.threads = 1;
        Args single = a;
        single.workers = 1;
        return runHeld(asRun, out, single);
    }
    gsq::cli::Progress progress(std::cerr, a.quiet);
    results::CancelToken cancel;
    session::RunOptions options;
    options.modelDir = out + "/models";
    options.journalPath = out + "/jobs.journal";
    options.resume = a.resume;
    options.cellIndex = a.cellIndex;
    options.cellCount = a.cellCount;
    auto result = session::Session::run(
        config, [&](const results::SessionEvent& e) { progress.onEvent(e); }, cancel, options);
    session::ResultWriter::writeAll(out, result);
    gsq::cli::printResults(std::cout, result);
    return result;
}

/// runHeld while this process holds `out`: a second run into it is refused (exit 2) naming the
/// first; the directory of a killed run is taken over.
results::RunResult runInto(const experiment::ExperimentConfig& config, const std::string& out, const Args& a)
{
    const DirectoryLock lock(out,
        "graphsqueeze-cli run " + a.file
            + (a.cellCount > 1 ? " --cell " + std::to_string(a.cellIndex) + "/" + std::to_string(a.cellCount) : ""));
    return runHeld(config, out, a);
}

int runExperiment(const Args& a)
{
    auto config = experiment::loadExperiment(a.file, a.overrides);
    const std::string out = a.out.empty() ? "runs/" + config.name : a.out;
    ensureWritableDirectory(out); // fail before training, not after
    const auto result = runInto(config, out, a);
    std::cout << "\nwrote " << out << "/results.csv, summary.csv, layers.csv, run.json"
              << (result.sensitivity.empty() ? "" : ", sensitivity.csv")
              << (result.robustness.empty() ? "" : ", robustness.csv") << " and models/*.gsqm\n";
    return 0;
}

/// `run DIR`: the experiments of a directory, validated together before any training starts,
/// then run one after another with a "[k/N]" header each and a closing table of wall times.
int runDirectory(const Args& a)
{
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(a.file))
        if (entry.is_regular_file() && entry.path().extension() == ".yaml")
            files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty())
        throw InputError(a.file, 0, "no *.yaml experiment files in this directory");
    std::vector<experiment::ExperimentConfig> configs;
    std::map<std::string, std::string> byName;
    for (const auto& f : files) {
        configs.push_back(experiment::loadExperiment(f, a.overrides));
        auto [it, fresh] = byName.emplace(configs.back().name, f);
        if (!fresh)
            throw InputError(f, 0,
                "experiment name '" + configs.back().name + "' is also used by " + it->second
                    + "; names choose the output directories, so they must differ");
    }
    const std::string root = a.out.empty() ? "runs/" + fs::path(a.file).lexically_normal().filename().string() : a.out;
    for (const auto& c : configs)
        ensureWritableDirectory(root + "/" + c.name); // fail before training, not after
    std::vector<std::pair<std::string, double>> times;
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < configs.size(); ++i) {
        const auto& config = configs[i];
        std::cerr << "[" << (i + 1) << "/" << configs.size() << "] " << files[i] << "\n";
        times.emplace_back(config.name, runInto(config, root + "/" + config.name, a).totalSeconds);
    }
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "\n" << configs.size() << " experiments of " << a.file << " (wall time, s):\n";
    for (const auto& [name, secs] : times)
        std::cout << "  " << std::left << std::setw(36) << name << std::right << std::fixed << std::setprecision(1)
                  << std::setw(10) << secs << "\n";
    std::cout << "  " << std::left << std::setw(36) << "total" << std::right << std::setw(10) << total
              << std::defaultfloat << "\nwrote " << root << "/<name>/results.csv, summary.csv, layers.csv, run.json\n";
    return 0;
}

/// `merge OUT CELL_DIR...`: the cells' journals into one run's files; the models of the first
/// job come from the cell that ran it.
int runMerge(const Args& a)
{
    auto result = gsq::cli::mergeCells(a.file, a.cells);
    const std::string& out = a.file;
    gsq::cli::printResults(std::cout, result);
    std::cout << "\nmerged " << a.cells.size() << " cell(s) into " << out
              << "/results.csv, summary.csv, layers.csv, run.json, jobs.journal"
              << (result.robustness.empty() ? "" : ", robustness.csv") << "\n";
    return 0;
}

/// `report RUN_DIR`: the desktop app, offscreen, shows the run and writes its report and charts.
/// The app is the binary beside this one (build/ and the installed bin/ alike).
int runReport(const Args& a)
{
    namespace fs = std::filesystem;
    if (!fs::exists(a.file + "/jobs.journal"))
        throw InputError(a.file, 0, "no jobs.journal here; is it the --out directory of a finished run?");
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    const fs::path app = (ec ? fs::path(".") : self.parent_path()) / "graphsqueeze";
    if (!fs::exists(app))
        throw InputError(app.string(), 0, "the desktop app is needed to draw the charts and is not there");
    const std::string html = a.html.empty() ? a.file + "/report.html" : a.html;
    std::vector<std::string> args { app.string(), "--show-run", a.file, "--export-report", html };
    if (!a.charts.empty()) {
        args.push_back("--export-charts");
        args.push_back(a.charts);
    }
    args.push_back("--quit");
    const int status = gsq::cli::waitForExit(
        gsq::cli::startProcess(args, {}, { { "QT_QPA_PLATFORM", "offscreen" } })); // no display needed
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    if (code != 0)
        return code;
    std::cout << "wrote " << html << (a.charts.empty() ? "" : " and the charts in " + a.charts) << "\n";
    return 0;
}

/// The finished jobs' rows in the journals of `dirs` (complete or not, so a sweep still running
/// can be read too), one list per experiment: cells of one experiment make one run.
struct PooledJournals {
    std::vector<std::vector<results::ResultRow>> runs; ///< per experiment, in the order given
    std::vector<std::string> configs; ///< each experiment's YAML, as its journal holds it
    std::vector<results::RobustnessRow> robustness; ///< every run's (a shared base's rows repeat)
    size_t jobs = 0, total = 0;
};

PooledJournals readJournals(const std::vector<std::string>& dirs)
{
    PooledJournals out;
    std::vector<std::string> experiments;
    for (const auto& dir : dirs) {
        const std::string path = dir + "/jobs.journal";
        if (!std::filesystem::exists(path))
            throw InputError(dir, 0, "no jobs.journal here; is it the --out directory of a finished run or cell?");
        const auto j = session::JobJournal::read(path);
        const auto at = std::find(experiments.begin(), experiments.end(), j.configYaml) - experiments.begin();
        if (static_cast<size_t>(at) == experiments.size()) {
            experiments.push_back(j.configYaml);
            out.configs.push_back(j.configYaml);
            out.runs.emplace_back();
            out.total += static_cast<size_t>(j.totalJobs);
        }
        out.jobs += j.jobs.size();
        for (const auto& [index, record] : j.jobs) {
            out.runs[at].insert(out.runs[at].end(), record.rows.begin(), record.rows.end());
            out.robustness.insert(out.robustness.end(), record.robustness.begin(), record.robustness.end());
        }
    }
    return out;
}

/// `pareto RUN_DIR...`: every summary row of the runs against its size on disk, the front marked
/// per dataset x task x metric, into pareto.csv.
int runPareto(const Args& a)
{
    std::vector<std::string> dirs { a.file };
    dirs.insert(dirs.end(), a.cells.begin(), a.cells.end());
    std::vector<results::SummaryRow> summaries;
    for (auto& rows : readJournals(dirs).runs) {
        results::RunResult run;
        run.rows = std::move(rows);
        run.summarize();
        summaries.insert(summaries.end(), run.summary.begin(), run.summary.end());
    }
    const auto points = results::paretoPoints(summaries);
    const std::string out = a.out.empty() ? "pareto.csv" : a.out;
    writeFileAtomically(out, results::paretoCsv(points));
    std::cout << std::left << std::setw(26) << "dataset / task / metric" << std::setw(64) << "lineage (stage)"
              << std::right << std::setw(16) << "mean +- std" << std::setw(14) << "disk bytes"
              << "  front\n";
    for (const auto& p : points) {
        const auto& r = p.row;
        char mean[32];
        std::snprintf(mean, sizeof mean, "%.4f +- %.4f", r.testMean, r.testStd);
        const std::string lineage = results::lineageLabel(r);
        std::cout << std::left << std::setw(26) << (r.dataset + " / " + r.metric) << std::setw(64)
                  << (lineage + " (" + results::stageName(r.stage) + ")") << std::right << std::setw(16) << mean
                  << std::setw(14) << static_cast<int64_t>(r.sizeDiskBytesMean) << (p.onFront ? "  *" : "") << "\n";
    }
    std::cout << "\nwrote " << out << ": " << points.size() << " points, "
              << std::count_if(points.begin(), points.end(), [](const auto& p) { return p.onFront; })
              << " on the front (*)\n";
    return 0;
}

/// `paired RUN_DIR`: every key of the run against the baseline, pair by pair (seed, fold).
int runPaired(const Args& a)
{
    std::vector<std::string> dirs { a.file };
    dirs.insert(dirs.end(), a.cells.begin(), a.cells.end());
    // Runs of several experiments on the same bases pool (the shared rows counted once,
    // results::poolRuns).
    auto journals = readJournals(dirs);
    const auto& pooled = journals.runs;
    const size_t jobs = journals.jobs, total = journals.total;
    const size_t experimentCount = pooled.size();
    std::vector<results::ResultRow> rows;
    try {
        rows = results::poolRuns(pooled);
    } catch (const std::invalid_argument& e) {
        throw InputError(a.file, 0, e.what());
    }
    // The design of the first experiment: its folds' training sets overlap (corrected t-test),
    // or its jobs are independent seeds (Wilcoxon).
    const auto first = experiment::parseExperiment(journals.configs.front(), dirs.front() + "/jobs.journal");
    const auto design = results::PairedDesign::of(first.foldsRun(), first.dataset.folds);
    results::RowKey base;
    std::vector<results::PairedDifference> diffs;
    try {
        base = results::findKey(rows, a.baseline);
        diffs = results::pairedDifferences(rows, base, a.deployed, design);
    } catch (const std::invalid_argument& e) {
        throw InputError("--baseline", 0, e.what());
    }
    const std::string metric = rows.empty() ? "metric" : rows.front().metric;
    std::cout << "paired differences in " << (a.deployed ? "deployed " : "") << metric << " against " << base.label()
              << ", in points (x100), per (seed, fold), over " << jobs << " of " << total << " jobs"
              << (experimentCount > 1 ? " of " + std::to_string(experimentCount) + " experiments (shared rows once)"
                                      : "")
              << ":\n"
              << design.describe() << "\n\n";
    std::cout << std::left << std::setw(58) << "rows" << std::right << std::setw(4) << "n" << std::setw(18)
              << "mean diff +- sd" << std::setw(20) << "95 % interval" << std::setw(12) << "W/T/L" << std::setw(10)
              << "p" << std::setw(10) << "Holm p" << std::setw(10) << "sign p" << std::setw(12) << "Wilcoxon p"
              << "\n";
    for (const auto& d : diffs) {
        char diff[48], interval[48], wtl[32], p[80];
        std::snprintf(diff, sizeof diff, "%+.2f +- %.2f", 100 * d.meanDiff, 100 * d.stdDiff);
        std::snprintf(interval, sizeof interval, "[%+.2f, %+.2f]", 100 * d.ciLow, 100 * d.ciHigh);
        std::snprintf(wtl, sizeof wtl, "%d/%d/%d", d.wins, d.ties, d.losses);
        std::snprintf(p, sizeof p, "%10.3g%10.3g%10.3g%12.3g", d.testP, d.holmP, d.signP, d.wilcoxonP);
        std::cout << std::left << std::setw(58) << d.key.label() << std::right << std::setw(4) << d.n << std::setw(18)
                  << diff << std::setw(20) << interval << std::setw(12) << wtl << p << "\n";
    }
    // A robustness analysis pairs every stage with the base: shown with the default comparison.
    if (!journals.robustness.empty() && a.baseline.empty() && !a.deployed) {
        try {
            gsq::cli::printRobustness(std::cout, results::summarizeRobustness(journals.robustness, design),
                design.folds > 1 ? "interval and p: corrected resampled t over the folds (as above); Holm over the "
                                   "compared lines"
                                 : "interval and p: paired t over the seeds; Holm over the compared lines");
        } catch (const std::invalid_argument& e) {
            throw InputError(a.file, 0, e.what());
        }
    }
    return 0;
}

} // namespace

int gsq::cli::run(int argc, char** argv)
{
    try {
        Args a = parse(argc, argv);
        if (a.command == "--help" || a.command == "help") {
            std::cout << kUsage;
            gsq::cli::printChoices(std::cout);
            return 0;
        }
        if (a.command.empty()) {
            std::cerr << kUsage;
            return 2;
        }
        if (a.command == "--version" || a.command == "version") {
            for (const auto& [k, v] : session::Session::versions())
                std::cout << k << " " << v << "\n";
            return 0;
        }
        if (a.command == "datasets")
            return runDatasets();
        if (a.command != "run" && a.command != "validate" && a.command != "inspect" && a.command != "merge"
            && a.command != "export" && a.command != "paired" && a.command != "pareto" && a.command != "report")
            throw InputError(a.command, 0,
                "unknown command; valid: run, merge, paired, pareto, report, validate, datasets, inspect, export "
                "(see --help)");
        if (a.command != "report" && (!a.html.empty() || !a.charts.empty()))
            throw InputError(a.html.empty() ? "--charts" : "--html", 0, "belongs to the report command");
        if (a.command != "paired" && (a.deployed || !a.baseline.empty()))
            throw InputError(a.deployed ? "--deployed" : "--baseline", 0, "belongs to the paired command");
        if (a.command != "export" && (a.codes || !a.example.empty()))
            throw InputError(a.codes ? "--codes" : "--example", 0, "belongs to the export command");
        if (a.command != "run" && (a.resume || a.cellCount > 1 || a.workers > 1))
            throw InputError(a.resume ? "--resume"
                    : a.workers > 1   ? "--workers"
                                      : "--cell",
                0, "belongs to the run command");
        if (a.workers > 1 && a.cellCount > 1)
            throw InputError("--workers", 0, "splits the run into cells itself; give --workers or --cell, not both");
        if (a.file.empty())
            throw InputError(a.command, 0,
                "missing file (graphsqueeze-cli " + a.command
                    + (a.command == "inspect"                                ? " MODEL.gsqm)"
                            : a.command == "merge"                           ? " OUT CELL_DIR...)"
                            : a.command == "paired" || a.command == "report" ? " RUN_DIR)"
                            : a.command == "pareto"                          ? " RUN_DIR...)"
                            : a.command == "export"                          ? " MODEL.gsqm OUT.pt)"
                                                                             : " FILE.yaml)"));
        if (a.command == "merge")
            return runMerge(a);
        if (a.command == "paired")
            return runPaired(a);
        if (a.command == "pareto")
            return runPareto(a);
        if (a.command == "report")
            return runReport(a);
        if (a.command == "export") {
            if (a.file.empty() || a.cells.empty())
                throw InputError("export", 0, "usage: graphsqueeze-cli export MODEL.gsqm OUT.pt [--codes]");
            // The example first: a model file that does not fit the experiment writes nothing.
            if (!a.example.empty()) {
                const auto config = experiment::loadExperiment(a.example, a.overrides);
                const std::string out = exampleFile(a.cells.front());
                session::Session::exportExample(config, a.file, out);
                std::cout << "wrote " << out << ": inputs and logits of one forward pass on " << config.dataset.name
                          << " (tests/interop/check_export.py checks a PyTorch forward against it)\n";
            }
            const size_t tensors = session::Session::exportModel(a.file, a.cells.front(), a.codes);
            std::cout << "wrote " << a.cells.front() << ": " << tensors
                      << " tensors (load with torch.load; names in docs/interop.md)\n";
            return 0;
        }
        if (a.command == "inspect") {
            gsq::cli::printModelFile(std::cout, a.file, measure::ModelFile::read(a.file));
            return 0;
        }
        if (a.command == "validate") {
            auto config = experiment::loadExperiment(a.file, a.overrides);
            std::cout << "# " << a.file << ": valid\n" << experiment::toYaml(config);
            return 0;
        }
        if (a.command == "run" && std::filesystem::is_directory(a.file))
            return runDirectory(a);
        return runExperiment(a);
    } catch (const InputError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (const RunError& e) {
        std::cerr << "error: run failed: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
