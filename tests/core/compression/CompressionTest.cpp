// Tests core/compression: prune-step parsing, and the prune -> evaluate -> fine-tune pipeline
// run through the session (rows, stages, sizes, warnings, events, saved models).
#include "core/common/Error.h"
#include "core/experiment/ConfigYaml.h"
#include "core/measure/ModelFile.h"
#include "core/session/ResultWriter.h"
#include "core/session/Session.h"

#include "TestSupport.h"

#include <ATen/ATen.h>

#include <QDir>
#include <QtTest>

#include <algorithm>

using namespace gsq::core;
using gsq::test::messageOf;

namespace {
experiment::ExperimentConfig config(const std::string& compression, const std::vector<std::string>& overrides = {})
{
    return experiment::parseExperiment(
        "name: c\ndataset:\n  name: cora\ntrain:\n  epochs: 20\n  threads: 1\ncompression:\n" + compression, "c.yaml",
        overrides);
}

/// The weights `tuned` (a pruned model's file) holds at zero are the integer 0 and the value 0 in
/// `t` (a quantized record of a later model); how many there are. -1 when `tuned` lacks `t`.
int64_t prunedStayZero(const std::vector<measure::StoredTensor>& tuned, const measure::StoredTensor& t)
{
    auto source = std::find_if(tuned.begin(), tuned.end(), [&](const auto& u) { return u.name == t.name; });
    if (source == tuned.end())
        return -1;
    const auto removed = source->value.eq(0).reshape(t.quantized.values.sizes());
    const bool zeroCodes = t.quantized.values.masked_select(removed).ne(0).sum().item<int64_t>() == 0;
    const bool zeroValues = t.value.reshape(removed.sizes()).masked_select(removed).ne(0).sum().item<int64_t>() == 0;
    return zeroCodes && zeroValues ? removed.sum().item<int64_t>() : -1;
}

experiment::PruneSpec spec(const std::string& body)
{
    auto c = config("  - prune:\n" + body);
    return std::get<experiment::PruneSpec>(c.steps.at(0));
}
} // namespace

class CompressionTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pruneSpecDefaultsAndValues()
    {
        auto s = spec("      method: global\n");
        QCOMPARE(s.sparsities.size(), size_t(9));
        QCOMPARE(s.sparsities.front(), 0.1);
        QCOMPARE(s.finetuneEpochs, 100);
        auto t
            = spec("      method: finegrained\n      sparsity: 0.5\n      schedule: agp\n      finetune_epochs: 40\n");
        QCOMPARE(t.sparsities, (std::vector<double> { 0.5 }));
        QCOMPARE(t.agpEnd, 20);
    }

    void pruneSpecErrors_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("expected");
        QTest::newRow("sparsity 1")
            << "      method: global\n      sparsity: [0.5, 1.0]\n"
            << "c.yaml:10: key 'compression[0].prune.sparsity': expected a number in [0, 1), found 1.0";
        QTest::newRow("negative sparsity")
            << "      method: global\n      sparsity: -0.1\n"
            << "c.yaml:10: key 'compression[0].prune.sparsity': expected a number in [0, 1), found -0.1";
        QTest::newRow("unknown key")
            << "      method: global\n      sparsty: 0.5\n"
            << "c.yaml:10: key 'compression[0].prune.sparsty': unknown key; valid keys for prune method global are: "
               "method, sparsity, schedule, agp_start, agp_end, agp_frequency, finetune_epochs, targets, name, from";
        QTest::newRow("schedule")
            << "      method: global\n      schedule: cubic\n"
            << "c.yaml:10: key 'compression[0].prune.schedule': unknown value 'cubic'; valid choices: oneshot, agp";
        QTest::newRow("agp without finetune")
            << "      method: global\n      schedule: agp\n      finetune_epochs: 0\n"
            << "c.yaml:10: key 'compression[0].prune.schedule': agp prunes during fine-tuning; set finetune_epochs > 0";
        QTest::newRow("overrides on global") << "      method: global\n      overrides: {stack.conv0.weight: 0.5}\n"
                                             << "c.yaml:10: key 'compression[0].prune.overrides': does not apply to "
                                                "method global; it applies to method finegrained only";
        QTest::newRow("criterion on global") << "      method: global\n      criterion: l1\n"
                                             << "c.yaml:10: key 'compression[0].prune.criterion': does not apply to "
                                                "method global; it applies to method structured only";
        QTest::newRow("structured agp") << "      method: structured\n      schedule: agp\n"
                                        << "c.yaml:10: key 'compression[0].prune.schedule': structured pruning removes "
                                           "channels once (oneshot); gradual schedules need masks";
        QTest::newRow("structured targets") << "      method: structured\n      targets: [\"stack.*\"]\n"
                                            << "c.yaml:10: key 'compression[0].prune.targets': does not apply to "
                                               "method structured; it applies to methods finegrained, global, l2 only";
        QTest::newRow("criterion value")
            << "      method: structured\n      criterion: l3\n"
            << "c.yaml:10: key 'compression[0].prune.criterion': unknown value 'l3'; valid choices: l1, l2";
    }

    void pruneSpecErrors()
    {
        QFETCH(QString, body);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(messageOf<InputError>([&] { spec(body.toStdString()); })), expected);
    }

    void pipelineErrors_data()
    {
        QTest::addColumn<QString>("steps");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown source")
            << "  - prune:\n      method: global\n      from: base\n"
            << "c.yaml:10: key 'compression[0].prune.from': no earlier step is named 'base'; named steps before this "
               "one: none";
        QTest::newRow("later source")
            << "  - prune:\n      method: global\n      from: later\n  - prune:\n      method: global\n      name: "
               "later\n"
            << "c.yaml:10: key 'compression[0].prune.from': no earlier step is named 'later'; named steps before this "
               "one: none";
        QTest::newRow("names listed")
            << "  - prune:\n      method: global\n      name: a\n  - quantize:\n      method: qat\n      from: b\n"
            << "c.yaml:13: key 'compression[1].quantize.from': no earlier step is named 'b'; named steps before this "
               "one: a";
        QTest::newRow("duplicate name")
            << "  - prune:\n      method: global\n      name: a\n  - quantize:\n      method: qat\n      name: a\n"
            << "c.yaml:13: key 'compression[1].quantize.name': the step name 'a' is used by an earlier step; names "
               "must be unique";
        QTest::newRow("l2_only trains from initialisation")
            << "  - prune:\n      method: global\n      name: a\n  - prune:\n      method: l2_only\n      from: a\n"
            << "c.yaml:13: key 'compression[1].prune.from': does not apply to method l2_only; it applies to methods "
               "finegrained, global, l2, structured only";
        QTest::newRow("start init")
            << "  - prune:\n      method: global\n      name: a\n  - quantize:\n      method: qat\n      start: init\n"
               "      from: a\n"
            << "c.yaml:14: key 'compression[1].quantize.from': a step that starts from another step's models cannot "
               "also start from initialisation (start: init)";
        QTest::newRow("name with a space")
            << "  - prune:\n      method: global\n      name: a b\n"
            << "c.yaml:10: key 'compression[0].prune.name': expected a step name of letters, digits, '_' and '-', "
               "found 'a b'";
        QTest::newRow("name as a list")
            << "  - prune:\n      method: global\n      name: [a]\n"
            << "c.yaml:10: key 'compression[0].prune.name': expected a string, found a list";
    }

    void pipelineErrors()
    {
        QFETCH(QString, steps);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(messageOf<InputError>([&] { config(steps.toStdString()); })), expected);
    }

    void pipelineRoundTripsAndCountsItsJobs()
    {
        auto c = config("  - prune:\n      name: pruned\n      method: global\n      sparsity: [0.5, 0.9]\n"
                        "  - prune:\n      name: more\n      from: pruned\n      method: finegrained\n"
                        "      sparsity: [0.95]\n"
                        "  - quantize:\n      from: more\n      method: qat\n");
        QCOMPARE(experiment::nameOf(c.steps[0]), std::string("pruned"));
        QCOMPARE(experiment::fromOf(c.steps[1]), std::string("pruned"));
        QCOMPARE(experiment::startModels(c.steps, 0), 1);
        QCOMPARE(experiment::startModels(c.steps, 1), 2); // each sparsity of "pruned"
        QCOMPARE(experiment::startModels(c.steps, 2), 2); // 2 x 1 models of "more"
        const std::string yaml = experiment::toYaml(c);
        QVERIFY(yaml.find("name: pruned") != std::string::npos);
        QVERIFY(yaml.find("from: more") != std::string::npos);
        auto again = experiment::parseExperiment(yaml, "again.yaml");
        QCOMPARE(experiment::toYaml(again), yaml);
        // A step without the pipeline keys writes none of them (journals of older runs still resume).
        const std::string plain = experiment::toYaml(config("  - prune:\n      method: global\n"));
        const auto steps = plain.find("compression:");
        QVERIFY(steps != std::string::npos);
        QVERIFY(plain.find("from:", steps) == std::string::npos);
        QVERIFY(plain.find("name:", steps) == std::string::npos);
    }

    /// A quantize step chained after a prune step starts from each of its fine-tuned models and
    /// keeps their masks: every pruned weight is the integer 0 in the quantized file.
    void quantizeFromAPruneStepKeepsItsMasks()
    {
        auto c = config("  - prune:\n      name: pruned\n      method: global\n      sparsity: [0.5, 0.9]\n"
                        "      finetune_epochs: 3\n"
                        "  - quantize:\n      from: pruned\n      method: qat\n      bits: 8\n      epochs: 3\n"
                        "      lr: 0.01\n");
        QTemporaryDir dir;
        session::RunOptions options;
        options.modelDir = dir.filePath("models").toStdString();
        int epochsPerJob = 0;
        auto r = session::Session::run(
            c,
            [&](const results::SessionEvent& e) {
                if (auto* s = std::get_if<results::RunStarted>(&e))
                    epochsPerJob = s->epochsPerJob;
            },
            results::CancelToken(), options);
        QCOMPARE(epochsPerJob, 20 + 2 * 3 + 2 * 3);
        // base, 2 x (pruned, finetuned), then one quantized row per fine-tuned model.
        QCOMPARE(r.rows.size(), size_t(7));
        QCOMPARE(r.rows[0].lineage, std::string());
        QCOMPARE(r.rows[4].lineage, std::string("global sparsity=0.9"));
        const auto& q5 = r.rows[5];
        const auto& q9 = r.rows[6];
        QCOMPARE(q5.setting, std::string("global sparsity=0.5 → bits=8"));
        QCOMPARE(q9.method, std::string("qat"));
        QCOMPARE(q9.setting, std::string("global sparsity=0.9 → bits=8"));
        QCOMPARE(q9.lineage, std::string("global sparsity=0.9 → qat bits=8"));
        QCOMPARE(std::string(results::stageName(q9.stage)), std::string("quantized"));
        QCOMPARE(q9.targetSparsity, 0.9);
        QCOMPARE(q9.nonzeroParams, r.rows[4].nonzeroParams); // the fp32 weights kept the masks
        QCOMPARE(r.summary.size(), size_t(7));
        QCOMPARE(r.summary[6].lineage, q9.lineage);

        const auto tuned
            = measure::ModelFile::read(dir.filePath("models/global-sparsity_0.9-finetuned.gsqm").toStdString());
        const auto quant = measure::ModelFile::read(
            dir.filePath("models/qat-global_sparsity_0.9_to_bits_8-quantized.gsqm").toStdString());
        int64_t pruned = 0, packed = 0;
        for (const auto& t : quant) {
            if (t.encoding != measure::Encoding::Packed)
                continue;
            ++packed;
            const int64_t n = prunedStayZero(tuned, t);
            QVERIFY2(n >= 0, t.name.c_str()); // a pruned weight is not zero in the quantized file
            pruned += n;
        }
        QCOMPARE(packed, int64_t(2));
        QCOMPARE(pruned, int64_t(22928 + 112) - (r.rows[4].nonzeroParams - 16 - 7)); // every removed weight
    }

    /// Deep Compression as a pipeline: prune, QAT with the masks kept, then weight sharing from the
    /// QAT model. The pruned weights are exactly zero (code 0) in the shared file, each matrix has
    /// at most 14 other values, and the rows name the chain.
    void deepCompressionChainKeepsPrunedWeightsZero()
    {
        auto c = config("  - prune:\n      name: pruned\n      method: global\n      sparsity: [0.8]\n"
                        "      finetune_epochs: 3\n"
                        "  - quantize:\n      name: q8\n      from: pruned\n      method: qat\n      bits: 8\n"
                        "      epochs: 3\n"
                        "  - quantize:\n      from: q8\n      method: weight_sharing\n      bits: 4\n      epochs: 3\n"
                        "      lr: 0.001\n      storage: huffman\n");
        QTemporaryDir dir;
        session::RunOptions options;
        options.modelDir = dir.filePath("models").toStdString();
        auto r = session::Session::run(c, {}, results::CancelToken(), options);
        // base, pruned, finetuned, QAT, weight sharing.
        QCOMPARE(r.rows.size(), size_t(5));
        const auto& shared = r.rows[4];
        QCOMPARE(shared.method, std::string("weight_sharing"));
        QCOMPARE(shared.setting, std::string("global sparsity=0.8 → qat bits=8 → bits=4 storage=huffman"));
        QCOMPARE(
            shared.lineage, std::string("global sparsity=0.8 → qat bits=8 → weight_sharing bits=4 storage=huffman"));
        // The same, typed: no reader takes the labels apart.
        QCOMPARE(shared.quantBits, 4);
        QCOMPARE(shared.targetBits, 0.0);
        QCOMPARE(shared.storage, std::string("huffman"));
        QCOMPARE(shared.observer, std::string("minmax"));
        QCOMPARE(shared.start, std::string("base"));
        QCOMPARE(shared.chain, std::string("global 0.8 → qat 8b"));
        QCOMPARE(r.rows[3].chain, std::string("global 0.8"));
        QCOMPARE(r.rows[2].quantBits, 0); // a prune step's row
        QCOMPARE(r.rows[2].chain, std::string());
        QCOMPARE(r.summary[4].chain, shared.chain);
        QCOMPARE(r.summary[4].quantBits, 4);
        QCOMPARE(shared.bits, 4.0);
        QCOMPARE(shared.featureBits, 32.0);
        QCOMPARE(shared.latencyKind, std::string("w4-codebook-fp32"));
        QVERIFY(shared.sizeDiskBytes < r.rows[3].sizeDiskBytes); // smaller than the QAT file

        const auto tuned
            = measure::ModelFile::read(dir.filePath("models/global-sparsity_0.8-finetuned.gsqm").toStdString());
        const auto file = measure::ModelFile::read(
            dir.filePath(
                   "models/weight_sharing-global_sparsity_0.8_to_qat_bits_8_to_bits_4_storage_huffman-quantized.gsqm")
                .toStdString());
        int64_t pruned = 0, coded = 0;
        for (const auto& t : file) {
            if (t.encoding != measure::Encoding::Coded)
                continue;
            ++coded;
            QVERIFY(t.quantized.codebook.defined());
            const int64_t n = prunedStayZero(tuned, t);
            QVERIFY2(n >= 0, t.name.c_str()); // a pruned weight is not zero in the quantized file
            pruned += n;
            QVERIFY(std::get<0>(at::_unique(t.value.masked_select(t.value.ne(0)))).numel() <= 14);
        }
        QCOMPARE(coded, int64_t(2));
        QCOMPARE(pruned, int64_t(22928 + 112) - (r.rows[2].nonzeroParams - 16 - 7)); // every removed weight
    }

    void unknownLayerPatternListsLayers()
    {
        auto c = config("  - prune:\n      method: finegrained\n      targets: [\"stack.conv7.*\"]\n");
        QCOMPARE(messageOf<InputError>([&] { session::Session::run(c, {}, results::CancelToken()); }),
            std::string(
                "c.yaml:8: key 'compression[0].prune.targets': layer pattern 'stack.conv7.*' matches no weight; "
                "the model's weights are: stack.conv0.weight, stack.conv1.weight"));
    }

    void structuredSweepShrinksTheModel()
    {
        auto c = config("  - prune:\n      method: structured\n      sparsity: [0.5]\n      finetune_epochs: 5\n");
        auto r = session::Session::run(c, {}, results::CancelToken());
        QCOMPARE(r.rows.size(), size_t(3));
        const auto& base = r.rows[0];
        const auto& pruned = r.rows[1];
        QCOMPARE(std::string(results::stageName(pruned.stage)), std::string("pruned"));
        QCOMPARE(std::string(results::stageName(r.rows[2].stage)), std::string("finetuned"));
        QCOMPARE(pruned.note, std::string("channels kept: stack.conv0 -> stack.conv1 8/16"));
        QCOMPARE(pruned.latencyKind, std::string("dense-structured"));
        // 1433x8 + 8 + 7x8 + 7 parameters remain of 1433x16 + 16 + 7x16 + 7, all of them non-zero.
        QCOMPARE(pruned.nonzeroParams, int64_t(1433 * 8 + 8 + 7 * 8 + 7));
        QCOMPARE(pruned.totalParams, base.totalParams);
        QCOMPARE(pruned.sizeDenseBytes, int64_t(1433 * 8 + 8 + 7 * 8 + 7) * 4);
        QVERIFY(pruned.sizeDiskBytes < base.sizeDiskBytes / 2 + 200);
    }

    void structuredRejectsGatAtValidation()
    {
        auto c = config("  - prune:\n      method: structured\n", { "model.arch=gat" });
        const std::string msg = messageOf<InputError>([&] { session::Session::run(c, {}, results::CancelToken()); });
        QVERIFY2(
            msg.rfind(
                "c.yaml:8: key 'compression[0].prune.method': structured pruning supports gcn, sage and gin layers; "
                "stack.conv0 is ",
                0)
                == 0,
            msg.c_str());
    }

    void finegrainedSweepProducesStagesSizesAndModels()
    {
        auto c = config("  - prune:\n      method: finegrained\n      sparsity: [0.5, 0.9]\n      finetune_epochs: 5\n",
            { "train.seeds=[0, 1]" });
        int pruningEvents = 0, finished = 0;
        std::map<std::string, int> snapshots;
        QTemporaryDir dir;
        session::RunOptions options;
        options.modelDir = dir.filePath("models").toStdString();
        auto r = session::Session::run(
            c,
            [&](const results::SessionEvent& e) {
                if (auto* p = std::get_if<results::PruningApplied>(&e)) {
                    ++pruningEvents;
                    QCOMPARE(p->layers.size(), size_t(2));
                    QCOMPARE(p->layers[0].nnz, p->targetSparsity == 0.5 ? 11464 : 2293); // round((1-s) * 22928)
                }
                if (std::holds_alternative<results::StageFinished>(e))
                    ++finished;
                if (auto* w = std::get_if<results::WeightSnapshot>(&e)) {
                    QCOMPARE(w->job, 0); // the first job only
                    QCOMPARE(w->layers.size(), size_t(2));
                    QCOMPARE(static_cast<int>(w->layers[0].histCounts.size()), 61);
                    int64_t total = 0;
                    for (auto n : w->layers[0].histCounts)
                        total += n;
                    QCOMPARE(total, int64_t(22928)); // every weight in some bin
                    ++snapshots[results::stageName(w->stage)];
                    if (w->stage == results::Stage::Finetuned && w->setting == "sparsity=0.9")
                        QCOMPARE(w->layers[0].nnz, int64_t(2293)); // masks hold in every fine-tuning epoch
                }
            },
            results::CancelToken(), options);
        QCOMPARE(snapshots["base"], 20); // train.epochs
        QCOMPARE(snapshots["finetuned"], 10); // 2 settings x 5 fine-tuning epochs
        // Per seed: base + 2 settings x (pruned, finetuned).
        QCOMPARE(r.rows.size(), size_t(10));
        QCOMPARE(finished, 10);
        QCOMPARE(pruningEvents, 4);
        const auto& base = r.rows[0];
        QCOMPARE(std::string(results::stageName(base.stage)), std::string("base"));
        QCOMPARE(std::string(results::stageName(r.rows[1].stage)), std::string("pruned"));
        QCOMPARE(r.rows[1].setting, std::string("sparsity=0.5"));
        QCOMPARE(std::string(results::stageName(r.rows[2].stage)), std::string("finetuned"));
        QCOMPARE(r.rows[4].setting, std::string("sparsity=0.9"));
        // 0.9 of each weight pruned: 22928 -> 2293 and 112 -> 11 remain, biases stay.
        QCOMPARE(r.rows[4].nonzeroParams, 2293 + 11 + 16 + 7);
        QCOMPARE(r.rows[4].nonzeroParams, r.rows[3].nonzeroParams); // fine-tuning keeps the masks
        QCOMPARE(r.rows[4].sizeDenseBytes, base.sizeDenseBytes);
        QVERIFY(r.rows[4].sizeDiskBytes * 5 <= base.sizeDiskBytes); // <= 20 % of dense on disk
        QCOMPARE(r.rows[4].sizeTheoreticalBytes, (2293 + 11 + 16 + 7) * 4);
        QCOMPARE(r.summary.size(), size_t(5));
        QCOMPARE(r.summary[4].n, 2);
        // layers.csv: 2 weights x 5 stages x 2 seeds.
        QCOMPARE(r.layers.size(), size_t(20));
        const std::string header
            = "method,setting,stage,seed,fold,kind,layer,shape,params,nnz,sparsity,bits,disk_bytes,macs,bit_widths,"
              "bits_by_degree\n";
        // MACs of one inference pass: Cora's 49216 stored features x 16 outputs, 2708 nodes x 112 weights,
        // and after 90 % pruning the second layer's 11 remaining weights for every node.
        QCOMPARE(r.layers[0].macs, int64_t(49216) * 16);
        QCOMPARE(r.layers[1].macs, int64_t(2708) * 112);
        QCOMPARE(r.layers[9].layer, std::string("stack.conv1.weight"));
        QCOMPARE(std::string(results::stageName(r.layers[9].stage)), std::string("finetuned"));
        QCOMPARE(r.layers[9].macs, int64_t(2708) * 11);
        QCOMPARE(session::ResultWriter::layersCsv(r).substr(0, header.size()), header);
        // The first job's models are on disk, with the reported sizes, and reload; beside them
        // the random state the job ended with (RunOptions::baseModel continues from it).
        const QStringList files = QDir(dir.filePath("models")).entryList(QDir::Files);
        QCOMPARE(files,
            (QStringList { "base.gsqm", "finegrained-sparsity_0.5-finetuned.gsqm",
                "finegrained-sparsity_0.5-pruned.gsqm", "finegrained-sparsity_0.9-finetuned.gsqm",
                "finegrained-sparsity_0.9-pruned.gsqm", "random.state" }));
        QCOMPARE(
            QFileInfo(dir.filePath("models/finegrained-sparsity_0.9-finetuned.gsqm")).size(), r.rows[4].sizeDiskBytes);
        auto stored
            = measure::ModelFile::read(dir.filePath("models/finegrained-sparsity_0.9-finetuned.gsqm").toStdString());
        QCOMPARE(stored[0].name, std::string("stack.conv0.weight"));
        QCOMPARE(stored[0].value.ne(0).sum().item<int64_t>(), 2293);
        // Histograms of later stages keep the base's bins (same width, edges aligned) and cover
        // every weight: fine-tuning grew this layer's largest weight past the base range.
        const auto& baseConv0 = r.layers[0];
        const auto& tuned = r.layers[8];
        QCOMPARE(tuned.layer + " " + results::stageName(tuned.stage) + " " + tuned.setting,
            std::string("stack.conv0.weight finetuned sparsity=0.9"));
        const double width = (baseConv0.histHi - baseConv0.histLo) / static_cast<double>(baseConv0.histCounts.size());
        const double tunedWidth = (tuned.histHi - tuned.histLo) / static_cast<double>(tuned.histCounts.size());
        QVERIFY(std::abs(tunedWidth - width) < 1e-9 * width);
        const double maxAbs = stored[0].value.abs().max().item<double>();
        QVERIFY2(maxAbs > baseConv0.histHi, "the test needs a stage reaching past the base range");
        QVERIFY(maxAbs <= tuned.histHi);
        QVERIFY(tuned.histHi - maxAbs < width); // no more bins than needed
        int64_t tunedTotal = 0;
        for (auto n : tuned.histCounts)
            tunedTotal += n;
        QCOMPARE(tunedTotal, int64_t(22928));
    }

    void fullyPrunedLayerIsWarned()
    {
        auto c = config("  - prune:\n      method: finegrained\n      sparsity: 0.5\n      finetune_epochs: 0\n"
                        "      overrides: {stack.conv1.weight: 0.999}\n");
        std::vector<std::string> warnings;
        std::vector<std::string> fully;
        auto r = session::Session::run(
            c,
            [&](const results::SessionEvent& e) {
                if (auto* w = std::get_if<results::RunWarning>(&e))
                    warnings.push_back(w->message);
                if (auto* p = std::get_if<results::PruningApplied>(&e))
                    fully = p->fullyPruned;
            },
            results::CancelToken());
        QCOMPARE(r.rows.size(), size_t(2)); // base + pruned, no fine-tuning
        QCOMPARE(fully, (std::vector<std::string> { "stack.conv1.weight" }));
        // The emptied layer warns at once; the collapse it causes is reported after the run.
        QCOMPARE(warnings.size(), size_t(2));
        QCOMPARE(warnings[0],
            std::string("layer stack.conv1.weight is 100% pruned at sparsity=0.5 (finegrained); "
                        "the model cannot pass information through it"));
        QVERIFY2(warnings[1].rfind("accuracy collapsed at sparsity=0.5 (finegrained, pruned): accuracy ", 0) == 0,
            warnings[1].c_str());
        QCOMPARE(r.rows[1].note, std::string("fully pruned: stack.conv1.weight"));
    }

    void sensitivityPrunesOneLayerAtATime()
    {
        auto c = config("  - analyze:\n      method: sensitivity\n      sparsity: [0.0, 0.5, 0.99]\n");
        auto r = session::Session::run(c, {}, results::CancelToken());
        QCOMPARE(r.rows.size(), size_t(1)); // the analysis adds no result rows
        QCOMPARE(r.sensitivity.size(), size_t(6)); // 2 weights x 3 levels
        QCOMPARE(r.sensitivity[0].layer, std::string("stack.conv0.weight"));
        QCOMPARE(r.sensitivity[3].layer, std::string("stack.conv1.weight"));
        // Level 0 removes nothing: exactly the base model's test metric.
        QCOMPARE(r.sensitivity[0].testValue, r.rows[0].testValue);
        QCOMPARE(r.sensitivity[3].testValue, r.rows[0].testValue);
        // Emptying the output layer (112 -> 1 weight) must hurt.
        QVERIFY(r.sensitivity[5].testValue < r.rows[0].testValue - 0.2);
        const std::string csv = session::ResultWriter::sensitivityCsv(r);
        QVERIFY2(csv.rfind("layer,0,0.5,0.99\nstack.conv0.weight,", 0) == 0, csv.c_str());
        QCOMPARE(std::count(csv.begin(), csv.end(), '\n'), 3L);
        QCOMPARE(messageOf<InputError>([] { config("  - analyze:\n      method: shapley\n"); }),
            std::string("c.yaml:9: key 'compression[0].analyze.method': unknown method 'shapley'; valid analyze "
                        "methods: sensitivity, robustness"));
    }

    void gradualAndL2()
    {
        auto agp
            = config("  - prune:\n      method: global\n      sparsity: 0.8\n      schedule: agp\n      agp_start: 1\n"
                     "      agp_end: 9\n      agp_frequency: 4\n      finetune_epochs: 12\n");
        std::vector<double> levels;
        auto r = session::Session::run(
            agp,
            [&](const results::SessionEvent& e) {
                if (auto* p = std::get_if<results::PruningApplied>(&e))
                    levels.push_back(p->targetSparsity);
            },
            results::CancelToken());
        QCOMPARE(levels.size(), size_t(3)); // epochs 1, 5, 9
        QCOMPARE(levels[0], 0.0);
        QVERIFY(std::abs(levels[1] - (0.8 - 0.8 * 0.125)) < 1e-12);
        QCOMPARE(levels[2], 0.8);
        QCOMPARE(r.rows.size(), size_t(2)); // base + finetuned (no one-shot "pruned" stage)
        QVERIFY(r.rows[1].bestEpoch >= 9); // checkpoints only once the final sparsity is reached
        QCOMPARE(r.rows[1].nonzeroParams, 23063 - 18432); // round(0.8 * 23040) pruned

        auto l2 = config("  - prune:\n      method: l2\n      sparsity: 0.5\n      lambda: 0.01\n      l2_epochs: 10\n"
                         "      finetune_epochs: 3\n");
        auto r2 = session::Session::run(l2, {}, results::CancelToken());
        QCOMPARE(r2.rows.size(), size_t(3));
        QVERIFY2(r2.rows[1].note.rfind("near-zero (|w|<0.001) after L2: ", 0) == 0, r2.rows[1].note.c_str());
        QCOMPARE(r2.rows[2].nonzeroParams, 23063 - 11464 - 56);
    }

    // The paper's L2 method trains from the base's own initialisation: with lambda 0 it is the
    // base run again, draw for draw; a large lambda changes it and removes nothing.
    void l2OnlyTrainsFromInitialisation()
    {
        auto c = config("  - prune:\n      method: l2_only\n      lambda: 0\n      l2_epochs: 20\n"
                        "  - prune:\n      method: l2_only\n      lambda: 0.5\n      l2_epochs: 20\n");
        QCOMPARE(experiment::stepEpochs(c.steps[0], c.train.epochs), 20);
        QCOMPARE(experiment::stepSettings(c.steps[0]), 1);
        std::vector<std::string> stages;
        auto r = session::Session::run(
            c,
            [&](const results::SessionEvent& e) {
                if (auto* s = std::get_if<results::StageStarted>(&e))
                    stages.push_back(results::stageName(s->stage));
            },
            results::CancelToken());
        QCOMPARE(stages, (std::vector<std::string> { "base", "regularized", "regularized" }));
        QCOMPARE(r.rows.size(), size_t(3));
        QCOMPARE(std::string(results::stageName(r.rows[1].stage)), std::string("regularized"));
        QCOMPARE(r.rows[1].setting, std::string("lambda=0"));
        QCOMPARE(r.rows[1].testValue, r.rows[0].testValue);
        QCOMPARE(r.rows[1].valValue, r.rows[0].valValue);
        QCOMPARE(r.rows[1].bestEpoch, r.rows[0].bestEpoch);
        QCOMPARE(r.rows[2].setting, std::string("lambda=0.5"));
        QCOMPARE(r.rows[2].nonzeroParams, r.rows[0].nonzeroParams);
        QVERIFY(r.rows[2].valValue != r.rows[0].valValue || r.rows[2].bestEpoch != r.rows[0].bestEpoch);
        QVERIFY2(r.rows[2].note.rfind("near-zero (|p|<0.001): ", 0) == 0, r.rows[2].note.c_str());

        QCOMPARE(messageOf<InputError>([] { config("  - prune:\n      method: l2_only\n      sparsity: 0.5\n"); }),
            std::string("c.yaml:10: key 'compression[0].prune.sparsity': does not apply to method l2_only; it applies "
                        "to methods finegrained, global, l2, structured only"));
        QCOMPARE(spec("      method: l2_only\n      lambda: 1.0e+5\n").lambda, 1e5);
    }
};

QTEST_GUILESS_MAIN(CompressionTest)
#include "CompressionTest.moc"
