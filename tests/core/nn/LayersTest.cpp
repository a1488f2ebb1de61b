// Tests core/nn: each layer against values computed by hand on a 4-node star graph, the sparse
// feature path against the dense one, pooling, and the forward contract's error messages.
#include "core/graph/EdgeIndex.h"
#include "core/models/GnnStack.h"
#include "core/nn/GatConv.h"
#include "core/nn/GcnConv.h"
#include "core/nn/GinConv.h"
#include "core/nn/SageConv.h"
#include "core/nn/functional/MessagePassing.h"

#include <QtTest>
#include <torch/torch.h>

#include <cmath>

using namespace gsq::core;
namespace F = gsq::core::nn::functional;

namespace {
/// Star: centre 0 linked to 1, 2, 3 (both directions); x = [1, 2, 3, 4]^T.
at::Tensor star()
{
    return graph::toUndirected(torch::tensor({ 0, 0, 0, 1, 2, 3 }, torch::kLong).view({ 2, 3 }), 4);
}
at::Tensor x1()
{
    return torch::tensor({ 1.0f, 2.0f, 3.0f, 4.0f }).view({ 4, 1 });
}
} // namespace

class LayersTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gcnMatchesHandComputation()
    {
        for (bool cached : { false, true }) {
            nn::GcnConv conv(nn::GcnConvOptions(1, 1).cached(cached));
            torch::NoGradGuard g;
            conv->weight.fill_(1.0);
            auto out = conv->forward(x1(), star());
            // deg with self loop: centre 4, leaves 2.
            QVERIFY(std::abs(out[0][0].item<double>() - (0.25 + 9.0 / std::sqrt(8.0))) < 1e-5);
            QVERIFY(std::abs(out[1][0].item<double>() - (1.0 + 1.0 / std::sqrt(8.0))) < 1e-5);
            QVERIFY(std::abs(out[3][0].item<double>() - (2.0 + 1.0 / std::sqrt(8.0))) < 1e-5);
        }
    }

    void gcnSparseFeaturesEqualDense()
    {
        torch::manual_seed(1);
        auto x = (torch::rand({ 4, 6 }) > 0.6).to(torch::kFloat) * torch::rand({ 4, 6 });
        nn::GcnConv conv(nn::GcnConvOptions(6, 3).cached(true));
        auto dense = conv->forward(x, star());
        // Gradients w.r.t. the weight agree too (CSR runs SpmmFunction's backward).
        (dense * dense).sum().backward();
        auto gDense = conv->weight.grad().clone();
        for (const auto& sparseX : { x.to_sparse(), x.to_sparse_csr() }) {
            conv->weight.mutable_grad().zero_();
            auto out = conv->forward(sparseX, star());
            QVERIFY(torch::allclose(dense, out, 1e-5, 1e-6));
            (out * out).sum().backward();
            QVERIFY(torch::allclose(gDense, conv->weight.grad(), 1e-5, 1e-6));
        }
    }

    void spmmMatchesDenseProductAndGradient()
    {
        torch::manual_seed(2);
        auto a = (torch::rand({ 7, 5 }) > 0.5).to(torch::kFloat) * torch::randn({ 7, 5 });
        auto h = torch::randn({ 5, 3 }, torch::requires_grad());
        auto ref = torch::mm(a, h);
        auto g = torch::randn({ 7, 3 });
        auto refGrad = torch::autograd::grad({ ref }, { h }, { g })[0];
        auto out = F::spmm(a.to_sparse_csr(), h);
        QVERIFY(torch::allclose(ref, out, 1e-5, 1e-6));
        auto grad = torch::autograd::grad({ out }, { h }, { g })[0];
        QVERIFY(torch::allclose(refGrad, grad, 1e-5, 1e-6));
        QVERIFY_EXCEPTION_THROWN(F::spmm(a.to_sparse_csr(), torch::randn({ 4, 3 })), std::invalid_argument);
    }

    void ginAggregateMatchesComposedFormAndGradients()
    {
        // The fused one-pass form against (1 + eps) x + propagateSum on a random multigraph with
        // repeated edges, self loops and isolated nodes, for GIN-0 and a learnable eps.
        torch::manual_seed(9);
        const int64_t n = 40;
        auto ei = torch::randint(0, n - 5, { 2, 150 }, torch::kLong); // nodes 35..39 isolated
        auto g = torch::randn({ n, 6 });
        for (double epsValue : { 0.0, 0.3 }) {
            auto x = torch::randn({ n, 6 }, torch::requires_grad());
            auto eps = torch::full({ 1 }, epsValue, torch::requires_grad());
            auto ref = (1 + eps) * x + F::propagateSum(ei, {}, x, n);
            auto refGrads = torch::autograd::grad({ ref }, { x, eps }, { g });
            auto out = F::ginAggregate(ei, x, eps);
            QVERIFY(torch::allclose(out, ref, 1e-5, 1e-6));
            auto grads = torch::autograd::grad({ out }, { x, eps }, { g });
            QVERIFY(torch::allclose(grads[0], refGrads[0], 1e-5, 1e-6));
            QVERIFY(torch::allclose(grads[1], refGrads[1], 1e-4, 1e-5));
            // No gradient asked for eps (GIN-0): none computed, x's still right.
            auto fixedEps = torch::full({ 1 }, epsValue);
            auto gx = torch::autograd::grad({ F::ginAggregate(ei, x, fixedEps) }, { x }, { g })[0];
            QVERIFY(torch::allclose(gx, refGrads[0], 1e-5, 1e-6));
            torch::NoGradGuard guard;
            QVERIFY(torch::allclose(F::ginAggregate(ei, x, eps), ref, 1e-5, 1e-6));
        }
        // Row sums are independent of the thread count (rows are never shared between threads).
        auto x = torch::randn({ n, 6 });
        const int threads = at::get_num_threads();
        at::set_num_threads(1);
        auto one = F::ginAggregate(ei, x, torch::zeros({ 1 }));
        at::set_num_threads(2);
        auto two = F::ginAggregate(ei, x, torch::zeros({ 1 }));
        at::set_num_threads(threads);
        QVERIFY(torch::equal(one, two));
    }

    void linearSplitsRowsBetweenThreads()
    {
        const int threads = at::get_num_threads();
        at::set_num_threads(2);
        QCOMPARE(F::linearRowBlocks(4100, 64, 48), int64_t(2));
        QCOMPARE(F::linearRowBlocks(2047, 64, 64), int64_t(1)); // blocks under 1024 rows
        QCOMPARE(F::linearRowBlocks(5000, 16, 7), int64_t(1)); // too little work per block
        at::set_num_threads(1);
        QCOMPARE(F::linearRowBlocks(4100, 64, 48), int64_t(1));

        torch::manual_seed(11);
        const auto x0 = torch::randn({ 4100, 64 }), w0 = torch::randn({ 48, 64 }) * 0.1, b0 = torch::randn({ 48 }),
                   g = torch::randn({ 4100, 48 });
        // Reference: one addmm and its autograd on one thread.
        auto xr = x0.clone().requires_grad_(), wr = w0.clone().requires_grad_(), br = b0.clone().requires_grad_();
        auto ref = torch::addmm(br, xr, wr.t());
        ref.backward(g);

        at::set_num_threads(2);
        for (bool inputGrad : { true, false }) {
            auto x = x0.clone().requires_grad_(inputGrad), w = w0.clone().requires_grad_(),
                 b = b0.clone().requires_grad_();
            auto out = F::linear(x, w, b);
            QVERIFY2(out.grad_fn() && out.grad_fn()->name().find("RowSplitLinear") != std::string::npos,
                out.grad_fn() ? out.grad_fn()->name().c_str() : "no grad_fn");
            QVERIFY(torch::allclose(out, ref, 1e-5, 1e-5));
            out.backward(g);
            QCOMPARE(x.grad().defined(), inputGrad);
            if (inputGrad)
                QVERIFY(torch::allclose(x.grad(), xr.grad(), 1e-5, 1e-5));
            QVERIFY(torch::allclose(w.grad(), wr.grad(), 1e-4, 1e-3));
            QVERIFY(torch::allclose(b.grad(), br.grad(), 1e-4, 1e-3));

            // Same thread count, same bits: the partial products are summed in block order.
            auto w2 = w0.clone().requires_grad_(), b2 = b0.clone().requires_grad_();
            auto out2 = F::linear(x0, w2, b2);
            out2.backward(g);
            QVERIFY(torch::equal(out2, out.detach()));
            QVERIFY(torch::equal(w2.grad(), w.grad()));
            QVERIFY(torch::equal(b2.grad(), b.grad()));
        }
        // One thread, or no gradient asked for: the plain path.
        at::set_num_threads(1);
        auto w1 = w0.clone().requires_grad_();
        QVERIFY(F::linear(x0, w1, b0).grad_fn()->name().find("RowSplitLinear") == std::string::npos);
        at::set_num_threads(threads);
    }

    void sparseKernelsMatchDenseReference()
    {
        torch::manual_seed(5);
        auto a = (torch::rand({ 9, 7 }) > 0.6).to(torch::kFloat) * torch::randn({ 9, 7 });
        auto b = (torch::rand({ 7, 5 }) > 0.5).to(torch::kFloat) * torch::randn({ 7, 5 });
        QVERIFY(torch::allclose(F::csrTimesCsr(a.to_sparse_csr(), b.to_sparse_csr()), torch::mm(a, b), 1e-5, 1e-6));
        // linear() under SparseWeightsScope: pruned weights as CSR, for dense and CSR inputs.
        auto w = (torch::rand({ 6, 7 }) > 0.8).to(torch::kFloat) * torch::randn({ 6, 7 });
        auto bias = torch::randn({ 6 });
        torch::NoGradGuard g;
        const auto ref = torch::mm(a, w.t()) + bias;
        QVERIFY(!F::SparseWeightsScope::active());
        {
            F::SparseWeightsScope scope;
            QVERIFY(F::SparseWeightsScope::active());
            QVERIFY(torch::allclose(F::linear(a, w, bias), ref, 1e-5, 1e-6));
            QVERIFY(torch::allclose(F::linear(a.to_sparse_csr(), w, bias), ref, 1e-5, 1e-6));
            w.mul_(2); // a changed weight must not be served from the cache
            QVERIFY(torch::allclose(F::linear(a, w, bias), torch::mm(a, w.t()) + bias, 1e-5, 1e-6));
        }
        QVERIFY(!F::SparseWeightsScope::active());
    }

    void csrDropoutKeepsPattern()
    {
        torch::manual_seed(0);
        auto x = torch::eye(50).to_sparse_csr();
        auto d = F::dropout(x, 0.5, true);
        QCOMPARE(d.layout(), torch::kSparseCsr);
        QCOMPARE(d.col_indices().data_ptr(), x.col_indices().data_ptr());
        auto v = d.values();
        QVERIFY(((v == 0) | (v == 2)).all().item<bool>());
    }

    void sageMeanAggregation()
    {
        nn::SageConv conv(nn::SageConvOptions(1, 1));
        torch::NoGradGuard g;
        conv->weightNeighbours.fill_(1.0);
        conv->weightRoot.fill_(0.5);
        conv->bias.zero_();
        auto out = conv->forward(x1(), star());
        QCOMPARE(out[0][0].item<float>(), 3.0f + 0.5f); // mean(2,3,4) + 0.5*1
        QCOMPARE(out[2][0].item<float>(), 1.0f + 1.5f); // mean(1) + 0.5*3
    }

    void gatUniformAttentionAveragesNeighbourhood()
    {
        nn::GatConv conv(nn::GatConvOptions(1, 1).heads(2).concat(false));
        torch::NoGradGuard g;
        conv->weight.fill_(1.0);
        conv->attentionSource.zero_();
        conv->attentionTarget.zero_();
        conv->bias.zero_();
        conv->eval();
        auto out = conv->forward(x1(), star());
        QVERIFY(std::abs(out[0][0].item<float>() - 2.5f) < 1e-6); // mean(1,2,3,4), self loop included
        QVERIFY(std::abs(out[1][0].item<float>() - 1.5f) < 1e-6); // mean(2,1)
        // Attention sums to one over each node's incoming edges, per head.
        const auto& alpha = conv->lastAttention();
        QCOMPARE(alpha.size(0), 10); // 6 edges + 4 self loops
        auto ei = graph::addSelfLoops(star(), 4);
        auto sums = torch::zeros({ 4, 2 }).index_add(0, ei[1], alpha);
        QVERIFY(torch::allclose(sums, torch::ones({ 4, 2 })));
    }

    void gatAttentionPrefersHighScores()
    {
        torch::manual_seed(3);
        nn::GatConv conv(nn::GatConvOptions(1, 1).heads(1));
        torch::NoGradGuard g;
        conv->weight.fill_(1.0);
        conv->attentionSource.fill_(1.0);
        conv->attentionTarget.zero_();
        conv->eval();
        conv->forward(x1(), star());
        // Into the centre, the source with the largest x (node 3, x=4) gets the most attention.
        auto ei = graph::addSelfLoops(star(), 4);
        auto alpha = conv->lastAttention().view({ -1 });
        double best = -1;
        int64_t bestSrc = -1;
        for (int64_t e = 0; e < ei.size(1); ++e)
            if (ei[1][e].item<int64_t>() == 0 && alpha[e].item<double>() > best) {
                best = alpha[e].item<double>();
                bestSrc = ei[0][e].item<int64_t>();
            }
        QCOMPARE(bestSrc, 3);
    }

    void ginSumsNeighboursWithEpsilon()
    {
        nn::GinConv conv(nn::GinConvOptions(1, 1).batch_norm(false));
        torch::NoGradGuard g;
        conv->eps.fill_(0.5);
        conv->lin1->weight.fill_(1.0);
        conv->lin1->bias.zero_();
        conv->lin2->weight.fill_(1.0);
        conv->lin2->bias.zero_();
        auto out = conv->forward(x1(), star());
        QCOMPARE(out[0][0].item<float>(), 1.5f * 1 + 9.0f); // (1+eps) x_0 + (2+3+4)
        QCOMPARE(out[1][0].item<float>(), 1.5f * 2 + 1.0f);
    }

    void poolingModes()
    {
        auto x = torch::tensor({ 1.0f, -2.0f, 3.0f, 5.0f }).view({ 4, 1 });
        auto batch = torch::tensor({ 0, 0, 1, 1 }, torch::kLong);
        QCOMPARE(F::globalPool(x, batch, 2, "sum")[0][0].item<float>(), -1.0f);
        QCOMPARE(F::globalPool(x, batch, 2, "mean")[1][0].item<float>(), 4.0f);
        QCOMPARE(F::globalPool(x, batch, 2, "max")[0][0].item<float>(), 1.0f);
        QCOMPARE(F::globalPool(x, batch, 2, "max")[1][0].item<float>(), 5.0f);
        QVERIFY_EXCEPTION_THROWN(F::globalPool(x, batch, 2, "median"), std::invalid_argument);
    }

    void sparseDropoutKeepsSparsity()
    {
        torch::manual_seed(0);
        auto x = torch::eye(50).to_sparse();
        auto d = F::dropout(x, 0.5, true);
        QVERIFY(d.is_sparse());
        auto v = d.coalesce().values();
        // Kept values are scaled by 1/(1-p) = 2; dropped ones are 0.
        QVERIFY(((v == 0) | (v == 2)).all().item<bool>());
        const auto kept = (v == 2).sum().item<int64_t>();
        QVERIFY2(kept > 10 && kept < 40, qPrintable(QString::number(kept)));
        QVERIFY(F::dropout(x, 0.5, false).is_same(x));
    }

    void wrongInputsThrowWithHints()
    {
        nn::GcnConv conv(nn::GcnConvOptions(3, 2));
        try {
            conv->forward(x1(), star());
            QFAIL("expected an exception");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()), std::string("GcnConv: x has 1 features, layer expects 3"));
        }
        nn::SageConv sage(nn::SageConvOptions(1, 2));
        auto bad = torch::tensor({ 0, 7 }, torch::kLong).view({ 2, 1 });
        try {
            sage->forward(x1(), bad);
            QFAIL("expected an exception");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()), std::string("SageConv: edgeIndex refers to node 7 but x has 4 rows"));
        }
        QVERIFY_EXCEPTION_THROWN(sage->forward(x1(), torch::zeros({ 3, 2 }, torch::kLong)), std::invalid_argument);
    }

    void stackChainsLayerWidths()
    {
        models::GnnStackOptions o;
        o.inChannels = 5;
        o.hiddenChannels = 8;
        o.outChannels = 3;
        o.numLayers = 3;
        models::GnnStack stack(o, [](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
            return std::make_shared<nn::GcnConvImpl>(nn::GcnConvOptions(in, out));
        });
        stack.eval();
        auto out = stack.forward(torch::rand({ 4, 5 }), star());
        QCOMPARE(out.size(1), 3);
        QCOMPARE(stack.parameters().size(), size_t(6));
        QCOMPARE(stack.numLayers(), size_t(3));
    }
};

QTEST_GUILESS_MAIN(LayersTest)
#include "LayersTest.moc"
