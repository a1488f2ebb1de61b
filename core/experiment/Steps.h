#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

/// The typed steps of an experiment's `compression:` list. The loader parses each step once
/// (ConfigYaml.cpp → StepYaml.cpp), strictly against the keys its method accepts (Catalog.h);
/// the engine, the form, the history and toYaml all read these structs. Defaults live here, in
/// the member initialisers; a method whose defaults differ sets its own in its one file
/// (MethodInfo::quantDefaults; core/quantization/methods/). No LibTorch and no YAML here.
namespace gsq::core::experiment {

/// Which weights a step may touch: parameters with more than one dimension whose names match
/// one of the glob patterns ('*' matches any run of characters).
struct Targets {
    std::vector<std::string> patterns { "*" };
    /// Per-parameter sparsity overrides (exact names), for finegrained pruning.
    std::map<std::string, double> overrides;
    bool operator==(const Targets& o) const { return patterns == o.patterns && overrides == o.overrides; }
};

enum class StepKind { Prune, Quantize, Analyze };

/// `prune:` — remove weights (or channels), then fine-tune with the masks kept.
///
///   - prune:
///       method: finegrained        # finegrained | global | l2 | l2_only | structured
///       sparsity: [0.1, 0.5, 0.9]  # one value or a sweep; each in [0, 1)
///       schedule: oneshot          # oneshot | agp (gradual, during fine-tuning)
///       agp_start: 1               # agp: first and last pruning epoch of the fine-tuning,
///       agp_end: 50                #      and how often (epochs) the target rises
///       agp_frequency: 5
///       finetune_epochs: 100       # 0 = evaluate the pruned model without fine-tuning; `same`
///                                  #   = as many as train.epochs (the paper's pipeline)
///       targets: ["*"]             # glob patterns over weight names
///       overrides: {stack.conv0.weight: 0.5}   # finegrained: per-weight sparsity
///       lambda: 0.0005             # l2, l2_only: weight of the sum of (non-squared) L2 norms
///       l2_epochs: 100             # l2: regularised epochs before pruning; l2_only: epochs
///                                  #   from initialisation (stage "regularized", nothing removed)
///       near_zero: 0.001           # l2, l2_only: |w| below this counts as near zero in reports
///       criterion: l2              # structured: rank channels by the l1 or l2 norm
///       name: pruned               # optional: a name later steps can start from (`from:`)
///       from: other                # optional: start from the models of the earlier step
///                                  #   named so (one chained job per setting of that step)
///                                  #   instead of the trained base, its masks kept
struct PruneSpec {
    std::string method = "finegrained";
    std::vector<double> sparsities { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };
    std::string schedule = "oneshot";
    int agpStart = 1, agpEnd = 0, agpFrequency = 1; ///< agpEnd 0 = half the fine-tuning epochs
    int finetuneEpochs = 100; ///< kSameAsTraining: as many epochs as the base training
    Targets targets;
    double lambda = 5e-4;
    int l2Epochs = 100;
    double nearZero = 1e-3;
    std::string criterion = "l2";
    std::string name; ///< optional: steps with `from: name` start from this step's models
    std::string from; ///< optional: the named earlier step whose models this step starts from
    int line = 0; ///< line of the step in its file (0 when built in code or by the form)

