#pragma once

#include "core/data/Split.h"
#include "core/graph/Graph.h"
#include "core/training/Task.h"

namespace gsq::core::models {
class LinkPredictor;
}

namespace gsq::core::training {

/// How the training edges are used (NESS, Ucar 2023; AstraZeneca/NESS).
struct LinkOptions {
    /// The training edges split at random into this many disjoint static subgraphs; each epoch
    /// sums one reconstruction loss per subgraph (its own edges, through its own messages), and
    /// evaluation scores the mean of the subgraphs' embeddings. 1 = plain GAE on the training graph.
    int subgraphs = 1;
    /// Share of (subgraph) message edges dropped afresh every epoch (NESS's noise; the reference
    /// drops from the already-thinned edge list, so its graphs thin out epoch after epoch).
    double edgeDropout = 0;
    uint64_t seed = 0; ///< of the subgraph partition
};

/// Link prediction (GAE-style): messages pass over training edges only; each epoch scores the
/// training edges against as many uniformly sampled node pairs (binary cross-entropy); val/test
/// use the split's fixed negatives. Metrics: ROC-AUC and average precision.
class LinkTask : public Task {
public:
    LinkTask(std::shared_ptr<models::LinkPredictor> model, graph::Graph graph, data::LinkSplit split,
        std::string metric, LinkOptions options = {});
    std::shared_ptr<torch::nn::Module> module() override;
    int64_t numBatches() const override { return 1; }
    void beginEpoch(std::mt19937_64& rng) override;
    at::Tensor batchLoss(int64_t b) override;
    Evaluation evaluate() override;
    std::string metricName() const override { return m_metric; }
    void inferenceForward() override;
    void calibrationForward() override;

    /// Positive edges of each static subgraph (tests).
    const std::vector<at::Tensor>& subgraphPositives() const { return m_subPos; }

private:
    /// Node embeddings for evaluation: of the training graph, or the mean over the subgraphs.
    at::Tensor embed();

    std::shared_ptr<models::LinkPredictor> m_model;
    graph::Graph m_graph; ///< edgeIndex = training edges
    data::LinkSplit m_split;
    std::string m_metric;
    LinkOptions m_options;
    std::vector<at::Tensor> m_subPos, m_subEdges, m_subAttr; ///< per subgraph: positives, messages, attributes
    std::vector<at::Tensor> m_epochNegatives, m_epochEdges, m_epochAttr; ///< this epoch's draws
    at::Tensor m_trainEvalNegatives;
};

} // namespace gsq::core::training
