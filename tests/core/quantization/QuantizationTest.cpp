// Tests core/quantization: the quantize step's validation, Degree-Quant's and A²Q's degree
// helpers, fake quantization of weights and activations, the packed model-file encoding (round
// trip and corruption), the oneDNN int8 kernel against a plain reference, the deployed model's
// accuracy, and the quantize stage of a session (rows, bits, sizes, the A²Q collapse warning).
// A²Q's own behaviour is in A2qTest.cpp.
#include "core/common/Error.h"
#include "core/experiment/ConfigYaml.h"
#include "core/measure/ModelFile.h"
#include "core/measure/ModelStats.h"
#include "core/models/ModelFactory.h"
#include "core/models/Models.h"
#include "core/nn/functional/MessagePassing.h"
#include "core/quantization/DegreeQuant.h"
#include "core/quantization/Int8Linear.h"
#include "core/quantization/Quantizer.h"
#include "core/session/Session.h"

#include "QuantTestSupport.h"
#include "TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <set>

using namespace gsq::core;
using namespace gsq::core::quantization;
using gsq::test::messageOf;

using namespace gsq::test::quant;

class QuantizationTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void specDefaultsFollowTheMethod()
    {
        auto q = spec("      method: qat\n      bits: 4\n");
        QCOMPARE(q.bits, 4);
        QCOMPARE(q.epochs, 50);
        QCOMPARE(q.observer, std::string("minmax"));
        QCOMPARE(q.percentile, 0.01); // 1 % tails below 8 bits
        QCOMPARE(q.settingLabel(), std::string("bits=4"));
        auto d = spec("      method: degree_quant\n");
        QCOMPARE(d.observer, std::string("percentile"));
        QCOMPARE(d.percentile, 0.001);
        auto a = spec("      method: a2q\n      target_bits: 3.5\n");
        QCOMPARE(a.granularity, std::string("per_channel"));
        QCOMPARE(a.settingLabel(), std::string("bits=8 target_bits=3.5"));
        // Labels tell steps of one method apart by what differs from the method's default.
        QCOMPARE(spec("      method: qat\n      bits: 4\n      observer: percentile\n      granularity: per_channel\n")
                     .settingLabel(),
            std::string("bits=4 observer=percentile per_channel"));
        QCOMPARE(spec("      method: degree_quant\n      bits: 4\n      protect_change: 0\n").settingLabel(),
            std::string("bits=4 protect_change=0"));
        QCOMPARE(d.settingLabel(), std::string("bits=8")); // percentile is degree_quant's own default
        // A2Q steps that differ in the penalty's weight, its form or the feature quantizers are
        // different experiments: their rows must not share a key.
        QCOMPARE(spec("      method: a2q\n      penalty: 0.001\n      penalty_form: memory\n"
                      "      feature_quantizers: degree\n")
                     .settingLabel(),
            std::string("bits=8 target_bits=4 penalty=0.001 penalty_form=memory feature_quantizers=degree"));
        QCOMPARE(spec("      method: ptq\n").epochs, 0);
    }

    void specErrors_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("expected");
        QTest::newRow("bits 9")
            << "      method: qat\n      bits: 9\n"
            << "q.yaml:10: key 'compression[0].quantize.bits': expected an integer in [2, 8], found 9";
        QTest::newRow("bits 1")
            << "      method: qat\n      bits: 1\n"
            << "q.yaml:10: key 'compression[0].quantize.bits': expected an integer in [2, 8], found 1";
        QTest::newRow("ptq epochs") << "      method: ptq\n      epochs: 5\n"
                                    << "q.yaml:10: key 'compression[0].quantize.epochs': does not apply to method ptq; "
                                       "it applies to methods qat, degree_quant, a2q, weight_sharing only";
        QTest::newRow("observer") << "      method: qat\n      observer: histogram\n"
                                  << "q.yaml:10: key 'compression[0].quantize.observer': unknown value 'histogram'; "
                                     "valid choices: minmax, momentum, percentile";
        QTest::newRow("dq key on qat") << "      method: qat\n      protect_low: 0.1\n"
                                       << "q.yaml:10: key 'compression[0].quantize.protect_low': does not apply to "
                                          "method qat; it applies to method degree_quant only";
        QTest::newRow("a2q per tensor") << "      method: a2q\n      granularity: per_tensor\n"
                                        << "q.yaml:10: key 'compression[0].quantize.granularity': a2q learns a step "
                                           "size and bit-width per output channel; use per_channel";
        QTest::newRow("probability")
            << "      method: degree_quant\n      protect_low: 0.6\n      protect_change: 0.6\n"
            << "q.yaml:11: key 'compression[0].quantize.protect_change': protect_low + protect_change must not exceed "
               "1 (a probability)";
        QTest::newRow("same results key")
            << "      method: qat\n      bits: 4\n  - quantize:\n      method: qat\n      bits: 4\n      epochs: 9\n"
            << "q.yaml:11: key 'compression[1]': its results would be labelled 'qat bits=4' like step 1's; change "
               "bits, observer, granularity, protection or the A2Q penalty, or drop one";
        QTest::newRow("feature quantizers")
            << "      method: a2q\n      feature_quantizers: per_edge\n"
            << "q.yaml:10: key 'compression[0].quantize.feature_quantizers': unknown value 'per_edge'; valid choices: "
               "auto, per_node, nearest, degree";
        QTest::newRow("old clipped name")
            << "      method: qat\n      backward: clipped\n"
            << "q.yaml:10: key 'compression[0].quantize.backward': 'clipped' is now called 'clip_activations': only "
               "activations are clipped (weights take their range from their own max |w|, so none lies outside it "
               "and their gradient is the straight-through one)";
        QTest::newRow("unknown key")
            << "      method: qat\n      bitz: 4\n"
            << "q.yaml:10: key 'compression[0].quantize.bitz': unknown key; valid keys for quantize method qat are: "
               "method, bits, epochs, start, lr, weight_decay, lr_step_size, lr_gamma, observer, momentum, "
               "percentile, granularity, backward, activations, targets, storage, name, from";
    }

    void specErrors()
    {
        QFETCH(QString, body);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(messageOf<InputError>([&] { spec(body.toStdString()); })), expected);
    }

    void unknownTargetListsWeights()
    {
        auto c = config("  - quantize:\n      method: ptq\n      targets: [\"head.*\"]\n");
        QCOMPARE(messageOf<InputError>([&] { session::Session::run(c, {}, results::CancelToken()); }),
            std::string("q.yaml:8: key 'compression[0].quantize.targets': layer pattern 'head.*' matches no weight; "
                        "the model's weights are: stack.conv0.weight, stack.conv1.weight"));
    }

    void degreeHelpers()
    {
        auto deg = torch::tensor({ 0, 1, 2, 3, 4, 8, 100 }, torch::kLong);
        auto g = degreeGroups(deg, 4);
        QCOMPARE(std::vector<int64_t>(g.data_ptr<int64_t>(), g.data_ptr<int64_t>() + g.numel()),
            (std::vector<int64_t> { 0, 1, 1, 2, 2, 3, 3 }));
        auto p = protectionProbability(torch::tensor({ 5, 1, 5, 9, 1 }, torch::kLong), 0.1, 0.4);
        // As the reference: 0.1 + 0.4 * (nodes with in-degree <= d) / 5; ties share the count.
        const std::vector<float> expected { 0.42f, 0.26f, 0.42f, 0.5f, 0.26f };
        for (int i = 0; i < 5; ++i)
            QVERIFY(std::abs(p[i].item<float>() - expected[static_cast<size_t>(i)]) < 1e-6f);
        // Per graph of a batch: the same degrees rank within their own graph; high is capped at 1.
        auto q = protectionProbability(
            torch::tensor({ 3, 1, 1, 3, 2 }, torch::kLong), 0.5, 0.8, torch::tensor({ 0, 0, 1, 1, 1 }, torch::kLong));
        const std::vector<float> perGraph { 1.0f, 0.75f, 0.5f + 0.5f / 3, 1.0f, 0.5f + 1.0f / 3 };
        for (int i = 0; i < 5; ++i)
            QVERIFY2(
                std::abs(q[i].item<float>() - perGraph[static_cast<size_t>(i)]) < 1e-6f, std::to_string(i).c_str());
    }

    void qatWeightsTakeAtMostTwoToTheBitsLevels()
    {
        Toy toy(1);
        auto q = Quantizer::attach(*toy.model, spec("      method: qat\n      bits: 4\n"));
        q->setCalibrating(true);
        toy.predict();
        q->setCalibrating(false);
        QCOMPARE(q->weightNames(), (std::vector<std::string> { "stack.conv0.weight", "stack.conv1.weight" }));
        QCOMPARE(q->activationNames(),
            (std::vector<std::string> { "stack.conv0.input", "stack.conv0.messages", "stack.conv0.output",
                "stack.conv1.input", "stack.conv1.messages", "stack.conv1.output" }));
        auto w = toy.model->stack->named_parameters()["conv0.weight"];
        auto fq = q->weight("stack.conv0.weight", w).detach();
        const double s = w.abs().max().item<double>() / 7.0;
        QVERIFY(torch::allclose(fq, (w / s).round().clamp(-7, 7) * s, 1e-6, 1e-7));
        QVERIFY(std::get<0>(torch::_unique(fq.flatten())).numel() <= 15);
        // Straight-through: the gradient of sum(fq(w)) is 1 everywhere.
        auto wg = w.detach().clone().requires_grad_(true);
        q->weight("stack.conv0.weight", wg).sum().backward();
        QCOMPARE(wg.grad().sum().item<double>(), static_cast<double>(w.numel()));
        // The packed form holds the same levels.
        auto qw = q->quantizedWeights().at("stack.conv0.weight");
        QCOMPARE(qw.bits, std::vector<int>(static_cast<size_t>(w.size(0)), 4));
        QVERIFY(torch::allclose(qw.values.to(torch::kFloat) * qw.scales.unsqueeze(1), fq, 1e-6, 1e-7));
        q->detach(*toy.model);
        QVERIFY(!toy.model->named_children().contains("quant"));
    }

    void activationRangesComeFromTheObserver()
    {
        Toy toy(2);
        auto fp32 = toy.predict();
        auto q = Quantizer::attach(*toy.model, spec("      method: ptq\n      bits: 8\n"));
        q->setCalibrating(true);
        toy.predict();
        q->setCalibrating(false);
        auto buffers = toy.model->named_buffers();
        auto range = buffers["quant.stack_conv0_input__range"];
        QCOMPARE(range[0].item<float>(), toy.x.min().item<float>());
        QCOMPARE(range[1].item<float>(), toy.x.max().item<float>());
        QCOMPARE(range[2].item<float>(), 1.0f);
        auto quantized = toy.predict();
        const double err = (quantized - fp32).abs().max().item<double>();
        QVERIFY2(err > 0 && err < 0.05 * fp32.abs().max().item<double>(), std::to_string(err).c_str());
        q->setEnabled(false);
        QVERIFY(torch::equal(toy.predict(), fp32));
    }

    void clipActivationsStopsTheGradientOutsideTheRange()
    {
        // The range is set by a first batch in [-1, 1]; a tiny momentum keeps it there while a
        // second batch spans [-3, 3]. The clipped estimator passes gradient only inside the range.
        for (const std::string backward : { "ste", "clip_activations" }) {
            Quantizer q(spec("      method: qat\n      bits: 4\n      observer: momentum\n      momentum: 0.000001\n"
                             "      backward: "
                            + backward + "\n"),
                1);
            q.train();
            q.act("a", torch::linspace(-1, 1, 8).reshape({ 4, 2 }), Rows::Other);
            auto x = torch::linspace(-3, 3, 13).reshape({ 13, 1 }).requires_grad_(true);
            q.act("a", x, Rows::Other).sum().backward();
            auto g = x.grad().reshape({ -1 });
            for (int64_t i = 0; i < 13; ++i) {
                const double xi = -3.0 + 0.5 * static_cast<double>(i);
                const double expected = backward == "ste" || std::abs(xi) <= 1.0 ? 1.0 : 0.0;
                QVERIFY2(g[i].item<double>() == expected,
                    qPrintable(QString("%1: x = %2, gradient %3, expected %4")
                                   .arg(QString::fromStdString(backward))
                                   .arg(xi)
                                   .arg(g[i].item<double>())
                                   .arg(expected)));
            }
        }
    }

    void degreeQuantProtectsNodesOnlyWhileTraining()
    {
        Toy toy(3);
        auto q = Quantizer::attach(*toy.model,
            spec("      method: degree_quant\n      bits: 2\n      protect_low: 1.0\n      protect_change: 0.0\n"));
        auto h = torch::randn({ 30, 5 });
        q->setCalibrating(true);
        toy.predict();
        q->act("stack.conv0.output_probe", h, Rows::Nodes); // creates and calibrates the point
        q->setCalibrating(false);
        // Protection probability 1: in training every node row stays full precision.
        q->train();
        q->beginGraph(toy.edgeIndex, 30);
        auto kept = q->act("stack.conv0.output_probe", h, Rows::Nodes);
        QVERIFY(torch::equal(kept, h));
        q->eval();
        auto quantized = q->act("stack.conv0.output_probe", h, Rows::Nodes);
        QVERIFY(std::get<0>(torch::_unique(quantized.flatten())).numel() <= 4);
    }

    void degreeQuantSharesOneMaskAndKeepsProtectedRowsOutOfTheRanges()
    {
        Toy toy(5);
        auto q = Quantizer::attach(*toy.model,
            spec("      method: degree_quant\n      bits: 4\n      protect_low: 0.5\n      protect_change: 0.0\n"
                 "      observer: minmax\n"));
        torch::manual_seed(9);
        auto a = torch::rand({ 30, 6 }) * 2 - 1, b = torch::rand({ 30, 3 }) * 2 - 1;
        q->setCalibrating(true);
        q->beginGraph(toy.edgeIndex, 30);
        q->act("stack.conv0.input", a, Rows::Nodes);
        q->act("stack.conv0.output", b, Rows::Nodes);
        q->setCalibrating(false);
        auto range = [&] { return toy.model->named_buffers()["quant.stack_conv0_input__range"].clone(); };
        q->train();
        int protectedOutliers = 0, quantizedOutliers = 0;
        for (int pass = 0; pass < 40; ++pass) {
            q->beginGraph(toy.edgeIndex, 30);
            // Every point of this forward pass keeps the same rows in fp32 (probability 0.5 each).
            auto ya = q->act("stack.conv0.input", a, Rows::Nodes);
            auto yb = q->act("stack.conv0.output", b, Rows::Nodes);
            auto keptA = (ya == a).all(1), keptB = (yb == b).all(1);
            QVERIFY(torch::equal(keptA, keptB));
            const int64_t kept = keptA.sum().item<int64_t>();
            QVERIFY2(kept > 3 && kept < 27, std::to_string(kept).c_str()); // not all-or-nothing
            // A large outlier in node 0: it moves the range only when node 0 is quantized.
            auto outlier = a.clone();
            outlier[0].fill_(50.0);
            const auto before = range();
            q->beginGraph(toy.edgeIndex, 30);
            auto y = q->act("stack.conv0.input", outlier, Rows::Nodes);
            const bool node0Kept = torch::equal(y[0], outlier[0]);
            const double hiBefore = before[1].item<double>(), hiAfter = range()[1].item<double>();
            if (node0Kept) {
                ++protectedOutliers;
                QVERIFY2(hiAfter == hiBefore, (std::to_string(hiBefore) + " -> " + std::to_string(hiAfter)).c_str());
            } else {
                ++quantizedOutliers;
                QCOMPARE(hiAfter, 50.0);
            }
            // Reset the range to the calibrated one for the next pass.
            toy.model->named_buffers()["quant.stack_conv0_input__range"].copy_(before);
        }
        QVERIFY(protectedOutliers > 5 && quantizedOutliers > 5);
        // Evaluation quantizes every node.
        q->eval();
        q->beginGraph(toy.edgeIndex, 30);
        QCOMPARE((q->act("stack.conv0.input", a, Rows::Nodes) == a).all(1).sum().item<int64_t>(), int64_t(0));
    }

    void deployedInt8ModelMatchesTheSimulatedOneOnProteins()
    {
        // The PROTEINS INT8 preset, two folds: the int8 kernels' own accuracy (activations on
        // their trained grid) within a point of the fake-quantized model's, per fold within two
        // of the ~112 test graphs. Quantizing activations per call over their full range instead
        // lost up to 32 points here.
        auto c = experiment::loadExperiment((gsq::test::experimentsDir() + "/proteins-gin-ptq8.yaml").toStdString(),
            { "dataset.run_folds=2", "train.epochs=30", "train.threads=1" });
        auto r = session::Session::run(c, {}, results::CancelToken());
        double simulated = 0, deployed = 0;
        int n = 0;
        for (const auto& row : r.rows) {
            if (row.method != "ptq")
                continue;
            ++n;
            simulated += row.testValue;
            deployed += row.deployedValue;
            QVERIFY2(std::abs(row.deployedValue - row.testValue) <= 2.0 / 110,
                (std::to_string(row.fold) + ": " + std::to_string(row.testValue) + " vs "
                    + std::to_string(row.deployedValue))
                    .c_str());
        }
        QCOMPARE(n, 2);
        QVERIFY2(std::abs(deployed - simulated) / n <= 0.01,
            (std::to_string(simulated / n) + " vs " + std::to_string(deployed / n)).c_str());
    }

    void packedModelFileRoundTripsPredictions()
    {
        QTemporaryDir d;
        const std::string path = d.filePath("q.gsqm").toStdString();
        Toy a(5);
        auto qa
            = Quantizer::attach(*a.model, spec("      method: ptq\n      bits: 4\n      granularity: per_channel\n"));
        qa->setCalibrating(true);
        a.predict();
        qa->setCalibrating(false);
        auto expected = a.predict();
        auto qweights = qa->quantizedWeights();
        const auto bytes = measure::ModelFile::save(*a.model, path, &qweights);
        QCOMPARE(static_cast<int64_t>(bytes), QFileInfo(QString::fromStdString(path)).size());
        auto sizes = measure::measureSizes(*a.model, &qweights);
        QCOMPARE(sizes.diskBytes, static_cast<int64_t>(bytes));
        // conv0.weight [8, 12] at 4 bits per channel: layout byte + 8 x (bits + scale) + 48 bytes.
        QCOMPARE(measure::ModelFile::packedBytes(qweights.at("stack.conv0.weight")), uint64_t(1 + 8 * 5 + 48));
        for (const auto& t : sizes.tensors)
            if (t.name == "stack.conv0.weight")
                QCOMPARE(t.bits, 4.0);
        auto stored = measure::ModelFile::read(path);
        auto it
            = std::find_if(stored.begin(), stored.end(), [](const auto& s) { return s.name == "stack.conv0.weight"; });
        QVERIFY(it != stored.end());
        QCOMPARE(it->encoding, measure::Encoding::Packed);
        const auto& qw = qweights.at("stack.conv0.weight");
        QVERIFY(torch::equal(it->value, qw.values.to(torch::kFloat) * qw.scales.unsqueeze(1)));

        // A different model with the same quantizer, calibrated on other data, then loaded.
        Toy b(6);
        auto qb
            = Quantizer::attach(*b.model, spec("      method: ptq\n      bits: 4\n      granularity: per_channel\n"));
        qb->setCalibrating(true);
        b.x = torch::randn({ 30, 12 }) * 3;
        b.predict();
        qb->setCalibrating(false);
        b.x = a.x;
        measure::ModelFile::load(*b.model, path);
        QVERIFY(torch::allclose(b.predict(), expected, 1e-5, 1e-6));
    }

    /// weight_sharing: zeros stay exact zeros (code 0), each matrix keeps at most 2^b - 2 other
    /// values, k-means moved them off their linear start, the shared values learn the summed
    /// gradient of their members, and the file (codes + codebook) reloads into a plain model to
    /// bit-identical predictions.
    void weightSharingKeepsZerosAndReloadsBitForBit()
    {
        Toy a(3);
        {
            torch::NoGradGuard g;
            for (auto& p : a.model->named_parameters(true))
                if (p.value().dim() == 2)
                    p.value().masked_fill_(torch::rand(p.value().sizes()) < 0.6, 0.0); // pruned
        }
        std::map<std::string, at::Tensor> zeros;
        for (const auto& p : a.model->named_parameters(true))
            if (p.value().dim() == 2)
                zeros[p.key()] = p.value().eq(0);
        auto q = Quantizer::attach(*a.model, spec("      method: weight_sharing\n      bits: 3\n"));
        QCOMPARE(q->spec().activations, false); // weights only
        q->setCalibrating(true);
        a.predict();
        q->setCalibrating(false);
        const auto expected = a.predict();
        QCOMPARE(q->averageWeightBits(), 3.0);
        QCOMPARE(q->averageFeatureBits(), 32.0);

        auto weights = q->quantizedWeights();
        QCOMPARE(weights.size(), zeros.size());
        for (const auto& [name, w] : weights) {
            QVERIFY(w.codebook.defined());
            QCOMPARE(w.codebook.numel(), int64_t(7)); // codes -3..3
            QCOMPARE(w.codebook[3].item<float>(), 0.0f);
            const auto removed = zeros.at(name).reshape(w.values.sizes());
            QCOMPARE(w.values.masked_select(removed).ne(0).sum().item<int64_t>(), int64_t(0));
            QCOMPARE(w.values.masked_select(removed.logical_not()).eq(0).sum().item<int64_t>(), int64_t(0));
            const auto values = std::get<0>(at::_unique(w.dequantized().masked_select(removed.logical_not())));
            QVERIFY(values.numel() <= 6);
            // k-means moved the centroids off their linear initialisation over [min, max].
            auto nonZero = a.model->named_parameters(true)[name].masked_select(
                removed.logical_not().reshape(a.model->named_parameters(true)[name].sizes()));
            auto linear = torch::linspace(nonZero.min().item<double>(), nonZero.max().item<double>(), 6);
            QVERIFY(!torch::allclose(torch::cat({ w.codebook.slice(0, 0, 3), w.codebook.slice(0, 4) }), linear));
        }

        // Centroid fine-tuning: the gradient of a shared value is the sum of its members' gradients.
        const std::string name = "stack.conv0.weight";
        at::Tensor centroids;
        for (const auto& p : q->named_parameters(false))
            if (p.key().find("__codebook") != std::string::npos && p.key().find("conv0") != std::string::npos)
                centroids = p.value();
        QVERIFY(centroids.defined());
        auto w = a.model->named_parameters(true)[name];
        auto upstream = torch::randn(w.sizes());
        a.model->train();
        auto shared = q->weight(name, w);
        (shared * upstream).sum().backward();
        const auto codes = weights.at(name).values.to(torch::kLong).reshape({ -1 }) + 3;
        auto summed = torch::zeros({ 7 }).index_add(0, codes, upstream.reshape({ -1 }));
        QVERIFY(
            torch::allclose(centroids.grad(), torch::cat({ summed.slice(0, 0, 3), summed.slice(0, 4) }), 1e-5, 1e-6));
        QVERIFY(!w.grad().defined() || w.grad().abs().sum().item<double>() == 0.0); // weights themselves fixed
        a.model->eval();

        // The file: coded with the codebook; a plain model (no quantizer) loads the shared values.
        QTemporaryDir d;
        const std::string path = d.filePath("shared.gsqm").toStdString();
        measure::ModelFile::save(*a.model, path, &weights);
        for (const auto& t : measure::ModelFile::read(path)) {
            QVERIFY2(t.name.find("__codebook") == std::string::npos, t.name.c_str()); // stored once, in the record
            if (t.name == name) {
                QCOMPARE(t.encoding, measure::Encoding::Coded);
                QVERIFY(t.parts.front().first.rfind("header with a codebook of 6 values", 0) == 0);
            }
        }
        Toy b(8);
        measure::ModelFile::load(*b.model, path);
        b.x = a.x;
        b.edgeIndex = a.edgeIndex;
        QVERIFY(torch::equal(b.predict(), expected));
        // Another model with the same method attached (its own clusters from its own weights)
        // takes the codebook and the codes from the file, so it predicts the same too.
        Toy c(9);
        auto qc = Quantizer::attach(*c.model, spec("      method: weight_sharing\n      bits: 3\n"));
        qc->setCalibrating(true);
        c.predict();
        qc->setCalibrating(false);
        QVERIFY(!torch::equal(c.predict(), expected));
        measure::ModelFile::load(*c.model, path);
        QVERIFY(torch::equal(c.predict(), expected));
    }

    void quantizedFilesFoldBatchNorm()
    {
        QTemporaryDir d;
        const std::string path = d.filePath("gin.gsqm").toStdString();
        experiment::ModelConfig mc;
        mc.arch = "gin";
        mc.hidden = 8;
        mc.layers = 2;
        auto make = [&](int64_t seed) {
            torch::manual_seed(seed);
            return models::ModelFactory::graphClassifier(mc, 3, 2);
        };
        torch::manual_seed(21);
        auto x = torch::randn({ 12, 3 });
        auto edges = torch::randint(0, 12, { 2, 30 }, torch::kLong);
        auto batch = torch::cat({ torch::zeros({ 6 }, torch::kLong), torch::ones({ 6 }, torch::kLong) });
        auto a = make(1);
        {
            // Non-trivial running statistics, as after training.
            a->train();
            torch::NoGradGuard g;
            for (int i = 0; i < 5; ++i)
                a->forward(x * (i + 1), edges, batch, 2);
        }
        auto qa = Quantizer::attach(*a, spec("      method: ptq\n      bits: 8\n"));
        a->eval();
        qa->setCalibrating(true);
        {
            torch::NoGradGuard g;
            a->forward(x, edges, batch, 2);
        }
        qa->setCalibrating(false);
        torch::NoGradGuard g;
        auto expected = a->forward(x, edges, batch, 2);
        auto qweights = qa->quantizedWeights();
        measure::ModelFile::save(*a, path, &qweights);
        auto stored = measure::ModelFile::read(path);
        std::set<std::string> names;
        for (const auto& t : stored)
            names.insert(t.name);
        QVERIFY(names.count("stack.conv0.norm.bn_scale") == 1 && names.count("stack.conv0.norm.bn_shift") == 1);
        QVERIFY(names.count("stack.conv0.norm.running_mean") == 0 && names.count("stack.conv0.norm.weight") == 0);
        // Two channel vectors instead of four plus a counter per BatchNorm.
        const auto unfolded = measure::ModelFile::encode(*a).size();
        QVERIFY(measure::ModelFile::encode(*a, &qweights).size() < unfolded);
        // The fp32 model's deployment-form size folds its BatchNorm the same way: 2 x (4 channel
        // vectors + counter) -> 2 x 2 vectors per BatchNorm of 8 channels, names included.
        {
            qa->setEnabled(false);
            auto plain = make(1);
            auto fp32 = measure::measureSizes(*plain);
            QCOMPARE(fp32.foldedBytes, static_cast<int64_t>(measure::ModelFile::encode(*plain, nullptr, true).size()));
            QVERIFY(fp32.foldedBytes < fp32.diskBytes);
            auto quantized = measure::measureSizes(*a, &qweights);
            QCOMPARE(quantized.foldedBytes, quantized.diskBytes);
            qa->setEnabled(true);
        }

        auto b = make(2);
        auto qb = Quantizer::attach(*b, spec("      method: ptq\n      bits: 8\n"));
        b->eval();
        qb->setCalibrating(true);
        b->forward(x, edges, batch, 2);
        qb->setCalibrating(false);
        measure::ModelFile::load(*b, path);
        QVERIFY2(torch::allclose(b->forward(x, edges, batch, 2), expected, 1e-4, 1e-5),
            std::to_string((b->forward(x, edges, batch, 2) - expected).abs().max().item<double>()).c_str());
    }

    void corruptPackedRecordsAreRejected()
    {
        Toy toy(7);
        auto q = Quantizer::attach(*toy.model, spec("      method: ptq\n      bits: 4\n"));
        q->setCalibrating(true);
        toy.predict();
        q->setCalibrating(false);
        auto qweights = q->quantizedWeights();
        std::string bytes = measure::ModelFile::encode(*toy.model, &qweights);
        // Find the first packed record: name "stack.conv0.weight", then encoding 3.
        const std::string name = "stack.conv0.weight";
        const size_t at = bytes.find(name) + name.size();
        QCOMPARE(static_cast<int>(bytes[at]), 3);
        auto withCrc = [](std::string b) {
            b.resize(b.size() - 4);
            const uint32_t crc = measure::crc32(b.data(), b.size());
            b.append(reinterpret_cast<const char*>(&crc), 4);
            return b;
        };
        // Record: encoding, rank, 2 x u32 dims, u32 payload bytes, layout, bits, scale, values.
        const size_t layout = at + 1 + 1 + 8 + 4, bitsAt = layout + 1, valuesAt = bitsAt + 5;
        QCOMPARE(static_cast<int>(bytes[layout]), 1); // per-tensor: one bit-width and scale
        std::string badBits = bytes;
        badBits[bitsAt] = 9;
        QCOMPARE(messageOf<InputError>([&] { measure::ModelFile::decode(withCrc(badBits), "m.gsqm"); }),
            std::string("m.gsqm: tensor 'stack.conv0.weight': row 0 has 9 bits; packed rows hold 2 to 8"));
        std::string badValue = bytes;
        badValue[valuesAt] = static_cast<char>(0xFF); // 15 > 2 * qmax = 14
        QCOMPARE(messageOf<InputError>([&] { measure::ModelFile::decode(withCrc(badValue), "m.gsqm"); }),
            std::string("m.gsqm: tensor 'stack.conv0.weight': packed value out of range in row 0"));
        std::string badLayout = bytes;
        badLayout[layout] = 7;
        QCOMPARE(messageOf<InputError>([&] { measure::ModelFile::decode(withCrc(badLayout), "m.gsqm"); }),
            std::string("m.gsqm: tensor 'stack.conv0.weight': unknown packed layout 7"));
        QCOMPARE(
            messageOf<InputError>([&] { measure::ModelFile::decode(bytes.substr(0, bytes.size() - 9), "m.gsqm"); }),
            std::string("m.gsqm: checksum mismatch: the model file is corrupt or truncated"));
    }

    void int8KernelMatchesTheReference()
    {
        torch::manual_seed(11);
        for (auto shape : { std::array<int64_t, 3> { 50, 64, 16 }, std::array<int64_t, 3> { 7, 1433, 32 } }) {
            auto x = torch::randn({ shape[0], shape[1] });
            auto values = torch::randint(-127, 128, { shape[2], shape[1] }, torch::kLong).to(torch::kChar);
            auto scales = torch::rand({ shape[2] }) * 0.01 + 0.001;
            auto bias = torch::randn({ shape[2] });
            PackedLinear packed(values, scales);
            auto y = packed.forward(x, bias);
            auto ref = referenceInt8Linear(x, values, scales, bias);
            auto exact = torch::matmul(x, (values.to(torch::kFloat) * scales.unsqueeze(1)).t()) + bias;
            const double scale = exact.abs().max().item<double>();
            QVERIFY2((y - ref).abs().max().item<double>() < 0.01 * scale, "oneDNN differs from the reference");
            QVERIFY2((y - exact).abs().max().item<double>() < 0.03 * scale, "int8 error larger than expected");
            // Under an Int8Scope, functional::linear routes a registered weight through the kernel.
            auto w = values.to(torch::kFloat) * scales.unsqueeze(1);
            registerPacked(w, std::make_shared<const PackedLinear>(values, scales));
            torch::NoGradGuard g;
            QVERIFY(torch::allclose(nn::functional::linear(x, w, bias), exact, 1e-4, 1e-4));
            {
                Int8Scope int8;
                QVERIFY(torch::equal(nn::functional::linear(x, w, bias), y));
            }
            unregisterPacked(w);
            QVERIFY(findPacked(w) == nullptr);
        }
    }

    void quantizationFromInitialisationTrainsAfresh()
    {
        // One epoch of QAT: fine-tuning the trained base keeps its accuracy; the same epoch from
        // the job's untrained initialisation (the code the paper runs) cannot reach it.
        auto c = config("  - quantize:\n      method: qat\n      bits: 8\n      epochs: 1\n"
                        "  - quantize:\n      method: qat\n      bits: 8\n      epochs: 1\n      start: init\n"
                        "      weight_decay: 0.0\n      lr_step_size: 0\n",
            { "train.epochs=60" });
        auto r = session::Session::run(c, {}, results::CancelToken());
        QCOMPARE(r.rows.size(), size_t(3));
        const auto &base = r.rows[0], &tuned = r.rows[1], &fresh = r.rows[2];
        QCOMPARE(tuned.setting, std::string("bits=8"));
        QCOMPARE(fresh.setting, std::string("bits=8 start=init"));
        QVERIFY2(std::abs(tuned.testValue - base.testValue) < 0.05, std::to_string(tuned.testValue).c_str());
        QVERIFY2(fresh.testValue < base.testValue - 0.2, std::to_string(fresh.testValue).c_str());
        QCOMPARE(r.summary.size(), size_t(3)); // the two settings never merge
    }

    void sessionRunsEveryMethodWithBitsSizesAndWarnings()
    {
        auto c = config("  - quantize:\n      method: ptq\n      bits: 8\n"
                        "  - quantize:\n      method: qat\n      bits: 4\n      epochs: 3\n"
                        "  - quantize:\n      method: degree_quant\n      bits: 4\n      epochs: 3\n"
                        "  - quantize:\n      method: a2q\n      bits: 3\n      epochs: 80\n      target_bits: 2\n     "
                        " penalty: 1000\n",
            { "train.epochs=10" });
        QTemporaryDir dir;
        session::RunOptions options;
        options.modelDir = dir.filePath("models").toStdString();
        std::vector<std::string> stages, warnings;
        std::map<std::string, int> epochsByMethod;
        auto r = session::Session::run(
            c,
            [&](const results::SessionEvent& e) {
                if (auto* f = std::get_if<results::StageFinished>(&e))
                    stages.push_back(f->row.method + "/" + gsq::core::results::stageName(f->row.stage));
                if (auto* w = std::get_if<results::RunWarning>(&e))
                    warnings.push_back(w->message);
                if (auto* m = std::get_if<results::EpochMetrics>(&e))
                    ++epochsByMethod[m->method];
            },
            results::CancelToken(), options);
        QCOMPARE(stages,
            (std::vector<std::string> {
                "none/base", "ptq/quantized", "qat/quantized", "degree_quant/quantized", "a2q/quantized" }));
        QCOMPARE(r.rows.size(), size_t(5));
        // qat and degree_quant share the setting "bits=4"; their epochs stay apart by method.
        QCOMPARE(epochsByMethod["none"], 10);
        QCOMPARE(epochsByMethod["qat"], 3);
        QCOMPARE(epochsByMethod["degree_quant"], 3);
        QCOMPARE(epochsByMethod["a2q"], 80);
        const auto& base = r.rows[0];
        const auto& ptq = r.rows[1];
        QCOMPARE(ptq.bits, 8.0);
        QCOMPARE(ptq.featureBits, 8.0);
        // The deployed model is labelled by what runs and has its own accuracy, within a point of
        // the simulated (fake-quantized) one at 8 bits.
        const std::string acts = activationsReducedRange() ? "7" : "8";
        QCOMPARE(ptq.latencyKind, "w8a8-int" + acts + "lanes-onednn");
        QCOMPARE(r.rows[2].latencyKind, "w4a4-int" + acts + "lanes-onednn");
        QVERIFY(ptq.testMetrics.count("int8_kernel_accuracy") == 1);
        QCOMPARE(ptq.deployedValue, ptq.testMetrics.at("int8_kernel_accuracy"));
        QVERIFY2(std::abs(ptq.deployedValue - ptq.testValue) <= 0.01, std::to_string(ptq.deployedValue).c_str());
        QCOMPARE(base.deployedValue, base.testValue);
        QVERIFY(std::abs(ptq.testValue - base.testValue) < 0.05);
        QCOMPARE(r.rows[2].bits, 4.0);
        QCOMPARE(r.rows[2].setting, std::string("bits=4"));
        // Cora GCN: 1433x16 + 16x7 weights dominate, so int8 is about a quarter of fp32 and int4 an eighth.
        const double r8 = static_cast<double>(ptq.sizeDiskBytes) / static_cast<double>(base.sizeDiskBytes);
        const double r4 = static_cast<double>(r.rows[2].sizeDiskBytes) / static_cast<double>(base.sizeDiskBytes);
        QVERIFY2(r8 > 0.25 && r8 < 0.27, std::to_string(r8).c_str());
        QVERIFY2(r4 > 0.125 && r4 < 0.14, std::to_string(r4).c_str());
        QCOMPARE(static_cast<int64_t>(
                     QFileInfo(QString::fromStdString(options.modelDir + "/qat-bits_4-quantized.gsqm")).size()),
            r.rows[2].sizeDiskBytes);
        // A2Q with a 2-bit target and a huge penalty collapses to the floor, which is reported.
        const auto& a2q = r.rows[4];
        QCOMPARE(a2q.bits, 2.0);
        QCOMPARE(warnings.size(), size_t(1));
        QVERIFY2(warnings[0].rfind("a2q: the memory penalty drove the weight bit-widths to the 2-bit floor", 0) == 0,
            warnings[0].c_str());
        QVERIFY(a2q.note.find("bits collapsed to the floor") != std::string::npos);
        // Quantized layer rows carry their bits; histograms show the stored levels.
        int quantizedLayers = 0;
        for (const auto& l : r.layers)
            if (l.method == "qat") {
                ++quantizedLayers;
                QCOMPARE(l.bits, 4.0);
                int used = 0;
                for (auto n : l.histCounts)
                    used += n > 0;
                QVERIFY2(used <= 15, std::to_string(used).c_str());
            }
        QCOMPARE(quantizedLayers, 2);
    }
};

QTEST_GUILESS_MAIN(QuantizationTest)
#include "QuantizationTest.moc"
