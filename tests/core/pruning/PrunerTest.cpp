// Tests core/pruning: exact pruned counts, global vs per-layer ranking, overrides, patterns,
// masks surviving optimiser steps, the AGP curve and the L2 penalty.
#include "core/pruning/Pruner.h"
#include "core/experiment/ExperimentConfig.h"
#include "core/models/ModelFactory.h"
#include "core/models/Models.h"
#include "core/nn/GcnConv.h"
#include "core/pruning/Structured.h"
#include "core/training/Checkpoint.h"

#include <QtTest>
#include <torch/torch.h>

using namespace gsq::core;
using namespace gsq::core::pruning;

namespace {
/// Two weights: "small" with |w| = 1..20, "large" with |w| = 101..120, and a bias.
std::shared_ptr<torch::nn::Module> twoLayers()
{
    auto m = std::make_shared<torch::nn::Module>();
    m->register_parameter("small", torch::arange(1, 21, torch::kFloat).view({ 4, 5 }));
    m->register_parameter("large", -torch::arange(101, 121, torch::kFloat).view({ 5, 4 }));
    m->register_parameter("bias", torch::ones({ 4 }));
    return m;
}
int64_t nnz(torch::nn::Module& m, const char* name)
{
    return m.named_parameters()[name].ne(0).sum().item<int64_t>();
}
} // namespace

class PrunerTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void perLayerPrunesTheSmallestOfEachTensor()
    {
        auto m = twoLayers();
        auto masks = MaskSet::perLayerMagnitude(*m, {}, 0.25);
        QCOMPARE(nnz(*m, "small"), 15);
        QCOMPARE(nnz(*m, "large"), 15);
        QCOMPARE(nnz(*m, "bias"), 4); // 1-D parameters are never pruned
        // The five smallest magnitudes (1..5 and 101..105) are the ones removed.
        QCOMPARE(m->named_parameters()["small"].flatten().narrow(0, 0, 5).abs().sum().item<float>(), 0.0f);
        QCOMPARE(m->named_parameters()["large"].flatten()[5].item<float>(), -106.0f);
        auto stats = masks.measure(*m);
        QCOMPARE(stats.size(), size_t(2));
        QCOMPARE(stats[0].name, std::string("small"));
        QCOMPARE(stats[0].sparsity(), 0.25);
    }

    void globalRankingCanEmptyALayer()
    {
        auto m = twoLayers();
        auto masks = MaskSet::globalMagnitude(*m, {}, 0.5);
        QCOMPARE(nnz(*m, "small"), 0);
        QCOMPARE(nnz(*m, "large"), 20);
        QCOMPARE(masks.fullyPruned(*m), (std::vector<std::string> { "small" }));
    }

    void overridesAndPatterns()
    {
        auto m = twoLayers();
        Targets t;
        t.patterns = { "la*" };
        MaskSet::perLayerMagnitude(*m, t, 0.5);
        QCOMPARE(nnz(*m, "small"), 20);
        QCOMPARE(nnz(*m, "large"), 10);
        auto m2 = twoLayers();
        Targets o;
        o.overrides["small"] = 0.999; // rounds to all 20
        auto masks = MaskSet::perLayerMagnitude(*m2, o, 0.1);
        QCOMPARE(nnz(*m2, "small"), 0);
        QCOMPARE(nnz(*m2, "large"), 18);
        try {
            Targets bad;
            bad.patterns = { "conv9.*" };
            MaskSet::select(*m, bad);
            QFAIL("expected an exception");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()),
                std::string("layer pattern 'conv9.*' matches no weight; the model's weights are: small, large"));
        }
        QVERIFY_EXCEPTION_THROWN(MaskSet::perLayerMagnitude(*m, {}, 1.0), std::invalid_argument);
        QVERIFY_EXCEPTION_THROWN(MaskSet::perLayerMagnitude(*m, {}, -0.1), std::invalid_argument);
    }

    void globMatching()
    {
        QVERIFY(globMatch("*", "stack.conv0.weight"));
        QVERIFY(globMatch("stack.conv*.weight", "stack.conv12.weight"));
        QVERIFY(!globMatch("stack.conv*.weight", "stack.conv1.bias"));
        QVERIFY(globMatch("*lin?", "lin?"));
        QVERIFY(!globMatch("a*b", "ac"));
    }

    void masksSurviveAdamWithWeightDecay()
    {
        auto m = twoLayers();
        auto masks = MaskSet::perLayerMagnitude(*m, {}, 0.5);
        torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(0.1).weight_decay(0.01));
        for (int step = 0; step < 5; ++step) {
            opt.zero_grad();
            auto loss = (m->named_parameters()["small"] - 3).pow(2).sum() + m->named_parameters()["large"].sum();
            loss.backward();
            masks.maskGradients(*m);
            QCOMPARE(m->named_parameters()["small"].grad().ne(0).sum().item<int64_t>(), 10);
            opt.step();
            masks.apply(*m);
        }
        QCOMPARE(nnz(*m, "small"), 10);
        QCOMPARE(nnz(*m, "large"), 10);
    }

    void agpFollowsTheCubicCurve()
    {
        AgpSchedule s { 0.0, 0.8, 1, 11, 5 };
        QCOMPARE(s.sparsityAt(1), 0.0);
        QVERIFY(std::abs(s.sparsityAt(6) - (0.8 - 0.8 * 0.125)) < 1e-12); // t = 0.5: (1-0.5)^3
        QCOMPARE(s.sparsityAt(11), 0.8);
        QCOMPARE(s.sparsityAt(2), -1.0); // not a pruning epoch
        QCOMPARE(s.sparsityAt(12), -1.0); // after the end
        // (end - start) not a multiple of the frequency: the final sparsity still comes at the end.
        AgpSchedule uneven { 0.0, 0.8, 1, 10, 4 };
        QCOMPARE(uneven.sparsityAt(9), 0.8 - 0.8 * std::pow(1.0 - 8.0 / 9.0, 3.0));
        QCOMPARE(uneven.sparsityAt(10), 0.8);
        QCOMPARE(uneven.sparsityAt(8), -1.0);
    }

    void l2PenaltyAndNearZero()
    {
        auto m = std::make_shared<torch::nn::Module>();
        m->register_parameter("w", torch::tensor({ 3.0f, 4.0f, 0.0f, 0.0001f }).view({ 2, 2 }));
        m->register_parameter("v", torch::tensor({ 0.0f, 12.0f, 5.0f, 0.0f }).view({ 2, 2 }));
        QVERIFY(std::abs(l2Penalty(*m, { "w", "v" }).item<double>() - (5.0 + 13.0)) < 1e-4);
        QCOMPARE(nearZeroFraction(*m, { "w", "v" }, 1e-3), 4.0 / 8.0);
    }

    void structuredKeepsTheStrongestChannelsAndShrinksLayers()
    {
        experiment::ModelConfig mc;
        mc.arch = "gcn";
        mc.hidden = 8;
        mc.layers = 3;
        torch::manual_seed(3);
        auto model = models::ModelFactory::nodeClassifier(mc, 5, 3);
        auto params = model->named_parameters();
        {
            torch::NoGradGuard g;
            // Hidden channel c of boundary 0 gets norm growing with c: channels 4..7 must stay.
            for (int c = 0; c < 8; ++c) {
                params["stack.conv0.weight"][c].fill_(0.01 * (c + 1));
                params["stack.conv1.weight"].select(1, c).fill_(0.01 * (c + 1));
            }
            params["stack.conv0.bias"].zero_();
        }
        const auto base = training::Checkpoint::capture(*model);
        auto x = torch::randn({ 6, 5 });
        auto edges = torch::tensor({ 0, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 0 }, torch::kLong).view({ 2, 6 });
        model->eval();
        auto before = model->forward(x, edges);

        auto boundaries = pruning::StructuredPruner::prune(*model, 0.5, "l2");
        QCOMPARE(boundaries.size(), size_t(2));
        QCOMPARE(boundaries[0].name, std::string("stack.conv0 -> stack.conv1"));
        QCOMPARE(boundaries[0].before, int64_t(8));
        QCOMPARE(boundaries[0].after, int64_t(4));
        QCOMPARE(params["stack.conv0.weight"].sizes().vec(), (std::vector<int64_t> { 4, 5 }));
        QCOMPARE(params["stack.conv0.bias"].sizes().vec(), (std::vector<int64_t> { 4 }));
        QCOMPARE(params["stack.conv1.weight"].sizes().vec(), (std::vector<int64_t> { 4, 4 }));
        QCOMPARE(params["stack.conv2.weight"].sizes().vec(), (std::vector<int64_t> { 3, 4 }));
        // Kept channels 4, 5, 6, 7 keep their order: column j holds 0.01 * (j + 5).
        for (int j = 0; j < 4; ++j)
            QVERIFY(
                params["stack.conv1.weight"].select(1, j).eq(static_cast<float>(0.01 * (j + 5))).all().item<bool>());
        auto* conv1 = dynamic_cast<nn::GcnConvImpl*>(model->stack->named_children()["conv1"].get());
        QCOMPARE(conv1->options.in_channels(), int64_t(4));
        QCOMPARE(model->forward(x, edges).sizes().vec(), (std::vector<int64_t> { 6, 3 }));

        base.restore(*model);
        pruning::StructuredPruner::syncOptions(*model);
        QCOMPARE(conv1->options.in_channels(), int64_t(8));
        QVERIFY(torch::equal(model->forward(x, edges), before));
    }

    void structuredPrunesGinInsideAndBetweenLayers()
    {
        experiment::ModelConfig mc;
        mc.arch = "gin";
        mc.hidden = 10;
        mc.layers = 2;
        auto model = models::ModelFactory::graphClassifier(mc, 4, 2);
        auto boundaries = pruning::StructuredPruner::prune(*model, 0.3, "l1");
        std::vector<std::string> names;
        for (const auto& b : boundaries) {
            names.push_back(b.name);
            QCOMPARE(b.after, int64_t(7));
        }
        QCOMPARE(names,
            (std::vector<std::string> { "stack.conv0.lin1 -> stack.conv0.lin2", "stack.conv0.lin2 -> stack.conv1.lin1",
                "stack.conv1.lin1 -> stack.conv1.lin2" }));
        auto buffers = model->named_buffers();
        QCOMPARE(buffers["stack.conv0.norm.running_mean"].numel(), int64_t(7));
        QCOMPARE(buffers["stack.conv1.norm.running_mean"].numel(), int64_t(10)); // the stack's output width stays
        model->eval();
        auto x = torch::randn({ 5, 4 });
        auto edges = torch::tensor({ 0, 1, 2, 3, 1, 2, 3, 4 }, torch::kLong).view({ 2, 4 });
        auto out = model->forward(x, edges, torch::zeros({ 5 }, torch::kLong), 1);
        QCOMPARE(out.sizes().vec(), (std::vector<int64_t> { 1, 2 }));
    }

    void structuredRejectsGat()
    {
        experiment::ModelConfig mc;
        mc.arch = "gat";
        auto model = models::ModelFactory::nodeClassifier(mc, 5, 3);
        try {
            pruning::StructuredPruner::check(*model);
            QFAIL("expected an exception");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(
                std::string(e.what()).rfind("structured pruning supports gcn, sage and gin layers; stack.conv0 is ", 0)
                    == 0,
                e.what());
        }
    }
};

QTEST_GUILESS_MAIN(PrunerTest)
#include "PrunerTest.moc"
