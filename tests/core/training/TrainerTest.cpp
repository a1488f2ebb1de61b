// Tests core/training/Trainer with a scripted task (exact early stopping, restore of the best
// weights, divergence and cancellation) and with a real GCN on Cora (determinism, learning).
#include "core/training/Trainer.h"
#include "core/common/Error.h"
#include "core/data/Split.h"
#include "core/data/Transforms.h"
#include "core/data/io/CoraReader.h"
#include "core/experiment/ExperimentConfig.h"
#include "core/models/ModelFactory.h"
#include "core/models/Models.h"
#include "core/training/GraphTask.h"
#include "core/training/NodeTask.h"

#include "TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <cmath>
#include <limits>

using namespace gsq::core;
using namespace gsq::core::training;

namespace {

/// One parameter p; loss (p - 1)^2; validation metrics follow a script, one per evaluation.
class ScriptedTask : public Task {
public:
    explicit ScriptedTask(std::vector<double> valScript, int nanAtEpoch = 0)
        : m_script(std::move(valScript))
        , m_nanAt(nanAtEpoch)
    {
        m_module = std::make_shared<torch::nn::Module>();
        p = m_module->register_parameter("p", torch::zeros({ 1 }));
    }
    std::shared_ptr<torch::nn::Module> module() override { return m_module; }
    int64_t numBatches() const override { return 1; }
    void beginEpoch(std::mt19937_64&) override { ++m_epoch; }
    at::Tensor batchLoss(int64_t) override
    {
        auto loss = (p - 1).pow(2).sum();
        if (m_nanAt && m_epoch >= m_nanAt)
            return loss * std::numeric_limits<float>::quiet_NaN();
        return loss;
    }
    Evaluation evaluate() override
    {
        Evaluation e;
        e.valMetric = m_script.at(static_cast<size_t>(m_epoch - 1));
        e.testMetric = p.item<double>(); // lets the test see which weights were evaluated
        return e;
    }
    std::string metricName() const override { return "accuracy"; }
    void inferenceForward() override { }
    void calibrationForward() override { }
    at::Tensor p;

private:
    std::shared_ptr<torch::nn::Module> m_module;
    std::vector<double> m_script;
    int m_nanAt;
    int m_epoch = 0;
};

experiment::TrainConfig sgd(int epochs, int patience)
{
    experiment::TrainConfig c;
    c.optimizer = "sgd";
    c.momentum = 0.0;
    c.lr = 0.1;
    c.weightDecay = 0.0;
    c.epochs = epochs;
    c.patience = patience;
    return c;
}

/// A graph model whose prediction tells the modes apart: class 1 in training mode, class 0 in
/// evaluation mode, for every graph; it counts its forward passes.
class ModeModel : public models::GraphModel {
public:
    ModeModel() { w = register_parameter("w", torch::zeros({ 1 })); }
    at::Tensor forward(
        const at::Tensor&, const at::Tensor&, const at::Tensor&, int64_t numGraphs, const at::Tensor& = {}) override
    {
        ++calls;
        const float s = is_training() ? 1.f : -1.f;
        return torch::tensor({ 0.f, s }).repeat({ numGraphs, 1 }) + w * 0;
    }
    at::Tensor w;
    int calls = 0;
};

/// Records, for each training-mode forward pass, the graphs of the batch in order (each graph
/// is one node whose feature is its index).
class OrderModel : public models::GraphModel {
public:
    OrderModel() { w = register_parameter("w", torch::zeros({ 1 })); }
    at::Tensor forward(
        const at::Tensor& x, const at::Tensor&, const at::Tensor&, int64_t numGraphs, const at::Tensor& = {}) override
    {
        if (is_training()) {
            auto c = x.select(1, 0).contiguous();
            seen.emplace_back(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
        }
        return torch::zeros({ numGraphs, 2 }) + w;
    }
    at::Tensor w;
    std::vector<std::vector<float>> seen;
};

} // namespace

/// A weight, an A²Q step size and an A²Q bit-width (parameters of the model's `quant` child; the
/// hooks put the last two in groups of their own, OwnGroups), each starting at `start` with task
/// gradient exactly `gradient`: with gradient 0 only weight decay can move them; with gradient 1
/// SGD moves each by its own learning rate per step.
class QuantParamsTask : public Task {
public:
    QuantParamsTask(double start, double gradient)
        : m_gradient(gradient)
    {
        m_module = std::make_shared<torch::nn::Module>();
        w = m_module->register_parameter("w", torch::full({ 1 }, start));
        auto quant = std::make_shared<torch::nn::Module>();
        step = quant->register_parameter("x__step", torch::full({ 1 }, start));
        bits = quant->register_parameter("x__bits", torch::full({ 1 }, start));
        m_module->register_module("quant", quant);
    }
    std::shared_ptr<torch::nn::Module> module() override { return m_module; }
    int64_t numBatches() const override { return 1; }
    void beginEpoch(std::mt19937_64&) override { }
    at::Tensor batchLoss(int64_t) override { return ((w + step + bits) * m_gradient).sum(); }
    Evaluation evaluate() override { return {}; }
    std::string metricName() const override { return "accuracy"; }
    void inferenceForward() override { }
    void calibrationForward() override { }
    at::Tensor w, step, bits;

private:
    double m_gradient;
    std::shared_ptr<torch::nn::Module> m_module;
};

/// The task's step size and bit-width in groups of their own, as a quantize method asks for them.
class OwnGroups : public TrainerHooks {
public:
    OwnGroups(const QuantParamsTask& task, double stepLr, double bitsLr)
        : m_groups { { { task.step }, stepLr }, { { task.bits }, bitsLr } }
    {
    }
    std::vector<Group> parameterGroups() override { return m_groups; }

private:
    std::vector<Group> m_groups;
};

class TrainerTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void quantizerStepSizesAndBitWidthsHaveTheirOwnLearningRates()
    {
        experiment::TrainConfig c;
        c.optimizer = "sgd";
        c.momentum = 0;
        c.weightDecay = 0;
        c.lr = 0.1;
        c.epochs = 2;
        c.lrStepSize = 1; // halved after the first epoch: every group's rate with it
        c.lrGamma = 0.5;
        c.selectBy = "last";
        QuantParamsTask task(0.0, 1.0);
        OwnGroups groups(task, 0.01, 2.0);
        Trainer(c).fit(task, 0, {}, nullptr, &groups);
        QVERIFY(std::abs(task.w.item<double>() + 0.1 * 1.5) < 1e-6);
        QVERIFY(std::abs(task.step.item<double>() + 0.01 * 1.5) < 1e-6);
        QVERIFY(std::abs(task.bits.item<double>() + 2.0 * 1.5) < 1e-6);
        // Unset (0): both follow train.lr.
        QuantParamsTask plain(0.0, 1.0);
        OwnGroups unset(plain, 0, 0);
        Trainer(c).fit(plain, 0, {}, nullptr, &unset);
        QVERIFY(std::abs(plain.step.item<double>() + 0.15) < 1e-6 && std::abs(plain.bits.item<double>() + 0.15) < 1e-6);
    }

