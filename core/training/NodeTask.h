#pragma once

#include "core/data/Split.h"
#include "core/graph/Graph.h"
#include "core/training/Task.h"

namespace gsq::core::models {
class NodeClassifier;
}

namespace gsq::core::training {

/// Full-batch node classification on one graph (transductive): cross-entropy on the training
/// nodes; metrics on train/val/test node sets.
class NodeTask : public Task {
public:
    NodeTask(std::shared_ptr<models::NodeClassifier> model, graph::Graph graph, data::Split split, int64_t numClasses,
        std::string metric);
    std::shared_ptr<torch::nn::Module> module() override;
    int64_t numBatches() const override { return 1; }
    at::Tensor batchLoss(int64_t b) override;
    Evaluation evaluate() override;
    std::string metricName() const override { return m_metric; }
    void inferenceForward() override { predict(); }
    void calibrationForward() override { predict(); }
    /// Logits of all nodes in evaluation mode (for inspection and tests).
    at::Tensor predict();
    std::map<std::string, at::Tensor> example() override;
    TestBatches testBatches() override;

private:
    std::shared_ptr<models::NodeClassifier> m_model;
    graph::Graph m_graph;
    data::Split m_split;
    at::Tensor m_yTrain, m_yVal, m_yTest;
    int64_t m_numClasses;
    std::string m_metric;
};

} // namespace gsq::core::training
