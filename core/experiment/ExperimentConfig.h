#pragma once

#include "core/experiment/Steps.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

/// Plain structs describing one experiment; the YAML file and the GUI's forms map onto them
/// field by field (see ConfigYaml.h). Valid names and their help are in Catalog.h; compression
/// steps are typed in Steps.h. No LibTorch here, so any front end may include it.
namespace gsq::core::experiment {

/// dataset: which data, which task, which split.
struct DatasetConfig {
    std::string name = "cora"; ///< a Catalog::datasets() name: cora, proteins, bbbp, tu, csv, or a registered one
    std::string path; ///< directory (cora, TU) or file (csv); empty = bundled copy
    std::string tuName; ///< file prefix for `tu` (e.g. PROTEINS); default: directory name
    std::string task; ///< node_classification | graph_classification | link_prediction (default per dataset)
    std::string split; ///< public | random | kfold | scaffold (default per dataset/task)
    int64_t trainSize = 0; ///< random node split: training nodes (0 = all not in val/test)
    int64_t valSize = 500; ///< random node split: validation nodes
    int64_t testSize = 500; ///< random node split: test nodes
    double valFraction = 0.1; ///< graph / link splits
    double testFraction = 0.1; ///< graph / link splits (link default set to 0.15 by the loader)
    int folds = 10; ///< kfold
    int runFolds = 0; ///< kfold: train only the first N folds (0 = all); for quick checks
    int64_t splitSeed = -1; ///< seed of random/kfold splits; -1 = the run's seed (kfold: 0)
    bool normalizeFeatures = true; ///< row-normalise node features (Kipf & Welling)
    std::string edgeAttr = "none"; ///< edge attributes: none | target_indegree (default for spline)
    std::string features = "auto"; ///< auto | dense | sparse (sparse-feature first layer)
    bool useNodeAttributes = false; ///< TU: append node attributes to one-hot node labels
    std::string smilesColumn = "smiles";
    std::string labelColumn = "p_np";
    std::string atomFeatures = "onehot"; ///< molecules: onehot (174, OGB) | raw (9 integers, PyG MoleculeNet)
    /// Keys of a dataset reader registered at run time, by name (its ReaderKey entries in
    /// experiment/Reader.h say type, range and default); the built-in readers' are fields above.
    std::map<std::string, double> options;
};

/// model: architecture and sizes.
struct ModelConfig {
    std::string arch = "gcn"; ///< experiment/Architecture.h: gcn, sage, gat, gin, spline, gnae, hgpsl, ...
    int64_t hidden = 16; ///< hidden width (per head for GAT)
    int layers = 2; ///< number of message-passing layers
    int heads = 8; ///< GAT: heads of hidden layers
    int outputHeads = 1; ///< GAT: heads of the output layer (averaged)
    double dropout = 0.5;
    double inputDropout = -1; ///< dropout on the input features; -1 = same as dropout
    double attentionDropout = -1; ///< GAT; -1 = same as dropout
    std::string activation = "relu"; ///< relu | elu
    std::string pooling = "mean"; ///< graph tasks: mean | max | sum
    int64_t headHidden = 0; ///< graph tasks: hidden width of the MLP head (0 = hidden)
    int headLayers = 2; ///< graph tasks: linear layers in the head (1: pooled -> Linear -> classes)
    bool batchNorm = true; ///< GIN MLP batch norm
    bool trainEps = true; ///< GIN learnable epsilon
    int64_t embeddingDim = 0; ///< link prediction: output width of the encoder (0 = hidden)
    std::string decoder = "inner_product"; ///< link prediction: inner_product | mlp
    int kernelSize = 2; ///< spline: B-spline kernel size per pseudo-coordinate dimension
    int splineDegree = 1; ///< spline: B-spline degree (1-3)
    int appnpK = 1; ///< gnae: APPNP propagation steps K (Klicpera et al. 2019)
    double appnpAlpha = 0.0; ///< gnae: APPNP teleport probability alpha
    double normScale = 1.8; ///< gnae: rows L2-normalised and scaled by this before propagation (GNAE)
    double poolRatio = 0.5; ///< hgpsl: share of each graph's nodes kept by every pooling layer (ceil)
    double poolLambda = 1.0; ///< hgpsl: weight of the existing edges in the learned structure
    bool sparseAttention = true; ///< hgpsl: sparsemax (true) or softmax over each node's candidate edges
    /// Keys of an architecture registered at run time, by name (its ArchitectureKey entries in
    /// experiment/Architecture.h say type, range and default); the built-in ones are fields above.
    std::map<std::string, double> options;
};

/// train: optimisation and repetition.
struct TrainConfig {
    std::string optimizer = "adam"; ///< adam | adamw | sgd
    double lr = 0.01;
    double weightDecay = 5e-4;
    double momentum = 0.9; ///< sgd only
    int epochs = 200;
    int patience = 0; ///< early stopping on the validation metric; 0 = off
    std::string selectBy = "val_metric"; ///< best checkpoint by: val_metric | val_loss | last
    int lrStepSize = 0; ///< StepLR period in epochs; 0 = constant LR
    double lrGamma = 0.5;
    std::vector<int64_t> seeds; ///< explicit seeds; empty = 0..repeats-1
    int repeats = 1;
    int threads = 0; ///< 0 = pick by measurement
    int64_t batchSize = 128; ///< graph tasks: graphs per mini-batch
    std::string metric = "auto"; ///< accuracy | macro_f1 | roc_auc | average_precision
    int evalEvery = 1; ///< evaluate every N epochs
    /// Graph classification: how the train-split metric of an evaluation is measured. evaluated: a
    /// separate evaluation-mode pass over the training graphs; running: from the epoch's own
    /// training batches (training mode, as the HGP-SL code and most PyG scripts report it), which
    /// saves that pass. Validation and test are evaluated either way.
    std::string trainMetric = "evaluated";
    double clipGradNorm = 0; ///< clip the gradients' total L2 norm to this before each step (0 = off)
    /// Link prediction: the training edges split into this many static subgraphs, one
    /// reconstruction loss each, embeddings averaged for evaluation (NESS; 1 = plain GAE).
    int subgraphs = 1;
    double edgeDropout = 0; ///< link prediction: share of message edges dropped afresh each epoch

    /// The seeds this run uses (explicit list, else 0..repeats-1).
    std::vector<int64_t> effectiveSeeds() const;
};

struct ExperimentConfig {
    std::string name = "experiment";
    std::string description;
    DatasetConfig dataset;
    ModelConfig model;
    TrainConfig train;
    std::vector<Step> steps; ///< the `compression:` list, typed and checked by the loader

    /// Folds that are trained: 1 unless the split is kfold (then `folds`, or `run_folds` if fewer).
    int foldsRun() const;
    /// Jobs of a run: foldsRun() × the number of seeds. Session::run and the app both count so.
    int jobCount() const;

    std::string sourceFile; ///< the YAML file it came from ("" when built in code)
    std::map<std::string, int> keyLines; ///< "train.epochs" -> 1-based line in sourceFile
};

} // namespace gsq::core::experiment