    void quantizerParametersHaveNoWeightDecay()
    {
        for (const char* optimizer : { "adam", "adamw", "sgd" }) {
            experiment::TrainConfig c;
            c.optimizer = optimizer;
            c.lr = 0.1;
            c.weightDecay = 0.5;
            c.epochs = 3;
            c.selectBy = "last";
            QuantParamsTask task(1.0, 0.0);
            OwnGroups groups(task, 0, 0);
            Trainer(c).fit(task, 0, {}, nullptr, &groups);
            QVERIFY2(task.w.item<double>() < 0.99, optimizer); // decayed
            QCOMPARE(task.step.item<double>(), 1.0); // A2Q's step sizes and bits: untouched by decay
            QCOMPARE(task.bits.item<double>(), 1.0);
        }
    }

    void earlyStoppingRestoresBestEpoch()
    {
        ScriptedTask task({ 0.1, 0.5, 0.4, 0.3, 0.2, 0.9, 0.9 });
        Trainer trainer(sgd(7, 3));
        int seen = 0;
        auto fit = trainer.fit(task, 0, [&](const EpochRecord&) { ++seen; });
        QCOMPARE(fit.bestEpoch, 2);
        QVERIFY(fit.stoppedEarly);
        QCOMPARE(fit.history.size(), size_t(5)); // epochs 3, 4, 5 without improvement
        QCOMPARE(seen, 5);
        // p after 2 SGD steps of lr 0.1 on (p-1)^2 from 0: 0.2, then 0.36.
        QVERIFY(std::abs(task.p.item<double>() - 0.36) < 1e-6);
        QVERIFY(std::abs(fit.best.testMetric - 0.36) < 1e-6);
    }

