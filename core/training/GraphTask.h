#pragma once

#include "core/data/Split.h"
#include "core/graph/Graph.h"
#include "core/training/Task.h"

#include <vector>

namespace gsq::core::models {
class GraphModel;
}

namespace gsq::core::training {

/// Mini-batch graph classification: each epoch shuffles the training graphs into batches of
/// `batchSize`; evaluation batches are collated once and reused.
class GraphTask : public Task {
public:
    GraphTask(std::shared_ptr<models::GraphModel> model, const std::vector<graph::Graph>& graphs, data::Split split,
        int64_t numClasses, int64_t batchSize, std::string metric);
    std::shared_ptr<torch::nn::Module> module() override;
    int64_t numBatches() const override;
    void beginEpoch(std::mt19937_64& rng) override;
    at::Tensor batchLoss(int64_t b) override;
    Evaluation evaluate() override;
    std::string metricName() const override { return m_metric; }
    void inferenceForward() override;
    void calibrationForward() override;
    std::map<std::string, at::Tensor> example() override;

private:
    struct Evaluated {
        at::Tensor logits, labels;
    };
    Evaluated run(const std::vector<graph::GraphBatch>& batches);
    std::vector<graph::GraphBatch> fixedBatches(const at::Tensor& indices) const;

    std::shared_ptr<models::GraphModel> m_model;
    const std::vector<graph::Graph>& m_graphs;
    data::Split m_split;
    int64_t m_numClasses, m_batchSize;
    std::string m_metric;
    std::vector<int64_t> m_trainOrder;
    std::vector<graph::GraphBatch> m_epochBatches;
    std::vector<graph::GraphBatch> m_trainEval, m_valEval, m_testEval;
};

} // namespace gsq::core::training
