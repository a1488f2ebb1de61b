#include "core/training/LinkTask.h"

#include "core/data/Transforms.h"
#include "core/models/Models.h"
#include "core/training/Metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>

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

LinkTask::LinkTask(std::shared_ptr<models::LinkPredictor> model, graph::Graph graph, data::LinkSplit split,
    std::string metric, LinkOptions options)
    : m_model(std::move(model))
    , m_graph(std::move(graph))
    , m_split(std::move(split))
    , m_metric(std::move(metric))
    , m_options(options)
{
    m_graph.edgeIndex = m_split.trainEdges;
    // Edge attributes describe the message-passing graph: recompute them for the training edges.
    if (m_graph.edgeAttr.defined())
        m_graph.edgeAttr = data::targetIndegree(m_graph.edgeIndex, m_graph.numNodes);
    std::mt19937_64 rng(12345);
    m_trainEvalNegatives = randomPairs(m_graph.numNodes, m_split.trainPos.size(1), rng);
    // Static subgraphs: a random partition of the training positives into near-equal parts, each
    // passing messages over its own edges (both directions).
    const int k = std::max(1, m_options.subgraphs);
    const int64_t total = m_split.trainPos.size(1);
    if (k > total)
        throw std::invalid_argument(
            std::to_string(k) + " subgraphs need at least as many training edges (" + std::to_string(total) + ")");
    if (k == 1) {
        m_subPos = { m_split.trainPos };
        m_subEdges = { m_graph.edgeIndex };
        m_subAttr = { m_graph.edgeAttr };
    } else {
        std::vector<int64_t> order(static_cast<size_t>(total));
        std::iota(order.begin(), order.end(), 0);
        std::mt19937_64 split(m_options.seed);
        std::shuffle(order.begin(), order.end(), split);
        auto perm = torch::tensor(order, torch::kLong);
        for (int s = 0; s < k; ++s) {
            const int64_t lo = total * s / k, hi = total * (s + 1) / k;
            auto pos = m_split.trainPos.index_select(1, perm.slice(0, lo, hi));
            auto edges = torch::cat({ pos, pos.flip(0) }, 1);
            m_subPos.push_back(pos);
            m_subEdges.push_back(edges);
            m_subAttr.push_back(
                m_graph.edgeAttr.defined() ? data::targetIndegree(edges, m_graph.numNodes) : at::Tensor());
        }
    }
}

std::shared_ptr<torch::nn::Module> LinkTask::module()
{
    return m_model;
}

void LinkTask::beginEpoch(std::mt19937_64& rng)
{
    m_epochNegatives.clear();
    m_epochEdges.clear();
    m_epochAttr.clear();
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (size_t s = 0; s < m_subPos.size(); ++s) {
        m_epochNegatives.push_back(randomPairs(m_graph.numNodes, m_subPos[s].size(1), rng));
        if (m_options.edgeDropout <= 0) {
            m_epochEdges.push_back(m_subEdges[s]);
            m_epochAttr.push_back(m_subAttr[s]);
            continue;
        }
        // Each directed message edge is dropped with probability edgeDropout (PyG's dropout_adj).
        const int64_t e = m_subEdges[s].size(1);
        std::vector<int64_t> keep;
        keep.reserve(static_cast<size_t>(e));
        for (int64_t i = 0; i < e; ++i)
            if (u(rng) >= m_options.edgeDropout)
                keep.push_back(i);
        auto idx = torch::tensor(keep, torch::kLong);
        m_epochEdges.push_back(m_subEdges[s].index_select(1, idx));
        m_epochAttr.push_back(m_subAttr[s].defined() ? m_subAttr[s].index_select(0, idx) : at::Tensor());
    }
}

at::Tensor LinkTask::batchLoss(int64_t)
{
    if (m_epochNegatives.empty()) {
        std::mt19937_64 rng(0);
        beginEpoch(rng);
    }
    m_model->train();
    at::Tensor loss;
    for (size_t s = 0; s < m_subPos.size(); ++s) {
        auto z = m_model->encode(m_graph.x, m_epochEdges[s], m_epochAttr[s]);
        auto pos = m_model->decode(z, m_subPos[s]);
        auto neg = m_model->decode(z, m_epochNegatives[s]);
        auto logits = torch::cat({ pos, neg });
        auto target = torch::cat({ torch::ones_like(pos), torch::zeros_like(neg) });
        auto l = torch::nn::functional::binary_cross_entropy_with_logits(logits, target);
        loss = loss.defined() ? loss + l : l;
    }
    return loss / static_cast<double>(m_subPos.size());
}

at::Tensor LinkTask::embed()
{
    at::Tensor sum;
    for (size_t s = 0; s < m_subPos.size(); ++s) {
        auto z = m_model->encode(m_graph.x, m_subEdges[s], m_subAttr[s]);
        sum = sum.defined() ? sum + z : z;
    }
    return sum / static_cast<double>(m_subPos.size());
}

void LinkTask::inferenceForward()
{
    torch::NoGradGuard guard;
    m_model->eval();
    auto z = embed();
    m_model->decode(z, m_split.testPos);
    m_model->decode(z, m_split.testNeg);
}

void LinkTask::calibrationForward()
{
    torch::NoGradGuard guard;
    m_model->eval();
    auto z = embed();
    m_model->decode(z, m_split.trainPos);
}

Evaluation LinkTask::evaluate()
{
    torch::NoGradGuard guard;
    m_model->eval();
    auto z = embed();
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
