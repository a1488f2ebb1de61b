// Tests core/experiment: strict YAML validation with exact messages, --set overrides,
// per-dataset defaults, the YAML round trip and the shipped presets.
#include "core/experiment/ConfigYaml.h"
#include "core/common/Error.h"
#include "core/experiment/Catalog.h"

#include "TestSupport.h"

#include <QDir>
#include <QtTest>

using namespace gsq::core;
using namespace gsq::core::experiment;
using gsq::test::messageOf;

namespace {
std::string errorOf(const std::string& yaml, const std::vector<std::string>& overrides = {})
{
    return messageOf<InputError>([&] { parseExperiment(yaml, "f.yaml", overrides); });
}
} // namespace

class ConfigYamlTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void invalidInputNamesFileLineAndKey_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown top key") << "name: x\nmodle:\n  arch: gcn\n"
                                         << "f.yaml:2: key 'modle': unknown key; valid top-level keys are: name, "
                                            "description, dataset, model, train, compression";
        QTest::newRow("unknown nested key")
            << "train:\n  lr: 0.1\n  epoch: 5\n"
            << "f.yaml:3: key 'train.epoch': unknown key; valid keys in 'train' are: optimizer, lr, weight_decay, "
               "momentum, epochs, patience, select_by, lr_step_size, lr_gamma, seeds, repeats, threads, batch_size, "
               "metric, eval_every, train_metric, clip_grad_norm, subgraphs, edge_dropout";
        QTest::newRow("wrong type") << "train:\n  epochs: many\n"
                                    << "f.yaml:2: key 'train.epochs': expected an integer, found many";
        QTest::newRow("float for int") << "model:\n  hidden: 16.5\n"
                                       << "f.yaml:2: key 'model.hidden': expected an integer, found 16.5";
        QTest::newRow("negative epochs")
            << "train:\n  epochs: -5\n"
            << "f.yaml:2: key 'train.epochs': expected an integer in [1, 100000], found -5";
        QTest::newRow("dropout range") << "model:\n  dropout: 1.0\n"
                                       << "f.yaml:2: key 'model.dropout': expected a number in [0, 1), found 1.0";
        QTest::newRow("zero lr") << "train:\n  lr: 0\n"
                                 << "f.yaml:2: key 'train.lr': expected a number in (0, 10], found 0";
        QTest::newRow("unknown arch") << "model:\n  arch: transformer\n"
                                      << "f.yaml:2: key 'model.arch': unknown value 'transformer'; valid choices: gcn, "
                                         "sage, gat, gin, spline, gnae, hgpsl";
        QTest::newRow("spline without pseudo-coordinates")
            << "dataset:\n  edge_attr: none\nmodel:\n  arch: spline\n"
            << "f.yaml:2: key 'dataset.edge_attr': SplineCNN (model.arch: spline) needs pseudo-coordinates; use "
               "target_indegree";
        QTest::newRow("spline kernel too small")
            << "model:\n  arch: spline\n  kernel_size: 3\n  spline_degree: 3\n"
            << "f.yaml:3: key 'model.kernel_size': an open B-spline of degree 3 needs kernel_size > 3";
        QTest::newRow("unknown edge attribute")
            << "dataset:\n  edge_attr: distance\n"
            << "f.yaml:2: key 'dataset.edge_attr': unknown value 'distance'; valid choices: none, target_indegree";
        QTest::newRow("unknown dataset")
            << "dataset:\n  name: citeseer\n"
            << "f.yaml:2: key 'dataset.name': unknown value 'citeseer'; valid choices: cora, proteins, bbbp, tu, csv";
        QTest::newRow("bool type") << "dataset:\n  normalize_features: maybe\n"
                                   << "f.yaml:2: key 'dataset.normalize_features': expected true or false, found maybe";
        QTest::newRow("seeds type")
            << "train:\n  seeds: 3\n"
            << "f.yaml:2: key 'train.seeds': expected a list of integers like [0, 1, 2], found 3";
        QTest::newRow("seeds and repeats")
            << "train:\n  seeds: [1]\n  repeats: 3\n"
            << "f.yaml:3: key 'train.repeats': give either 'seeds' or 'repeats', not both";
        QTest::newRow("section not a map")
            << "train: fast\n"
            << "f.yaml:1: key 'train': expected a mapping of keys (optimizer, lr, weight_decay, momentum, epochs, "
               "patience, select_by, lr_step_size, lr_gamma, seeds, repeats, threads, batch_size, metric, eval_every, "
               "train_metric, clip_grad_norm, subgraphs, edge_dropout), "
               "found fast";
        QTest::newRow("unknown prune method") << "compression:\n  - prune:\n      method: magic\n"
                                              << "f.yaml:3: key 'compression[0].prune.method': unknown method 'magic'; "
                                                 "valid prune methods: finegrained, global, l2, l2_only, structured";
        QTest::newRow("unknown step kind")
            << "compression:\n  - distill:\n      method: kd\n"
            << "f.yaml:2: key 'compression[0]': unknown step 'distill'; valid: prune, quantize, analyze";
        QTest::newRow("missing method") << "compression:\n  - quantize:\n      bits: 4\n"
                                        << "f.yaml:3: key 'compression[0].quantize.method': missing; valid quantize "
                                           "methods: qat, degree_quant, a2q, ptq, weight_sharing";
        QTest::newRow("task for dataset")
            << "dataset:\n  name: proteins\n  task: node_classification\n"
            << "f.yaml:3: key 'dataset.task': dataset 'proteins' holds many graphs; valid task: graph_classification";
        QTest::newRow("split for task")
            << "dataset:\n  name: cora\n  split: scaffold\n"
            << "f.yaml:3: key 'dataset.split': node classification splits are: public, random";
        QTest::newRow("tu needs path")
            << "dataset:\n  name: tu\n"
            << "f.yaml: key 'dataset.path': dataset 'tu' needs a path (directory holding NAME_A.txt, "
               "NAME_graph_indicator.txt, NAME_graph_labels.txt, ...)";
        QTest::newRow("link metric")
            << "dataset:\n  task: link_prediction\ntrain:\n  metric: accuracy\n"
            << "f.yaml:4: key 'train.metric': link prediction metrics are: roc_auc, average_precision";
        QTest::newRow("analyze takes no prune keys")
            << "compression:\n  - analyze:\n      method: sensitivity\n      finetune_epochs: 5\n"
            << "f.yaml:4: key 'compression[0].analyze.finetune_epochs': unknown key; valid keys for analyze method "
               "sensitivity are: method, sparsity, targets";
        QTest::newRow("l2 key on global") << "compression:\n  - prune:\n      method: global\n      lambda: 0.1\n"
                                          << "f.yaml:4: key 'compression[0].prune.lambda': does not apply to method "
                                             "global; it applies to methods l2, l2_only only";
        QTest::newRow("epochs on ptq") << "compression:\n  - quantize:\n      method: ptq\n      epochs: 5\n"
                                       << "f.yaml:4: key 'compression[0].quantize.epochs': does not apply to method "
                                          "ptq; it applies to methods qat, degree_quant, a2q, weight_sharing only";
        QTest::newRow("structured has no targets")
            << "compression:\n  - prune:\n      method: structured\n      targets: [\"*\"]\n"
            << "f.yaml:4: key 'compression[0].prune.targets': does not apply to method structured; it applies to "
               "methods finegrained, global, l2 only";
        QTest::newRow("sparsity range")
            << "compression:\n  - prune:\n      method: global\n      sparsity: [0.5, 1.0]\n"
            << "f.yaml:4: key 'compression[0].prune.sparsity': expected a number in [0, 1), found 1.0";
        QTest::newRow("step line for agp")
            << "compression:\n  - prune:\n      method: finegrained\n      schedule: agp\n      finetune_epochs: 10\n  "
               "    agp_end: 20\n"
            << "f.yaml:6: key 'compression[0].prune.agp_end': must lie in [agp_start, finetune_epochs] = [1, 10]";
        QTest::newRow("finetune word")
            << "compression:\n  - prune:\n      method: global\n      finetune_epochs: always\n"
            << "f.yaml:4: key 'compression[0].prune.finetune_epochs': expected an integer in [0, 100000] or 'same', "
               "found always";
        QTest::newRow("finetune same with agp")
            << "compression:\n  - prune:\n      method: finegrained\n      schedule: agp\n      finetune_epochs: same\n"
            << "f.yaml:5: key 'compression[0].prune.finetune_epochs': agp prunes at given fine-tuning epochs; give "
               "finetune_epochs as a number";
        QTest::newRow("quantize start") << "compression:\n  - quantize:\n      method: qat\n      start: scratch\n"
                                        << "f.yaml:4: key 'compression[0].quantize.start': unknown value 'scratch'; "
                                           "valid choices: base, init";
        QTest::newRow("quantize weight decay")
            << "compression:\n  - quantize:\n      method: qat\n      weight_decay: -0.5\n"
            << "f.yaml:4: key 'compression[0].quantize.weight_decay': expected a number in [0, 1], or -1 for "
               "train.weight_decay";
        QTest::newRow("start on ptq") << "compression:\n  - quantize:\n      method: ptq\n      start: init\n"
                                      << "f.yaml:4: key 'compression[0].quantize.start': does not apply to method "
                                         "ptq; it applies to methods qat, degree_quant, a2q, weight_sharing only";
        QTest::newRow("duplicate top key")
            << "name: x\ntrain:\n  epochs: 5\nname: y\n"
            << "f.yaml:4: key 'name' appears twice in the same mapping (lines 1 and 4); remove one";
        QTest::newRow("duplicate section")
            << "train:\n  epochs: 5\nmodel:\n  arch: gcn\ntrain:\n  lr: 0.1\n"
            << "f.yaml:5: key 'train' appears twice in the same mapping (lines 1 and 5); remove one";
        QTest::newRow("duplicate nested key")
            << "model:\n  hidden: 16\n  layers: 2\n  hidden: 32\n"
            << "f.yaml:4: key 'hidden' appears twice in the same mapping (lines 2 and 4); remove one";
        QTest::newRow("duplicate step key")
            << "compression:\n  - prune:\n      method: global\n      sparsity: 0.5\n      sparsity: 0.9\n"
            << "f.yaml:5: key 'sparsity' appears twice in the same mapping (lines 4 and 5); remove one";
        QTest::newRow("duplicate flow key")
            << "model: {hidden: 16, hidden: 8}\n"
            << "f.yaml:1: key 'hidden' appears twice in the same mapping (lines 1 and 1); remove one";
        QTest::newRow("alias") << "train:\n  seeds: &s [1, 2]\n  lr: 0.1\nmodel:\n  hidden: *s\n"
                               << "f.yaml:5: YAML aliases (*name) are not supported; write the value out";
        QTest::newRow("empty file")
            << ""
            << "f.yaml: the experiment is empty; expected a mapping with dataset, model and train";
        QTest::newRow("top-level list")
            << "- a\n- b\n"
            << "f.yaml:1: expected a mapping at the top level (name, dataset, model, train, compression)";
    }

    void invalidInputNamesFileLineAndKey()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(errorOf(yaml.toStdString())), expected);
    }

    void syntaxErrorNamesTheLine()
    {
        const std::string msg = errorOf("name: x\ndataset:\n  name: [cora\nmodel: {}\n");
        QVERIFY2(QString::fromStdString(msg).startsWith("f.yaml:4: YAML syntax error: "), msg.c_str());
    }

    void missingFile()
    {
        QCOMPARE(messageOf<InputError>([] { loadExperiment("/nonexistent/x.yaml"); }),
            std::string("/nonexistent/x.yaml: file not found"));
    }

    void overridesApplyAndAreValidated()
    {
        auto c = parseExperiment(
            "train:\n  epochs: 200\n", "f.yaml", { "train.epochs=50", "model.arch=gat", "train.seeds=[3, 4]" });
        QCOMPARE(c.train.epochs, 50);
        QCOMPARE(c.model.arch, std::string("gat"));
        QCOMPARE(c.train.effectiveSeeds(), (std::vector<int64_t> { 3, 4 }));
        QCOMPARE(c.model.activation, std::string("elu")); // GAT default
        auto r = parseExperiment("train:\n  repeats: 10\n", "f.yaml", { "train.seeds=[7]" });
        QCOMPARE(r.train.effectiveSeeds(), (std::vector<int64_t> { 7 })); // --set seeds replaces repeats
        auto s = parseExperiment("train:\n  seeds: [1, 2]\n", "f.yaml", { "train.repeats=3" });
        QCOMPARE(s.train.effectiveSeeds(), (std::vector<int64_t> { 0, 1, 2 }));
        QCOMPARE(errorOf("train:\n  epochs: 200\n", { "train.epochs=-1" }),
            std::string("f.yaml: key 'train.epochs' (from --set): expected an integer in [1, 100000], found -1"));
        QCOMPARE(
            errorOf("{}", { "train.epochs" }), std::string("--set: expected key.path=value, found 'train.epochs'"));
        QCOMPARE(errorOf("{}", { "train.nope=1" }),
            std::string(
                "f.yaml: key 'train.nope' (from --set): unknown key; valid keys in 'train' are: optimizer, lr, "
                "weight_decay, momentum, epochs, patience, select_by, lr_step_size, lr_gamma, seeds, repeats, "
                "threads, batch_size, metric, eval_every, train_metric, clip_grad_norm, subgraphs, edge_dropout"));
    }

    void defaultsDependOnDataset()
    {
        auto p = parseExperiment("dataset:\n  name: proteins\n", "f.yaml");
        QCOMPARE(p.dataset.task, std::string("graph_classification"));
        QCOMPARE(p.dataset.split, std::string("kfold"));
        QCOMPARE(p.train.metric, std::string("accuracy"));
        auto b = parseExperiment("dataset:\n  name: bbbp\n", "f.yaml");
        QCOMPARE(b.dataset.split, std::string("scaffold"));
        auto l = parseExperiment("dataset:\n  task: link_prediction\n", "f.yaml");
        QCOMPARE(l.dataset.split, std::string("random"));
        QCOMPARE(l.dataset.valFraction, 0.05);
        QCOMPARE(l.dataset.testFraction, 0.15);
        QCOMPARE(l.train.metric, std::string("roc_auc"));
        auto s = parseExperiment("model:\n  arch: spline\n", "f.yaml");
        QCOMPARE(s.dataset.edgeAttr, std::string("target_indegree"));
        QCOMPARE(s.model.kernelSize, 2);
        QCOMPARE(s.model.splineDegree, 1);
        auto s2 = parseExperiment(toYaml(s), "g.yaml");
        QCOMPARE(s2.dataset.edgeAttr, std::string("target_indegree"));
        QCOMPARE(toYaml(s2), toYaml(s));
        auto n = parseExperiment("name: n\n", "f.yaml");
        QCOMPARE(n.dataset.split, std::string("public"));
        QCOMPARE(n.train.effectiveSeeds(), (std::vector<int64_t> { 0 }));
        QCOMPARE(n.keyLines.at("name"), 1);
    }

    void sameKeyInDifferentMappingsIsFine()
    {
        // `name` in the top level and in `dataset`, `method` in two steps: no duplicates.
        auto c = experiment::parseExperiment("name: a\ndataset:\n  name: cora\ncompression:\n"
                                             "  - prune: {method: global, sparsity: 0.5}\n"
                                             "  - prune: {method: finegrained, sparsity: 0.5}\n",
            "f.yaml");
        QCOMPARE(c.steps.size(), size_t(2));
    }

    void complexKeysAreInputErrors()
    {
        // Found by fuzzing (tests/fuzz/corpus/experiment/regression-*): YAML allows mappings and
        // lists as keys; yaml-cpp's conversion error used to escape with exit code 1.
        QCOMPARE(errorOf("name: x\ndataset:\n  ? {name: cora}\n  : 1\n"),
            std::string("f.yaml:3: key 'dataset': a key must be a plain name, found a mapping; valid keys: name, path, "
                        "tu_name, task, split, train_size, val_size, test_size, val_fraction, test_fraction, folds, "
                        "run_folds, split_seed, normalize_features, edge_attr, features, use_node_attributes, "
                        "smiles_column, label_column, atom_features"));
        QCOMPARE(errorOf("name: x\ncompression:\n  - ? [prune]\n    : 2\n"),
            std::string("f.yaml:3: key 'compression[0]': a step's key must be one of: prune, quantize, analyze"));
    }

    void strayCommaAndSecondDocumentsAreRefusedNotLooped()
    {
        // yaml-cpp 0.7 loops forever on a ',' it cannot place (fuzzing found it; the CLI hung).
        QCOMPARE(errorOf(",'\n"),
            std::string("f.yaml:1: YAML syntax error: a character that cannot start a value here (a ',' outside [ ] "
                        "or { }?)"));
        QCOMPARE(errorOf("name: a\n---\nname: b\n"),
            std::string("f.yaml:2: a second YAML document ('---'); an experiment file holds one document"));
        QCOMPARE(errorOf("name: a\n", { "name=,'" }),
            std::string("--set: value of 'name' is not valid YAML: YAML syntax error: a character that cannot start "
                        "a value here (a ',' outside [ ] or { }?)"));
        // A form field with the same text: read as text and refused by the key's own check.
        QVERIFY(messageOf<InputError>([] {
            experiment::parseStep(experiment::StepKind::Prune, "finegrained", { { "sparsity", ",'" } }, 0, "form");
        }).find("compression[0].prune.sparsity")
            != std::string::npos);
    }

    void messagesEscapeRawBytes()
    {
        const std::string bytes = std::string("bad \x01\x1b[31m value \xff\xfe") + "\n" + "ok é";
        const InputError e("data.bin", 3, "unexpected '" + bytes + "'");
        QCOMPARE(QString::fromUtf8(e.what()),
            QString::fromUtf8("data.bin:3: unexpected 'bad \\x01\\x1b[31m value \\xff\\xfe\\nok é'"));
    }

    void stepDefaultsLiveInOnePlace()
    {
        // A quantize step without epochs trains as many epochs wherever it is built.
        auto c = experiment::parseExperiment("name: q\ncompression:\n  - quantize:\n      method: qat\n", "q.yaml");
        const auto& q = std::get<experiment::QuantSpec>(c.steps.at(0));
        QCOMPARE(q.epochs, experiment::QuantSpec {}.epochs);
        QCOMPARE(q.epochs, 50);
        QCOMPARE(q.line, 3);
        const auto d = std::get<experiment::QuantSpec>(experiment::defaultStep(experiment::StepKind::Quantize, "qat"));
        QCOMPARE(d.epochs, q.epochs);
        QCOMPARE(d.percentile, 0.001);
        const auto dq
            = std::get<experiment::QuantSpec>(experiment::defaultStep(experiment::StepKind::Quantize, "degree_quant"));
        QCOMPARE(dq.observer, std::string("percentile"));
        QCOMPARE(
            std::get<experiment::QuantSpec>(experiment::defaultStep(experiment::StepKind::Quantize, "ptq")).epochs, 0);
        // The form's text values go through the same reader.
        const auto p = std::get<experiment::PruneSpec>(experiment::parseStep(experiment::StepKind::Prune, "finegrained",
            { { "sparsity", "0.2, 0.4" }, { "overrides", "stack.conv1.weight: 0.3" } }, 0, "form"));
        QCOMPARE(p.sparsities, (std::vector<double> { 0.2, 0.4 }));
        QCOMPARE(p.targets.overrides.at("stack.conv1.weight"), 0.3);
        QCOMPARE(QString::fromStdString(gsq::test::messageOf<InputError>([] {
            experiment::parseStep(experiment::StepKind::Prune, "global", { { "sparsity", "0.5, x" } }, 2, "form");
        })),
            QString("form: key 'compression[2].prune.sparsity': expected a number, found x"));
        // The form's list names a sweep by its ends and length, short lists in full.
        QCOMPARE(experiment::stepSummary(experiment::defaultStep(experiment::StepKind::Prune, "global")),
            std::string("prune · global · sparsity 0.1 … 0.9 (9 levels) · 100 fine-tune epochs"));
        QCOMPARE(
            experiment::stepSummary(p), std::string("prune · finegrained · sparsity 0.2, 0.4 · 100 fine-tune epochs"));
        // stepValues → parseStep is the identity on every built-in method's defaults.
        for (auto kind : { experiment::StepKind::Prune, experiment::StepKind::Quantize, experiment::StepKind::Analyze })
            for (const auto& m : experiment::Catalog::methodNames(kind)) {
                const auto step = experiment::defaultStep(kind, m);
                const auto again = experiment::parseStep(kind, m, experiment::stepValues(step), 0, "form");
                QCOMPARE(experiment::stepValues(again), experiment::stepValues(step));
            }
    }

    void yamlRoundTrip()
    {
        auto a = parseExperiment(
            "name: rt\ndataset:\n  name: cora\n  split: random\n  val_size: 300\nmodel:\n  arch: sage\n  "
            "hidden: 32\ntrain:\n  seeds: [4, 5]\n  lr: 0.02\ncompression:\n  - prune:\n      method: "
            "global\n      sparsity: [0.5, 0.9]\n",
            "f.yaml");
        auto b = parseExperiment(toYaml(a), "g.yaml");
        QCOMPARE(b.name, std::string("rt"));
        QCOMPARE(b.dataset.split, std::string("random"));
        QCOMPARE(b.dataset.valSize, 300);
        QCOMPARE(b.model.arch, std::string("sage"));
        QCOMPARE(b.model.hidden, 32);
        QCOMPARE(b.train.lr, 0.02);
        QCOMPARE(b.train.effectiveSeeds(), (std::vector<int64_t> { 4, 5 }));
        QCOMPARE(b.steps.size(), size_t(1));
        const auto& p = std::get<experiment::PruneSpec>(b.steps[0]);
        QCOMPARE(p.method, std::string("global"));
        QCOMPARE(p.sparsities, (std::vector<double> { 0.5, 0.9 }));
        QCOMPARE(toYaml(b), toYaml(a));
    }

    void finetuneSameAndQuantizationFromInitRoundTrip()
    {
        auto a = parseExperiment("name: s\ntrain:\n  epochs: 7\ncompression:\n  - prune:\n      method: global\n      "
                                 "sparsity: 0.5\n      finetune_epochs: same\n  - quantize:\n      method: qat\n      "
                                 "start: init\n      epochs: 3\n      weight_decay: 2.0e-4\n      lr_step_size: 50\n",
            "f.yaml");
        const auto& p = std::get<PruneSpec>(a.steps[0]);
        QCOMPARE(p.finetuneEpochs, PruneSpec::kSameAsTraining);
        QCOMPARE(p.finetuneEpochsFor(a.train.epochs), 7);
        QCOMPARE(stepEpochs(a.steps[0], a.train.epochs), 7);
        const auto& q = std::get<QuantSpec>(a.steps[1]);
        QCOMPARE(q.start, std::string("init"));
        QCOMPARE(q.weightDecay, 2.0e-4);
        QCOMPARE(q.lrStepSize, 50);
        QCOMPARE(q.lrGamma, -1.0);
        QCOMPARE(q.settingLabel(), std::string("bits=8 start=init"));
        const std::string yaml = toYaml(a);
        QVERIFY2(yaml.find("finetune_epochs: same") != std::string::npos, yaml.c_str());
        QVERIFY(yaml.find("start: init") != std::string::npos);
        QCOMPARE(toYaml(parseExperiment(yaml, "g.yaml")), yaml);
        // The form's texts carry the word too.
        bool found = false;
        for (const auto& [k, v] : stepValues(a.steps[0]))
            found = found || (k == "finetune_epochs" && v == "same");
        QVERIFY(found);
        QCOMPARE(
            stepSummary(a.steps[0]), std::string("prune · global · sparsity 0.5 · fine-tuning as long as training"));
    }

    void trainMetricRoundTripsAndBelongsToGraphTasks()
    {
        auto a = parseExperiment("name: r\ndataset:\n  name: proteins\ntrain:\n  train_metric: running\n", "f.yaml");
        QCOMPARE(a.train.trainMetric, std::string("running"));
        const std::string yaml = toYaml(a);
        QVERIFY2(yaml.find("train_metric: running") != std::string::npos, yaml.c_str());
        QCOMPARE(toYaml(parseExperiment(yaml, "g.yaml")), yaml);
        // The default is not written, so files that never set it read and write as before.
        QVERIFY(toYaml(parseExperiment("name: r\ndataset:\n  name: proteins\n", "f.yaml")).find("train_metric")
            == std::string::npos);
        QCOMPARE(errorOf("dataset:\n  name: cora\ntrain:\n  train_metric: running\n"),
            std::string("f.yaml:4: key 'train.train_metric': 'running' takes the train metric from graph mini-batches "
                        "(graph_classification); node_classification measures it in its evaluation pass: use "
                        "'evaluated'"));
        QCOMPARE(errorOf("dataset:\n  name: proteins\ntrain:\n  train_metric: batches\n"),
            std::string(
                "f.yaml:4: key 'train.train_metric': unknown value 'batches'; valid choices: evaluated, running"));
    }

    void shippedPresetsAreValid()
    {
        QDir dir(gsq::test::experimentsDir());
        const auto files = dir.entryList({ "*.yaml" }, QDir::Files);
        QVERIFY(files.size() >= 7);
        for (const char* required :
            { "quickstart.yaml", "cora-gat.yaml", "cora-link-gcn.yaml", "proteins-gin.yaml", "bbbp-gin-scaffold.yaml" })
            QVERIFY2(files.contains(required), required);
        for (const auto& f : files) {
            try {
                loadExperiment(dir.filePath(f).toStdString());
            } catch (const InputError& e) {
                QFAIL(e.what());
            }
        }
        QDir lessons(dir.filePath("classroom"));
        QCOMPARE(lessons.entryList({ "*.yaml" }, QDir::Files).size(), 4);
        for (const auto& f : lessons.entryList({ "*.yaml" }, QDir::Files)) {
            try {
                loadExperiment(lessons.filePath(f).toStdString());
            } catch (const InputError& e) {
                QFAIL(e.what());
            }
        }
        auto q = loadExperiment(dir.filePath("quickstart.yaml").toStdString());
        QCOMPARE(q.model.arch, std::string("gcn"));
        QCOMPARE(q.model.hidden, 16);
        QCOMPARE(q.train.effectiveSeeds().size(), size_t(10));
        QCOMPARE(q.train.epochs, 200);
        auto p = loadExperiment(dir.filePath("proteins-gin.yaml").toStdString());
        QCOMPARE(p.model.layers, 5);
        QCOMPARE(p.model.hidden, 64);
        QCOMPARE(p.dataset.folds, 10);
    }
};

QTEST_GUILESS_MAIN(ConfigYamlTest)
#include "ConfigYamlTest.moc"
