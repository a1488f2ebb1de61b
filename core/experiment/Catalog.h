#pragma once

#include "core/experiment/Steps.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

/// The one catalog of choices: every name a user can write in an experiment, with a label and
/// one line of help. The loader's messages ("valid choices: ..."), the CLI's help, the GUI's
/// combo boxes and tooltips all read it; no list of names is copied anywhere else. Adding a
/// compression method at run time (a plug-in, or a test) is one Catalog::registerMethod call.
namespace gsq::core::experiment {

/// One valid value of a key.
struct Choice {
    std::string name; ///< as written in YAML
    std::string label; ///< for people (combo boxes, reports)
    std::string help; ///< one line (tooltips, CLI help)
};

/// Lists of plain choices (the dataset, step-method lists are richer, below).
enum class ChoiceList {
    Task,
    Split,
    EdgeAttr,
    AtomFeatures,
    Arch,
    Activation,
    Pooling,
    Decoder,
    Optimizer,
    SelectBy,
    TrainMetric,
    Metric,
    FeatureFormat,
    Schedule,
    Criterion,
    Observer,
    Granularity,
    Backward,
    QuantStart,
    FeatureQuantizers,
    PenaltyForm,
    Storage,
};

/// A dataset kind: its traits decide defaults and checks (ConfigYaml's resolveDefaults); its
/// reader decides how DatasetRegistry loads it.
struct DatasetInfo {
    std::string name, label, help;
    std::string reader; ///< which reader loads it (experiment/Reader.h): cora, tu, csv or a registered one
    std::string bundled; ///< path under the data root of the bundled copy; empty = needs dataset.path
    std::string tuPrefix; ///< tu reader: file prefix of the bundled copy
    bool nodeLevel = false; ///< one graph, node-level tasks
    bool molecule = false; ///< SMILES molecules (scaffold split)
    std::vector<std::string> tasks; ///< valid tasks, the first is the default
    std::string graphSplit; ///< default split for graph classification
    std::string citation; ///< short citation of the data
};

/// What a key of a step holds; drives the reader's checks and the form's widget.
enum class FieldType { Int, Real, Bool, Choice, RealList, TextList, RealMap, Name };

/// One key of a step kind (e.g. prune.sparsity): type, range, help. Defaults are not here: they
/// live in the step structs (Steps.h).
struct FieldInfo {
    std::string key, label, help;
    FieldType type = FieldType::Real;
    double lo = 0, hi = 0;
    bool hiOpen = false;
    ChoiceList choices = ChoiceList::Task; ///< FieldType::Choice only
    /// Int fields: a word accepted instead of a number, held as kWordValue (finetune_epochs: same).
    std::string word = "";
    static constexpr int kWordValue = -1;
};

/// A compression method of one step kind: the keys it accepts (beyond `method`), its label and
/// help, and the advice shown when accuracy collapses under it.
struct MethodInfo {
    StepKind kind = StepKind::Prune;
    std::string name, label, help;
    std::vector<std::string> keys; ///< accepted keys, in the order the form shows them
    std::string collapseAdvice; ///< "Try ..." advice when accuracy collapses (empty = generic)
    /// Position among the built-in methods of its kind in lists (registered ones follow).
    int order = 0;
    /// Quantize methods: the method's own defaults, set before the step's keys are read (ptq
    /// trains no epochs); its checks once they are read (a failure names the key and says what
    /// is expected); and its part of the setting label after "bits=N" (none: the observer and
    /// granularity when they differ from the defaults).
    std::function<void(QuantSpec&)> quantDefaults;
    std::function<std::pair<std::string, std::string>(const QuantSpec&)> quantCheck;
    std::function<std::string(const QuantSpec&)> quantLabel;
    /// Quantize methods that learn their widths toward `target_bits` (a2q): the target is part
    /// of the label and of the results (ResultRow::targetBits).
    bool targetsBits = false;
    /// Prune methods (their behaviour is an object: core/pruning/PruneMethod.h): trains from the
    /// job's initialisation with its regulariser and removes nothing (one setting, no `from:`),
    /// as l2_only; removes whole channels, so the model shrinks and no masks are kept, as
    /// structured; epochs of regularised training before each setting's pruning (none when
    /// unset), as l2; its checks once the keys are read (a failure names the key).
    bool fromInitialisation = false;
    bool removesChannels = false;
    /// Analyze methods that examine every stage's model as it is measured (robustness), not at
    /// their place in the step list (sensitivity).
    bool everyStage = false;
    std::function<int(const PruneSpec&)> regularizeEpochs;
    std::function<std::pair<std::string, std::string>(const PruneSpec&)> pruneCheck;
    bool accepts(const std::string& key) const;
};

class Catalog {
public:
    static const std::vector<Choice>& choices(ChoiceList list);
    static std::vector<std::string> names(ChoiceList list);
    /// Names of the valid values of a list, comma-separated (for messages).
    static std::string joined(ChoiceList list);

    /// The dataset kinds, built-in ones first. Rebuilt when a kind is registered or removed:
    /// register before lists are read (at start-up).
    static const std::vector<DatasetInfo>& datasets();
    /// nullptr when there is no dataset of that name. The entry lives as long as the process;
    /// registering its name again rewrites it (experiment/NamedTable.h).
    static const DatasetInfo* dataset(const std::string& name);
    static std::vector<std::string> datasetNames();
    /// Adds (or replaces) a registered dataset kind; throws std::invalid_argument for a built-in
    /// name, when its reader is not registered (experiment/Reader.h) or it lists no task.
    static void registerDataset(const DatasetInfo& info);
    /// Removes a registered dataset kind (tests); throws for a built-in one.
    static void unregisterDataset(const std::string& name);

    /// Every key a step kind knows, in the order the form shows them.
    static const std::vector<FieldInfo>& fields(StepKind kind);
    static const FieldInfo* field(StepKind kind, const std::string& key);

    /// The methods of a step kind, built-in ones first, then registered ones.
    static std::vector<MethodInfo> methods(StepKind kind);
    static std::vector<std::string> methodNames(StepKind kind);
    /// nullptr when `kind` has no method of that name.
    static const MethodInfo* method(StepKind kind, const std::string& name);
    /// Adds (or replaces) a method's entry; its name and help appear in the loader's messages,
    /// the CLI help and the form at once. A prune method registered here alone runs as per-layer
    /// magnitude pruning with the keys it accepts; one with behaviour of its own comes with its
    /// object (pruning::registerPruneMethod, quantization::registerQuantMethod). Prune and
    /// quantize methods accept the pipeline keys `name` and `from` without listing them (a
    /// method from initialisation, l2_only, takes `name` only).
    static void registerMethod(const MethodInfo& info);
    /// Removes a registered method (tests).
    static void unregisterMethod(StepKind kind, const std::string& name);
};

/// Comma-separated list ("a, b, c").
std::string joinNames(const std::vector<std::string>& names);

} // namespace gsq::core::experiment
