// Tests ui/panels/ExperimentPanel + StepEditor against the typed experiment model: every preset
// and a user's own TU and CSV datasets round-trip through the form unchanged, a method registered
// at run time reaches the form, and a run in the app gives the CLI's rows.
#include "ui/panels/ExperimentPanel.h"
#include "core/common/Error.h"
#include "core/experiment/Catalog.h"
#include "core/experiment/ConfigYaml.h"
#include "core/results/ResultSchema.h"
#include "core/session/ResultWriter.h"
#include "ui/MainWindow.h"
#include "ui/session/SessionController.h"

#include "TestSupport.h"

#include <QComboBox>
#include <QDirIterator>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>
#include <algorithm>

using namespace gsq::core;
using namespace gsq::ui;
using experiment::StepKind;

namespace {
/// A small TU dataset (two triangles, two paths) in `dir`/TOY.
QString writeTuDataset(const QTemporaryDir& dir)
{
    QDir(dir.path()).mkpath("TOY");
    auto put
        = [&](const char* name, const std::string& text) { gsq::test::writeFile(dir, QString("TOY/") + name, text); };
    // Graphs: 0 = nodes 1-3 (triangle), 1 = nodes 4-6 (path), 2 = 7-9 (triangle), 3 = 10-12 (path).
    put("TOY_A.txt",
        "1, 2\n2, 1\n2, 3\n3, 2\n1, 3\n3, 1\n4, 5\n5, 4\n5, 6\n6, 5\n7, 8\n8, 7\n8, 9\n9, 8\n7, 9\n9, 7\n"
        "10, 11\n11, 10\n11, 12\n12, 11\n");
    put("TOY_graph_indicator.txt", "1\n1\n1\n2\n2\n2\n3\n3\n3\n4\n4\n4\n");
    put("TOY_graph_labels.txt", "1\n0\n1\n0\n");
    put("TOY_node_labels.txt", "0\n1\n0\n1\n0\n1\n0\n1\n0\n1\n0\n1\n");
    return dir.filePath("TOY");
}

QString writeMoleculeCsv(const QTemporaryDir& dir)
{
    std::string csv = "name,smiles,active\n";
    const char* smiles[] = { "CCO", "c1ccccc1", "CC(=O)O", "CCN", "c1ccncc1", "CCCC", "OCCO", "CC(C)O" };
    for (int i = 0; i < 8; ++i)
        csv += "m" + std::to_string(i) + "," + smiles[i] + "," + std::to_string(i % 2) + "\n";
    return QString::fromStdString(gsq::test::writeFile(dir, "mols.csv", csv));
}

/// results.csv without the columns the schema declares as wall-clock timing.
QStringList rowsWithoutTiming(const QString& csv)
{
    QStringList rows = csv.split('\n', Qt::SkipEmptyParts);
    const QStringList header = rows.value(0).split(',');
    QList<int> drop;
    for (const auto& col : gsq::core::results::resultColumns())
        if (col.provenance == gsq::core::results::Provenance::Timing)
            drop.prepend(static_cast<int>(header.indexOf(col.name)));
    std::sort(drop.begin(), drop.end(), std::greater<int>());
    for (QString& r : rows) {
        QStringList f = r.split(','); // no quoted commas in these rows' compared columns
        for (int i : drop)
            if (i >= 0 && i < f.size())
                f.removeAt(i);
        r = f.join(',');
    }
    return rows;
}
} // namespace

class ExperimentPanelTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("GraphSqueezeTest");
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        qputenv("GRAPHSQUEEZE_HISTORY", m_dir.filePath("history.sqlite").toUtf8());
    }

    void everyExperimentRoundTripsThroughTheForm_data()
    {
        QTest::addColumn<QString>("path");
        QDirIterator it(gsq::test::experimentsDir(), { "*.yaml" }, QDir::Files, QDirIterator::Subdirectories);
        QStringList files;
        while (it.hasNext())
            files << it.next();
        files.sort();
        QVERIFY(files.size() >= 20);
        for (const auto& f : files)
            QTest::newRow(qPrintable(QFileInfo(f).fileName())) << f;
        const QString tu = writeTuDataset(m_dir);
        QTest::newRow("tu directory") << QString::fromStdString(gsq::test::writeFile(m_dir, "tu.yaml",
            "name: tu\ndataset:\n  name: tu\n  path: " + tu.toStdString()
                + "\n  tu_name: TOY\n  folds: 4\nmodel:\n  arch: gin\n  hidden: 8\ntrain:\n  epochs: 3\n"
                  "compression:\n  - prune:\n      method: structured\n      criterion: l1\n      sparsity: 0.25\n"));
        const QString csv = writeMoleculeCsv(m_dir);
        QTest::newRow("molecule csv") << QString::fromStdString(gsq::test::writeFile(m_dir, "csv.yaml",
            "name: mols\ndataset:\n  name: csv\n  path: " + csv.toStdString()
                + "\n  smiles_column: smiles\n  label_column: active\nmodel:\n  arch: gcn\ntrain:\n  epochs: 3\n"
                  "compression:\n  - quantize:\n      method: degree_quant\n      bits: 4\n      protect_low: 0.1\n"
                  "  - analyze:\n      method: sensitivity\n      sparsity: [0.5]\n      targets: [\"stack.*\"]\n"));
    }

    void everyExperimentRoundTripsThroughTheForm()
    {
        QFETCH(QString, path);
        const auto loaded = experiment::loadExperiment(path.toStdString());
        ExperimentPanel panel;
        panel.setConfig(loaded);
        QVERIFY2(panel.isValid(), qPrintable(panel.validationMessage()));
        QCOMPARE(panel.stepCount(), static_cast<int>(loaded.steps.size()));
        QCOMPARE(QString::fromStdString(experiment::toYaml(panel.config())),
            QString::fromStdString(experiment::toYaml(loaded)));
        // Selecting each step (which rebuilds its editor) changes nothing either.
        for (int i = 0; i < panel.stepCount(); ++i)
            panel.selectStep(i);
        QCOMPARE(QString::fromStdString(experiment::toYaml(panel.config())),
            QString::fromStdString(experiment::toYaml(loaded)));
    }

    void outOfRangeInputIsReportedNotDropped()
    {
        ExperimentPanel panel;
        panel.show();
        auto* epochs = panel.epochsSpin();
        epochs->setValue(100);
        QVERIFY(panel.isValid());
        epochs->setFocus();
        epochs->selectAll();
        QTest::keyClicks(epochs, "-5");
        QCOMPARE(epochs->text(), QString("-5")); // a plain QSpinBox drops the '-' and shows 5
        QVERIFY(!panel.isValid());
        QCOMPARE(panel.validationMessage(), QString("Epochs: -5 is below the minimum, 1"));
        QCOMPARE(panel.highlightedField(), static_cast<QWidget*>(epochs));
        // Leaving the field puts back the last valid value and says so; the form is valid again.
        QFocusEvent out(QEvent::FocusOut, Qt::TabFocusReason);
        QApplication::sendEvent(epochs, &out);
        QCOMPARE(epochs->value(), 100);
        QVERIFY(panel.isValid());
        QCOMPARE(panel.config().train.epochs, 100);
        QCOMPARE(panel.validationMessage(), QString("Epochs: -5 is below the minimum, 1; the field went back to 100"));
        // Typing again clears the note; above the maximum is reported too.
        epochs->selectAll();
        QTest::keyClicks(epochs, "7");
        QCOMPARE(panel.validationMessage(), QString());
        QCOMPARE(panel.config().train.epochs, 7);
        panel.seedsSpin()->selectAll();
        QTest::keyClicks(panel.seedsSpin(), "5000");
        QCOMPARE(panel.validationMessage(), QString("Seeds: 5000 is above the maximum, 1000"));
        QVERIFY(!panel.isValid());
    }

    void userDatasetsShowTheirOwnFields()
    {
        ExperimentPanel panel;
        panel.show();
        panel.datasetCombo()->setCurrentText("tu");
        QVERIFY(!panel.isValid()); // a TU dataset needs its directory
        QCOMPARE(panel.validationMessage(),
            QString("Path: dataset 'tu' needs a path (directory holding "
                    "NAME_A.txt, NAME_graph_indicator.txt, NAME_graph_labels.txt, ...)"));
        QCOMPARE(panel.highlightedField(), static_cast<QWidget*>(panel.pathEdit()));
        QVERIFY(panel.tuNameEdit()->isVisible());
        QVERIFY(!panel.smilesCombo()->isVisible());
        // The path is checked as one types (it used to fail only after Run): missing, or a file
        // where the reader reads a directory. The problem is also summarised above the form.
        QSignalSpy errors(&panel, &ExperimentPanel::errorChanged);
        const QString tuDir = writeTuDataset(m_dir);
        panel.pathEdit()->setText(tuDir + "/nope");
        QVERIFY(!panel.isValid());
        QCOMPARE(panel.validationMessage(),
            "Path: " + tuDir
                + "/nope does not exist; expected a directory holding NAME_A.txt, NAME_graph_indicator.txt, "
                  "NAME_graph_labels.txt, ...");
        QCOMPARE(panel.highlightedField(), static_cast<QWidget*>(panel.pathEdit()));
        auto* summary = panel.findChild<QLabel*>("validationSummary");
        QVERIFY(summary && summary->isVisible());
        QCOMPARE(summary->text(), "Cannot run: " + panel.validationMessage());
        QCOMPARE(errors.last().at(0).toString(), panel.validationMessage());
        panel.pathEdit()->setText(tuDir + "/TOY_A.txt");
        QVERIFY(panel.validationMessage().contains("TOY_A.txt is a file; expected a directory"));
        panel.pathEdit()->setText(tuDir);
        panel.tuNameEdit()->setText("TOY");
        QVERIFY(panel.isValid());
        QVERIFY(!summary->isVisible());
        QCOMPARE(errors.last().at(0).toString(), QString());
        QCOMPARE(panel.config().dataset.name, std::string("tu"));
        QCOMPARE(panel.config().dataset.tuName, std::string("TOY"));
        QCOMPARE(panel.config().dataset.split, std::string("kfold"));
        // A 1-fold trial run (Folds starts at 3) and the experiment's own name, from the form.
        QVERIFY(panel.runFoldsSpin()->isVisible());
        QCOMPARE(panel.runFoldsSpin()->text(), QString("all"));
        panel.runFoldsSpin()->setValue(1);
        QCOMPARE(panel.config().dataset.runFolds, 1);
        QCOMPARE(panel.config().foldsRun(), 1);
        panel.nameEdit()->setText("  mutag-trial ");
        QCOMPARE(panel.config().name, std::string("mutag-trial"));
        panel.nameEdit()->clear();
        QVERIFY(!panel.isValid());
        QCOMPARE(
            panel.validationMessage(), QString("Name: the experiment needs a name (its runs are stored under it)"));
        QCOMPARE(panel.highlightedField(), static_cast<QWidget*>(panel.nameEdit()));
        panel.nameEdit()->setText("mutag-trial");
        QVERIFY(panel.isValid());

        panel.datasetCombo()->setCurrentText("csv");
        panel.pathEdit()->setText(writeMoleculeCsv(m_dir));
        Q_EMIT panel.pathEdit()->editingFinished();
        QVERIFY(panel.smilesCombo()->isVisible());
        QVERIFY(!panel.tuNameEdit()->isVisible());
        QCOMPARE(panel.labelCombo()->count(), 3); // name, smiles, active from the header
        panel.labelCombo()->setCurrentText("active");
        QVERIFY2(panel.isValid(), qPrintable(panel.validationMessage()));
        QCOMPARE(panel.config().dataset.labelColumn, std::string("active"));
        QCOMPARE(panel.config().dataset.split, std::string("random"));
    }

    void aRegisteredMethodReachesLoaderAndForm()
    {
        experiment::MethodInfo toy;
        toy.kind = StepKind::Prune;
        toy.name = "toy_magnitude";
        toy.label = "Toy magnitude";
        toy.help = "registered by this test only";
        toy.keys = { "sparsity", "finetune_epochs" };
        experiment::Catalog::registerMethod(toy);

        // The validator's valid choices list it, and a file using it loads.
        const std::string bad = "name: t\ncompression:\n  - prune:\n      method: magic\n";
        QCOMPARE(QString::fromStdString(
                     gsq::test::messageOf<InputError>([&] { experiment::parseExperiment(bad, "t.yaml"); })),
            QString("t.yaml:4: key 'compression[0].prune.method': unknown method 'magic'; valid prune methods: "
                    "finegrained, global, l2, l2_only, structured, toy_magnitude"));
        const auto c = experiment::parseExperiment(
            "name: t\ncompression:\n  - prune:\n      method: toy_magnitude\n      sparsity: 0.3\n", "t.yaml");
        QCOMPARE(std::get<experiment::PruneSpec>(c.steps.at(0)).method, std::string("toy_magnitude"));

        // The form's method combo offers it with its help, and its editor shows its keys only.
        ExperimentPanel panel;
        panel.addStep(StepKind::Prune, "finegrained");
        auto* combo = panel.stepEditor()->methodCombo();
        const int i = combo->findText("toy_magnitude");
        QVERIFY(i >= 0);
        QCOMPARE(
            combo->itemData(i, Qt::ToolTipRole).toString(), QString("Toy magnitude: registered by this test only"));
        combo->setCurrentIndex(i);
        QVERIFY(panel.isValid());
        QVERIFY(panel.stepEditor()->field("sparsity"));
        QVERIFY(!panel.stepEditor()->field("schedule"));
        QCOMPARE(std::get<experiment::PruneSpec>(panel.config().steps.at(0)).method, std::string("toy_magnitude"));
        experiment::Catalog::unregisterMethod(StepKind::Prune, "toy_magnitude");
    }

    void appAndCliGiveTheSameRows_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("overrides"); // YAML text merged into the preset
        QTest::newRow("pruning") << "cora-gcn-global.yaml"
                                 << "";
        QTest::newRow("quantization") << "proteins-gin-qat4.yaml"
                                      << "";
    }

    void appAndCliGiveTheSameRows()
    {
        QFETCH(QString, preset);
        // The preset, shortened to 2 epochs everywhere and one thread, written as the user's file.
        auto c = experiment::loadExperiment((gsq::test::experimentsDir() + "/" + preset).toStdString());
        c.train.epochs = 2;
        c.train.threads = 1;
        c.train.seeds = { 3 };
        c.dataset.runFolds = c.dataset.split == "kfold" ? 2 : 0;
        for (auto& step : c.steps) {
            if (auto* p = std::get_if<experiment::PruneSpec>(&step)) {
                p->sparsities = { 0.5, 0.9 };
                p->finetuneEpochs = 2;
            } else if (auto* q = std::get_if<experiment::QuantSpec>(&step)) {
                q->epochs = 2;
            }
        }
        const QString file
            = QString::fromStdString(gsq::test::writeFile(m_dir, "same-" + preset, experiment::toYaml(c)));

        MainWindow w;
        QCOMPARE(w.openExperiment(file, false), QString());
        // What the app runs is what the file says, key for key.
        QCOMPARE(QString::fromStdString(experiment::toYaml(w.panel()->config())),
            QString::fromStdString(experiment::toYaml(experiment::loadExperiment(file.toStdString()))));
        std::shared_ptr<const results::RunResult> appResult;
        connect(w.controller(), &SessionController::finished, this,
            [&](std::shared_ptr<const results::RunResult> r) { appResult = r; });
        QSignalSpy done(&w, &MainWindow::runFinished);
        w.run();
        QVERIFY(done.wait(gsq::test::scaledTimeout(300000)));
        QVERIFY(appResult);

        const QString out = m_dir.filePath("cli-" + preset);
        QProcess cli;
        cli.start(gsq::test::cliPath(), { "run", file, "--out", out, "--quiet" });
        QVERIFY(cli.waitForFinished(gsq::test::scaledTimeout(300000)));
        QCOMPARE(cli.exitCode(), 0);
        QFile f(out + "/results.csv");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList cliRows = rowsWithoutTiming(QString::fromUtf8(f.readAll()));
        const QStringList appRows
            = rowsWithoutTiming(QString::fromStdString(session::ResultWriter::resultsCsv(*appResult)));
        QVERIFY(cliRows.size() > 4);
        QCOMPARE(appRows, cliRows);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(ExperimentPanelTest)
#include "ExperimentPanelTest.moc"
