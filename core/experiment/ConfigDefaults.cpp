#include "core/experiment/ConfigYaml.h"

#include "core/common/Error.h"
#include "core/experiment/Architecture.h"
#include "core/experiment/Catalog.h"
#include "core/experiment/Reader.h"

#include <algorithm>

// resolveDefaults: the defaults that depend on the dataset's traits and the task, and the checks
// across sections, with errors at the key's own line.
namespace gsq::core::experiment {
namespace {

/// `name:` unique; `from:` names an earlier step (prune or quantize; analyze steps have no name).
template <class Fail> void checkPipelines(const ExperimentConfig& c, Fail&& fail)
{
    std::vector<std::string> named;
    for (size_t i = 0; i < c.steps.size(); ++i) {
        const auto& step = c.steps[i];
        const std::string where = "compression[" + std::to_string(i) + "]." + kindName(kindOf(step));
        if (const auto& from = fromOf(step); !from.empty()) {
            const int source = stepNamed(c.steps, from, i);
            if (source < 0)
                fail(where + ".from",
                    "no earlier step is named '" + from + "'; named steps before this one: "
                        + (named.empty() ? std::string("none") : joinNames(named)));
        }
        if (const auto& name = nameOf(step); !name.empty()) {
            if (std::find(named.begin(), named.end(), name) != named.end())
                fail(where + ".name", "the step name '" + name + "' is used by an earlier step; names must be unique");
            named.push_back(name);
        }
    }
}

/// An analysis of every stage (robustness) runs once per experiment, on node or graph
/// classification (its perturbations score test nodes or test graphs).
template <class Fail> void checkEveryStageAnalyses(const ExperimentConfig& c, Fail&& fail)
{
    int seen = 0;
    for (size_t i = 0; i < c.steps.size(); ++i) {
        const auto* a = std::get_if<AnalyzeSpec>(&c.steps[i]);
        const MethodInfo* info = a ? Catalog::method(StepKind::Analyze, a->method) : nullptr;
        if (!info || !info->everyStage)
            continue;
        const std::string where = "compression[" + std::to_string(i) + "].analyze.method";
        if (++seen > 1)
            fail(where, "one " + a->method + " analysis per experiment: it already examines every stage");
        if (c.dataset.task == "link_prediction")
            fail(where,
                a->method
                    + " analysis scores test nodes or test graphs: node_classification or "
                      "graph_classification, not "
                    + c.dataset.task);
    }
}

/// The options of `config` checked against `owner`'s keys (an architecture's or a reader's:
/// `elsewhere` when another owns the key, the key's range otherwise), and its keys' defaults
/// filled in, so the file written says what runs.
template <class Config, class Owner, class Fail>
void resolveOptions(
    Config& config, const Owner& owner, const std::string& section, const std::string& elsewhere, Fail&& fail)
{
    for (const auto& option : config.options) {
        const auto* k = owner.key(option.first);
        if (!k || k->get)
            fail(section + "." + option.first, elsewhere);
        if (const auto problem = valueProblem(*k, option.second); !problem.empty())
            fail(section + "." + option.first, problem);
    }
    for (const auto& k : owner.keys)
        if (!k.get)
            config.options.emplace(k.field.key, k.defaultValue);
}

} // namespace

void resolveDefaults(ExperimentConfig& c)
{
    auto& d = c.dataset;
    auto line = [&](const std::string& key) {
        auto it = c.keyLines.find(key);
        return it == c.keyLines.end() ? 0 : it->second;
    };
    auto fail = [&](const std::string& key, const std::string& msg) {
        throw InputError::atKey(c.sourceFile.empty() ? "<experiment>" : c.sourceFile, line(key), key, msg);
    };
    const DatasetInfo* info = Catalog::dataset(d.name);
    if (!info)
        fail("dataset.name", "unknown value '" + d.name + "'; valid choices: " + joinNames(Catalog::datasetNames()));
    const bool molecule = info->molecule;
    const bool nodeLevel = info->nodeLevel;
    if (d.task.empty())
        d.task = info->tasks.front();
    if (std::find(info->tasks.begin(), info->tasks.end(), d.task) == info->tasks.end())
        fail("dataset.task",
            "dataset '" + d.name + "' " + (nodeLevel ? "is one graph" : "holds many graphs") + "; valid task"
                + (info->tasks.size() > 1 ? "s: " : ": ") + joinNames(info->tasks));
    if (d.split.empty()) {
        if (d.task == "node_classification")
            d.split = "public";
        else if (d.task == "link_prediction")
            d.split = "random";
        else
            d.split = info->graphSplit.empty() ? "kfold" : info->graphSplit;
    }
    if (d.task == "node_classification" && d.split != "public" && d.split != "random")
        fail("dataset.split", "node classification splits are: public, random");
    if (d.task == "link_prediction" && d.split != "random")
        fail("dataset.split", "link prediction uses a random edge split; valid: random");
    if (d.task == "graph_classification" && d.split == "public")
        fail("dataset.split", "graph classification splits are: kfold, random, scaffold");
    if (d.split == "scaffold" && !molecule) {
        std::vector<std::string> molecules;
        for (const auto& ds : Catalog::datasets())
            if (ds.molecule)
                molecules.push_back(ds.name);
        fail("dataset.split", "scaffold splits need molecules (" + joinNames(molecules) + ")");
    }
    if (d.task == "link_prediction") {
        if (!c.keyLines.count("dataset.val_fraction"))
            d.valFraction = 0.05;
        if (!c.keyLines.count("dataset.test_fraction"))
            d.testFraction = 0.15;
    }
    if (d.valFraction + d.testFraction >= 1.0)
        fail("dataset.test_fraction", "val_fraction + test_fraction must be below 1");
    const ReaderInfo* readerInfo = reader(info->reader);
    if (!readerInfo)
        fail("dataset.name",
            "dataset '" + d.name + "' names the reader '" + info->reader + "', which is not registered");
    if (info->bundled.empty() && d.path.empty())
        fail("dataset.path", "dataset '" + d.name + "' needs a path (" + readerInfo->pathHelp + ")");
    // A registered reader's keys are written out with their defaults; no other reader's are kept.
    resolveOptions(d, *readerInfo, "dataset", "applies to datasets of another reader than " + readerInfo->name, fail);
    if (c.train.metric == "auto")
        c.train.metric = d.task == "link_prediction" ? "roc_auc" : "accuracy";
    if (d.task == "link_prediction" && (c.train.metric == "accuracy" || c.train.metric == "macro_f1"))
        fail("train.metric", "link prediction metrics are: roc_auc, average_precision");
    if ((c.train.subgraphs != 1 || c.train.edgeDropout > 0) && d.task != "link_prediction")
        fail(c.train.subgraphs != 1 ? "train.subgraphs" : "train.edge_dropout",
            "static subgraphs and edge dropout belong to link prediction (NESS); this task is " + d.task);
    if (c.train.trainMetric == "running" && d.task != "graph_classification")
        fail("train.train_metric",
            "'running' takes the train metric from graph mini-batches (graph_classification); " + d.task
                + " measures it in its evaluation pass: use 'evaluated'");
    const ArchitectureInfo* arch = architecture(c.model.arch);
    if (!arch)
        fail("model.arch", "unknown value '" + c.model.arch + "'; valid choices: " + Catalog::joined(ChoiceList::Arch));
    // Its own defaults and checks; a registered architecture's keys are written out with their
    // defaults (the file says what runs), and no other architecture's are kept.
    const ArchitectureInfo archInfo = *arch;
    resolveOptions(c.model, archInfo, "model", "applies to another architecture than " + archInfo.name, fail);
    if (archInfo.resolve)
        archInfo.resolve(c, fail);
    checkPipelines(c, fail);
    checkEveryStageAnalyses(c, fail);
}

} // namespace gsq::core::experiment
