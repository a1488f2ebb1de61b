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
    void beginTraining() override;
    void beginEpoch(std::mt19937_64& rng) override;
    at::Tensor batchLoss(int64_t b) override;
    Evaluation evaluate() override;
    std::string metricName() const override { return m_metric; }
    void inferenceForward() override;
    void calibrationForward() override;
    std::map<std::string, at::Tensor> example() override;
    TestBatches testBatches() override;
    /// Train metric from the epoch's training batches (train.train_metric: running) instead of an
    /// evaluation pass over the training graphs. An evaluation with no training batches since the
    /// last one (e.g. of a restored or compressed model) still runs the pass.
    void setRunningTrainMetric(bool running) { m_running = running; }

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
    bool m_running = false;
    std::vector<at::Tensor> m_runningLogits, m_runningLabels; ///< this epoch's training batches
};

} // namespace gsq::core::training