    void gradientNormIsClipped()
    {
        // d/dp (p - 1)^2 at p = 0 is -2; clipped to norm 0.5 one SGD step of 0.1 gives 0.05.
        ScriptedTask task({ 0.5, 0.6 }); // the second epoch is the best: its weights are kept
        auto cfg = sgd(2, 0);
        cfg.clipGradNorm = 0.5;
        Trainer(cfg).fit(task, 0, {});
        // Second step: gradient 2 * (0.05 - 1) = -1.9, clipped to -0.5 again: 0.1.
        QVERIFY(std::abs(task.p.item<double>() - 0.1) < 1e-6);
        ScriptedTask free({ 0.5 });
        Trainer(sgd(1, 0)).fit(free, 0, {});
        QVERIFY(std::abs(free.p.item<double>() - 0.2) < 1e-6);
    }

    void lrStepScheduleHalvesTheRate()
    {
        ScriptedTask task(std::vector<double>(6, 0.5));
        auto cfg = sgd(6, 0);
        cfg.lrStepSize = 2;
        cfg.lrGamma = 0.5;
        auto fit = Trainer(cfg).fit(task, 0, {});
        std::vector<double> lrs;
        for (const auto& r : fit.history)
            lrs.push_back(r.lr);
        QCOMPARE(lrs, (std::vector<double> { 0.1, 0.1, 0.05, 0.05, 0.025, 0.025 }));
    }

    void nanLossReportsDivergence()
    {
        ScriptedTask task(std::vector<double>(10, 0.5), 3);
        const std::string msg = gsq::test::messageOf<RunError>([&] { Trainer(sgd(10, 0)).fit(task, 0, {}); });
        QCOMPARE(msg,
            std::string("diverged at epoch 3: the training loss is NaN; lower train.lr (now 0.100000) or check "
                        "the input features"));
    }

