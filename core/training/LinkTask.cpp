#include "core/training/LinkTask.h"

#include "core/data/Transforms.h"
#include "core/models/Models.h"
#include "core/training/Metrics.h"

#include <torch/torch.h>

namespace gsq::core::training {
namespace {

at::Tensor randomPairs(int64_t numNodes, int64_t count, std::mt19937_64& rng)
{
    std::uniform_int_distribution<int64_t> node(0, numNodes - 1);
    auto out = torch::empty({ 2, count }, torch::kLong);
    int64_t* p = out.data_ptr<int64_t>();
    for (int64_t k = 0; k < count; ++k) {
        int64_t i = node(rng), j = node(rng);
        while (j == i)
            j = node(rng);
        p[k] = i;
        p[count + k] = j;
    }
    return out;
}

} // namespace

LinkTask::LinkTask(
    std::shared_ptr<models::LinkPredictor> model, graph::Graph graph, data::LinkSplit split, std::string metric)
    : m_model(std::move(model))
    , m_graph(std::move(graph))
    , m_split(std::move(split))
    , m_metric(std::move(metric))
{
    m_graph.edgeIndex = m_split.trainEdges;
    // Edge attributes describe the message-passing graph: recompute them for the training edges.
    if (m_graph.edgeAttr.defined())
        m_graph.edgeAttr = data::targetIndegree(m_graph.edgeIndex, m_graph.numNodes);
    std::mt19937_64 rng(12345);
    m_trainEvalNegatives = randomPairs(m_graph.numNodes, m_split.trainPos.size(1), rng);
}

std::shared_ptr<torch::nn::Module> LinkTask::module()
{
    return m_model;
}

void LinkTask::beginEpoch(std::mt19937_64& rng)
{
    m_epochNegatives = randomPairs(m_graph.numNodes, m_split.trainPos.size(1), rng);
}

at::Tensor LinkTask::batchLoss(int64_t)
{
    if (!m_epochNegatives.defined()) {
        std::mt19937_64 rng(0);
        beginEpoch(rng);
    }
    m_model->train();
    auto z = m_model->encode(m_graph.x, m_graph.edgeIndex, m_graph.edgeAttr);
    auto pos = m_model->decode(z, m_split.trainPos);
    auto neg = m_model->decode(z, m_epochNegatives);
    auto logits = torch::cat({ pos, neg });
    auto target = torch::cat({ torch::ones_like(pos), torch::zeros_like(neg) });
    return torch::nn::functional::binary_cross_entropy_with_logits(logits, target);
}

void LinkTask::inferenceForward()
{
    torch::NoGradGuard guard;
    m_model->eval();
    auto z = m_model->encode(m_graph.x, m_graph.edgeIndex, m_graph.edgeAttr);
    m_model->decode(z, m_split.testPos);
    m_model->decode(z, m_split.testNeg);
}

void LinkTask::calibrationForward()
{
    torch::NoGradGuard guard;
    m_model->eval();
    auto z = m_model->encode(m_graph.x, m_graph.edgeIndex, m_graph.edgeAttr);
    m_model->decode(z, m_split.trainPos);
}

Evaluation LinkTask::evaluate()
{
    torch::NoGradGuard guard;
    m_model->eval();
    auto z = m_model->encode(m_graph.x, m_graph.edgeIndex, m_graph.edgeAttr);
    auto scoreSet = [&](const at::Tensor& pos, const at::Tensor& neg) {
        auto s = torch::cat({ m_model->decode(z, pos), m_model->decode(z, neg) });
        auto y
            = torch::cat({ torch::ones({ pos.size(1) }, torch::kLong), torch::zeros({ neg.size(1) }, torch::kLong) });
        return std::make_pair(s, y);
    };
    auto [sTr, yTr] = scoreSet(m_split.trainPos, m_trainEvalNegatives);
    auto [sVa, yVa] = scoreSet(m_split.valPos, m_split.valNeg);
    auto [sTe, yTe] = scoreSet(m_split.testPos, m_split.testNeg);
    Evaluation e;
    e.trainMetric = Metrics::compute(m_metric, sTr, yTr, 2);
    e.valMetric = Metrics::compute(m_metric, sVa, yVa, 2);
    e.testMetric = Metrics::compute(m_metric, sTe, yTe, 2);
    e.valLoss = torch::nn::functional::binary_cross_entropy_with_logits(sVa, yVa.to(torch::kFloat)).item<double>();
    for (const char* name : { "roc_auc", "average_precision" }) {
        e.testMetrics[name] = Metrics::compute(name, sTe, yTe, 2);
        e.valMetrics[name] = Metrics::compute(name, sVa, yVa, 2);
    }
    return e;
}

} // namespace gsq::core::training
