// Tests HGP-SL (Zhang et al. 2019; reference code cszhangzhen/HGP-SL) piece by piece on tiny
// graphs: sparsemax forward against known vectors and its backward by finite differences, the
// node information score against the dense formula, per-graph top-k, the structure-learning
// candidates (walks of up to 4 edges), one pooling layer and the whole classifier.
#include "core/models/Hgpsl.h"
#include "core/experiment/ExperimentConfig.h"
#include "core/graph/EdgeIndex.h"
#include "core/models/ModelFactory.h"
#include "core/nn/HgpslPool.h"
#include "core/nn/functional/MessagePassing.h"
#include "core/nn/functional/Sparsemax.h"

#include <QtTest>
#include <torch/torch.h>

#include <cmath>
#include <set>

using namespace gsq::core;
namespace F = nn::functional;

namespace {
void compareClose(const at::Tensor& a, const at::Tensor& b, double tol)
{
    QCOMPARE(a.sizes().vec(), b.sizes().vec());
    const double diff = (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
    if (diff > tol)
        QFAIL(qPrintable(QString("max difference %1 > %2").arg(diff).arg(tol)));
}

/// Undirected path 0 - 1 - ... - (n-1).
at::Tensor path(int64_t n)
{
    auto a = torch::arange(n - 1, torch::kLong);
    return graph::toUndirected(torch::stack({ a, a + 1 }), n);
}
} // namespace

class HgpslTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sparsemaxMatchesTheReferenceExample()
    {
        // sparse_softmax.py's own example and the output it documents.
        auto x = torch::tensor(
            { 1.7301f, 0.6792f, -1.0565f, 1.6614f, -0.3196f, -0.7790f, -0.3877f, -0.4943f, 0.1831f, -0.0061f });
        auto group = torch::cat({ torch::zeros({ 4 }, torch::kLong), torch::ones({ 6 }, torch::kLong) });
        auto expected = torch::tensor({ 0.5343f, 0.f, 0.f, 0.4657f, 0.0612f, 0.f, 0.f, 0.f, 0.5640f, 0.3748f });
        compareClose(F::sparsemax(x, group, 2), expected, 1e-4);
        // Groups in any order: the same values, interleaved.
        auto perm = torch::tensor({ 4, 0, 5, 1, 6, 2, 7, 3, 8, 9 }, torch::kLong);
        compareClose(F::sparsemax(x.index_select(0, perm), group.index_select(0, perm), 2),
            expected.index_select(0, perm), 1e-4);
    }

