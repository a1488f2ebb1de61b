// Tests A²Q in core/quantization: the fused fake quantizer against the unfused expression,
// learned step sizes and bit-widths, its feature quantizers (per node, the nearest-neighbour pool), the memory
// penalties, what its files store, and the warning and epoch selection when the target is never met.
#include "core/common/Error.h"
#include "core/measure/ModelFile.h"
#include "core/quantization/A2qFakeQuant.h"
#include "core/quantization/Quantizer.h"
#include "core/session/Session.h"

#include "QuantTestSupport.h"
#include "TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <set>

using namespace gsq::core;
using namespace gsq::core::quantization;
using namespace gsq::test::quant;

class A2qTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fusedFakeQuantizerMatchesTheUnfusedExpression_data()
    {
        QTest::addColumn<bool>("isSigned");
        QTest::addColumn<bool>("indexed");
        QTest::newRow("unsigned, pool index") << false << true;
        QTest::newRow("signed, pool index") << true << true;
        QTest::newRow("signed, one quantizer per row") << true << false;
    }

    void fusedFakeQuantizerMatchesTheUnfusedExpression()
    {
        // The expression the quantizer used before the fused kernel: min/max clamps and a
        // straight-through round, the step and width of each row picked by index_select.
        QFETCH(bool, isSigned);
        QFETCH(bool, indexed);
        torch::manual_seed(3);
        const int64_t rows = 12, cols = 7, quantizers = indexed ? 5 : rows;
        auto x0 = torch::randn({ rows, cols }) * 6;
        if (!isSigned)
            x0 = x0.relu(); // exact zeros: ties at the lower bound
        // Steps of both signs (and a power of two, so rows of it land exactly on the top level);
        // widths below, at and above the clamp's bounds (8.0 exactly, as A²Q starts).
        auto s0 = torch::tensor({ 0.5f, -0.75f, 0.25f, 1.5f, -0.125f, 0.5f, 0.3f, 0.5f, 0.9f, 0.25f, 0.6f, 0.5f })
                      .slice(0, 0, quantizers);
        auto b0 = torch::tensor({ 8.0f, 3.4f, 2.0f, 1.5f, 9.0f, 4.6f, 5.0f, 2.6f, 7.2f, 3.0f, 6.5f, 4.0f })
                      .slice(0, 0, quantizers);
        auto index = indexed ? torch::tensor({ 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 0 }, torch::kLong)
                             : torch::arange(rows, torch::kLong);
        // Row 0 uses quantizer 0 (step 0.5, 8 bits): put one entry exactly on its top level.
        const double top = (isSigned ? 127.0 : 255.0) * 0.5;
        x0.index_put_({ 0, 0 }, top);
        x0.index_put_({ 0, 1 }, isSigned ? -top : 0.0);
        auto gy = torch::randn({ rows, cols });

        auto xf = x0.clone().requires_grad_(true), sf = s0.clone().requires_grad_(true),
             bf = b0.clone().requires_grad_(true);
        auto yf = a2qFakeQuant(xf, sf, bf, indexed ? index : at::Tensor(), isSigned);
        (yf * gy).sum().backward();

        auto xr = x0.clone().requires_grad_(true), sr = s0.clone().requires_grad_(true),
             br = b0.clone().requires_grad_(true);
        auto roundSte = [](const at::Tensor& t) { return t + (t.round() - t).detach(); };
        auto s = (sr.abs() + 1e-8).index_select(0, index).unsqueeze(1);
        auto b = roundSte(br.clamp(2.0, 8.0)).index_select(0, index).unsqueeze(1);
        auto qmax = isSigned ? torch::pow(2.0, b - 1.0) - 1.0 : torch::pow(2.0, b) - 1.0;
        auto qmin = isSigned ? -qmax : torch::zeros_like(qmax);
        auto yr = roundSte(torch::min(torch::max(xr / s, qmin), qmax)) * s;
        (yr * gy).sum().backward();

        QVERIFY2(torch::allclose(yf, yr, 1e-5, 1e-5), "forward");
        QVERIFY2(torch::allclose(xf.grad(), xr.grad(), 1e-5, 1e-5), "gradient of x");
        QVERIFY2(torch::allclose(sf.grad(), sr.grad(), 1e-4, 1e-4), "gradient of the steps");
        QVERIFY2(torch::allclose(bf.grad(), br.grad(), 1e-4, 1e-3), "gradient of the widths");
        // The cases the comparison is meant to reach: clamped entries, a width outside [2, 8]
        // (no gradient), a negative step (gradient negated), the tie on the top level (half).
        QVERIFY((xr.grad() == 0).any().item<bool>());
        QCOMPARE(bf.grad()[3].item<float>(), 0.f);
        QCOMPARE(bf.grad()[4].item<float>(), 0.f);
        QVERIFY(bf.grad()[0].item<float>() != 0.f);
        QCOMPARE(xf.grad()[0][0].item<float>(), 0.5f * gy[0][0].item<float>());
        QVERIFY(sf.grad().abs().gt(0).sum().item<int64_t>() >= 4);

        // Bad input names what is wrong.
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument, a2qFakeQuant(x0, s0, b0, torch::full({ rows }, quantizers, torch::kLong), isSigned));

        // The nearest-neighbour choice: argmin over quantizers of (max |x| - L s)^2, as the
        // A²Q code's get_scale_index_uniform; rows at the same distance from two take the first.
        auto reach = (isSigned ? torch::pow(2.0, b0.clamp(2.0, 8.0).round() - 1.0) - 1.0
                               : torch::pow(2.0, b0.clamp(2.0, 8.0).round()) - 1.0)
            * (s0.abs() + 1e-8);
        auto rowMax = std::get<0>(x0.abs().max(1));
        auto expected = (rowMax.unsqueeze(1) - reach.unsqueeze(0)).pow(2).argmin(1);
        QVERIFY(torch::equal(a2qNearestQuantizers(x0, s0, b0, isSigned), expected));
        QVERIFY(std::get<0>(at::_unique(expected)).numel() >= 2);
        // Steps 2, widths 2 and 3 bits, signed: reach 2 and 6. A row with max |x| 4 is as near
        // both (the first wins); one with max |x| 6 is on the second's reach.
        auto twoRows = torch::tensor({ 4.f, -1.f, -6.f, 0.f }).view({ 2, 2 });
        auto picked = a2qNearestQuantizers(twoRows, torch::tensor({ 2.f, 2.f }), torch::tensor({ 2.f, 3.f }), true);
        QCOMPARE(picked[0].item<int64_t>(), int64_t(0));
        QCOMPARE(picked[1].item<int64_t>(), int64_t(1));
    }

    void a2qLearnsBitsAndStepSizes()
    {
        Toy toy(4);
        auto q = Quantizer::attach(*toy.model,
            spec("      method: a2q\n      bits: 6\n      target_bits: 3\n      penalty: 1.0\n"
                 "      feature_quantizers: degree\n"));
        q->setCalibrating(true);
        toy.predict();
        q->setCalibrating(false);
        QCOMPARE(q->averageWeightBits(), 6.0);
        // Parameters: step and bits per weight row and per degree group of each node point.
        auto params = toy.model->named_parameters();
        QCOMPARE(params["quant.stack_conv0_weight__bits"].numel(), int64_t(8));
        QCOMPARE(params["quant.stack_conv0_input__bits"].numel(), int64_t(8));
        // Penalty 1.0 * ((6-3)^2 + (6-3)^2) at the start, and it pulls every bit-width down.
        auto pen = q->penalty();
        QVERIFY(std::abs(pen.item<double>() - 18.0) < 1e-4);
        pen.backward();
        QVERIFY(params["quant.stack_conv0_weight__bits"].grad().gt(0).all().item<bool>());
        torch::optim::SGD opt(toy.model->parameters(), torch::optim::SGDOptions(20.0));
        opt.step();
        QVERIFY(q->averageWeightBits() < 6.0);
    }

    void a2qGivesNodeTasksOneQuantizerPerNode()
    {
        // A node-level task (no batch vector): feature_quantizers auto learns a step size and a
        // bit-width per node (the A²Q code's node-level quantizers).
        Toy toy(4);
        auto q = Quantizer::attach(*toy.model, spec("      method: a2q\n      bits: 8\n"));
        q->setCalibrating(true);
        toy.predict();
        q->setCalibrating(false);
        auto params = toy.model->named_parameters();
        QCOMPARE(params["quant.stack_conv0_input__bits"].numel(), int64_t(30));
        QCOMPARE(params["quant.stack_conv0_input__step"].numel(), int64_t(30));
        for (const auto& b : toy.model->named_buffers())
            QVERIFY2(b.key().find("__range") == std::string::npos, b.key().c_str()); // A²Q keeps no ranges
        auto point = [&](const std::vector<Quantizer::FeatureBits>& all) {
            for (const auto& f : all)
                if (f.name == "stack.conv0.input")
                    return f;
            return Quantizer::FeatureBits {};
        };
        auto f = point(q->featureBits());
        QCOMPARE(f.mode, std::string("per_node"));
        QCOMPARE(f.quantizers, int64_t(30));
        QCOMPARE(f.rows, int64_t(30));
        QCOMPARE(f.cols, int64_t(12));
        QCOMPARE(f.widths, (std::map<int, int64_t> { { 8, 30 } }));
        // Node 0 learns 3 bits: one row moves to 3 bits, and its in-degree bucket's mean drops by
        // 5 / (nodes in that bucket).
        auto deg = torch::bincount(toy.edgeIndex[1], {}, 30);
        auto bucketOf = [](int64_t d) { // floor(log2(d + 1)): 0 | 1-2 | 3-6 | 7-14 | ...
            int64_t b = 0;
            while ((int64_t { 2 } << b) - 1 <= d)
                ++b;
            const int64_t lo = (int64_t { 1 } << b) - 1, hi = (int64_t { 2 } << b) - 2;
            return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
        };
        std::map<std::string, int> inBucket;
        for (int64_t i = 0; i < 30; ++i)
            ++inBucket[bucketOf(deg[i].item<int64_t>())];
        {
            torch::NoGradGuard g;
            params["quant.stack_conv0_input__bits"][0].fill_(3.0);
        }
        toy.predict();
        f = point(q->featureBits());
        QCOMPARE(f.widths, (std::map<int, int64_t> { { 3, 1 }, { 8, 29 } }));
        QCOMPARE(f.averageBits, (29 * 8.0 + 3) / 30);
        QCOMPARE(f.byDegree.size(), inBucket.size());
        const std::string bucket0 = bucketOf(deg[0].item<int64_t>());
        for (const auto& [label, bits] : f.byDegree) {
            QVERIFY2(inBucket.count(label), label.c_str());
            const double expected = label == bucket0 ? 8.0 - 5.0 / inBucket[label] : 8.0;
            QVERIFY2(std::abs(bits - expected) < 1e-9, (label + " " + std::to_string(bits)).c_str());
        }
    }

    void a2qNearestPoolPicksTheQuantizerWhoseRangeFitsTheRow()
    {
        // A batch of graphs: feature_quantizers auto is the nearest-neighbour pool.
        Toy toy(4);
        auto q = Quantizer::attach(*toy.model, spec("      method: a2q\n      bits: 4\n      nearest_groups: 4\n"));
        auto batch = torch::cat({ torch::zeros({ 15 }, torch::kLong), torch::ones({ 15 }, torch::kLong) });
        // Row r has max |x| = r + 1 (non-negative: unsigned, 15 levels at 4 bits).
        auto x = (torch::rand({ 30, 6 }) * 0.9 + 0.05) * (torch::arange(30, torch::kFloat) + 1).unsqueeze(1);
        x.select(1, 0).copy_(torch::arange(30, torch::kFloat) + 1);
        q->setCalibrating(true);
        q->beginGraph(toy.edgeIndex, 30, batch);
        q->act("p", x, Rows::Nodes);
        q->setCalibrating(false);
        auto step = toy.model->named_parameters()["quant.p__step"].detach().abs() + 1e-8;
        QCOMPARE(step.numel(), int64_t(4));
        // The pool starts spread over the rows' max |x| (quantiles 1/8, 3/8, 5/8, 7/8).
        auto rowMax = torch::arange(30, torch::kFloat) + 1;
        auto expectedStep = torch::quantile(rowMax, torch::tensor({ 0.125f, 0.375f, 0.625f, 0.875f })) / 15.0;
        QVERIFY(torch::allclose(step, expectedStep, 1e-5, 1e-6));
        q->eval();
        q->beginGraph(toy.edgeIndex, 30, batch);
        auto y = q->act("p", x, Rows::Nodes);
        // Each row: the quantizer whose largest level 15 * step is nearest its max, then rounding.
        auto reach = step * 15.0;
        auto pick = (rowMax.unsqueeze(1) - reach.unsqueeze(0)).pow(2).argmin(1);
        auto s = step.index_select(0, pick).unsqueeze(1);
        auto expected = (x / s).round().clamp(0, 15) * s;
        QVERIFY2(torch::allclose(y, expected, 1e-5, 1e-6),
            std::to_string((y - expected).abs().max().item<double>()).c_str());
        QCOMPARE(std::get<0>(at::_unique(pick)).numel(), int64_t(4)); // every quantizer serves some rows
        auto f = q->featureBits().at(0);
        QCOMPARE(f.mode, std::string("nearest"));
        QCOMPARE(f.quantizers, int64_t(4));
        QCOMPARE(f.widths, (std::map<int, int64_t> { { 4, 30 } }));
    }

    void a2qFilesStoreEachLearnedWidthOnce()
    {
        QTemporaryDir d;
        const std::string path = d.filePath("a2q.gsqm").toStdString();
        const std::string body = "      method: a2q\n      bits: 6\n      feature_quantizers: degree\n";
        Toy a(5);
        auto qa = Quantizer::attach(*a.model, spec(body));
        qa->setCalibrating(true);
        a.predict();
        qa->setCalibrating(false);
        {
            torch::NoGradGuard g;
            a.model->named_parameters()["quant.stack_conv0_weight__bits"].narrow(0, 0, 3).fill_(3.0); // mixed widths
        }
        auto expected = a.predict();
        auto qweights = qa->quantizedWeights();
        measure::ModelFile::save(*a.model, path, &qweights);
        std::set<std::string> names;
        for (const auto& t : measure::ModelFile::read(path))
            names.insert(t.name);
        // The weight's step sizes and widths live in its packed record only; feature quantizers stay.
        QCOMPARE(
            names.count("quant.stack_conv0_weight__step") + names.count("quant.stack_conv0_weight__bits"), size_t(0));
        QCOMPARE(names.count("quant.stack_conv0_input__step"), size_t(1));
        for (const auto& n : names)
            QVERIFY2(n.find("__range") == std::string::npos, n.c_str());
        // Storing them twice (as before) costs the two dense vectors per weight.
        auto duplicated = qweights;
        for (auto& [name, q] : duplicated)
            q.derived.clear();
        QVERIFY(measure::ModelFile::encode(*a.model, &duplicated).size()
            > measure::ModelFile::encode(*a.model, &qweights).size() + 2 * 8 * 4);

        // Loaded into another model with the same quantizer: the learned widths come back from the
        // packed record, and so do the predictions.
        Toy b(6);
        auto qb = Quantizer::attach(*b.model, spec(body));
        qb->setCalibrating(true);
        b.predict();
        qb->setCalibrating(false);
        measure::ModelFile::load(*b.model, path);
        auto bits = b.model->named_parameters()["quant.stack_conv0_weight__bits"];
        QCOMPARE(bits.narrow(0, 0, 3).eq(3.0).all().item<bool>(), true);
        QCOMPARE(bits.narrow(0, 3, 5).eq(6.0).all().item<bool>(), true);
        QVERIFY(torch::allclose(b.predict(), expected, 1e-5, 1e-6));
    }

    void a2qMemoryPenaltyIsTheCodesFeatureKilobytes()
    {
        Toy toy(4);
        auto q = Quantizer::attach(*toy.model,
            spec("      method: a2q\n      bits: 6\n      target_bits: 4\n      penalty: 0.5\n"
                 "      penalty_form: memory\n"));
        q->setCalibrating(true);
        toy.predict();
        q->setCalibrating(false);
        toy.predict();
        // Feature elements of the last forward pass at 6 bits against a 4-bit target, in KB.
        double elems = 0;
        for (const auto& f : q->featureBits())
            elems += static_cast<double>(f.rows * f.cols);
        QVERIFY(elems > 0);
        const double expected = 0.5 * std::pow((6.0 - 4.0) * elems / 8192.0, 2);
        auto pen = q->penalty();
        QVERIFY2(std::abs(pen.item<double>() - expected) < 1e-6 * std::max(1.0, expected),
            (std::to_string(pen.item<double>()) + " vs " + std::to_string(expected)).c_str());
        pen.backward();
        // The weights' widths are left to the task loss.
        auto wb = toy.model->named_parameters()["quant.stack_conv0_weight__bits"];
        QVERIFY(!wb.grad().defined() || wb.grad().eq(0).all().item<bool>());
        QVERIFY(toy.model->named_parameters()["quant.stack_conv0_input__bits"].grad().gt(0).all().item<bool>());
    }

    void a2qWeightErrorGivesEachChannelItsOwnSignal()
    {
        // weight_error: each weight channel's quantization error (weights detached, over its
        // tensor's mean channel energy) joins the loss, so a channel whose values are clipped
        // wants more bits and a channel its grid represents exactly feels nothing; evaluation
        // forwards add no term.
        Toy toy(4);
        auto q = Quantizer::attach(*toy.model,
            spec("      method: a2q\n      bits: 3\n      target_bits: 3\n      penalty: 0\n"
                 "      weight_error: 2\n      targets: [\"stack.conv0.*\"]\n"));
        q->setCalibrating(true);
        toy.predict();
        q->setCalibrating(false);
        auto params = toy.model->named_parameters();
        auto w = params["stack.conv0.weight"];
        QCOMPARE(w.sizes().vec(), (std::vector<int64_t> { 8, 12 }));
        {
            torch::NoGradGuard g;
            // Row 0: eleven values that round to 0 and one outlier clipped at 3 steps; the other
            // rows lie on the grid (step 0.1, 3 bits: -0.3 ... 0.3).
            w.fill_(0.1);
            w.index_put_({ torch::indexing::Slice(1, 8), torch::indexing::Slice(0, 6) }, -0.2);
            w[0].fill_(0.04);
            w[0][5] = 1.0;
            params["quant.stack_conv0_weight__step"].fill_(0.1);
            params["quant.stack_conv0_weight__bits"].fill_(3.0);
        }
        toy.predict();
        auto none = q->penalty();
        QVERIFY(none.defined());
        QCOMPARE(none.item<double>(), 0.0); // an evaluation forward leaves no error term
        toy.model->train();
        toy.model->forward(toy.x, toy.edgeIndex);
        auto pen = q->penalty();
        // Each channel's error is measured against the tensor's mean channel energy |w_c|^2.
        const double norm = (11 * 0.04 * 0.04 + 1.0 + 7 * (6 * 0.2 * 0.2 + 6 * 0.1 * 0.1)) / 8.0;
        const double e0 = (11 * 0.04 * 0.04 + 0.7 * 0.7) / norm;
        // weight_error * the element-weighted mean over the 8 channels of 12 elements.
        QVERIFY2(std::abs(pen.item<double>() - 2.0 * e0 / 8.0) < 1e-5, std::to_string(pen.item<double>()).c_str());
        pen.backward();
        auto gb = params["quant.stack_conv0_weight__bits"].grad();
        // d/db of (1.0 - qmax * 0.1)^2 with qmax = 2^(b-1) - 1 at b = 3, through the rounding's
        // straight-through gradient, scaled by 2 * 12 / 96 and divided by the mean channel energy.
        const double expected = 0.25 * (-2.0 * 0.7 * 0.1 * std::log(2.0) * 4.0) / norm;
        QVERIFY2(std::abs(gb[0].item<double>() - expected) < 1e-5, std::to_string(gb[0].item<double>()).c_str());
        QVERIFY(gb.slice(0, 1).eq(0).all().item<bool>());
        QVERIFY(!w.grad().defined() || w.grad().eq(0).all().item<bool>()); // the weights are detached
        // Consumed: the next call without a forward adds nothing.
        QCOMPARE(q->penalty().item<double>(), 0.0);
    }

    void a2qThatNeverMeetsItsTargetSaysSoAndKeepsTheBestEpoch()
    {
        // No penalty: the bit-widths stay near 8 and never reach a 2-bit target. Before, every
        // epoch was rejected silently and the last epoch's weights were reported.
        auto c = config("  - quantize:\n      method: a2q\n      bits: 8\n      epochs: 4\n      target_bits: 2\n"
                        "      penalty: 0\n",
            { "train.epochs=5" });
        std::vector<std::string> warnings;
        auto r = session::Session::run(
            c,
            [&](const results::SessionEvent& e) {
                if (auto* w = std::get_if<results::RunWarning>(&e))
                    warnings.push_back(w->message);
            },
            results::CancelToken());
        QCOMPARE(r.rows.size(), size_t(2));
        const auto& a2q = r.rows[1];
        QVERIFY(a2q.bestEpoch >= 1 && a2q.bestEpoch <= 4);
        QVERIFY2(a2q.bits > 7.0, std::to_string(a2q.bits).c_str());
        QVERIFY2(a2q.note.find("target not met") != std::string::npos, a2q.note.c_str());
        QCOMPARE(warnings.size(), size_t(1));
        QVERIFY2(warnings[0].rfind("a2q: no epoch met the memory target of 2 average bits; the best epoch by "
                                   "validation ("
                         + std::to_string(a2q.bestEpoch) + ", ",
                     0)
                == 0,
            warnings[0].c_str());
    }
};

QTEST_GUILESS_MAIN(A2qTest)
#include "A2qTest.moc"
