#include "core/training/GraphTask.h"

#include "core/models/Models.h"
#include "core/training/Metrics.h"

#include <torch/torch.h>

#include <algorithm>

namespace gsq::core::training {

GraphTask::GraphTask(std::shared_ptr<models::GraphModel> model, const std::vector<graph::Graph>& graphs,
    data::Split split, int64_t numClasses, int64_t batchSize, std::string metric)
    : m_model(std::move(model))
    , m_graphs(graphs)
    , m_split(std::move(split))
    , m_numClasses(numClasses)
    , m_batchSize(batchSize)
    , m_metric(std::move(metric))
{
    GraphTask::beginTraining();
    m_trainEval = fixedBatches(m_split.train);
    m_valEval = fixedBatches(m_split.val);
    m_testEval = fixedBatches(m_split.test);
}

std::vector<graph::GraphBatch> GraphTask::fixedBatches(const at::Tensor& indices) const
{
    auto t = indices.contiguous();
    std::vector<int64_t> idx(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
    std::vector<graph::GraphBatch> out;
    for (size_t s = 0; s < idx.size(); s += static_cast<size_t>(m_batchSize)) {
        std::vector<int64_t> part(idx.begin() + static_cast<std::ptrdiff_t>(s),
            idx.begin() + static_cast<std::ptrdiff_t>(std::min(idx.size(), s + m_batchSize)));
        out.push_back(graph::GraphBatch::collate(m_graphs, part));
    }
    return out;
}

std::shared_ptr<torch::nn::Module> GraphTask::module()
{
    return m_model;
}

int64_t GraphTask::numBatches() const
{
    return (static_cast<int64_t>(m_trainOrder.size()) + m_batchSize - 1) / m_batchSize;
}

void GraphTask::beginTraining()
{
    // Each epoch shuffles the order in place; without this reset a training would start from the
    // order the previous training left behind.
    auto t = m_split.train.contiguous();
    m_trainOrder.assign(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
    m_epochBatches.clear();
    m_runningLogits.clear();
    m_runningLabels.clear();
}

void GraphTask::beginEpoch(std::mt19937_64& rng)
{
    std::shuffle(m_trainOrder.begin(), m_trainOrder.end(), rng);
    m_epochBatches.clear();
    m_runningLogits.clear();
    m_runningLabels.clear();
    for (size_t s = 0; s < m_trainOrder.size(); s += static_cast<size_t>(m_batchSize)) {
        std::vector<int64_t> part(m_trainOrder.begin() + static_cast<std::ptrdiff_t>(s),
            m_trainOrder.begin() + static_cast<std::ptrdiff_t>(std::min(m_trainOrder.size(), s + m_batchSize)));
        m_epochBatches.push_back(graph::GraphBatch::collate(m_graphs, part));
    }
}

at::Tensor GraphTask::batchLoss(int64_t b)
{
    if (m_epochBatches.empty()) {
        std::mt19937_64 rng(0);
        beginEpoch(rng);
    }
    m_model->train();
    const auto& batch = m_epochBatches.at(static_cast<size_t>(b));
    auto logits
        = m_model->forward(batch.graph.x, batch.graph.edgeIndex, batch.batch, batch.numGraphs, batch.graph.edgeAttr);
    if (m_running) {
        m_runningLogits.push_back(logits.detach());
        m_runningLabels.push_back(batch.graph.y);
    }
    return torch::nn::functional::cross_entropy(logits, batch.graph.y);
}

GraphTask::Evaluated GraphTask::run(const std::vector<graph::GraphBatch>& batches)
{
    std::vector<at::Tensor> logits, labels;
    for (const auto& b : batches) {
        logits.push_back(m_model->forward(b.graph.x, b.graph.edgeIndex, b.batch, b.numGraphs, b.graph.edgeAttr));
        labels.push_back(b.graph.y);
    }
    return { torch::cat(logits, 0), torch::cat(labels, 0) };
}

void GraphTask::inferenceForward()
{
    torch::NoGradGuard guard;
    m_model->eval();
    run(m_testEval);
}

std::map<std::string, at::Tensor> GraphTask::example()
{
    torch::NoGradGuard guard;
    m_model->eval();
    if (m_testEval.empty())
        throw std::invalid_argument("the split has no test graphs to run an example on");
    const auto& b = m_testEval.front();
    std::map<std::string, at::Tensor> out { { "logits", run({ b }).logits }, { "x", b.graph.x },
        { "edge_index", b.graph.edgeIndex }, { "batch", b.batch } };
    if (b.graph.edgeAttr.defined())
        out["edge_attr"] = b.graph.edgeAttr;
    return out;
}

TestBatches GraphTask::testBatches()
{
    TestBatches t;
    for (const auto& b : m_testEval) {
        graph::GraphBatch dense = b;
        if (dense.graph.x.layout() != torch::kStrided)
            dense.graph.x = dense.graph.x.to_dense();
        dense.graph.x = dense.graph.x.to(torch::kFloat);
        t.batches.push_back(dense);
        t.labels.push_back(b.graph.y);
    }
    t.logits = [this](const graph::GraphBatch& b) {
        return m_model->forward(b.graph.x, b.graph.edgeIndex, b.batch, b.numGraphs, b.graph.edgeAttr);
    };
    t.metric = [this](const at::Tensor& logits, const at::Tensor& labels) {
        return Metrics::compute(m_metric, logits, labels, m_numClasses);
    };
    return t;
}

void GraphTask::calibrationForward()
{
    torch::NoGradGuard guard;
    m_model->eval();
    run(m_trainEval);
}

Evaluation GraphTask::evaluate()
{
    torch::NoGradGuard guard;
    m_model->eval();
    Evaluated tr;
    if (m_running && !m_runningLogits.empty()) {
        // Consumed once: a later evaluation without training in between runs the pass.
        tr = { torch::cat(m_runningLogits, 0), torch::cat(m_runningLabels, 0) };
        m_runningLogits.clear();
        m_runningLabels.clear();
    } else {
        tr = run(m_trainEval);
    }
    auto va = run(m_valEval), te = run(m_testEval);
    Evaluation e;
    e.trainMetric = Metrics::compute(m_metric, tr.logits, tr.labels, m_numClasses);
    e.valMetric = Metrics::compute(m_metric, va.logits, va.labels, m_numClasses);
    e.testMetric = Metrics::compute(m_metric, te.logits, te.labels, m_numClasses);
    e.valLoss = torch::nn::functional::cross_entropy(va.logits, va.labels).item<double>();
    std::vector<const char*> names { "accuracy", "macro_f1" };
    if (m_numClasses == 2) {
        names.push_back("roc_auc");
        names.push_back("average_precision");
    }
    for (const char* name : names) {
        e.testMetrics[name] = Metrics::compute(name, te.logits, te.labels, m_numClasses);
        e.valMetrics[name] = Metrics::compute(name, va.logits, va.labels, m_numClasses);
    }
    return e;
}

} // namespace gsq::core::training