    void sparsemaxKnownVectors()
    {
        auto one = torch::zeros({ 3 }, torch::kLong);
        // 1 + 2*2 = 5 is not > 3 + 2: only the largest survives.
        compareClose(F::sparsemax(torch::tensor({ 1.f, 2.f, 3.f }), one, 1), torch::tensor({ 0.f, 0.f, 1.f }), 1e-6);
        // All in the support: tau = (0.6 - 1) / 3.
        compareClose(F::sparsemax(torch::tensor({ 0.1f, 0.2f, 0.3f }), one, 1),
            torch::tensor({ 0.1f + 0.4f / 3, 0.2f + 0.4f / 3, 0.3f + 0.4f / 3 }), 1e-6);
        // A lone entry gets 1; an empty group is no error.
        compareClose(
            F::sparsemax(torch::tensor({ -7.f }), torch::tensor({ 2 }, torch::kLong), 4), torch::tensor({ 1.f }), 0);
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument, F::sparsemax(torch::tensor({ 1.f }), torch::tensor({ 3 }, torch::kLong), 2));
    }

    void sparsemaxBackwardMatchesFiniteDifferences()
    {
        torch::manual_seed(3);
        auto z = torch::randn({ 12 }) * 0.6;
        auto group = torch::tensor({ 0, 1, 0, 2, 1, 0, 2, 2, 1, 0, 2, 1 }, torch::kLong);
        auto c = torch::randn({ 12 });
        auto zv = z.clone().requires_grad_(true);
        (F::sparsemax(zv, group, 3) * c).sum().backward();
        auto analytic = zv.grad();
        const float eps = 1e-3f;
        int onSupport = 0;
        for (int64_t i = 0; i < 12; ++i) {
            auto up = z.clone(), down = z.clone();
            up[i] += eps;
            down[i] -= eps;
            const double fd = ((F::sparsemax(up, group, 3) * c).sum().item<double>()
                                  - (F::sparsemax(down, group, 3) * c).sum().item<double>())
                / (2.0 * eps);
            QVERIFY2(std::abs(fd - analytic[i].item<double>()) < 2e-3,
                qPrintable(QString("entry %1: finite difference %2, backward %3")
                               .arg(i)
                               .arg(fd)
                               .arg(analytic[i].item<double>())));
            onSupport += F::sparsemax(z, group, 3)[i].item<float>() > 0 ? 1 : 0;
        }
        // The case is not degenerate: some entries are in a support, some are not.
        QVERIFY(onSupport > 3 && onSupport < 12);
    }

    void learnedEdgeWeightsPropagateWithGradients()
    {
        // The weighted sum HGP-SL's GCN runs over learned edges, against the dense product:
        // out = A^T x with A[s, t] = w, and its gradients in x and in w.
        torch::manual_seed(9);
        const int64_t n = 6;
        auto ei = torch::tensor({ 0, 0, 1, 2, 2, 3, 5, 5, 4, 1, 2, 0, 3, 1, 0, 4, 0, 5 }, torch::kLong).view({ 2, 9 });
        auto x = torch::randn({ n, 5 }, torch::requires_grad());
        auto w = torch::rand({ 9 }, torch::requires_grad());
        auto c = torch::randn({ n, 5 });
        (F::propagateSum(ei, w, x, n) * c).sum().backward();
        auto xr = x.detach().clone().requires_grad_(true);
        auto wr = w.detach().clone().requires_grad_(true);
        auto dense = torch::zeros({ n, n }).index_put({ ei[1], ei[0] }, wr, /*accumulate=*/true);
        auto expected = dense.mm(xr);
        (expected * c).sum().backward();
        compareClose(F::propagateSum(ei, w, x, n), expected, 1e-5);
        compareClose(x.grad(), xr.grad(), 1e-5);
        compareClose(w.grad(), wr.grad(), 1e-5);
    }

    void informationScoreMatchesTheDenseFormula()
    {
        torch::manual_seed(5);
        const int64_t n = 5;
        auto ei
            = torch::tensor({ 0, 1, 1, 2, 2, 3, 3, 4, 0, 2, 2, 2, 1, 0, 2, 1, 3, 2, 4, 3, 2, 0, 2, 4 }, torch::kLong)
                  .view({ 2, 12 });
        auto w = torch::rand({ 12 }) + 0.1;
        auto x = torch::randn({ n, 3 });
        auto dense = torch::zeros({ n, n });
        for (int64_t e = 0; e < 12; ++e)
            dense[ei[0][e].item<int64_t>()][ei[1][e].item<int64_t>()] += w[e];
        // Messages flow source -> target: (A^T x) with A[s, t]; D sums the weights leaving s.
        auto dinv = dense.sum(1).pow(-0.5);
        auto norm = dinv.view({ -1, 1 }) * dense * dinv.view({ 1, -1 });
        auto expected = (x - norm.t().mm(x)).abs().sum(1);
        compareClose(nn::hgpsl::informationScore(x, ei, w), expected, 1e-5);
        // Unweighted: ones.
        auto ones = dense.gt(0).to(torch::kFloat);
        auto dinv1 = ones.sum(1).pow(-0.5);
        auto expected1 = (x - (dinv1.view({ -1, 1 }) * ones * dinv1.view({ 1, -1 })).t().mm(x)).abs().sum(1);
        compareClose(nn::hgpsl::informationScore(x, ei, {}), expected1, 1e-5);
    }

    void topkKeepsTheCeilingOfTheRatioPerGraph()
    {
        // Graphs of 1, 3, 4 and 5 nodes; ratio 0.5 keeps 1, 2, 2 and 3.
        auto batch = torch::tensor({ 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3 }, torch::kLong);
        auto score = torch::tensor({ 0.3f, 0.1f, 0.9f, 0.5f, 0.2f, 0.8f, 0.8f, 0.1f, 5.f, 4.f, 3.f, 2.f, 1.f });
        auto perm = nn::hgpsl::topkPerGraph(score, 0.5, batch, 4);
        QCOMPARE(perm.sizes().vec(), (std::vector<int64_t> { 8 }));
        std::vector<int64_t> got(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + perm.numel());
        // Graph by graph, by descending score, ties by index.
        QCOMPARE(got, (std::vector<int64_t> { 0, 2, 3, 5, 6, 8, 9, 10 }));
        QCOMPARE(nn::hgpsl::topkPerGraph(score, 0.7, batch, 4).size(0), int64_t(1 + 3 + 3 + 4));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, nn::hgpsl::topkPerGraph(score, 0.0, batch, 4));
    }

    void candidatesFollowWalksOfUpToFourEdges()
    {
        // Path 0..6, all nodes kept: node 0 reaches 1..4 (plus its self loop), not 5 or 6.
        auto ei = path(7);
        auto perm = torch::arange(7, torch::kLong);
        auto [cand, original] = nn::hgpsl::candidateEdges(ei, 7, perm);
        std::set<std::pair<int64_t, int64_t>> edges;
        for (int64_t e = 0; e < cand.size(1); ++e) {
            const int64_t s = cand[0][e].item<int64_t>(), t = cand[1][e].item<int64_t>();
            edges.insert({ s, t });
            const int64_t o = original[e].item<int64_t>();
            // Original edges are exactly the path's neighbours, and point at the right edge.
            if (std::abs(s - t) == 1) {
                QVERIFY(o >= 0);
                QCOMPARE(ei[0][o].item<int64_t>(), s);
                QCOMPARE(ei[1][o].item<int64_t>(), t);
            } else
                QCOMPARE(o, int64_t(-1));
            QVERIFY(std::abs(s - t) <= 4);
        }
        int64_t expected = 0;
        for (int64_t s = 0; s < 7; ++s)
            for (int64_t t = 0; t < 7; ++t)
                expected += std::abs(s - t) <= 4 ? 1 : 0;
        QCOMPARE(static_cast<int64_t>(edges.size()), expected);
        QCOMPARE(cand.size(1), expected); // no duplicates
        // Kept nodes only, renumbered; walks pass through dropped nodes.
        auto kept = torch::tensor({ 5, 0, 2 }, torch::kLong);
        auto [c2, o2] = nn::hgpsl::candidateEdges(ei, 7, kept);
        std::vector<std::pair<int64_t, int64_t>> got;
        for (int64_t e = 0; e < c2.size(1); ++e)
            got.emplace_back(c2[0][e].item<int64_t>(), c2[1][e].item<int64_t>());
        // 5 reaches 2 (3 steps) but not 0 (5 steps); 0 reaches 2; 2 reaches 0 and 5.
        QCOMPARE(got,
            (std::vector<std::pair<int64_t, int64_t>> {
                { 0, 0 }, { 0, 2 }, { 1, 1 }, { 1, 2 }, { 2, 0 }, { 2, 1 }, { 2, 2 } }));
        QCOMPARE(o2.ne(-1).sum().item<int64_t>(), int64_t(0));
        // Directed edges are followed forwards only.
        auto chain = torch::tensor({ 0, 1, 1, 2 }, torch::kLong).view({ 2, 2 });
        auto [c3, o3] = nn::hgpsl::candidateEdges(chain, 3, torch::arange(3, torch::kLong));
        QCOMPARE(c3.size(1), int64_t(3 + 3)); // self loops + 0->1, 0->2, 1->2
        QCOMPARE(o3.ne(-1).sum().item<int64_t>(), int64_t(2));
    }

    void poolingLearnsNormalisedSparseEdges()
    {
        torch::manual_seed(7);
        // Two graphs: a path of 6 and a path of 5.
        auto ei = torch::cat({ path(6), path(5) + 6 }, 1);
        auto batch = torch::cat({ torch::zeros({ 6 }, torch::kLong), torch::ones({ 5 }, torch::kLong) });
        auto x = torch::randn({ 11, 4 }, torch::requires_grad());
        nn::HgpslPool pool(nn::HgpslPoolOptions(4).ratio(0.5));
        auto out = pool->forward(x, ei, {}, batch, 2);
        QCOMPARE(out.perm.size(0), int64_t(3 + 3));
        compareClose(out.x, x.index_select(0, out.perm), 0);
        QCOMPARE(out.batch.sum().item<int64_t>(), int64_t(3));
        // Every pooled node's outgoing weights are a sparsemax: non-negative, summing to 1.
        auto sums = torch::zeros({ 6 }).index_add(0, out.edgeIndex[0], out.edgeWeight);
        compareClose(sums, torch::ones({ 6 }), 1e-5);
        QVERIFY(out.edgeWeight.min().item<float>() > 0);
        // Edges stay inside their graph.
        auto sameGraph = out.batch.index_select(0, out.edgeIndex[0]) == out.batch.index_select(0, out.edgeIndex[1]);
        QVERIFY(sameGraph.all().item<bool>());
        // The learned weights carry gradients to the attention vector and the features.
        (out.edgeWeight * torch::arange(out.edgeWeight.size(0)).to(torch::kFloat)).sum().backward();
        QVERIFY(pool->att.grad().defined() && pool->att.grad().abs().sum().item<float>() > 0);
        QVERIFY(x.grad().defined());
        // Softmax instead: every candidate keeps a positive weight.
        nn::HgpslPool soft(nn::HgpslPoolOptions(4).ratio(0.5).sparse(false));
        auto o2 = soft->forward(x.detach(), ei, {}, batch, 2);
        auto [cand, orig] = nn::hgpsl::candidateEdges(ei, 11, o2.perm);
        QCOMPARE(o2.edgeIndex.size(1), cand.size(1));
    }

    void classifierHasTheReferenceShape()
    {
        // models.py with nhid 128 on PROTEINS' 4 features (use_node_attr), 2 classes:
        // GCN 4*128+128, two GCN 128*128+128, two att 256, lin 256*128+128, 128*64+64, 64*2+2.
        experiment::ModelConfig c;
        c.arch = "hgpsl";
        c.hidden = 128;
        c.layers = 3;
        c.dropout = 0.0;
        auto model = models::ModelFactory::graphModel(c, 4, 2);
        int64_t n = 0;
        std::vector<std::string> names;
        for (const auto& p : model->named_parameters()) {
            n += p.value().numel();
            names.push_back(p.key());
        }
        QCOMPARE(n, int64_t(640 + 2 * 16512 + 2 * 256 + 32896 + 8256 + 130));
        QCOMPARE(n, int64_t(75458));
        QCOMPARE(names,
            (std::vector<std::string> { "conv0.weight", "conv0.bias", "conv1.weight", "conv1.bias", "conv2.weight",
                "conv2.bias", "pool0.att", "pool1.att", "lin0.weight", "lin0.bias", "lin1.weight", "lin1.bias",
                "lin2.weight", "lin2.bias" }));
        // A batch of three graphs: logits per graph, gradients reach every parameter.
        torch::manual_seed(11);
        auto ei = torch::cat({ path(7), path(4) + 7, path(9) + 11 }, 1);
        auto batch = torch::cat({ torch::zeros({ 7 }, torch::kLong), torch::ones({ 4 }, torch::kLong),
            torch::full({ 9 }, 2, torch::kLong) });
        auto x = torch::randn({ 20, 4 });
        model->train();
        auto logits = model->forward(x, ei, batch, 3);
        QCOMPARE(logits.sizes().vec(), (std::vector<int64_t> { 3, 2 }));
        torch::nn::functional::cross_entropy(logits, torch::tensor({ 0, 1, 1 }, torch::kLong)).backward();
        for (const auto& p : model->named_parameters())
            QVERIFY2(p.value().grad().defined() && p.value().grad().abs().sum().item<float>() > 0, p.key().c_str());
        // The same graphs one at a time give the same logits (pooling is per graph).
        model->eval();
        torch::NoGradGuard guard;
        auto all = model->forward(x, ei, batch, 3);
        auto first = model->forward(x.slice(0, 0, 7), path(7), torch::zeros({ 7 }, torch::kLong), 1);
        compareClose(first, all.slice(0, 0, 1), 1e-5);
    }
};

QTEST_GUILESS_MAIN(HgpslTest)
#include "HgpslTest.moc"
