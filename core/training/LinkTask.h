#pragma once

#include "core/data/Split.h"
#include "core/graph/Graph.h"
#include "core/training/Task.h"

namespace gsq::core::models {
class LinkPredictor;
}

namespace gsq::core::training {

/// Link prediction (GAE-style): messages pass over training edges only; each epoch scores the
/// training edges against as many uniformly sampled node pairs (binary cross-entropy); val/test
/// use the split's fixed negatives. Metrics: ROC-AUC and average precision.
class LinkTask : public Task {
public:
    LinkTask(
        std::shared_ptr<models::LinkPredictor> model, graph::Graph graph, data::LinkSplit split, std::string metric);
    std::shared_ptr<torch::nn::Module> module() override;
    int64_t numBatches() const override { return 1; }
    void beginEpoch(std::mt19937_64& rng) override;
    at::Tensor batchLoss(int64_t b) override;
    Evaluation evaluate() override;
    std::string metricName() const override { return m_metric; }
    void inferenceForward() override;
    void calibrationForward() override;

private:
    std::shared_ptr<models::LinkPredictor> m_model;
    graph::Graph m_graph; ///< edgeIndex = training edges
    data::LinkSplit m_split;
    std::string m_metric;
    at::Tensor m_epochNegatives, m_trainEvalNegatives;
};

} // namespace gsq::core::training
