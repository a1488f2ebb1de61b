// Tests core/session: the event stream, results of every task type, bad-input and cancel
// paths, and the files ResultWriter produces.
#include "core/session/Session.h"
#include "core/common/Error.h"
#include "core/data/Split.h"
#include "core/experiment/Architecture.h"
#include "core/experiment/Catalog.h"
#include "core/experiment/ConfigYaml.h"
#include "core/graph/EdgeIndex.h"
#include "core/models/ModelFactory.h"
#include "core/models/Models.h"
#include "core/session/MemoryPreflight.h"
#include "core/session/ResultWriter.h"
#include "core/training/LinkTask.h"

#include <torch/torch.h>

#include <set>

#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QtTest>

using namespace gsq::core;
using namespace gsq::core::results;
using namespace gsq::core::session;

namespace {

struct Recorder {
    int started = 0, stageStarted = 0, epochs = 0, stageFinished = 0, finished = 0, failed = 0, warnings = 0;
    RunFailed lastFailure;
    EventSink sink()
    {
        return [this](const SessionEvent& e) {
            if (std::holds_alternative<RunStarted>(e))
                ++started;
            else if (std::holds_alternative<StageStarted>(e))
                ++stageStarted;
            else if (std::holds_alternative<EpochMetrics>(e))
                ++epochs;
            else if (std::holds_alternative<StageFinished>(e))
                ++stageFinished;
            else if (std::holds_alternative<RunFinished>(e))
                ++finished;
            else if (std::holds_alternative<RunWarning>(e))
                ++warnings;
            else if (auto* f = std::get_if<RunFailed>(&e)) {
                ++failed;
                lastFailure = *f;
            }
        };
    }
};

experiment::ExperimentConfig config(const std::string& yaml, const std::vector<std::string>& overrides = {})
{
    return experiment::parseExperiment(yaml, "t.yaml", overrides);
}

} // namespace

class SessionTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nodeClassificationEmitsEveryEvent()
    {
        auto c = config("name: s\ndataset:\n  name: cora\nmodel:\n  arch: gcn\ntrain:\n  epochs: 5\n  seeds: [0, 1]\n  "
                        "threads: 1\n");
        Recorder rec;
        CancelToken cancel;
        auto r = Session::run(c, rec.sink(), cancel);
        QCOMPARE(rec.started, 1);
        QCOMPARE(rec.stageStarted, 2);
        QCOMPARE(rec.epochs, 10);
        QCOMPARE(rec.stageFinished, 2);
        QCOMPARE(rec.finished, 1);
        QCOMPARE(rec.failed, 0);
        QCOMPARE(r.rows.size(), size_t(2));
        QCOMPARE(r.rows[0].totalParams, 1433 * 16 + 16 + 16 * 7 + 7);
        QCOMPARE(r.rows[0].nonzeroParams, r.rows[0].totalParams);
        QCOMPARE(r.rows[0].metric, std::string("accuracy"));
        QCOMPARE(r.rows[1].seed, 1);
        QCOMPARE(r.summary.size(), size_t(1));
        QCOMPARE(r.summary[0].n, 2);
        QCOMPARE(r.histories.size(), size_t(2));
        QCOMPARE(r.histories[1].epochs.size(), size_t(5));
        QCOMPARE(r.environment.at("threads"), std::string("1"));
        QVERIFY(r.environment.at("features").rfind("sparse", 0) == 0);
        const double mean = (r.rows[0].testValue + r.rows[1].testValue) / 2;
        QVERIFY(std::abs(r.summary[0].testMean - mean) < 1e-12);
        // Same config, same numbers.
        auto again = Session::run(c, {}, cancel);
        QCOMPARE(again.rows[1].testValue, r.rows[1].testValue);
        QCOMPARE(again.histories[1].epochs[4].loss, r.histories[1].epochs[4].loss);
    }

    void graphClassificationRunsEveryFold()
    {
        auto c = config("dataset:\n  name: proteins\n  folds: 3\nmodel:\n  arch: gin\n  hidden: 16\n  layers: "
                        "2\ntrain:\n  epochs: 2\n  threads: 0\n");
        auto r = Session::run(c, {}, CancelToken());
        QCOMPARE(r.rows.size(), size_t(3));
        QCOMPARE(r.rows[2].fold, 2);
        QVERIFY(r.rows[0].testValue > 0.3 && r.rows[0].testValue <= 1.0);
        QCOMPARE(r.rows[0].testMetrics.count("roc_auc"), size_t(1));
        QVERIFY2(
            r.environment.at("threads_reason").rfind("measured", 0) == 0, r.environment.at("threads_reason").c_str());
    }

    void moleculesAndLinksUseRankingMetrics()
    {
        Recorder rec;
        auto b = config("dataset:\n  name: bbbp\n  split: scaffold\nmodel:\n  arch: gcn\n  hidden: 16\n  pooling: "
                        "max\ntrain:\n  epochs: 1\n  metric: roc_auc\n  threads: 1\n");
        auto rb = Session::run(b, rec.sink(), CancelToken());
        QCOMPARE(rb.rows[0].metric, std::string("roc_auc"));
        QCOMPARE(rec.warnings, 1); // the 11 invalid SMILES
        QCOMPARE(rb.warnings.size(), size_t(1));
        auto l = config("dataset:\n  task: link_prediction\nmodel:\n  hidden: 32\ntrain:\n  epochs: 3\n  threads: 1\n");
        auto rl = Session::run(l, {}, CancelToken());
        QCOMPARE(rl.rows[0].metric, std::string("roc_auc"));
        QVERIFY(rl.rows[0].testValue > 0.5);
        QCOMPARE(rl.rows[0].testMetrics.count("average_precision"), size_t(1));
    }

    void nessSplitsTrainingEdgesIntoStaticSubgraphs()
    {
        // A ring of 40 nodes: 40 undirected edges, 80 % (32) for training.
        std::vector<int64_t> src, dst;
        for (int64_t i = 0; i < 40; ++i) {
            src.push_back(i);
            dst.push_back((i + 1) % 40);
        }
        const auto edges = gsq::core::graph::toUndirected(
            torch::stack({ torch::tensor(src, torch::kLong), torch::tensor(dst, torch::kLong) }), 40);
        gsq::core::graph::Graph g;
        g.numNodes = 40;
        g.x = torch::eye(40);
        g.edgeIndex = edges;
        auto split = gsq::core::data::randomLinkSplit(edges, 40, 0.1, 0.1, 3);
        gsq::core::experiment::ModelConfig m;
        m.arch = "gnae";
        m.layers = 1;
        m.hidden = 8;
        auto model = gsq::core::models::ModelFactory::linkPredictor(m, 40);
        gsq::core::training::LinkTask task(model, g, split, "roc_auc", { 4, 0.5, 11 });
        const auto& parts = task.subgraphPositives();
        QCOMPARE(parts.size(), size_t(4));
        std::set<std::pair<int64_t, int64_t>> seen;
        int64_t total = 0;
        const int64_t training = split.trainPos.size(1);
        QVERIFY(training >= 28);
        for (const auto& p : parts) {
            QVERIFY(p.size(1) == training / 4 || p.size(1) == training / 4 + 1); // near-equal parts
            for (int64_t e = 0; e < p.size(1); ++e)
                QVERIFY(seen.insert({ p[0][e].item<int64_t>(), p[1][e].item<int64_t>() }).second); // disjoint
            total += p.size(1);
        }
        QCOMPARE(total, training);
        std::mt19937_64 rng(1);
        task.beginEpoch(rng);
        auto loss = task.batchLoss(0);
        QVERIFY(std::isfinite(loss.item<double>()));
        loss.backward(); // one graph of four reconstruction losses
        QVERIFY(model->named_parameters()["stack.conv0.weight"].grad().defined());
    }

    void nessLinkPredictionRunsFromTheFile()
    {
        auto c = config("dataset:\n  task: link_prediction\nmodel:\n  arch: gnae\n  hidden: 32\n  layers: 1\n  "
                        "dropout: 0\ntrain:\n  epochs: 30\n  subgraphs: 4\n  edge_dropout: 0.2\n  threads: 1\n");
        QCOMPARE(c.train.subgraphs, 4);
        QVERIFY(gsq::core::experiment::toYaml(c).find("subgraphs: 4") != std::string::npos);
        auto r = Session::run(c, {}, CancelToken());
        QCOMPARE(r.rows[0].totalParams, int64_t(45888));
        QVERIFY2(r.rows[0].testValue > 0.8, std::to_string(r.rows[0].testValue).c_str());
        auto bad = "name: t\ntrain:\n  subgraphs: 4\n";
        QCOMPARE(QString::fromStdString(gsq::test::messageOf<InputError>([&] { config(bad); })),
            QString("t.yaml:3: key 'train.subgraphs': static subgraphs and edge dropout belong to link prediction "
                    "(NESS); this task is node_classification"));
    }

    /// The memory pre-flight counts every layer-stack architecture of the catalog exactly as the
    /// model it builds (node classification on Cora's shape); one it does not know is refused
    /// rather than estimated wrong.
    void memoryPreflightCountsEveryArchitecture()
    {
        gsq::core::data::DatasetStats cora;
        cora.numNodes = 2708;
        cora.numUndirectedEdges = 5278;
        cora.numFeatures = 1433;
        cora.numClasses = 7;
        int checked = 0;
        for (const auto& arch : gsq::core::experiment::Catalog::names(gsq::core::experiment::ChoiceList::Arch)) {
            if (arch == "hgpsl") // graph classification only: hgpslPrunesAndQuantizesFromTheFile
                continue;
            auto c = config("model:\n  arch: " + arch + "\n  hidden: 16\n  layers: 2\n");
            auto model = gsq::core::models::ModelFactory::nodeClassifier(c.model, 1433, 7);
            int64_t params = 0;
            for (const auto& p : model->parameters())
                params += p.numel();
            QCOMPARE(gsq::core::session::estimateMemory(c, cora).parameters, params);
            ++checked;
        }
        QCOMPARE(checked, 6); // gcn, sage, gat, gin, spline, gnae
        auto c = config("model:\n  arch: gcn\n");
        c.model.arch = "unlisted";
        QCOMPARE(QString::fromStdString(
                     gsq::test::messageOf<std::logic_error>([&] { gsq::core::session::estimateMemory(c, cora); })),
            QString("the memory pre-flight got architecture 'unlisted', which is not registered"));
        // An architecture cannot be registered without its count, so the pre-flight never guesses.
        gsq::core::experiment::ArchitectureInfo uncounted;
        uncounted.name = "uncounted";
        QCOMPARE(QString::fromStdString(gsq::test::messageOf<std::invalid_argument>(
                     [&] { gsq::core::experiment::registerArchitectureInfo(uncounted); })),
            QString("architecture 'uncounted' has no parameter count (ArchitectureInfo::layerCount); the memory "
                    "pre-flight needs it"));
        QVERIFY(!gsq::core::experiment::architecture("uncounted"));
    }

    void hgpslPrunesAndQuantizesFromTheFile()
    {
        // HGP-SL 3x32 on PROTEINS with node attributes (4 features): conv0 4*32+32, conv1-2
        // 32*32+32 each, two attention vectors of 64, head 64*32+32, 32*16+16, 16*2+2.
        const int64_t params = 160 + 2 * 1056 + 2 * 64 + 2080 + 528 + 34;
        const std::string head = "name: t\ndataset:\n  name: proteins\n  split: random\n  use_node_attributes: "
                                 "true\n  normalize_features: false\nmodel:\n  arch: hgpsl\n  hidden: 32\n  "
                                 "layers: 3\n  dropout: 0\ntrain:\n  epochs: 3\n  batch_size: 256\n  threads: 1\n";
        auto c = config(head
            + "compression:\n  - prune:\n      method: global\n      targets: [\"conv*.weight\", "
              "\"lin*.weight\"]\n      sparsity: 0.5\n      finetune_epochs: 2\n");
        QVERIFY(gsq::core::experiment::toYaml(c).find("pool_ratio: 0.5") != std::string::npos);
        gsq::core::data::DatasetStats proteins;
        proteins.numGraphs = 1113;
        proteins.numFeatures = 4;
        proteins.numClasses = 2;
        QCOMPARE(gsq::core::session::estimateMemory(c, proteins).parameters, params);
        auto r = Session::run(c, {}, CancelToken());
        QCOMPARE(r.rows.size(), size_t(3));
        QCOMPARE(r.rows[0].totalParams, params);
        QVERIFY(r.rows[0].testValue > 0.5);
        // Half of the six weight matrices' 4,768 entries are zero after pruning; the attention
        // vectors are not targets.
        int64_t zeros = 0;
        for (const auto& l : r.layers)
            if (l.stage == Stage::Pruned) {
                zeros += l.params - l.nnz;
                if (l.layer.rfind("pool", 0) == 0)
                    QCOMPARE(l.nnz, l.params);
            }
        QCOMPARE(zeros, int64_t(4768 / 2));
        // Quantization-aware training runs through every level of the pooled graphs.
        auto q = config(head
            + "compression:\n  - quantize:\n      method: degree_quant\n      bits: 8\n      "
              "epochs: 2\n");
        auto rq = Session::run(q, {}, CancelToken());
        QCOMPARE(rq.rows.size(), size_t(2)); // base, quantized after QAT
        QCOMPARE(rq.rows[1].stage, Stage::Quantized);
        QVERIFY(rq.rows[1].testValue > 0.5);
        QCOMPARE(rq.rows[1].bits, 8.0);
        QVERIFY(rq.rows[1].deployedValue > 0.5); // through the int8 kernels
        // Node tasks and structured pruning are refused with the key.
        QCOMPARE(QString::fromStdString(
                     gsq::test::messageOf<InputError>([&] { config("name: t\nmodel:\n  arch: hgpsl\n"); })),
            QString("t.yaml:3: key 'model.arch': HGP-SL (hgpsl) pools graphs; it needs task graph_classification, "
                    "this task is node_classification"));
    }

    void savedBaseGivesTheRowsOfAFullRun()
    {
        // RunOptions::baseModel (the app's "Prune 10 % more"): a setting appended to a run, run
        // alone from that run's saved base and random state, gives the rows of a full run.
        QTemporaryDir d;
        auto yaml = [](const std::string& sparsities) {
            return "name: reuse\ndataset: {name: cora}\nmodel: {arch: gcn, hidden: 16}\n"
                   "train: {epochs: 30, seeds: [2], threads: 1}\n"
                   "compression:\n  - prune: {method: finegrained, sparsity: ["
                + sparsities + "], finetune_epochs: 10}\n";
        };
        CancelToken cancel;
        const auto full = Session::run(config(yaml("0.3, 0.6")), {}, cancel);
        RunOptions first;
        first.modelDir = d.filePath("models").toStdString();
        auto grown = Session::run(config(yaml("0.3")), {}, cancel, first);
        QVERIFY(QFile::exists(d.filePath("models/random.state")));
        RunOptions reuse = first;
        reuse.baseModel = first.modelDir + "/base.gsqm";
        const auto added = Session::run(config(yaml("0.6")), {}, cancel, reuse);
        QCOMPARE(added.rows.size(), size_t(3));
        QCOMPARE(added.rows[0].testValue, full.rows[0].testValue); // the base, evaluated
        QCOMPARE(added.rows[0].trainSeconds, 0.0);
        // RunResult::extend folds it in: one run of both settings, row for row the full run's.
        grown.extend(added, config(yaml("0.3, 0.6")));
        QCOMPARE(grown.rows.size(), full.rows.size());
        for (size_t i = 0; i < full.rows.size(); ++i) {
            QCOMPARE(grown.rows[i].setting, full.rows[i].setting);
            QCOMPARE(grown.rows[i].testValue, full.rows[i].testValue);
            QCOMPARE(grown.rows[i].nonzeroParams, full.rows[i].nonzeroParams);
        }
        QCOMPARE(grown.summary.size(), full.summary.size());
        QCOMPARE(grown.config.steps.size(), size_t(1));
        // Only a run of one job can stand on one saved base.
        QCOMPARE(gsq::test::messageOf<InputError>(
                     [&] { Session::run(config(yaml("0.6"), { "train.seeds=[0, 1]" }), {}, cancel, reuse); }),
            reuse.baseModel
                + ": a saved base model stands in for the training of one job; this run has 2 (one seed and one "
                  "fold needed)");
    }

    void memoryPreflightRefusesWhatCannotFit()
    {
        // GCN 2x16 on Cora: 1433*16 + 16 + 16*7 + 7 parameters, as the saved model file counts them.
        auto small = config("train:\n  threads: 1\n");
        gsq::core::data::DatasetStats cora;
        cora.numGraphs = 1;
        cora.numNodes = 2708;
        cora.numUndirectedEdges = 5278;
        cora.numFeatures = 1433;
        cora.numClasses = 7;
        const auto e = gsq::core::session::estimateMemory(small, cora);
        QCOMPARE(e.parameters, int64_t(23063));
        QCOMPARE(e.optimizerBytes, 2.0 * 4 * 23063); // Adam: two moments per parameter
        QVERIFY(e.total() < 64.0 * 1024 * 1024);
        QVERIFY(gsq::core::session::availableMemoryBytes() > 0);
        QCOMPARE(gsq::core::session::formatBytes(1536.0 * 1024 * 1024), std::string("1.5 GiB"));

        // 64 layers of 65536 channels: terabytes, refused before any allocation, at the key.
        auto huge = config("name: t\nmodel:\n  hidden: 65536\n  layers: 64\ntrain:\n  threads: 1\n");
        Recorder rec;
        const std::string msg
            = gsq::test::messageOf<InputError>([&] { Session::run(huge, rec.sink(), CancelToken()); });
        QVERIFY2(msg.rfind("t.yaml:3: key 'model.hidden': the run needs about ", 0) == 0, msg.c_str());
        QVERIFY2(msg.find(" TiB per job (") != std::string::npos, msg.c_str());
        QVERIFY2(msg.find(" available; reduce model.hidden, model.layers or train.batch_size") != std::string::npos,
            msg.c_str());
        QCOMPARE(rec.failed, 1);
        QVERIFY(rec.lastFailure.invalidInput);
        QCOMPARE(rec.epochs, 0); // nothing trained
    }

    void oversizedSplitIsInputErrorAtTheKey()
    {
        auto c = config(
            "dataset:\n  name: cora\n  split: random\n  val_size: 2000\n  test_size: 1000\ntrain:\n  threads: 1\n");
        Recorder rec;
        const std::string msg = gsq::test::messageOf<InputError>([&] { Session::run(c, rec.sink(), CancelToken()); });
        QCOMPARE(msg,
            std::string("t.yaml:4: key 'dataset.val_size': split sizes (train 0, val 2000, test 1000) do not fit "
                        "the dataset's 2708 nodes"));
        QCOMPARE(rec.failed, 1);
        QVERIFY(rec.lastFailure.invalidInput);
    }

    void missingDatasetFileIsInputError()
    {
        auto c = config("dataset:\n  name: proteins\n  path: /nonexistent/proteins\n");
        const std::string msg = gsq::test::messageOf<InputError>([&] { Session::run(c, {}, CancelToken()); });
        QCOMPARE(msg,
            std::string(
                "/nonexistent/proteins: expected a directory holding NAME_A.txt, NAME_graph_indicator.txt, ..."));
    }

    void collapsedAccuracyIsReportedOnceWithItsAggregate()
    {
        // 99 % of every weight removed without fine-tuning: the model collapses; 50 % does not.
        auto c = config("name: c\ndataset:\n  name: cora\ntrain:\n  epochs: 30\n  threads: 1\n  seeds: [0, 1]\n"
                        "compression:\n  - prune:\n      method: global\n      sparsity: [0.5, 0.99]\n"
                        "      finetune_epochs: 0\n");
        Recorder rec;
        auto r = Session::run(c, rec.sink(), CancelToken());
        std::vector<std::string> collapsed;
        for (const auto& w : r.warnings)
            if (w.rfind("accuracy collapsed", 0) == 0)
                collapsed.push_back(w);
        QCOMPARE(collapsed.size(), size_t(1));
        QVERIFY2(collapsed[0].rfind("accuracy collapsed at sparsity=0.99 (global, pruned): accuracy ", 0) == 0,
            collapsed[0].c_str());
        QVERIFY2(collapsed[0].find("(n=2) vs ") != std::string::npos, collapsed[0].c_str());
        QVERIFY2(collapsed[0].find("use finegrained pruning so every layer keeps weights.") != std::string::npos,
            collapsed[0].c_str());
        QVERIFY(rec.warnings >= 1);
    }

    void cancelFromTheSinkStopsTheRun()
    {
        auto c = config("train:\n  epochs: 50\n  threads: 1\n");
        CancelToken cancel;
        int epochs = 0;
        RunFailed failure;
        const std::string msg = gsq::test::messageOf<RunError>([&] {
            Session::run(
                c,
                [&](const SessionEvent& e) {
                    if (std::holds_alternative<EpochMetrics>(e) && ++epochs == 3)
                        cancel.cancel();
                    if (auto* f = std::get_if<RunFailed>(&e))
                        failure = *f;
                },
                cancel);
        });
        QCOMPARE(msg, std::string("cancelled by the user"));
        QCOMPARE(epochs, 3);
        QVERIFY(failure.cancelled);
    }

    void writerProducesExactColumnsAndNoTempFiles()
    {
        auto c = config("name: w\ntrain:\n  epochs: 2\n  seeds: [0, 1, 2]\n  threads: 1\n");
        auto r = Session::run(c, {}, CancelToken());
        QTemporaryDir dir;
        const std::string out = dir.filePath("nested/out").toStdString();
        ResultWriter::writeAll(out, r);
        QFile results(QString::fromStdString(out + "/results.csv"));
        QVERIFY(results.open(QIODevice::ReadOnly));
        const auto lines = QString(results.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[0].startsWith("experiment,dataset,task,model,method,setting,seed,fold,stage,metric,test_value,"
                                    "val_value,nonzero_params,total_params,train_seconds"));
        QVERIFY(lines[1].startsWith("w,cora,node_classification,gcn-2x16,none,,0,0,base,accuracy,"));
        QFile summary(QString::fromStdString(out + "/summary.csv"));
        QVERIFY(summary.open(QIODevice::ReadOnly));
        const auto slines = QString(summary.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(slines.size(), 2);
        QVERIFY(slines[1].contains(",3,")); // n = 3
        QCOMPARE(QDir(QString::fromStdString(out)).entryList(QDir::Files),
            (QStringList { "layers.csv", "results.csv", "run.json", "summary.csv" }));
        const std::string json = ResultWriter::runJson(r);
        QVERIFY(json.find("\"seeds\": [0, 1, 2]") != std::string::npos);
        QVERIFY(json.find("\"libtorch\": \"1.13") != std::string::npos);
        const std::string bad = gsq::test::messageOf<InputError>([&] { ResultWriter::writeAll("/proc/forbidden", r); });
        QVERIFY2(bad.rfind("/proc/forbidden: cannot create output directory: ", 0) == 0, bad.c_str());
    }
};

QTEST_GUILESS_MAIN(SessionTest)
#include "SessionTest.moc"
