// Tests core/analysis/Robustness: the perturbations themselves (exact counts, both directions,
// within graphs, attributes recomputed), the analyze step's keys, and a run whose every stage is
// analysed (rows, clean values, budgets, pairing across stages, other rows untouched, the journal
// and robustness.csv).
#include "core/analysis/Robustness.h"
#include "core/common/Error.h"
#include "core/data/Transforms.h"
#include "core/experiment/ConfigYaml.h"
#include "core/session/JobJournal.h"
#include "core/session/ResultWriter.h"
#include "core/session/Session.h"

#include "TestSupport.h"

#include <torch/torch.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace gsq::core;
using gsq::test::messageOf;

namespace {
/// Two graphs in one batch: a 5-cycle with one chord (nodes 0-4, 6 edges) and a 5-node path
/// (nodes 5-9, 4 edges): 10 undirected edges, each stored in both directions; features 1..40
/// (no zero).
graph::GraphBatch twoGraphs()
{
    const std::vector<std::pair<int64_t, int64_t>> pairs { { 0, 1 }, { 1, 2 }, { 2, 3 }, { 3, 4 }, { 4, 0 }, { 0, 2 },
        { 5, 6 }, { 6, 7 }, { 7, 8 }, { 8, 9 } };
    std::vector<int64_t> src, dst;
    for (const auto& [u, v] : pairs) {
        src.insert(src.end(), { u, v });
        dst.insert(dst.end(), { v, u });
    }
    graph::GraphBatch b;
    b.graph.edgeIndex = torch::stack({ torch::tensor(src), torch::tensor(dst) });
    b.graph.x = torch::arange(1, 41, torch::kFloat).view({ 10, 4 });
    b.graph.numNodes = 10;
    b.batch = torch::tensor(std::vector<int64_t> { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 });
    b.numGraphs = 2;
    return b;
}

std::set<std::pair<int64_t, int64_t>> directed(const at::Tensor& ei)
{
    std::set<std::pair<int64_t, int64_t>> out;
    for (int64_t k = 0; k < ei.size(1); ++k)
        out.insert({ ei[0][k].item<int64_t>(), ei[1][k].item<int64_t>() });
    return out;
}

experiment::ExperimentConfig config(const std::string& compression, const std::string& task = "")
{
    return experiment::parseExperiment("name: r\ndataset:\n  name: cora\n" + task
            + "model:\n  hidden: 16\ntrain:\n  epochs: 15\n  seeds: [3]\n  threads: 1\ncompression:\n" + compression,
        "r.yaml");
}

// Cora's features are sparse in training (98.7 % zeros) and dense once perturbed: the A²Q stage
// must still be evaluated as the model it trained (no quantizer made for the dense input).
const std::string kPipeline = "  - prune:\n      method: global\n      sparsity: [0.5]\n      finetune_epochs: 3\n"
                              "  - quantize:\n      method: qat\n      bits: 8\n      epochs: 2\n"
                              "  - quantize:\n      method: a2q\n      bits: 8\n      epochs: 2\n";
const std::string kAnalysis = "  - analyze:\n      method: robustness\n      edge_removal: [0.5]\n"
                              "      feature_mask: [0.3]\n      fgsm: [0.5]\n      pgd: [0.5]\n      pgd_steps: 5\n";
} // namespace

class RobustnessTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void edgeRemovalTakesExactlyThatFractionOfPairs()
    {
        const auto b = twoGraphs();
        QCOMPARE(analysis::undirectedEdges(b.graph.edgeIndex), int64_t(10));
        std::mt19937_64 rng(7);
        const auto p = analysis::removeEdges(b, 0.3, rng);
        QCOMPARE(p.changed, int64_t(3));
        QCOMPARE(p.of, int64_t(10));
        const auto kept = directed(p.batch.graph.edgeIndex);
        QCOMPARE(kept.size(), size_t(14)); // both directions of 7 pairs
        for (const auto& [u, v] : kept)
            QVERIFY(kept.count({ v, u })); // never one direction alone
        std::mt19937_64 again(7);
        QCOMPARE(directed(analysis::removeEdges(b, 0.3, again).batch.graph.edgeIndex), kept); // seeded
        std::mt19937_64 all(1);
        QCOMPARE(analysis::removeEdges(b, 1.0, all).batch.graph.edgeIndex.size(1), int64_t(0));
    }

    void edgeAdditionStaysWithinGraphsAndAddsNewPairs()
    {
        const auto b = twoGraphs();
        std::mt19937_64 rng(11);
        const auto p = analysis::addEdges(b, 0.5, rng);
        QCOMPARE(p.changed, int64_t(5));
        const auto before = directed(b.graph.edgeIndex);
        const auto after = directed(p.batch.graph.edgeIndex);
        QCOMPARE(after.size(), before.size() + 10);
        for (const auto& [u, v] : after) {
            QVERIFY(u != v);
            QVERIFY(after.count({ v, u }));
            QCOMPARE(u < 5, v < 5); // never across the two graphs
        }
        // The first graph holds 10 possible pairs and has 6: asking for 20 new ones adds what fits.
        std::mt19937_64 many(3);
        QCOMPARE(analysis::addEdges(b, 2.0, many).changed, int64_t(4 + 6)); // 4 left in graph 1, 6 in graph 2
    }

    void edgeAttributesAreRecomputed()
    {
        // A single graph with target in-degree attributes: after removing edges they are what the
        // reader computes for the remaining edges.
        auto b = twoGraphs();
        b.batch = at::Tensor();
        b.numGraphs = 1;
        b.graph.edgeAttr = data::targetIndegree(b.graph.edgeIndex, 10);
        std::mt19937_64 rng(5);
        const auto p = analysis::removeEdges(b, 0.4, rng);
        QCOMPARE(p.batch.graph.edgeAttr.size(0), int64_t(12));
        QVERIFY(torch::equal(p.batch.graph.edgeAttr, data::targetIndegree(p.batch.graph.edgeIndex, 10)));
    }

    void maskingZeroesExactlyThatFraction()
    {
        const auto b = twoGraphs();
        std::mt19937_64 rng(2);
        const auto p = analysis::maskFeatures(b, 0.25, rng);
        QCOMPARE(p.changed, int64_t(10));
        QCOMPARE(p.of, int64_t(40));
        QCOMPARE(p.batch.graph.x.eq(0).sum().item<int64_t>(), int64_t(10));
        QCOMPARE(b.graph.x.eq(0).sum().item<int64_t>(), int64_t(0)); // the input is not touched
        // Noise of sigma 0 changes nothing; a feature of standard deviation 0 gets none.
        auto std = torch::tensor(std::vector<float> { 1, 0, 2, 0 });
        std::mt19937_64 n1(1);
        QVERIFY(torch::equal(analysis::addNoise(b, std, 0.0, n1).graph.x, b.graph.x));
        std::mt19937_64 n2(1);
        const auto noisy = analysis::addNoise(b, std, 1.0, n2).graph.x - b.graph.x;
        QCOMPARE(noisy.select(1, 1).abs().sum().item<float>(), 0.0F);
        QVERIFY(noisy.select(1, 0).abs().sum().item<float>() > 0.0F);
    }

    void analyzeStepKeys()
    {
        // No perturbation key: all six at their defaults; some: only those. Written back as read.
        auto all = config("  - analyze:\n      method: robustness\n");
        const auto& a = std::get<experiment::AnalyzeSpec>(all.steps[0]);
        QCOMPARE(a.perturbations.size(), size_t(6));
        QCOMPARE(a.perturbations.at("pgd"), (std::vector<double> { 0.1, 0.25, 0.5 }));
        auto some = config("  - analyze:\n      method: robustness\n      pgd: [0.2]\n");
        const auto& s = std::get<experiment::AnalyzeSpec>(some.steps[0]);
        QCOMPARE(s.perturbations.size(), size_t(1));
        const std::string yaml = experiment::toYaml(some);
        QCOMPARE(experiment::toYaml(experiment::parseExperiment(yaml, "again.yaml")), yaml);
        QVERIFY(yaml.find("edge_removal") == std::string::npos);
        QCOMPARE(QString::fromStdString(messageOf<InputError>(
                     [] { config("  - analyze:\n      method: robustness\n      fgsm: [-1]\n"); })),
            QString("r.yaml:13: key 'compression[0].analyze.fgsm': expected a number in [0, 100], found -1"));
        QCOMPARE(QString::fromStdString(messageOf<InputError>([] {
            config("  - analyze:\n      method: robustness\n  - analyze:\n      method: robustness\n");
        })),
            QString("r.yaml:14: key 'compression[1].analyze.method': one robustness analysis per experiment: it "
                    "already examines every stage"));
        QVERIFY(messageOf<InputError>([] {
            config("  - analyze:\n      method: robustness\n", "  task: link_prediction\n");
        }).find("node_classification or graph_classification, not link_prediction")
            != std::string::npos);
    }

    void everyStageIsAnalysedAndNothingElseChanges()
    {
        QTemporaryDir dir;
        session::RunOptions options;
        options.journalPath = dir.filePath("jobs.journal").toStdString();
        const auto r = session::Session::run(config(kPipeline + kAnalysis), {}, results::CancelToken(), options);
        // base, pruned, finetuned, QAT and A²Q quantized; 4 perturbations x (clean + 1 strength).
        QCOMPARE(r.rows.size(), size_t(5));
        QCOMPARE(r.robustness.size(), size_t(5 * 4 * 2));
        for (const auto& x : r.robustness) {
            const auto stage = std::find_if(r.rows.begin(), r.rows.end(), [&](const auto& row) {
                return row.stage == x.stage && row.method == x.method && row.setting == x.setting;
            });
            QVERIFY(stage != r.rows.end());
            QCOMPARE(x.seed, int64_t(3));
            QCOMPARE(x.metric, std::string("accuracy"));
            QCOMPARE(x.evaluated, std::string(x.stage == results::Stage::Quantized ? "fake-quant" : "fp32"));
            if (x.strength == 0) {
                QCOMPARE(x.value, stage->testValue); // the clean data: the stage's own test value
                continue;
            }
            if (x.perturbation == "fgsm" || x.perturbation == "pgd") {
                QVERIFY2(x.realized <= 0.5 + 1e-5, x.perturbation.c_str()); // within the budget
                QVERIFY2(x.value < stage->testValue, x.perturbation.c_str()); // the attack hurts
            }
            if (x.perturbation == "fgsm")
                QVERIFY(std::abs(x.realized - 0.5) < 1e-5); // one full signed step
            if (x.perturbation == "edge_removal") {
                QCOMPARE(x.unit, std::string("fraction of edges"));
                QVERIFY(std::abs(x.realized - 0.5) < 1e-3);
            }
        }
        // Other rows are those of the same run without the analysis (LibTorch's generator untouched).
        const auto plain = session::Session::run(config(kPipeline), {}, results::CancelToken(), {});
        QCOMPARE(plain.rows.size(), r.rows.size());
        for (size_t i = 0; i < r.rows.size(); ++i) {
            QCOMPARE(plain.rows[i].testValue, r.rows[i].testValue);
            QCOMPARE(plain.rows[i].nonzeroParams, r.rows[i].nonzeroParams);
        }
        QVERIFY(plain.robustness.empty());

        // The journal holds the rows bit for bit; robustness.csv has one line per row.
        const auto back = session::Session::merge({ options.journalPath });
        QCOMPARE(back.robustness.size(), r.robustness.size());
        for (size_t i = 0; i < r.robustness.size(); ++i) {
            QCOMPARE(back.robustness[i].value, r.robustness[i].value);
            QCOMPARE(back.robustness[i].realized, r.robustness[i].realized);
            QCOMPARE(back.robustness[i].perturbation, r.robustness[i].perturbation);
        }
        session::ResultWriter::writeAll(dir.filePath("out").toStdString(), r);
        QFile csv(dir.filePath("out/robustness.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 40);
        QCOMPARE(lines[0],
            QString(
                "seed,fold,method,setting,stage,lineage,evaluated,perturbation,strength,unit,realized,metric,value"));
    }

    void stagesMeetTheSamePerturbations()
    {
        // Pruning to 0 % leaves the base's weights: under the same draws its every perturbed
        // value is the base's, bit for bit.
        const auto r = session::Session::run(
            config("  - prune:\n      method: global\n      sparsity: [0.0]\n      finetune_epochs: 1\n"
                   "  - analyze:\n      method: robustness\n      edge_removal: [0.3]\n      edge_addition: [0.3]\n"
                   "      feature_noise: [1]\n      feature_mask: [0.3]\n      pgd: [0.1]\n      pgd_steps: 3\n"),
            {}, results::CancelToken(), {});
        std::map<std::pair<std::string, double>, double> base;
        int compared = 0;
        for (const auto& x : r.robustness) {
            if (x.stage == results::Stage::Base)
                base[{ x.perturbation, x.strength }] = x.value;
            else if (x.stage == results::Stage::Pruned) {
                QCOMPARE(x.value, base.at({ x.perturbation, x.strength }));
                ++compared;
            }
        }
        QCOMPARE(compared, 10);
    }

    void graphClassificationPerturbsTestGraphs()
    {
        // GIN on PROTEINS, one fold: the test graphs' edges and features, scored per graph.
        const auto c = experiment::parseExperiment(
            "name: g\ndataset:\n  name: proteins\n  run_folds: 1\nmodel:\n  arch: gin\n  hidden: 16\n"
            "train:\n  epochs: 2\n  seeds: [0]\n  threads: 1\ncompression:\n"
            "  - analyze:\n      method: robustness\n      edge_removal: [0.5]\n      edge_addition: [0.5]\n"
            "      fgsm: [0.5]\n",
            "g.yaml");
        const auto r = session::Session::run(c, {}, results::CancelToken(), {});
        QCOMPARE(r.robustness.size(), size_t(3 * 2));
        for (const auto& x : r.robustness) {
            if (x.strength == 0)
                QCOMPARE(x.value, r.rows[0].testValue);
            else if (x.perturbation == "edge_removal")
                QVERIFY2(std::abs(x.realized - 0.5) < 0.01, std::to_string(x.realized).c_str()); // exact per batch
            else if (x.perturbation == "edge_addition")
                QVERIFY(x.realized > 0.4 && x.realized <= 0.5);
            else
                QVERIFY(std::abs(x.realized - 0.5) < 1e-5);
        }
    }
};

QTEST_GUILESS_MAIN(RobustnessTest)
#include "RobustnessTest.moc"