    void cancelStopsBetweenSteps()
    {
        ScriptedTask task(std::vector<double>(10, 0.5));
        std::atomic<bool> cancel { false };
        int epochs = 0;
        bool cancelled = false;
        try {
            Trainer(sgd(10, 0))
                .fit(
                    task, 0,
                    [&](const EpochRecord& r) {
                        epochs = r.epoch;
                        if (r.epoch == 4)
                            cancel = true;
                    },
                    &cancel);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QCOMPARE(epochs, 4);
    }

    void runningTrainMetricComesFromTheTrainingBatches()
    {
        // 10 one-node graphs of class 1: 6 train (batches of 4: 2 batches), 2 val, 2 test.
        std::vector<graph::Graph> graphs;
        for (int i = 0; i < 10; ++i)
            graphs.push_back({ torch::ones({ 1, 2 }), torch::empty({ 2, 0 }, torch::kLong),
                torch::tensor({ 1 }, torch::kLong), 1, {} });
        data::Split split { torch::arange(0, 6, torch::kLong), torch::arange(6, 8, torch::kLong),
            torch::arange(8, 10, torch::kLong) };
        for (const bool running : { false, true }) {
            auto model = std::make_shared<ModeModel>();
            GraphTask task(model, graphs, split, 2, 4, "accuracy");
            task.setRunningTrainMetric(running);
            std::mt19937_64 rng(0);
            task.beginEpoch(rng);
            for (int64_t b = 0; b < task.numBatches(); ++b)
                task.batchLoss(b);
            QCOMPARE(model->calls, 2);
            auto e = task.evaluate();
            // Running: the training batches' own (training-mode) predictions, all right; evaluated:
            // a separate evaluation-mode pass over the 2 training batches, all wrong.
            QCOMPARE(e.trainMetric, running ? 1.0 : 0.0);
            QCOMPARE(e.valMetric, 0.0);
            QCOMPARE(model->calls, running ? 2 + 2 : 2 + 2 + 2); // val and test: one batch each
            // Consumed once: an evaluation without training in between runs the pass.
            QCOMPARE(task.evaluate().trainMetric, 0.0);
            QCOMPARE(model->calls, running ? 4 + 4 : 6 + 4);
        }
    }

    void aTrainingDoesNotDependOnTheTrainingsBeforeIt()
    {
        // 16 one-node graphs, 12 for training in batches of 5: two fits with the same seed on the
        // same task see the same batches. Before GraphTask::beginTraining, the second fit started
        // from the order the first one's last shuffle left, so a compression step trained
        // differently depending on the steps before it in the file.
        std::vector<graph::Graph> graphs;
        for (int i = 0; i < 16; ++i)
            graphs.push_back({ torch::full({ 1, 1 }, static_cast<float>(i)), torch::empty({ 2, 0 }, torch::kLong),
                torch::tensor({ i % 2 }, torch::kLong), 1, {} });
        data::Split split { torch::arange(0, 12, torch::kLong), torch::arange(12, 14, torch::kLong),
            torch::arange(14, 16, torch::kLong) };
        auto model = std::make_shared<OrderModel>();
        GraphTask task(model, graphs, split, 2, 5, "accuracy");
        Trainer trainer(sgd(3, 0));
        trainer.fit(task, 7, {});
        auto first = model->seen;
        model->seen.clear();
        trainer.fit(task, 7, {});
        QCOMPARE(first.size(), size_t(3 * 3)); // 3 epochs of 3 batches (5, 5, 2)
        QCOMPARE(model->seen, first);
        // The epochs within one fit do differ: the order is shuffled every epoch.
        QVERIFY(first[0] != first[3]);
        // Another seed gives other batches.
        model->seen.clear();
        trainer.fit(task, 8, {});
        QVERIFY(model->seen != first);
    }

    void gcnOnCoraIsDeterministicAndLearns()
    {
        at::set_num_threads(1);
        auto ds = data::io::CoraReader::read(gsq::test::dataDir() + "/cora");
        auto g = ds.graphs.front();
        g.x = data::rowNormalize(g.x).to_sparse().coalesce();
        auto split = data::fixedSplit(ds.publicTrain, ds.publicVal, ds.publicTest);
        experiment::ModelConfig mc;
        experiment::TrainConfig tc;
        tc.epochs = 50;
        auto runOnce = [&](int64_t seed) {
            torch::manual_seed(static_cast<uint64_t>(seed));
            auto model = models::ModelFactory::nodeClassifier(mc, ds.numFeatures, ds.numClasses);
            NodeTask task(model, g, split, ds.numClasses, "accuracy");
            return Trainer(tc).fit(task, static_cast<uint64_t>(seed), {});
        };
        auto a = runOnce(5), b = runOnce(5), c = runOnce(6);
        QCOMPARE(a.history.size(), size_t(50));
        for (size_t i = 0; i < a.history.size(); ++i) {
            QCOMPARE(a.history[i].loss, b.history[i].loss);
            QCOMPARE(a.history[i].valMetric, b.history[i].valMetric);
        }
        QVERIFY(a.history.back().loss != c.history.back().loss);
        QVERIFY2(a.best.valMetric > 0.72, qPrintable(QString::number(a.best.valMetric)));
        QVERIFY(a.history.front().loss > a.history.back().loss);
    }
};

QTEST_GUILESS_MAIN(TrainerTest)
#include "TrainerTest.moc"
