// A prune method added from outside core/, in this one file: random pruning, the usual control
// for magnitude pruning (every target loses a share of its weights chosen at random, not by
// |w|). Registered here with an importance of its own, it runs from YAML through the real
// command line (in-process) with the engine's one-shot pruning and masked fine-tuning, its file
// is refused with a line when it uses a key it does not take, and the form offers its keys only.
#include "core/experiment/Catalog.h"
#include "core/measure/ModelFile.h"
#include "core/pruning/PruneMethod.h"
#include "ui/panels/ExperimentPanel.h"

#include "CliInProcess.h"

#include <torch/torch.h>

#include <QComboBox>
#include <QFile>
#include <QtTest>

using namespace gsq::core;
using experiment::StepKind;
using gsq::test::cli;
using gsq::test::write;

namespace {

class RandomPruning : public pruning::PruneMethod {
public:
    using PruneMethod::PruneMethod;
    pruning::MaskSet select(torch::nn::Module& module, double sparsity) const override
    {
        return pruning::MaskSet::perLayer(module, m_spec.targets, sparsity,
            [](const std::string&, const at::Tensor& w) { return torch::rand(w.sizes()); });
    }
};

const char* kExperiment = R"(name: random-test
dataset: {name: cora, task: node_classification, split: public}
model: {arch: gcn, hidden: 16, layers: 2}
train: {epochs: 5, seeds: [0], threads: 1}
compression:
  - prune:
      method: random
      sparsity: [0.5, 0.9]
      finetune_epochs: 2
)";

/// One CSV line's cells ("[16, 1433]" quoted cells keep their commas).
QStringList cellsOf(const QString& line)
{
    QStringList cells { QString() };
    bool quoted = false;
    for (QChar c : line) {
        if (c == '"')
            quoted = !quoted;
        else if (c == ',' && !quoted)
            cells.append(QString());
        else
            cells.last().append(c);
    }
    return cells;
}

/// The cells of `path`'s rows whose `column` is `value`, by header name.
std::vector<std::map<QString, QString>> rowsWhere(const std::string& path, const QString& column, const QString& value)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QStringList header = cellsOf(QString(f.readLine()).trimmed());
    std::vector<std::map<QString, QString>> out;
    while (!f.atEnd()) {
        const QStringList cells = cellsOf(QString(f.readLine()).trimmed());
        std::map<QString, QString> row;
        for (int i = 0; i < header.size(); ++i)
            row[header[i]] = cells.value(i);
        if (row[column] == value)
            out.push_back(row);
    }
    return out;
}

} // namespace

class RandomPruningTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        experiment::MethodInfo info;
        info.kind = StepKind::Prune;
        info.name = "random";
        info.label = "Random (control)";
        info.help = "every target loses a random share of its weights; the control for magnitude pruning";
        info.keys = { "sparsity", "finetune_epochs", "targets" };
        pruning::registerPruneMethod(
            info, [](const experiment::PruneSpec& spec) { return std::make_unique<RandomPruning>(spec); });
    }
    void cleanupTestCase() { pruning::unregisterPruneMethod("random"); }

    void runsFromYamlInTheCli()
    {
        QTemporaryDir dir;
        const std::string out = dir.filePath("run").toStdString();
        QCOMPARE(cli({ "run", write(dir, "random.yaml", kExperiment), "--out", out, "--quiet" }), 0);
        const auto rows = rowsWhere(out + "/results.csv", "method", "random");
        QCOMPARE(rows.size(), size_t(4)); // 2 sparsities x (pruned, fine-tuned)
        // Per-layer selection: each weight keeps exactly round((1 - s) * numel) values.
        const auto layers = rowsWhere(out + "/layers.csv", "method", "random");
        QCOMPARE(layers.size(), size_t(8)); // 4 rows x 2 weights
        for (const auto& l : layers) {
            const double s = l.at("setting") == "sparsity=0.5" ? 0.5 : 0.9;
            const int64_t params = l.at("params").toLongLong();
            QCOMPARE(l.at("nnz").toLongLong(), params - std::llround(s * static_cast<double>(params)));
        }
        // Not magnitude: some removed weight of conv0 was larger than some kept one.
        const auto base = measure::ModelFile::read(out + "/models/base.gsqm");
        const auto pruned = measure::ModelFile::read(out + "/models/random-sparsity_0.5-pruned.gsqm");
        auto weightOf = [](const std::vector<measure::StoredTensor>& file) {
            for (const auto& t : file)
                if (t.name == "stack.conv0.weight")
                    return t.value;
            return at::Tensor();
        };
        const auto w = weightOf(base).abs(), kept = weightOf(pruned).ne(0);
        QVERIFY(w.masked_select(kept.logical_not()).max().item<float>() > w.masked_select(kept).min().item<float>());
    }

    void refusesAKeyItDoesNotTake()
    {
        QTemporaryDir dir;
        const std::string file = write(dir, "bad.yaml", std::string(kExperiment) + "      schedule: agp\n");
        std::string err;
        QCOMPARE(cli({ "validate", file }, &err), 2);
        QCOMPARE(QString::fromStdString(err),
            QString::fromStdString("error: " + file
                + ":10: key 'compression[0].prune.schedule': does not apply to method random; it applies to methods "
                  "finegrained, global, l2, structured only\n"));
    }

    void showsItsKeysInTheForm()
    {
        gsq::ui::ExperimentPanel panel;
        panel.addStep(StepKind::Prune, "finegrained");
        auto* combo = panel.stepEditor()->methodCombo();
        const int i = combo->findText("random");
        QVERIFY(i >= 0);
        combo->setCurrentIndex(i);
        QVERIFY(panel.isValid());
        for (const char* key : { "sparsity", "finetune_epochs", "targets", "name", "from" })
            QVERIFY2(panel.stepEditor()->field(key), key);
        for (const char* key : { "schedule", "lambda", "criterion", "overrides" })
            QVERIFY2(!panel.stepEditor()->field(key), key);
        QCOMPARE(std::get<experiment::PruneSpec>(panel.config().steps.at(0)).method, std::string("random"));
    }
};

QTEST_MAIN(RandomPruningTest)
#include "RandomPruningTest.moc"