    /// `finetune_epochs: same` in YAML.
    static constexpr int kSameAsTraining = -1;
    /// Fine-tuning epochs in a run whose base trains `trainEpochs`.
    int finetuneEpochsFor(int trainEpochs) const
    {
        return finetuneEpochs == kSameAsTraining ? trainEpochs : finetuneEpochs;
    }
};

/// `quantize:` — from the trained fp32 base, quantize and (except ptq) train quantization-aware.
///
///   - quantize:
///       method: qat              # qat | degree_quant | a2q | ptq | weight_sharing (Catalog)
///       bits: 8                  # 2..8 (a2q: the starting bit-width)
///       epochs: 50               # quantization-aware training epochs (ptq: none)
///       start: base              # base: fine-tune the trained fp32 model | init: train the
///                                #   quantized model from the job's initialisation (as the
///                                #   Degree-Quant code the paper runs does)
///       lr: 0.001                # learning rate of that training (0 = train.lr)
///       weight_decay: -1         # of that training; -1 = train.weight_decay
///       lr_step_size: -1         # StepLR period of that training; -1 = train.lr_step_size
///       lr_gamma: -1             # StepLR factor; -1 = train.lr_gamma
///       observer: minmax         # activation ranges: minmax | momentum | percentile
///       momentum: 0.01           # momentum observer
///       percentile: 0.001        # tail cut per side; default 0.1 % at 8 bits, 1 % below
///       granularity: per_tensor  # weights: per_tensor | per_channel (a2q: per channel)
///       backward: ste            # ste (straight-through) | clip_activations (activations outside
///                                #   their observed range get no gradient; weights stay ste)
///       activations: true        # also quantize layer inputs, messages, aggregates, outputs
///       targets: ["*"]           # glob patterns over weight names (matrices only)
///       protect_low: 0.0         # degree_quant: p = low + (high - low) * F(in-degree), high =
///       protect_change: 0.1      #   min(low + change, 1), F = share of the graph at or below
///       target_bits: 4.0         # a2q: the memory target (average bits) ...
///       penalty: 0.1             #   ... and the weight a of the memory penalty
///       penalty_form: average_bits # a2q: average_bits: a * (ReLU(avg weight bits - target)^2 +
///                                #   ReLU(avg feature bits - target)^2); memory: what A²Q's
///                                #   graph-level script penalises, in our form: a * ReLU(feature
///                                #   KB - target KB)^2, weights left to the task loss
///       feature_quantizers: auto # a2q: per_node (one step and width per node; node tasks) |
///                                #   nearest (a pool each row picks from by its max |x|, A²Q's
///                                #   nearest-neighbour strategy; graph tasks) | degree (log2
///                                #   in-degree buckets) | auto (per_node for node tasks, nearest
///                                #   for graph tasks, as the A²Q code)
///       nearest_groups: 32       # a2q nearest: quantizers in each point's pool
///       degree_groups: 8         # a2q degree: feature quantizers per in-degree group (log2 buckets)
///       step_lr: 0               # a2q: learning rate of the step sizes (0 = the step's lr)
///       bits_lr: 0               # a2q: learning rate of the bit-widths (0 = the step's lr)
///       weight_error: 0          # a2q, GraphSqueeze's extension (0 = off; A²Q has no such term): adds
///                                #   weight_error * the element-weighted mean over weight channels
///                                #   of |w_c - Q(w_c)|^2 / (mean |w_c|^2 of the channel's tensor),
///                                #   weights detached, to the loss, so each channel's step and
///                                #   width feel what its own values lose
///       storage: packed          # the model file's integer codes: packed (each at its width) |
///                                #   sparse (zeros skipped, relative indices) | huffman (sparse,
///                                #   Huffman-coded); the smallest form the choice allows
///       name: q8                 # optional, as for prune: later steps may start from this
///                                #   step's model, its weights on their grid (dequantized)
///       from: pruned             # optional: quantize each model of the named earlier step, its
///                                #   masks kept (pruned weights stay exactly zero)
/// What a quantize step's results say about it, typed: ResultRow's quant_bits, target_bits,
/// observer, granularity, storage, start and method_options. QuantSpec::settingLabel() is made
/// from it, so the label and the columns cannot disagree.
struct QuantSetting {
    int bits = 0;
    double targetBits = 0; ///< the average width the method aims at (a2q); 0 = the method has none
    /// The observer and granularity, for methods that label them (none of their own part, as
    /// qat and ptq); empty for the others.
    std::string observer, granularity;
    std::string storage; ///< packed | sparse | huffman
    std::string start; ///< base | init
    /// The method's own part of the label, beyond bits and target ("penalty=0.5 weight_error=300",
    /// MethodInfo::quantLabel), empty when its options are the defaults.
    std::string options;
};

struct QuantSpec {
    std::string method = "qat";
    int bits = 8;
    int epochs = 50;
    double lr = 0; ///< 0 = the experiment's train.lr
    std::string start = "base"; ///< base | init: where quantization-aware training starts
    double weightDecay = -1; ///< -1 = train.weight_decay
    int lrStepSize = -1; ///< -1 = train.lr_step_size (0 = constant)
    double lrGamma = -1; ///< -1 = train.lr_gamma
    std::string observer = "minmax";
    double momentum = 0.01;
    double percentile = 0.001;
    std::string granularity = "per_tensor";
    std::string backward = "ste";
    bool activations = true;
    Targets targets;
    double protectLow = 0.0, protectChange = 0.1;
    double targetBits = 4.0, penalty = 0.1;
    std::string penaltyForm = "average_bits"; ///< average_bits | memory
    std::string features = "auto"; ///< feature_quantizers: auto | per_node | nearest | degree
    int nearestGroups = 32;
    int degreeGroups = 8;
    double stepLr = 0, bitsLr = 0; ///< 0 = lr
    double weightError = 0; ///< a2q: weight of the per-channel quantization-error term (0 = off)
    std::string storage = "packed"; ///< packed | sparse | huffman: the model file's form of the codes
    std::string name, from; ///< as PruneSpec's
    int line = 0;

