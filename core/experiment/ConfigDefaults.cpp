#include "core/experiment/ConfigYaml.h"

#include "core/common/Error.h"
#include "core/experiment/Catalog.h"

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
    if (info->bundled.empty() && d.path.empty())
        fail("dataset.path",
            "dataset '" + d.name + "' needs a path ("
                + (info->reader == "tu" ? std::string("directory holding NAME_A.txt ...") : std::string("CSV file"))
                + ")");
    if (c.train.metric == "auto")
        c.train.metric = d.task == "link_prediction" ? "roc_auc" : "accuracy";
    if (d.task == "link_prediction" && (c.train.metric == "accuracy" || c.train.metric == "macro_f1"))
        fail("train.metric", "link prediction metrics are: roc_auc, average_precision");
    if (c.model.arch == "gat" && c.model.activation == "relu" && !c.keyLines.count("model.activation"))
        c.model.activation = "elu";
    if ((c.train.subgraphs != 1 || c.train.edgeDropout > 0) && d.task != "link_prediction")
        fail(c.train.subgraphs != 1 ? "train.subgraphs" : "train.edge_dropout",
            "static subgraphs and edge dropout belong to link prediction (NESS); this task is " + d.task);
    if (c.train.trainMetric == "running" && d.task != "graph_classification")
        fail("train.train_metric",
            "'running' takes the train metric from graph mini-batches (graph_classification); " + d.task
                + " measures it in its evaluation pass: use 'evaluated'");
    if (c.model.arch == "hgpsl") {
        if (d.task != "graph_classification")
            fail("model.arch",
                "HGP-SL (hgpsl) pools graphs; it needs task graph_classification, this task is " + d.task);
        if (c.model.hidden < 2)
            fail("model.hidden", "HGP-SL's head halves the width; hidden must be at least 2");
    }
    checkPipelines(c, fail);
    if (c.model.arch == "spline") {
        if (!c.keyLines.count("dataset.edge_attr") && d.edgeAttr == "none")
            d.edgeAttr = "target_indegree";
        if (d.edgeAttr == "none")
            fail("dataset.edge_attr", "SplineCNN (model.arch: spline) needs pseudo-coordinates; use target_indegree");
        if (c.model.kernelSize <= c.model.splineDegree)
            fail("model.kernel_size",
                "an open B-spline of degree " + std::to_string(c.model.splineDegree) + " needs kernel_size > "
                    + std::to_string(c.model.splineDegree));
    }
}

} // namespace gsq::core::experiment
