#pragma once

#include "core/graph/Graph.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace gsq::core::training {

/// Metrics of one evaluation pass (the task's main metric on each split, plus extras on test).
struct Evaluation {
    double trainMetric = 0, valMetric = 0, testMetric = 0;
    double valLoss = 0;
    std::map<std::string, double> testMetrics; ///< every metric the task knows, on the test split
    std::map<std::string, double> valMetrics;
};

/// The test split as a robustness analysis perturbs it (core/analysis/Robustness.h): batches of
/// graphs with dense features (a node task: its whole graph once, transductive; a graph task:
/// its evaluation batches, `batch` mapping nodes to graphs), the logits of a batch's scored items
/// (the test nodes; its graphs) and their labels, and the task's metric over all of them.
struct TestBatches {
    std::vector<graph::GraphBatch> batches;
    std::vector<at::Tensor> labels; ///< per batch, of its scored items
    /// Logits of the scored items of `b`, whose features, edges or edge attributes may be
    /// perturbed; differentiable in b.graph.x (no no-grad guard inside), the model as it is set.
    std::function<at::Tensor(const graph::GraphBatch& b)> logits;
    std::function<double(const at::Tensor& logits, const at::Tensor& labels)> metric;
};

/// What the Trainer trains: one model on one dataset split. Tasks own their data and model and
/// know nothing about optimisers, schedules or compression.
class Task {
public:
    virtual ~Task() = default;
    virtual std::shared_ptr<torch::nn::Module> module() = 0;
    /// Mini-batches per epoch (1 for full-batch tasks).
    virtual int64_t numBatches() const = 0;
    /// Called once before a training run's first epoch. A task that carries state from epoch to
    /// epoch (GraphTask shuffles its training order in place) goes back to its initial state, so a
    /// training depends on its seed only, not on the trainings the task ran before: a compression
    /// step trains the same wherever it stands in the experiment file.
    virtual void beginTraining() { }
    /// Called before each epoch's batches (shuffling, negative sampling).
    virtual void beginEpoch(std::mt19937_64& rng) { }
    /// Forward pass in training mode on batch `b`, returning the scalar loss.
    virtual at::Tensor batchLoss(int64_t b) = 0;
    /// Evaluation mode, no gradients.
    virtual Evaluation evaluate() = 0;
    /// Name of the main metric ("accuracy", "roc_auc", ...).
    virtual std::string metricName() const = 0;
    /// One inference forward pass over the test data (evaluation mode, no gradients, no
    /// metrics): what latency measurements time.
    virtual void inferenceForward() = 0;
    /// Forward passes over the training data only (evaluation mode, no gradients): what
    /// quantization ranges are calibrated on. Transductive node tasks run the whole graph, as
    /// every training forward pass does; labels are never used.
    virtual void calibrationForward() = 0;
    /// One evaluation-mode forward pass with its inputs and outputs, for checking a model
    /// exported to PyTorch (docs/interop.md): "x" (dense), "edge_index", "edge_attr" (when the
    /// data has one), "batch" (graph tasks: the first test batch) and "logits".
    virtual std::map<std::string, at::Tensor> example()
    {
        throw std::invalid_argument("this task has no example forward pass (node and graph classification only)");
    }
    /// The test split for robustness analysis (node and graph classification).
    virtual TestBatches testBatches()
    {
        throw std::invalid_argument("this task has no robustness analysis (node and graph classification only)");
    }
};

} // namespace gsq::core::training