    /// A short label for results ("bits=8", "bits=4 observer=percentile per_channel", "bits=8
    /// target_bits=4"): the bits, the target, then the method's own part (MethodInfo::quantLabel)
    /// or the observer and granularity where they differ from the defaults, the storage and start.
    std::string settingLabel() const;
    /// The typed fields the label is made from.
    QuantSetting setting() const;
};

/// `analyze:` — sensitivity analysis: each selected weight alone pruned to each level, no
/// fine-tuning, evaluated from the trained base (sensitivity.csv).
///
///   - analyze:
///       method: sensitivity
///       sparsity: [0.1, 0.5, 0.9]
///       targets: ["*"]
///
/// Or robustness analysis: every stage's model (the base, each pruned, fine-tuned and quantized
/// model, every chain) evaluated on perturbed test data at each strength (robustness.csv;
/// core/analysis/Robustness.h). Its place in the list does not matter. Without any of the
/// perturbation keys, all six run at their default strengths; with some, only those.
///
///   - analyze:
///       method: robustness
///       edge_removal: [0.1, 0.25, 0.5]  # fraction of the undirected edges removed at random
///       edge_addition: [0.1, 0.25, 0.5] # as many random new edges (within a graph) per edge
///       feature_noise: [0.5, 1, 2]      # Gaussian noise, sigma in units of each feature's std
///       feature_mask: [0.1, 0.3, 0.5]   # fraction of the feature entries set to 0 at random
///       fgsm: [0.1, 0.25, 0.5]          # L-inf budget in units of each feature's std: one
///                                       #   signed-gradient step on the test loss
///       pgd: [0.1, 0.25, 0.5]           # the same budget: pgd_steps projected steps of
///                                       #   2.5 budget / pgd_steps from a random start
///       pgd_steps: 10
struct AnalyzeSpec {
    std::string method = "sensitivity";
    std::vector<double> sparsities { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };
    Targets targets;
    /// Robustness: perturbation (robustnessPerturbations()) -> strengths; one not listed does not run.
    std::map<std::string, std::vector<double>> perturbations { { "edge_removal", { 0.1, 0.25, 0.5 } },
        { "edge_addition", { 0.1, 0.25, 0.5 } }, { "feature_noise", { 0.5, 1, 2 } },
        { "feature_mask", { 0.1, 0.3, 0.5 } }, { "fgsm", { 0.1, 0.25, 0.5 } }, { "pgd", { 0.1, 0.25, 0.5 } } };
    int pgdSteps = 10;
    int line = 0;
};

/// The perturbations of a robustness analysis, in the order rows and charts list them.
const std::vector<std::string>& robustnessPerturbations();

/// One entry of the `compression:` list. Adding a step kind = one struct here, its fields in
/// Catalog.cpp, its reader and writer in StepYaml.cpp, its runner in the session.
using Step = std::variant<PruneSpec, QuantSpec, AnalyzeSpec>;

StepKind kindOf(const Step& step);
const std::string& methodOf(const Step& step);
int lineOf(const Step& step);
/// The step's `name:` and `from:` (empty when not given; analyze steps have neither).
const std::string& nameOf(const Step& step);
const std::string& fromOf(const Step& step);
/// "prune", "quantize", "analyze": the YAML key of a step kind (one place for the names).
const std::string& kindName(StepKind kind);
/// The kind named `name`; false when there is none.
bool kindFromName(const std::string& name, StepKind& kind);
/// A step of `kind` with `method` and every other field at its default.
Step defaultStep(StepKind kind, const std::string& method);
/// Training epochs one job spends in this step (all settings) when the base trains
/// `trainEpochs`, for progress and ETA; for one start model (see startModels).
int stepEpochs(const Step& step, int trainEpochs);
/// Settings this step runs (sparsities, or 1) from one start model.
int stepSettings(const Step& step);
/// Models step `index` of `steps` starts from in one job: 1 (the trained base), or, with
/// `from:`, every model the named step produces (its settings times its own start models).
int startModels(const std::vector<Step>& steps, size_t index);
/// The index of the step called `name` among the first `before` steps; -1 when there is none.
int stepNamed(const std::vector<Step>& steps, const std::string& name, size_t before);

} // namespace gsq::core::experiment
