// Tests the layers of the paper's own models against hand-computed references on tiny graphs:
// the open B-spline basis and SplineConv (Fey et al. 2018, PyG semantics), GCN with edge weights
// (PyG's GCNConv(edge_weight)), the TargetIndegree edge attribute, APPNP propagation and the GNAE
// encoder layer of the paper's link-prediction model (NESS).
#include "core/data/Transforms.h"
#include "core/experiment/ExperimentConfig.h"
#include "core/graph/EdgeIndex.h"
#include "core/models/ModelFactory.h"
#include "core/models/Models.h"
#include "core/nn/GcnConv.h"
#include "core/nn/GnaeConv.h"
#include "core/nn/SplineConv.h"

#include <QtTest>
#include <torch/torch.h>

#include <cmath>

using namespace gsq::core;

namespace {
/// Star: centre 0 linked to 1, 2, 3 (both directions).
at::Tensor star()
{
    return graph::toUndirected(torch::tensor({ 0, 0, 0, 1, 2, 3 }, torch::kLong).view({ 2, 3 }), 4);
}

int64_t parameterCount(const torch::nn::Module& m)
{
    int64_t n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}
} // namespace

class PaperLayersTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void splineBasisDegreeOne()
    {
        auto pseudo = torch::tensor({ 0.0f, 0.25f, 1.0f }).view({ 3, 1 });
        auto [basis, index] = nn::splineBasis(pseudo, 2, 1);
        QCOMPARE(basis.sizes(), (at::IntArrayRef { 3, 2 }));
        // u in [0, 1): (1 - u) on W0 and u on W1; u = 1 puts everything on W1.
        QVERIFY(torch::allclose(basis, torch::tensor({ 1.0f, 0.0f, 0.75f, 0.25f, 1.0f, 0.0f }).view({ 3, 2 })));
        QVERIFY(torch::equal(index, torch::tensor({ 0, 1, 0, 1, 1, 0 }, torch::kLong).view({ 3, 2 })));
    }

    void splineBasisHigherDegrees()
    {
        // Quadratic, kernel 3, u = 0.5: v = 0.5 inside the only interval -> 1/8, 3/4, 1/8.
        auto [b2, i2] = nn::splineBasis(torch::tensor({ 0.5f }).view({ 1, 1 }), 3, 2);
        QVERIFY(torch::allclose(b2, torch::tensor({ 0.125f, 0.75f, 0.125f }).view({ 1, 3 })));
        QVERIFY(torch::equal(i2, torch::tensor({ 0, 1, 2 }, torch::kLong).view({ 1, 3 })));
        // Cubic, kernel 5, u = 0.3: v = 0.6, interval 0; the uniform cubic B-spline values.
        auto [b3, i3] = nn::splineBasis(torch::tensor({ 0.3f }).view({ 1, 1 }), 5, 3);
        const double v = 0.6;
        const double expected[4] = { std::pow(1 - v, 3) / 6, (3 * v * v * v - 6 * v * v + 4) / 6,
            (-3 * v * v * v + 3 * v * v + 3 * v + 1) / 6, v * v * v / 6 };
        for (int s = 0; s < 4; ++s) {
            QVERIFY(std::abs(b3[0][s].item<double>() - expected[s]) < 1e-6);
            QCOMPARE(i3[0][s].item<int64_t>(), static_cast<int64_t>(s));
        }
        // Every basis is a partition of unity, in two dimensions too (S = 3^2).
        torch::manual_seed(3);
        auto [b, idx] = nn::splineBasis(torch::rand({ 50, 2 }), 4, 2);
        QCOMPARE(b.size(1), static_cast<int64_t>(9));
        QVERIFY(torch::allclose(b.sum(1), torch::ones({ 50 }), 1e-5, 1e-6));
        QVERIFY(idx.min().item<int64_t>() >= 0 && idx.max().item<int64_t>() < 16);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, nn::splineBasis(torch::rand({ 2, 1 }), 2, 2));
    }

    void splineConvMatchesClosedForm()
    {
        // Degree 1, dim 1, kernel 2: x'_i = mean_j [(1 - u_ji) x_j W0 + u_ji x_j W1] + x_i W_root + b.
        torch::manual_seed(7);
        auto ei = torch::tensor({ 1, 2, 0, 3, 0, 0, 1, 1 }, torch::kLong).view({ 2, 4 }); // 1->0, 2->0, 0->1, 3->1
        auto u = torch::tensor({ 0.2f, 0.9f, 0.5f, 1.0f }).view({ 4, 1 });
        auto x = torch::randn({ 4, 3 });
        nn::SplineConv conv(nn::SplineConvOptions(3, 2));
        torch::NoGradGuard g;
        conv->bias.uniform_(-1, 1);
        auto out = conv->forward(x, ei, u);
        auto xd = x.to(torch::kDouble);
        auto w0 = conv->weight[0].to(torch::kDouble), w1 = conv->weight[1].to(torch::kDouble);
        auto root = conv->lin->weight.to(torch::kDouble).t(), b = conv->bias.to(torch::kDouble);
        auto msg = [&](int j, double uj) { return (1 - uj) * xd[j].matmul(w0) + uj * xd[j].matmul(w1); };
        auto expected = torch::zeros({ 4, 2 }, torch::kDouble);
        expected[0] = (msg(1, 0.2) + msg(2, 0.9)) / 2;
        expected[1] = (msg(0, 0.5) + msg(3, 1.0)) / 2;
        expected = expected + xd.matmul(root) + b; // nodes 2 and 3 have no in-edges: root + bias only
        QVERIFY(torch::allclose(out.to(torch::kDouble), expected, 1e-5, 1e-6));
        // Sparse features give the same output.
        QVERIFY(torch::allclose(conv->forward(x.to_sparse_csr(), ei, u), out, 1e-5, 1e-6));
    }

    void splineConvGradientMatchesFiniteDifference()
    {
        torch::manual_seed(11);
        auto ei = star();
        auto u = data::targetIndegree(ei, 4);
        auto x = torch::randn({ 4, 3 }, torch::kDouble);
        nn::SplineConv conv(nn::SplineConvOptions(3, 2).degree(1).kernel_size(3));
        conv->to(torch::kDouble);
        auto loss = [&] { return (conv->forward(x, ei, u.to(torch::kDouble)).pow(2)).sum(); };
        loss().backward();
        for (auto* p : { &conv->weight, &conv->lin->weight }) {
            auto grad = p->grad().clone();
            torch::NoGradGuard g;
            auto flat = p->view({ -1 });
            for (int64_t i = 0; i < flat.numel(); i += 5) {
                const double keep = flat[i].item<double>();
                flat[i] = keep + 1e-6;
                const double up = loss().item<double>();
                flat[i] = keep - 1e-6;
                const double down = loss().item<double>();
                flat[i] = keep;
                QVERIFY2(std::abs((up - down) / 2e-6 - grad.view({ -1 })[i].item<double>()) < 1e-5,
                    qPrintable(QString("entry %1").arg(i)));
            }
        }
    }

    void splineConvNeedsPseudoCoordinates()
    {
        nn::SplineConv conv(nn::SplineConvOptions(1, 1));
        try {
            conv->forward(torch::ones({ 4, 1 }), star());
            QFAIL("expected an exception");
        } catch (const std::invalid_argument& e) {
            QVERIFY(QString(e.what()).contains("target_indegree"));
        }
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument, conv->forward(torch::ones({ 4, 1 }), star(), torch::zeros({ 3, 1 })));
    }

    void bbbpGcnHeadOfOneLayer()
    {
        // GCN 3x128 on 9 raw atom features -> max pool -> Linear(128 -> 2):
        // (9*128 + 128) + 2 * (128*128 + 128) + (128*2 + 2) = 34,562 parameters.
        experiment::ModelConfig c;
        c.arch = "gcn";
        c.hidden = 128;
        c.layers = 3;
        c.pooling = "max";
        c.headLayers = 1;
        c.batchNorm = false;
        auto model = models::ModelFactory::graphClassifier(c, 9, 2);
        QCOMPARE(parameterCount(*model), static_cast<int64_t>(34562));
        QVERIFY(!model->head2);
        QCOMPARE(model->head1->weight.sizes().vec(), (std::vector<int64_t> { 2, 128 }));
        auto x = torch::randn({ 5, 9 });
        auto ei = torch::tensor({ 0, 1, 1, 0, 3, 4, 4, 3 }, torch::kLong).view({ 2, 4 }).contiguous();
        auto batch = torch::tensor({ 0, 0, 0, 1, 1 }, torch::kLong);
        model->eval();
        auto out = model->forward(x, ei, batch, 2);
        QCOMPARE(out.sizes().vec(), (std::vector<int64_t> { 2, 2 }));
        c.headLayers = 2;
        QCOMPARE(parameterCount(*models::ModelFactory::graphClassifier(c, 9, 2)),
            static_cast<int64_t>(34562 - 258 + 128 * 128 + 128 + 258));
    }

    void splineCnnHasThePapersParameterCount()
    {
        // PyG examples/cora.py: SplineConv(1433 -> 16) -> SplineConv(16 -> 7), 69,143 parameters.
        experiment::ModelConfig c;
        c.arch = "spline";
        c.hidden = 16;
        c.layers = 2;
        auto model = models::ModelFactory::nodeClassifier(c, 1433, 7);
        QCOMPARE(parameterCount(*model), static_cast<int64_t>(69143));
        const auto names = model->named_parameters().keys();
        QVERIFY(std::find(names.begin(), names.end(), "stack.conv0.weight") != names.end());
        QVERIFY(std::find(names.begin(), names.end(), "stack.conv0.lin.weight") != names.end());
        QCOMPARE(model->named_parameters()["stack.conv0.weight"].sizes(), (at::IntArrayRef { 2, 1433, 16 }));
    }

    void targetIndegreeOnStar()
    {
        auto ei = star();
        auto u = data::targetIndegree(ei, 4);
        QCOMPARE(u.sizes(), (at::IntArrayRef { 6, 1 }));
        for (int64_t e = 0; e < 6; ++e) {
            const double expected = ei[1][e].item<int64_t>() == 0 ? 1.0 : 1.0 / 3.0;
            QVERIFY(std::abs(u[e][0].item<double>() - expected) < 1e-6);
        }
    }

    void gcnEdgeWeightsMatchDenseFormula()
    {
        torch::manual_seed(5);
        auto ei = star();
        auto w = torch::rand({ ei.size(1) }) + 0.1;
        auto x = torch::randn({ 4, 3 });
        // Dense reference: A[t, s] = w, plus I; D = row sums; out = D^-1/2 (A + I) D^-1/2 X W^T.
        auto a = torch::eye(4, torch::kDouble);
        for (int64_t e = 0; e < ei.size(1); ++e)
            a[ei[1][e].item<int64_t>()][ei[0][e].item<int64_t>()] += w[e].item<double>();
        auto dinv = a.sum(1).pow(-0.5);
        auto norm = dinv.unsqueeze(1) * a * dinv.unsqueeze(0);
        for (bool cached : { false, true }) {
            nn::GcnConv conv(nn::GcnConvOptions(3, 2).cached(cached));
            torch::NoGradGuard g;
            auto expected = norm.matmul(x.to(torch::kDouble)).matmul(conv->weight.to(torch::kDouble).t())
                + conv->bias.to(torch::kDouble);
            QVERIFY(torch::allclose(conv->forward(x, ei, w.view({ -1, 1 })).to(torch::kDouble), expected, 1e-5, 1e-6));
            // Unit weights are the unweighted layer.
            QVERIFY(torch::allclose(conv->forward(x, ei, torch::ones({ ei.size(1) })), conv->forward(x, ei), 1e-6));
        }
    }

    void appnpMatchesDenseFormula()
    {
        torch::manual_seed(3);
        auto ei = star();
        auto h = torch::randn({ 4, 3 }, torch::kDouble);
        // A_hat = D^-1/2 (A + I) D^-1/2 on the star: degrees 4, 2, 2, 2 with self loops.
        auto a = torch::eye(4, torch::kDouble);
        for (int64_t e = 0; e < ei.size(1); ++e)
            a[ei[1][e].item<int64_t>()][ei[0][e].item<int64_t>()] += 1.0;
        auto dinv = a.sum(1).pow(-0.5);
        auto norm = dinv.unsqueeze(1) * a * dinv.unsqueeze(0);
        QCOMPARE(norm[0][1].item<double>(), 1.0 / std::sqrt(8.0));
        for (auto [K, alpha] : { std::pair<int64_t, double> { 1, 0.0 }, { 2, 0.1 }, { 10, 0.15 } }) {
            auto expected = h.clone();
            for (int64_t k = 0; k < K; ++k)
                expected = (1 - alpha) * norm.matmul(expected) + alpha * h;
            auto got = nn::functional::appnp(h.to(torch::kFloat), ei, K, alpha).to(torch::kDouble);
            QVERIFY2(
                torch::allclose(got, expected, 1e-5, 1e-6), qPrintable(QString("K=%1 alpha=%2").arg(K).arg(alpha)));
        }
        QVERIFY(torch::equal(nn::functional::appnp(h, ei, 0, 0.3), h)); // K = 0: no propagation
    }

    void gnaeEncoderHasThePapersShapeAndFormula()
    {
        // NESS on Cora: Linear(1433 -> 32) -> row L2 normalisation * 1.8 -> APPNP(K = 1, alpha = 0):
        // 45,888 parameters, all in the one linear layer.
        experiment::ModelConfig c;
        c.arch = "gnae";
        c.hidden = 32;
        c.layers = 1;
        c.dropout = 0;
        auto model = models::ModelFactory::linkPredictor(c, 1433);
        QCOMPARE(parameterCount(*model), static_cast<int64_t>(45888));

        torch::manual_seed(4);
        nn::GnaeConv conv(nn::GnaeConvOptions(3, 2).K(1).alpha(0.0).scale(1.8));
        auto ei = star();
        auto x = torch::randn({ 4, 3 });
        torch::NoGradGuard g;
        auto lin = (x.matmul(conv->weight.t()) + conv->bias).to(torch::kDouble);
        auto rows = lin / lin.norm(2, 1, true) * 1.8;
        auto expected = nn::functional::appnp(rows, ei, 1, 0.0);
        auto got = conv->forward(x, ei).to(torch::kDouble);
        QVERIFY(torch::allclose(got, expected, 1e-5, 1e-6));
        // Every row of the propagated output is a mean of rows of norm 1.8: its norm is at most 1.8 * 2.
        QVERIFY(got.norm(2, 1).max().item<double>() <= 1.8 * 2 + 1e-6);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, nn::GnaeConv(nn::GnaeConvOptions(3, 2).alpha(1.5)));
    }
};

QTEST_GUILESS_MAIN(PaperLayersTest)
#include "PaperLayersTest.moc"
