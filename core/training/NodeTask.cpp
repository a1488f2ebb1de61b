#include "core/training/NodeTask.h"

#include "core/models/Models.h"
#include "core/training/Metrics.h"

#include <torch/torch.h>

namespace gsq::core::training {

NodeTask::NodeTask(std::shared_ptr<models::NodeClassifier> model, graph::Graph graph, data::Split split,
    int64_t numClasses, std::string metric)
    : m_model(std::move(model))
    , m_graph(std::move(graph))
    , m_split(std::move(split))
    , m_numClasses(numClasses)
    , m_metric(std::move(metric))
{
    m_yTrain = m_graph.y.index_select(0, m_split.train);
    m_yVal = m_graph.y.index_select(0, m_split.val);
    m_yTest = m_graph.y.index_select(0, m_split.test);
}

std::shared_ptr<torch::nn::Module> NodeTask::module()
{
    return m_model;
}

at::Tensor NodeTask::batchLoss(int64_t)
{
    m_model->train();
    auto logits = m_model->forward(m_graph.x, m_graph.edgeIndex, m_graph.edgeAttr);
    return torch::nn::functional::cross_entropy(logits.index_select(0, m_split.train), m_yTrain);
}

at::Tensor NodeTask::predict()
{
    torch::NoGradGuard guard;
    m_model->eval();
    return m_model->forward(m_graph.x, m_graph.edgeIndex, m_graph.edgeAttr);
}

std::map<std::string, at::Tensor> NodeTask::example()
{
    std::map<std::string, at::Tensor> out { { "logits", predict() },
        { "x", m_graph.x.layout() == torch::kStrided ? m_graph.x : m_graph.x.to_dense() },
        { "edge_index", m_graph.edgeIndex } };
    if (m_graph.edgeAttr.defined())
        out["edge_attr"] = m_graph.edgeAttr;
    return out;
}

TestBatches NodeTask::testBatches()
{
    TestBatches t;
    graph::GraphBatch whole;
    whole.graph = m_graph;
    if (whole.graph.x.layout() != torch::kStrided)
        whole.graph.x = whole.graph.x.to_dense();
    whole.graph.x = whole.graph.x.to(torch::kFloat);
    whole.numGraphs = 1;
    t.batches = { whole };
    t.labels = { m_yTest };
    t.logits = [this](const graph::GraphBatch& b) {
        return m_model->forward(b.graph.x, b.graph.edgeIndex, b.graph.edgeAttr).index_select(0, m_split.test);
    };
    t.metric = [this](const at::Tensor& logits, const at::Tensor& labels) {
        return Metrics::compute(m_metric, logits, labels, m_numClasses);
    };
    return t;
}

Evaluation NodeTask::evaluate()
{
    auto logits = predict();
    auto lTrain = logits.index_select(0, m_split.train);
    auto lVal = logits.index_select(0, m_split.val);
    auto lTest = logits.index_select(0, m_split.test);
    Evaluation e;
    e.trainMetric = Metrics::compute(m_metric, lTrain, m_yTrain, m_numClasses);
    e.valMetric = Metrics::compute(m_metric, lVal, m_yVal, m_numClasses);
    e.testMetric = Metrics::compute(m_metric, lTest, m_yTest, m_numClasses);
    e.valLoss = torch::nn::functional::cross_entropy(lVal, m_yVal).item<double>();
    for (const char* name : { "accuracy", "macro_f1" }) {
        e.testMetrics[name] = Metrics::compute(name, lTest, m_yTest, m_numClasses);
        e.valMetrics[name] = Metrics::compute(name, lVal, m_yVal, m_numClasses);
    }
    return e;
}

} // namespace gsq::core::training
