#include "core/session/Session.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/compression/CompressionRunner.h"
#include "core/data/DatasetRegistry.h"
#include "core/data/Split.h"
#include "core/data/Transforms.h"
#include "core/experiment/Catalog.h"
#include "core/experiment/ConfigYaml.h"
#include "core/measure/ModelFile.h"
#include "core/models/ModelFactory.h"
#include "core/models/Models.h"
#include "core/pruning/Pruner.h"
#include "core/pruning/Structured.h"
#include "core/quantization/Int8Linear.h"
#include "core/session/JobJournal.h"
#include "core/session/MemoryPreflight.h"
#include "core/session/ThreadTuner.h"
#include "core/training/GraphTask.h"
#include "core/training/LinkTask.h"
#include "core/training/NodeTask.h"
#include "core/training/Trainer.h"

#include <RDGeneral/versions.h>
#include <torch/torch.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <malloc.h>
#include <sstream>

namespace gsq::core::session {
namespace {

using experiment::ExperimentConfig;

int keyLine(const ExperimentConfig& c, const std::string& key)
{
    auto it = c.keyLines.find(key);
    return it == c.keyLines.end() ? 0 : it->second;
}

[[noreturn]] void failAt(const ExperimentConfig& c, const std::string& key, const std::string& message)
{
    throw InputError::atKey(c.sourceFile.empty() ? "<experiment>" : c.sourceFile, keyLine(c, key), key, message);
}

std::string summarizeDataset(const data::GraphDataset& ds)
{
    auto s = ds.stats();
    std::ostringstream o;
    o << ds.name << ": " << s.numGraphs << (s.numGraphs == 1 ? " graph, " : " graphs, ") << s.numNodes << " nodes, "
      << s.numUndirectedEdges << " edges, " << s.numFeatures << " features, " << s.numClasses << " classes";
    return o.str();
}

/// Everything prepared once per run and shared by its jobs.
struct Prepared {
    data::GraphDataset dataset;
    std::vector<data::Split> folds; ///< kfold only
};

void prepareFeatures(const ExperimentConfig& c, data::GraphDataset& ds, RunResult& result)
{
    const auto& d = c.dataset;
    for (auto& g : ds.graphs) {
        if (d.normalizeFeatures)
            g.x = data::rowNormalize(g.x);
        if (d.edgeAttr == "target_indegree")
            g.edgeAttr = data::targetIndegree(g.edgeIndex, g.numNodes);
    }
    if (ds.isNodeLevel()) {
        auto& g = ds.graphs.front();
        const double zeros = data::zeroFraction(g.x);
        const bool sparse = d.features == "sparse" || (d.features == "auto" && zeros > 0.9);
        if (sparse)
            g.x = g.x.to_sparse_csr();
        std::ostringstream o;
        o << (sparse ? "sparse" : "dense") << " (" << static_cast<int>(zeros * 1000) / 10.0
          << "% zeros, features: " << d.features << ")";
        result.environment["features"] = o.str();
    } else {
        result.environment["features"] = "dense";
    }
}

/// The random state job 0 ends with, beside its model files (RunOptions::baseModel reads it):
/// LibTorch's CPU generator, whose draws (dropout) continue across a job's stages.
const char* const kRandomStateFile = "random.state";

void saveRandomState(const std::string& path)
{
    const auto state = at::detail::getDefaultCPUGenerator().get_state().contiguous();
    writeFileAtomically(path, std::string(reinterpret_cast<const char*>(state.data_ptr()), state.nbytes()));
}

void loadRandomState(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto generator = at::detail::getDefaultCPUGenerator();
    auto state = generator.get_state();
    if (static_cast<size_t>(state.nbytes()) != bytes.size())
        throw InputError(path, 0,
            "not a random-state file of this LibTorch (" + std::to_string(bytes.size()) + " bytes, expected "
                + std::to_string(state.nbytes()) + ")");
    std::memcpy(state.data_ptr(), bytes.data(), bytes.size());
    generator.set_state(state);
}

/// The stratified folds of a k-fold split (none otherwise).
void makeFolds(const ExperimentConfig& c, Prepared& p)
{
    if (c.dataset.split != "kfold")
        return;
    try {
        p.folds = data::stratifiedKFold(
            p.dataset.graphLabels(), c.dataset.folds, static_cast<uint64_t>(std::max<int64_t>(c.dataset.splitSeed, 0)));
    } catch (const std::invalid_argument& e) {
        failAt(c, "dataset.folds", e.what());
    }
}

/// Loads the experiment's data and prepares what its jobs share: features and folds.
Prepared prepare(const ExperimentConfig& c, RunResult& result)
{
    Prepared p;
    p.dataset = data::DatasetRegistry::load(c.dataset);
    prepareFeatures(c, p.dataset, result);
    makeFolds(c, p);
    return p;
}

data::Split makeSplit(const ExperimentConfig& c, const Prepared& p, int64_t seed, int fold)
{
    const auto& d = c.dataset;
    const auto& ds = p.dataset;
    const uint64_t splitSeed = static_cast<uint64_t>(d.splitSeed >= 0 ? d.splitSeed : seed);
    try {
        if (d.split == "kfold")
            return p.folds.at(static_cast<size_t>(fold));
        if (ds.isNodeLevel()) {
            if (d.split == "public") {
                if (ds.publicTrain.empty())
                    failAt(c, "dataset.split",
                        "dataset '" + ds.name + "' has no public split (cora.planetoid.tsv missing); use random");
                return data::fixedSplit(ds.publicTrain, ds.publicVal, ds.publicTest);
            }
            return data::randomNodeSplit(ds.graphs.front().numNodes, d.trainSize, d.valSize, d.testSize, splitSeed);
        }
        if (d.split == "scaffold")
            return data::scaffoldSplit(ds.scaffolds, d.valFraction, d.testFraction);
        return data::randomFractionSplit(
            static_cast<int64_t>(ds.graphs.size()), d.valFraction, d.testFraction, splitSeed);
    } catch (const std::invalid_argument& e) {
        failAt(c, ds.isNodeLevel() ? "dataset.val_size" : "dataset.val_fraction", e.what());
    }
}

std::pair<int64_t, int64_t> countParams(torch::nn::Module& m)
{
    int64_t nnz = 0, total = 0;
    for (const auto& p : m.parameters()) {
        total += p.numel();
        nnz += p.ne(0).sum().item<int64_t>();
    }
    return { nnz, total };
}

/// Builds the task of one job; `seed` initialises the model weights.
std::unique_ptr<training::Task> makeTask(const ExperimentConfig& c, Prepared& p, int64_t seed, int fold)
{
    const auto& d = c.dataset;
    auto& ds = p.dataset;
    torch::manual_seed(static_cast<uint64_t>(seed));
    if (d.task == "link_prediction") {
        const auto& g = ds.graphs.front();
        data::LinkSplit ls;
        try {
            ls = data::randomLinkSplit(g.edgeIndex, g.numNodes, d.valFraction, d.testFraction,
                static_cast<uint64_t>(d.splitSeed >= 0 ? d.splitSeed : seed));
        } catch (const std::invalid_argument& e) {
            failAt(c, "dataset.val_fraction", e.what());
        }
        auto model = models::ModelFactory::linkPredictor(c.model, ds.numFeatures);
        training::LinkOptions lo;
        lo.subgraphs = c.train.subgraphs;
        lo.edgeDropout = c.train.edgeDropout;
        lo.seed = static_cast<uint64_t>(d.splitSeed >= 0 ? d.splitSeed : seed) + 7919;
        try {
            return std::make_unique<training::LinkTask>(model, g, ls, c.train.metric, lo);
        } catch (const std::invalid_argument& e) {
            failAt(c, "train.subgraphs", e.what());
        }
    }
    auto split = makeSplit(c, p, seed, fold);
    if (d.task == "node_classification") {
        auto model = models::ModelFactory::nodeClassifier(c.model, ds.numFeatures, ds.numClasses);
        return std::make_unique<training::NodeTask>(model, ds.graphs.front(), split, ds.numClasses, c.train.metric);
    }
    if ((c.train.metric == "roc_auc" || c.train.metric == "average_precision") && ds.numClasses != 2)
        failAt(c, "train.metric",
            c.train.metric + " needs 2 classes; dataset '" + ds.name + "' has " + std::to_string(ds.numClasses));
    auto model = models::ModelFactory::graphModel(c.model, ds.numFeatures, ds.numClasses);
    auto task = std::make_unique<training::GraphTask>(
        model, ds.graphs, split, ds.numClasses, c.train.batchSize, c.train.metric);
    task->setRunningTrainMetric(c.train.trainMetric == "running");
    return task;
}

/// Drops LibTorch's "... is in beta" notices (sparse CSR, scatter_reduce): they are about APIs
/// GraphSqueeze uses on purpose and say nothing to a user. Everything else passes through.
class QuietBetaWarnings : public c10::WarningHandler {
public:
    explicit QuietBetaWarnings(c10::WarningHandler* next)
        : m_next(next)
    {
    }
    void process(const c10::SourceLocation& where, const std::string& msg, bool verbatim) override
    {
        if (msg.find("is in beta") != std::string::npos || msg.find("in beta state") != std::string::npos)
            return;
        if (m_next)
            m_next->process(where, msg, verbatim);
    }

private:
    c10::WarningHandler* m_next;
};

/// The guard rail: a compressed setting whose mean test metric lies more than 0.2 below the
/// base model's mean is reported once, with its aggregate (mean ± std, n) and the method's
/// advice from the catalog. For pruning the final stage counts (fine-tuned when there is one).
std::vector<std::string> collapseWarnings(const RunResult& r)
{
    const SummaryRow* base = nullptr;
    for (const auto& s : r.summary)
        if (s.stage == Stage::Base)
            base = &s;
    std::vector<std::string> out;
    if (!base)
        return out;
    for (const auto& s : r.summary) {
        if (s.stage == Stage::Base || s.stage == Stage::Regularized || s.testMean >= base->testMean - 0.2)
            continue;
        if (s.stage == Stage::Pruned && std::any_of(r.summary.begin(), r.summary.end(), [&](const SummaryRow& o) {
                return o.method == s.method && o.setting == s.setting && o.stage == Stage::Finetuned;
            }))
            continue; // fine-tuning is what counts
        const bool quantized = s.stage == Stage::Quantized;
        const auto* method = experiment::Catalog::method(
            quantized ? experiment::StepKind::Quantize : experiment::StepKind::Prune, s.method);
        const std::string fix = method && !method->collapseAdvice.empty() ? method->collapseAdvice : "a milder setting";
        char numbers[160];
        std::snprintf(numbers, sizeof numbers, "%s %.3f ± %.3f (n=%d) vs %.3f ± %.3f (n=%d) for the %s model",
            s.metric.c_str(), s.testMean, s.testStd, s.n, base->testMean, base->testStd, base->n,
            quantized ? "fp32" : "dense");
        out.push_back("accuracy collapsed at " + s.setting + " (" + s.method + ", " + stageName(s.stage)
            + "): " + numbers
            + (quantized ? ". Try to " + fix + "."
                         : ". Try a lower sparsity, more fine-tuning epochs, or " + fix + "."));
    }
    return out;
}

std::string modelLabel(const experiment::ModelConfig& m)
{
    return m.arch + "-" + std::to_string(m.layers) + "x" + std::to_string(m.hidden);
}

/// What job `record` added to a run, put back into `result` (resume, merge).
void restoreJob(const JobRecord& record, RunResult& result, const std::function<void(const SessionEvent&)>& emit)
{
    for (const auto& row : record.rows) {
        std::vector<LayerRow> layers;
        for (const auto& l : record.layers)
            if (l.method == row.method && l.setting == row.setting && l.stage == row.stage)
                layers.push_back(l);
        if (emit)
            emit(StageFinished { record.job, row, layers });
    }
    result.rows.insert(result.rows.end(), record.rows.begin(), record.rows.end());
    result.layers.insert(result.layers.end(), record.layers.begin(), record.layers.end());
    result.histories.insert(result.histories.end(), record.histories.begin(), record.histories.end());
    result.sensitivity.insert(result.sensitivity.end(), record.sensitivity.begin(), record.sensitivity.end());
    result.warnings.insert(result.warnings.end(), record.warnings.begin(), record.warnings.end());
    result.robustness.insert(result.robustness.end(), record.robustness.begin(), record.robustness.end());
}

/// Where result's vectors stood before a job, so the job's share can be cut out after it.
struct Marks {
    size_t rows, layers, histories, sensitivity, warnings, robustness;
    explicit Marks(const RunResult& r)
        : rows(r.rows.size())
        , layers(r.layers.size())
        , histories(r.histories.size())
        , sensitivity(r.sensitivity.size())
        , warnings(r.warnings.size())
        , robustness(r.robustness.size())
    {
    }
};

template <class T> std::vector<T> since(const std::vector<T>& v, size_t from)
{
    return { v.begin() + static_cast<std::ptrdiff_t>(from), v.end() };
}

/// The first line where two experiment texts differ, for the "changed since" message.
std::string firstDifference(const std::string& was, const std::string& now)
{
    std::istringstream a(was), b(now);
    std::string la, lb;
    for (int line = 1;; ++line) {
        const bool ha = static_cast<bool>(std::getline(a, la)), hb = static_cast<bool>(std::getline(b, lb));
        if (!ha && !hb)
            return "";
        if (!ha || !hb || la != lb)
            return "line " + std::to_string(line) + " of the resolved experiment was '" + (ha ? la : "") + "', is now '"
                + (hb ? lb : "") + "'";
    }
}

} // namespace

std::pair<int, int> Session::cellJobs(int totalJobs, int cell, int cells)
{
    const auto t = static_cast<int64_t>(totalJobs);
    return { static_cast<int>(t * cell / cells), static_cast<int>(t * (cell + 1) / cells) };
}

RunResult Session::merge(const std::vector<std::string>& journalPaths, Journal* combined)
{
    if (journalPaths.empty())
        throw InputError("merge", 0, "no journals to merge");
    std::vector<Journal> journals;
    for (const auto& p : journalPaths)
        journals.push_back(JobJournal::read(p));
    const auto& first = journals.front();
    std::map<int, const JobRecord*> jobs;
    std::map<int, std::string> from;
    for (size_t i = 0; i < journals.size(); ++i) {
        const auto& j = journals[i];
        if (j.configYaml != first.configYaml)
            throw InputError(journalPaths[i], 0,
                "holds another experiment than " + journalPaths[0] + " ("
                    + firstDifference(first.configYaml, j.configYaml) + ")");
        for (const auto& [index, record] : j.jobs) {
            if (auto [it, fresh] = jobs.emplace(index, &record); !fresh)
                throw InputError(journalPaths[i], 0,
                    "job " + std::to_string(index + 1) + " is also in " + from[index]
                        + "; each job must come from one cell");
            from[index] = journalPaths[i];
        }
    }
    std::string missing;
    for (int k = 0; k < first.totalJobs; ++k)
        if (!jobs.count(k))
            missing += (missing.empty() ? "" : ", ") + std::to_string(k + 1);
    if (!missing.empty())
        throw InputError(journalPaths[0], 0,
            "the cells hold " + std::to_string(jobs.size()) + " of " + std::to_string(first.totalJobs)
                + " jobs; missing: " + missing + " (did every cell finish?)");
    RunResult result;
    result.config = experiment::parseExperiment(first.configYaml, journalPaths[0], {});
    result.versions = versions();
    result.environment = first.environment;
    result.warnings = first.warnings;
    for (const auto& [index, record] : jobs)
        restoreJob(*record, result, {});
    if (combined) {
        combined->configYaml = first.configYaml;
        combined->environment = first.environment;
        combined->warnings = first.warnings;
        combined->totalJobs = first.totalJobs;
        combined->jobs.clear();
        for (const auto& [index, record] : jobs)
            combined->jobs.emplace(index, *record);
    }
    result.summarize();
    for (const auto& w : collapseWarnings(result))
        result.warnings.push_back(w);
    return result;
}

size_t Session::exportModel(const std::string& modelFile, const std::string& out, bool codes)
{
    const auto tensors = measure::ModelFile::read(modelFile);
    measure::ModelFile::exportTorch(tensors, out, codes);
    return tensors.size();
}

void Session::exportExample(const ExperimentConfig& config, const std::string& modelFile, const std::string& out)
{
    QuietBetaWarnings quiet(c10::Warning::get_warning_handler());
    c10::Warning::WarningHandlerGuard warningGuard(&quiet);
    RunResult scratch;
    Prepared prepared = prepare(config, scratch);
    auto task = makeTask(config, prepared, config.train.effectiveSeeds().front(), 0);
    auto example = [&] {
        try {
            return task->example();
        } catch (const std::invalid_argument& e) {
            failAt(config, "dataset.task", e.what());
        }
    };
    example(); // a task without an example is refused before the file is read
    measure::ModelFile::load(*task->module(), modelFile);
    const auto tensors = example();
    c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
    for (const auto& [k, t] : tensors)
        dict.insert(k, t.contiguous());
    const auto& m = config.model;
    dict.insert("arch", m.arch);
    dict.insert("activation", m.activation);
    dict.insert("pooling", m.pooling);
    dict.insert("head_layers", static_cast<int64_t>(m.headLayers));
    dict.insert("layers", static_cast<int64_t>(m.layers));
    dict.insert("model_file", modelFile);
    auto bytes = torch::pickle_save(dict);
    writeFileAtomically(out, std::string(bytes.begin(), bytes.end()));
}

std::map<std::string, std::string> Session::versions()
{
    return { { "graphsqueeze", GSQ_VERSION }, { "libtorch", TORCH_VERSION }, { "yaml-cpp", GSQ_YAML_CPP_VERSION },
        { "rdkit", RDKit::rdkitVersion } };
}

namespace {

using Emit = std::function<void(const SessionEvent&)>;

/// Checks that need the model: structured pruning's supported layers, targets that match.
void checkStepsOnModel(const ExperimentConfig& config, torch::nn::Module& model, const std::string& file)
{
    for (size_t i = 0; i < config.steps.size(); ++i) {
        const auto& step = config.steps[i];
        const std::string where
            = "compression[" + std::to_string(i) + "]." + experiment::kindName(experiment::kindOf(step));
        const auto* p = std::get_if<experiment::PruneSpec>(&step);
        const auto* info = p ? experiment::Catalog::method(experiment::StepKind::Prune, p->method) : nullptr;
        if (info && info->removesChannels) {
            try {
                pruning::StructuredPruner::check(model);
            } catch (const std::invalid_argument& e) {
                throw InputError::atKey(file, p->line, where + ".method", e.what());
            }
        }
        try {
            pruning::MaskSet::select(model, std::visit([](const auto& s) { return s.targets; }, step));
        } catch (const std::invalid_argument& e) {
            throw InputError::atKey(file, experiment::lineOf(step), where + ".targets", e.what());
        }
    }
}

/// The journal of finished jobs: continued (resume; its jobs are returned) or begun afresh.
Journal openJournal(const ExperimentConfig& config, const RunOptions& options, int totalJobs, const RunResult& result)
{
    Journal previous;
    if (options.journalPath.empty())
        return previous;
    const std::string yaml = JobJournal::canonicalYaml(config);
    if (options.resume && std::filesystem::exists(options.journalPath)) {
        previous = JobJournal::reopen(options.journalPath);
        if (previous.configYaml != yaml)
            throw InputError(options.journalPath, 0,
                "the experiment changed since this journal was written (" + firstDifference(previous.configYaml, yaml)
                    + "); restore it, or run without --resume to start over");
        return previous;
    }
    Journal header;
    header.configYaml = yaml;
    header.totalJobs = totalJobs;
    header.environment = result.environment;
    header.warnings = result.warnings;
    JobJournal::begin(options.journalPath, header);
    return previous;
}

RunStarted startedEvent(const ExperimentConfig& config, const Prepared& prepared, const ThreadChoice& threads)
{
    RunStarted started;
    started.experiment = config.name;
    started.datasetSummary = summarizeDataset(prepared.dataset);
    started.task = config.dataset.task;
    started.model = modelLabel(config.model);
    started.totalJobs = config.jobCount();
    started.epochsPerJob = config.train.epochs;
    for (size_t i = 0; i < config.steps.size(); ++i)
        started.epochsPerJob
            += experiment::stepEpochs(config.steps[i], config.train.epochs) * experiment::startModels(config.steps, i);
    started.threads = threads.threads;
    started.threadsReason = threads.reason;
    return started;
}

/// The base row of a job from its trained model.
ResultRow baseRow(const ExperimentConfig& config, const Prepared& prepared, training::Task& task,
    const training::FitResult& fit, int64_t seed, int fold)
{
    ResultRow row;
    row.experiment = config.name;
    row.dataset = prepared.dataset.name;
    row.task = config.dataset.task;
    row.model = modelLabel(config.model);
    row.seed = seed;
    row.fold = fold;
    row.metric = task.metricName();
    row.testValue = fit.best.testMetric;
    row.valValue = fit.best.valMetric;
    std::tie(row.nonzeroParams, row.totalParams) = countParams(*task.module());
    row.trainSeconds = fit.trainSeconds;
    row.bestEpoch = fit.bestEpoch;
    row.stoppedEarly = fit.stoppedEarly;
    row.testMetrics = fit.best.testMetrics;
    return row;
}

/// One job: the base trained (or loaded), measured, then every step in file order, each from
/// this checkpoint of the base or from the models of the earlier step its `from:` names; its
/// rows appended to the journal.
void runJob(const ExperimentConfig& config, Prepared& prepared, training::Trainer& trainer, int job, int64_t seed,
    int fold, const RunOptions& options, RunResult& result, const Emit& emit, const CancelToken& cancel)
{
    const Marks marks(result);
    auto task = makeTask(config, prepared, seed, fold);
    compression::JobContext ctx { config, job, seed, fold, ResultRow {}, emit, cancel, result,
        job == 0 ? options.modelDir : std::string(), {}, nullptr, {} };
    // The untrained model, for steps that train from initialisation (l2_only).
    auto init = training::Checkpoint::capture(*task->module());
    init.captureRandomState();
    ctx.init = &init;
    training::FitResult fit;
    if (options.baseModel.empty()) {
        training::TrainerHooks noHooks;
        fit = compression::CompressionRunner::trainStage(
            *task, trainer, "none", Stage::Base, "", config.train.epochs, noHooks, 0, ctx);
    } else {
        measure::ModelFile::load(*task->module(), options.baseModel);
        fit.best = task->evaluate();
        // The random draws continue where the run that saved the model left off.
        const auto state = std::filesystem::path(options.baseModel).parent_path() / kRandomStateFile;
        if (std::filesystem::exists(state))
            loadRandomState(state.string());
    }
    ResultRow row = baseRow(config, prepared, *task, fit, seed, fold);
    ctx.baseRow = row;
    const size_t firstLayer = result.layers.size();
    compression::CompressionRunner::measure(*task, row, ctx);
    result.rows.push_back(row);
    emit(StageFinished {
        job, row, { result.layers.begin() + static_cast<std::ptrdiff_t>(firstLayer), result.layers.end() } });
    if (!config.steps.empty()) {
        const auto base = training::Checkpoint::capture(*task->module());
        ctx.baseRow = row;
        for (const auto& step : config.steps)
            std::visit(
                [&](const auto& spec) {
                    using S = std::decay_t<decltype(spec)>;
                    if constexpr (std::is_same_v<S, experiment::AnalyzeSpec>)
                        compression::CompressionRunner::runAnalysis(*task, base, spec, ctx);
                    else if constexpr (std::is_same_v<S, experiment::PruneSpec>)
                        compression::CompressionRunner::runPrune(*task, base, spec, ctx);
                    else
                        compression::CompressionRunner::runQuantize(*task, base, spec, ctx);
                },
                step);
    }
    if (job == 0 && !options.modelDir.empty())
        saveRandomState(options.modelDir + "/" + kRandomStateFile);
    if (!options.journalPath.empty()) {
        JobRecord record { job, seed, fold, since(result.rows, marks.rows), since(result.layers, marks.layers),
            since(result.histories, marks.histories), since(result.sensitivity, marks.sensitivity),
            since(result.warnings, marks.warnings), since(result.robustness, marks.robustness) };
        JobJournal::append(options.journalPath, record);
    }
}

/// Runs `body`, reporting a failure as RunFailed before it propagates (a cancel as a RunError).
template <class Body> RunResult reportingFailures(const Emit& emit, Body&& body)
{
    try {
        return body();
    } catch (const InputError& e) {
        emit(RunFailed { e.what(), false, true });
        throw;
    } catch (const RunError& e) {
        emit(RunFailed { e.what(), false, false });
        throw;
    } catch (const training::Cancelled&) {
        emit(RunFailed { "cancelled by the user", true, false });
        throw RunError("cancelled by the user");
    } catch (const c10::Error& e) {
        std::string msg = std::string("internal LibTorch error: ") + e.what_without_backtrace();
        emit(RunFailed { msg, false, false });
        throw RunError(msg);
    }
}

} // namespace

RunResult Session::run(const ExperimentConfig& config, const EventSink& sink, const CancelToken& cancel)
{
    return run(config, sink, cancel, RunOptions {});
}

RunResult Session::run(
    const ExperimentConfig& config, const EventSink& sink, const CancelToken& cancel, const RunOptions& options)
{
    const Emit emit = [&](const SessionEvent& e) {
        if (sink)
            sink(e);
    };
    const auto start = std::chrono::steady_clock::now();
    QuietBetaWarnings quiet(c10::Warning::get_warning_handler());
    c10::Warning::WarningHandlerGuard warningGuard(&quiet);
    return reportingFailures(emit, [&] {
        const std::string file = config.sourceFile.empty() ? "<experiment>" : config.sourceFile;
        // Fewer page faults for large temporaries (dense dropout); see docs/benchmarks.md.
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);

        RunResult result;
        result.config = config;
        result.versions = versions();
        Prepared prepared = prepare(config, result);
        auto warn = [&](const std::string& w) {
            result.warnings.push_back(w);
            emit(RunWarning { w });
        };
        for (const auto& w : prepared.dataset.warnings)
            warn(w);
        const std::vector<int64_t> seeds = config.train.effectiveSeeds();
        const int totalJobs = config.jobCount();
        if (!options.baseModel.empty() && totalJobs != 1)
            throw InputError(options.baseModel, 0,
                "a saved base model stands in for the training of one job; this run has " + std::to_string(totalJobs)
                    + " (one seed and one fold needed)");
        // Memory pre-flight: a model that cannot fit is refused before anything is allocated.
        if (auto w = checkMemory(config, prepared.dataset.stats(), file); !w.empty())
            warn(w);

        // Threads: as configured, or whichever of 1 and 2 trains the first job's model faster.
        ThreadChoice threads;
        {
            auto probe = makeTask(config, prepared, seeds.front(), 0);
            checkStepsOnModel(config, *probe->module(), file);
            threads = config.train.threads > 0 ? ThreadChoice { config.train.threads, "configured" }
                                               : ThreadTuner::pick(*probe);
        }
        at::set_num_threads(threads.threads);
        result.environment["threads"] = std::to_string(threads.threads);
        result.environment["threads_reason"] = threads.reason;
        // What the int8 kernels run on this CPU (7-bit activations without VNNI; Int8Linear.h).
        result.environment["int8_activation_bits"] = quantization::activationsReducedRange() ? "7" : "8";

        const auto [firstJob, endJob] = cellJobs(totalJobs, options.cellIndex, std::max(1, options.cellCount));
        const Journal previous = openJournal(config, options, totalJobs, result);
        emit(startedEvent(config, prepared, threads));

        training::Trainer trainer(config.train);
        int nextJob = 0;
        for (int fold = 0; fold < config.foldsRun(); ++fold)
            for (int64_t seed : seeds) {
                const int job = nextJob++;
                if (job < firstJob || job >= endJob)
                    continue; // another cell's
                if (auto done = previous.jobs.find(job); done != previous.jobs.end()) {
                    restoreJob(done->second, result, emit); // finished before the run was stopped
                    continue;
                }
                if (cancel.cancelled())
                    throw training::Cancelled {};
                runJob(config, prepared, trainer, job, seed, fold, options, result, emit, cancel);
            }
        result.summarize();
        for (const auto& w : collapseWarnings(result))
            warn(w);
        result.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        emit(RunFinished { std::make_shared<const RunResult>(result) });
        return result;
    });
}

} // namespace gsq::core::session
