#include "core/experiment/Catalog.h"

#include "core/experiment/Architecture.h"
#include "core/experiment/NamedTable.h"
#include "core/experiment/Reader.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>

// The built-in prune and quantize methods' catalog entries (PruneMethod.cpp, QuantMethod.cpp,
// where LibTorch is).
namespace gsq::core::pruning {
std::vector<experiment::MethodInfo> builtinPruneMethodInfos();
}
namespace gsq::core::quantization {
std::vector<experiment::MethodInfo> builtinQuantMethodInfos();
}

namespace gsq::core::experiment {
namespace {

constexpr double kMaxEpochs = 100000;

const std::map<ChoiceList, std::vector<Choice>>& allChoices()
{
    static const std::map<ChoiceList, std::vector<Choice>> lists {
        { ChoiceList::Task,
            { { "node_classification", "Node classification", "predict a label per node of one graph" },
                { "graph_classification", "Graph classification", "predict a label per graph" },
                { "link_prediction", "Link prediction", "predict held-out edges of one graph (ROC-AUC)" } } },
        { ChoiceList::Split,
            { { "public", "Public split", "the dataset's published train/val/test nodes (Planetoid)" },
                { "random", "Random split", "random nodes, graphs or edges by size or fraction" },
                { "kfold", "Stratified k-fold", "k folds of graphs, stratified by label" },
                { "scaffold", "Scaffold split", "molecules grouped by Bemis-Murcko scaffold" } } },
        { ChoiceList::EdgeAttr,
            { { "none", "None", "no edge attributes" },
                { "target_indegree", "Target in-degree",
                    "u = in-degree of the edge's target / largest in-degree (PyG's TargetIndegree); SplineConv's "
                    "pseudo-coordinate, GCN's edge weight" } } },
        { ChoiceList::AtomFeatures,
            { { "onehot", "One-hot (174)", "9 atom properties, each one-hot (OGB's categories): 174 features" },
                { "raw", "Raw integers (9)",
                    "the 9 atom properties as numbers, as PyG's MoleculeNet (the paper's BBBP model)" } } },
        { ChoiceList::Activation,
            { { "relu", "ReLU", "max(0, x)" }, { "elu", "ELU", "x, or exp(x) - 1 below zero" } } },
        { ChoiceList::Pooling,
            { { "mean", "Mean", "average of node rows" }, { "max", "Max", "column-wise maximum of node rows" },
                { "sum", "Sum", "sum of node rows" } } },
        { ChoiceList::Decoder,
            { { "inner_product", "Inner product", "score = z_u · z_v" }, { "mlp", "MLP", "score = MLP(z_u * z_v)" } } },
        { ChoiceList::Optimizer,
            { { "adam", "Adam", "adaptive moments (Kingma & Ba 2015); weight_decay adds to the gradient" },
                { "adamw", "AdamW", "Adam with decoupled weight decay (Loshchilov & Hutter 2019), eps 1e-7 as NESS" },
                { "sgd", "SGD", "stochastic gradient descent with momentum" } } },
        { ChoiceList::SelectBy,
            { { "val_metric", "Best validation metric",
                  "keep the weights of the epoch with the best validation metric" },
                { "val_loss", "Lowest validation loss",
                    "keep the weights of the epoch with the lowest validation loss" },
                { "last", "Last epoch", "keep the weights of the last epoch" } } },
        { ChoiceList::TrainMetric,
            { { "evaluated", "Evaluation pass",
                  "the train metric from an evaluation-mode pass over the training graphs at every evaluation" },
                { "running", "Training batches",
                    "graph classification: the train metric from the epoch's own training batches (training "
                    "mode), saving one pass over the training graphs per evaluation" } } },
        { ChoiceList::Metric,
            { { "auto", "Automatic", "accuracy for classification, ROC-AUC for link prediction" },
                { "accuracy", "Accuracy", "fraction of correct predictions" },
                { "macro_f1", "Macro-F1", "F1 averaged over classes" },
                { "roc_auc", "ROC-AUC", "area under the ROC curve (two classes, links)" },
                { "average_precision", "Average precision", "area under the precision-recall curve" } } },
        { ChoiceList::FeatureFormat,
            { { "auto", "Automatic", "sparse when more than 90 % of the features are zero" },
                { "dense", "Dense", "dense feature matrix" },
                { "sparse", "Sparse", "sparse CSR features in the first layer" } } },
        { ChoiceList::Schedule,
            { { "oneshot", "One-shot", "prune once, then fine-tune with the mask kept" },
                { "agp", "Gradual (AGP)", "raise the sparsity during fine-tuning (Zhu & Gupta 2017)" } } },
        { ChoiceList::Criterion,
            { { "l1", "L1 norm", "rank channels by the L1 norm of their coupled weights" },
                { "l2", "L2 norm", "rank channels by the L2 norm of their coupled weights" } } },
        { ChoiceList::Observer,
            { { "minmax", "Min-max", "running minimum and maximum" },
                { "momentum", "Momentum", "exponential moving average of min and max" },
                { "percentile", "Percentile", "cut the given tail fraction on each side" } } },
        { ChoiceList::Granularity,
            { { "per_tensor", "Per tensor", "one scale per weight matrix" },
                { "per_channel", "Per channel", "one scale per output channel" } } },
        { ChoiceList::QuantStart,
            { { "base", "Trained fp32 model", "fine-tune the trained base with quantization in the loop" },
                { "init", "Initialisation",
                    "train the quantized model from the job's untrained initialisation (the Degree-Quant code the "
                    "paper runs does this)" } } },
        { ChoiceList::FeatureQuantizers,
            { { "auto", "By task (as A2Q's scripts)",
                  "per node for node tasks, nearest-neighbour pool for graph tasks" },
                { "per_node", "Per node", "one learned step size and bit-width per node (node-level tasks)" },
                { "nearest", "Nearest-neighbour pool",
                    "each row picks the quantizer whose range is nearest its max |x| (A2Q, graph-level tasks)" },
                { "degree", "In-degree buckets", "one quantizer per log2 in-degree bucket (degree_groups)" } } },
        { ChoiceList::PenaltyForm,
            { { "average_bits", "Average bits",
                  "a * (ReLU(avg weight bits - target)^2 + ReLU(avg feature bits - target)^2)" },
                { "memory", "Feature memory (A2Q-style)",
                    "a * ReLU(feature KB - target KB)^2; weight widths move by the task loss only" } } },
        { ChoiceList::Backward,
            { { "ste", "Straight-through", "gradients pass the rounding unchanged" },
                { "clip_activations", "Clip activations",
                    "clipped straight-through estimator for activations: values outside their observed range get "
                    "no gradient; weights keep the straight-through gradient (their range is their own max |w|)" } } },
        { ChoiceList::Storage,
            { { "packed", "Packed codes", "every integer code at its bit-width (model file version 2)" },
                { "sparse", "Sparse codes",
                    "zero codes skipped: the others with relative indices of 1-8 bits (Han et al. 2016), or packed "
                    "when that is smaller" },
                { "huffman", "Sparse + Huffman",
                    "as sparse, then the indices and codes Huffman-coded with their tables in the file, when that "
                    "is smaller" } } },
    };
    return lists;
}

/// The pipeline keys every prune and quantize step takes (withPipelineKeys).
std::vector<FieldInfo> withPipelineFields(std::vector<FieldInfo> fields)
{
    using T = FieldType;
    fields.push_back({ "name", "Step name", "optional: a name later steps can start from with from:", T::Name });
    fields.push_back({ "from", "Start from step",
        "optional: the named earlier step whose models this step starts from (one chained job per setting of "
        "that step, its masks kept; a quantize step's model with its weights on their grid); empty = the trained "
        "base",
        T::Name });
    return fields;
}

const std::vector<FieldInfo>& pruneFields()
{
    using T = FieldType;
    static const std::vector<FieldInfo> f = withPipelineFields({
        { "sparsity", "Sparsity", "fraction of weights removed, in [0, 1); a list sweeps", T::RealList, 0, 1, true },
        { "schedule", "Schedule", "oneshot: prune once; agp: raise the sparsity during fine-tuning", T::Choice, 0, 0,
            false, ChoiceList::Schedule },
        { "agp_start", "AGP start epoch", "first fine-tuning epoch at which AGP prunes", T::Int, 1, kMaxEpochs },
        { "agp_end", "AGP end epoch", "fine-tuning epoch at which AGP reaches the target (default: half)", T::Int, 1,
            kMaxEpochs },
        { "agp_frequency", "AGP frequency", "epochs between two AGP steps", T::Int, 1, kMaxEpochs },
        { "finetune_epochs", "Fine-tune epochs",
            "epochs of fine-tuning with the mask kept; 0 = none; same = as many as train.epochs (the paper's pipeline)",
            T::Int, 0, kMaxEpochs, false, ChoiceList::Task, "same" },
        { "targets", "Targets", "glob patterns over weight names, e.g. stack.conv0.*", T::TextList },
        { "overrides", "Overrides", "per-weight sparsity, e.g. stack.conv1.weight: 0.3", T::RealMap, 0, 1, true },
        { "lambda", "L2 lambda", "weight of the sum of L2 norms (not squared) during the regularised training", T::Real,
            0, 1e6 },
        { "l2_epochs", "L2 epochs", "epochs of regularised training (l2: before pruning; l2_only: from initialisation)",
            T::Int, 1, kMaxEpochs },
        { "near_zero", "Near-zero threshold", "|w| below this counts as near zero in the report", T::Real, 0, 1 },
        { "criterion", "Channel criterion", "norm that ranks channels", T::Choice, 0, 0, false, ChoiceList::Criterion },
    });
    return f;
}

const std::vector<FieldInfo>& quantizeFields()
{
    using T = FieldType;
    static const std::vector<FieldInfo> f = withPipelineFields({
        { "bits", "Bits", "bit-width of weights and activations (a2q: the starting width)", T::Int, 2, 8 },
        { "epochs", "QAT epochs", "quantization-aware training epochs", T::Int, 1, kMaxEpochs },
        { "start", "Start from", "base: the trained fp32 model; init: the job's untrained initialisation", T::Choice, 0,
            0, false, ChoiceList::QuantStart },
        { "lr", "QAT learning rate", "learning rate of that training; 0 = train.lr with its schedule", T::Real, 0, 10 },
        { "weight_decay", "QAT weight decay", "weight decay of that training; -1 = train.weight_decay", T::Real, -1,
            1 },
        { "lr_step_size", "QAT LR step",
            "StepLR period of that training (epochs); 0 = constant; -1 = train.lr_step_size, or constant when lr is "
            "set",
            T::Int, -1, kMaxEpochs },
        { "lr_gamma", "QAT LR factor", "StepLR factor of that training; -1 = train.lr_gamma", T::Real, -1, 1 },
        { "observer", "Observer", "how activation ranges are estimated", T::Choice, 0, 0, false, ChoiceList::Observer },
        { "momentum", "Observer momentum", "weight of the newest batch in the moving ranges", T::Real, 1e-6, 1 },
        { "percentile", "Percentile", "tail fraction cut on each side by the percentile observer", T::Real, 0, 0.2 },
        { "granularity", "Weight granularity", "one weight scale per tensor or per output channel", T::Choice, 0, 0,
            false, ChoiceList::Granularity },
        { "backward", "Backward", "gradient of the rounding", T::Choice, 0, 0, false, ChoiceList::Backward },
        { "activations", "Quantize activations", "also quantize inputs, messages, aggregates and outputs", T::Bool },
        { "targets", "Targets", "glob patterns over weight names (matrices only)", T::TextList },
        { "protect_low", "Protection (low)", "lower end of the protection probability (degree CDF per graph)", T::Real,
            0, 1 },
        { "protect_change", "Protection (increase)", "how much more the highest-degree node is protected", T::Real, 0,
            1 },
        { "target_bits", "Target bits", "memory target: average bits per weight and per feature value", T::Real, 2, 8 },
        { "penalty", "Memory penalty", "a in a * ReLU(average bits - target)^2", T::Real, 0, 1000 },
        { "penalty_form", "Penalty form", "what the memory penalty measures", T::Choice, 0, 0, false,
            ChoiceList::PenaltyForm },
        { "feature_quantizers", "Feature quantizers", "how node features get their learned step size and width",
            T::Choice, 0, 0, false, ChoiceList::FeatureQuantizers },
        { "nearest_groups", "Pool size", "nearest: quantizers each point's rows choose from", T::Int, 2, 4096 },
        { "degree_groups", "Degree groups", "degree: feature quantizers per in-degree group (log2 buckets)", T::Int, 1,
            32 },
        { "step_lr", "Step-size LR", "learning rate of the learned step sizes (0 = the step's lr)", T::Real, 0, 10 },
        { "bits_lr", "Bit-width LR", "learning rate of the learned bit-widths (0 = the step's lr)", T::Real, 0, 10 },
        { "storage", "Code storage", "how the model file stores the integer codes", T::Choice, 0, 0, false,
            ChoiceList::Storage },
        { "weight_error", "Weight-error term",
            "GraphSqueeze's extension (0 = off; A2Q has no such term): weight of each weight channel's own "
            "quantization "
            "error (over its tensor's mean channel energy) in the loss, so channels that lose more keep more bits",
            T::Real, 0, 1e6 },
    });
    return f;
}

const std::vector<FieldInfo>& analyzeFields()
{
    using T = FieldType;
    static const std::vector<FieldInfo> f {
        { "sparsity", "Levels", "sparsity levels each weight is pruned to alone, each in [0, 1)", T::RealList, 0, 1,
            true },
        { "targets", "Targets", "glob patterns over weight names", T::TextList },
        { "edge_removal", "Edges removed", "fractions of the undirected test edges removed at random, each in [0, 1]",
            T::RealList, 0, 1 },
        { "edge_addition", "Edges added",
            "random new undirected edges (within a graph) per existing edge, each in [0, 10]", T::RealList, 0, 10 },
        { "feature_noise", "Feature noise",
            "Gaussian noise on every feature, sigma in units of that feature's standard deviation", T::RealList, 0,
            100 },
        { "feature_mask", "Features masked", "fractions of the feature entries set to 0 at random, each in [0, 1]",
            T::RealList, 0, 1 },
        { "fgsm", "FGSM budget",
            "L-inf budgets in units of each feature's standard deviation: one step along the sign of the test loss's "
            "gradient",
            T::RealList, 0, 100 },
        { "pgd", "PGD budget",
            "L-inf budgets in units of each feature's standard deviation: pgd_steps projected signed-gradient steps "
            "of 2.5 x budget / pgd_steps from a uniform random start",
            T::RealList, 0, 100 },
        { "pgd_steps", "PGD steps", "steps of each PGD attack", T::Int, 1, 1000 },
    };
    return f;
}

/// The analyze methods (prune and quantize methods declare themselves, one file each).
std::vector<MethodInfo> builtinMethods()
{
    MethodInfo sensitivity;
    sensitivity.kind = StepKind::Analyze;
    sensitivity.name = "sensitivity";
    sensitivity.label = "Sensitivity analysis";
    sensitivity.help = "prune each weight matrix alone to each level, no fine-tuning (sensitivity.csv)";
    sensitivity.keys = { "sparsity", "targets" };
    MethodInfo robustness;
    robustness.kind = StepKind::Analyze;
    robustness.name = "robustness";
    robustness.label = "Robustness analysis";
    robustness.help = "every stage's model on perturbed test data: edges removed and added, feature noise and "
                      "masking, FGSM and PGD on the features (robustness.csv)";
    robustness.keys = robustnessPerturbations();
    robustness.keys.emplace_back("pgd_steps");
    robustness.everyStage = true;
    robustness.order = 1;
    return { sensitivity, robustness };
}

/// Prune and quantize steps can be chained: every method of those kinds accepts `name` and
/// `from` (a method from initialisation, l2_only, takes `name` only).
MethodInfo withPipelineKeys(MethodInfo m)
{
    if (m.kind == StepKind::Analyze)
        return m;
    for (const char* key : { "name", "from" })
        if (!m.accepts(key) && !(m.fromInitialisation && std::string(key) == "from"))
            m.keys.emplace_back(key);
    return m;
}

struct MethodTable {
    std::mutex mutex;
    /// A deque: pointers handed out stay valid as methods are added. Replacing a method rewrites
    /// its entry and removing one (tests) moves those after it: a step copies its entry.
    std::deque<MethodInfo> methods;
    MethodTable()
    {
        // Prune and quantize methods declare themselves, one file each (core/pruning/methods/,
        // core/quantization/methods/), in their `order`.
        for (auto kindInfos : { pruning::builtinPruneMethodInfos(), quantization::builtinQuantMethodInfos() }) {
            std::stable_sort(kindInfos.begin(), kindInfos.end(),
                [](const MethodInfo& a, const MethodInfo& b) { return a.order < b.order; });
            for (auto& m : kindInfos)
                methods.push_back(withPipelineKeys(std::move(m)));
        }
        for (auto& m : builtinMethods())
            methods.push_back(withPipelineKeys(std::move(m)));
    }
};

MethodTable& methodTable()
{
    static MethodTable table;
    return table;
}

} // namespace

bool MethodInfo::accepts(const std::string& key) const
{
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string joinNames(const std::vector<std::string>& names)
{
    std::string s;
    for (size_t i = 0; i < names.size(); ++i)
        s += (i ? ", " : "") + names[i];
    return s;
}

const std::vector<Choice>& Catalog::choices(ChoiceList list)
{
    if (list == ChoiceList::Arch) // architectures declare themselves (experiment/Architecture.h)
        return architectureChoices();
    return allChoices().at(list);
}

std::vector<std::string> Catalog::names(ChoiceList list)
{
    std::vector<std::string> out;
    for (const auto& c : choices(list))
        out.push_back(c.name);
    return out;
}

std::string Catalog::joined(ChoiceList list)
{
    return joinNames(names(list));
}

namespace {

/// The dataset kinds that come with GraphSqueeze, in the order lists show them.
std::vector<DatasetInfo> builtinDatasets()
{
    return {
        { "cora", "Cora", "Cora citation graph (LINQS), 2708 papers, 7 classes; Planetoid public split", "cora", "cora",
            "", true, false, { "node_classification", "link_prediction" }, "",
            "McCallum et al. 2000; Sen et al. 2008; split: Yang et al. 2016, Kipf & Welling 2017" },
        { "proteins", "PROTEINS", "PROTEINS (TU Dortmund): 1113 proteins, enzymes vs non-enzymes", "tu", "proteins",
            "PROTEINS", false, false, { "graph_classification" }, "kfold",
            "Borgwardt et al. 2005; Dobson & Doig 2003; Morris et al. 2020 (TUDataset)" },
        { "bbbp", "BBBP", "BBBP (MoleculeNet): blood-brain barrier penetration of 2050 molecules (SMILES via RDKit)",
            "csv", "bbbp/BBBP.csv", "", false, true, { "graph_classification" }, "scaffold",
            "Martins et al. 2012; Wu et al. 2018 (MoleculeNet)" },
        { "tu", "TU dataset (directory)",
            "any TU Dortmund dataset: a directory with NAME_A.txt, NAME_graph_indicator.txt, ...", "tu", "", "", false,
            false, { "graph_classification" }, "kfold", "Morris et al. 2020 (TUDataset)" },
        { "csv", "Molecules (SMILES CSV)", "any CSV with a SMILES column and an integer label column", "csv", "", "",
            false, true, { "graph_classification" }, "random", "" },
    };
}

NamedTable<DatasetInfo>& datasetTable()
{
    static NamedTable<DatasetInfo> t("dataset", builtinDatasets());
    return t;
}

} // namespace

const std::vector<DatasetInfo>& Catalog::datasets()
{
    return datasetTable().list();
}

const DatasetInfo* Catalog::dataset(const std::string& name)
{
    return datasetTable().find(name);
}

void Catalog::registerDataset(const DatasetInfo& info)
{
    if (info.name.empty())
        throw std::invalid_argument("a dataset kind needs a name");
    if (!experiment::reader(info.reader))
        throw std::invalid_argument(
            "dataset '" + info.name + "' names the reader '" + info.reader + "', which is not registered");
    if (info.tasks.empty())
        throw std::invalid_argument("dataset '" + info.name + "' lists no task");
    datasetTable().add(info);
}

void Catalog::unregisterDataset(const std::string& name)
{
    datasetTable().remove(name);
}

std::vector<std::string> Catalog::datasetNames()
{
    std::vector<std::string> out;
    for (const auto& d : datasets())
        out.push_back(d.name);
    return out;
}

const std::vector<FieldInfo>& Catalog::fields(StepKind kind)
{
    switch (kind) {
    case StepKind::Prune:
        return pruneFields();
    case StepKind::Quantize:
        return quantizeFields();
    case StepKind::Analyze:
        break;
    }
    return analyzeFields();
}

const FieldInfo* Catalog::field(StepKind kind, const std::string& key)
{
    for (const auto& f : fields(kind))
        if (f.key == key)
            return &f;
    return nullptr;
}

std::vector<MethodInfo> Catalog::methods(StepKind kind)
{
    auto& t = methodTable();
    std::lock_guard<std::mutex> lock(t.mutex);
    std::vector<MethodInfo> out;
    for (const auto& m : t.methods)
        if (m.kind == kind)
            out.push_back(m);
    return out;
}

std::vector<std::string> Catalog::methodNames(StepKind kind)
{
    std::vector<std::string> out;
    for (const auto& m : methods(kind))
        out.push_back(m.name);
    return out;
}

const MethodInfo* Catalog::method(StepKind kind, const std::string& name)
{
    auto& t = methodTable();
    std::lock_guard<std::mutex> lock(t.mutex);
    for (const auto& m : t.methods)
        if (m.kind == kind && m.name == name)
            return &m;
    return nullptr;
}

void Catalog::registerMethod(const MethodInfo& info)
{
    auto& t = methodTable();
    std::lock_guard<std::mutex> lock(t.mutex);
    for (auto& m : t.methods)
        if (m.kind == info.kind && m.name == info.name) {
            m = withPipelineKeys(info);
            return;
        }
    t.methods.push_back(withPipelineKeys(info));
}

void Catalog::unregisterMethod(StepKind kind, const std::string& name)
{
    auto& t = methodTable();
    std::lock_guard<std::mutex> lock(t.mutex);
    t.methods.erase(std::remove_if(t.methods.begin(), t.methods.end(),
                        [&](const MethodInfo& m) { return m.kind == kind && m.name == name; }),
        t.methods.end());
}

} // namespace gsq::core::experiment
