// Tests ui/: drives the real main window offscreen — a short pruning run end to end, live
// curves, the Layers and Compare tables, CSV/PNG/SVG export, inline validation, history and resume
// — plus the table model through QAbstractItemModelTester. Run controls: RunControlTest.cpp.
#include "ui/MainWindow.h"
#include "MainWindowTestSupport.h"
#include "ui/window/LessonPanel.h"

#include "core/experiment/ConfigYaml.h"
#include "core/session/Session.h"
#include "ui/charts/ChartView.h"
#include "ui/models/RowTableModel.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/session/SessionController.h"
#include "ui/tabs/CompareTab.h"
#include "ui/tabs/LayersTab.h"
#include "ui/tabs/RobustnessTab.h"
#include "ui/tabs/SparsityTab.h"
#include "ui/tabs/TrainingTab.h"
#include "ui/tabs/WeightsTab.h"

#include "ui/history/RunHistory.h"
#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QProcess>
#include <QScrollArea>
#include <QScrollBar>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolTip>
#include <QWheelEvent>
#include <QtCharts/QLineSeries>
#include <QtTest>
#include <cmath>
#include <csignal>

using namespace gsq::ui;
using gsq::ui::test::configure;

class MainWindowTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        gsq::ui::test::isolateApp(m_dir, "GraphSqueezeTest");
    }

    void shortPruningRunFillsEveryView()
    {
        MainWindow w;
        w.show();
        configure(w, "finegrained", "0.5", 8, 4);
        QVERIFY(w.panel()->isValid());
        QVERIFY(w.runAction()->isEnabled());
        QSignalSpy done(&w, &MainWindow::runFinished);
        w.run();
        QVERIFY(!w.runAction()->isEnabled());
        QVERIFY(done.wait(gsq::ui::test::runWait()));

        QCOMPARE(w.trainingTab()->basePointCount(0), 8);
        QCOMPARE(w.trainingTab()->seriesCount(), 2); // base + finetuned
        // The epoch axis ends with the data (8 + 4 epochs), on round ticks.
        QCOMPARE(w.trainingTab()->epochAxisMax(), 12.0);
        QCOMPARE(TrainingTab::epochTickStep(12), 5.0);
        QCOMPARE(TrainingTab::epochTickStep(300), 100.0);
        QCOMPARE(TrainingTab::epochTickStep(250), 50.0);
        QCOMPARE(TrainingTab::epochTickStep(8), 2.0);
        QCOMPARE(TrainingTab::epochTickStep(1), 1.0);
        QCOMPARE(w.sparsityTab()->sweepPointCount("pruned"), 1);
        QCOMPARE(w.sparsityTab()->sweepPointCount("finetuned"), 1);

        auto* layers = w.layersTab()->model();
        QCOMPARE(layers->rowCount(), 6); // 2 weights x (base, pruned, finetuned)
        const auto& last = layers->rows().back();
        QCOMPARE(last[2].toString(), QString("finetuned"));
        QCOMPARE(last[3].toString(), QString("weight"));
        QCOMPARE(last[4].toString(), QString("stack.conv1.weight"));
        QCOMPARE(last[7].toLongLong(), 56); // 112 weights, half kept
        QCOMPARE(last[13].toLongLong(), 2708 * 56); // MACs: every node times the kept weights
        QCOMPARE(layers->rows()[4][7].toLongLong(), 11464); // conv0: round(0.5 * 22928) kept

        w.weightsTab()->layerCombo()->setCurrentText("stack.conv0.weight");
        QCOMPARE(w.weightsTab()->stageCount(), 3);
        QCOMPARE(w.weightsTab()->settingCombo()->currentText(), QString("finegrained sparsity=0.5"));
        // Epoch slider: the 8 base-training epochs, the setting's 4 fine-tuning epochs, then "final".
        auto* weights = w.weightsTab();
        QCOMPARE(weights->epochCount(), 12);
        QCOMPARE(weights->epochSlider()->value(), 12);
        QCOMPARE(weights->epochCaption(), QString("final: stages overlaid"));
        weights->epochSlider()->setValue(0);
        QCOMPARE(weights->epochCaption(), QString("base epoch 1"));
        weights->epochSlider()->setValue(7);
        QCOMPARE(weights->epochCaption(), QString("base epoch 8"));
        weights->epochSlider()->setValue(8);
        QCOMPARE(weights->epochCaption(), QString("finetuned epoch 1"));
        QCOMPARE(weights->stageCount(), 3); // the stage overlay is still there behind the slider
        weights->epochSlider()->setValue(11);
        // One x-range across the slider: base epoch 1, the last fine-tuning epoch and the final
        // overlay agree.
        const auto range = weights->xRange();
        weights->epochSlider()->setValue(0);
        QCOMPARE(weights->xRange(), range);
        weights->epochSlider()->setValue(weights->epochSlider()->maximum());
        QCOMPARE(weights->xRange(), range);
        QVERIFY(range.first < 0 && range.second > 0);
        weights->epochSlider()->setValue(11);
        w.weightsTab()->allLayersToggle()->setChecked(true);
        QCOMPARE(w.weightsTab()->smallMultipleCount(), 2);
        w.weightsTab()->allLayersToggle()->setChecked(false);
        QCOMPARE(w.weightsTab()->smallMultipleCount(), 0);

        auto* compare = w.compareTab()->model();
        QCOMPARE(compare->rowCount(), 3);
        QCOMPARE(compare->rows()[0][CompareTab::column("method")].toString(), QString("none"));
        QCOMPARE(compare->rows()[2][CompareTab::column("stage")].toString(), QString("finetuned"));
        QCOMPARE(compare->rows()[2][CompareTab::column("latency_kind")].toString(), QString("sparse-csr"));
        QVERIFY(compare->rows()[2][CompareTab::column("latency_ms")].toDouble() > 0);
        QVERIFY(w.compareTab()->paretoCount() >= 1);
        // The filter reaches the Pareto scatter; hovering a point names its row.
        QCOMPARE(w.compareTab()->paretoPointCount(), 3);
        w.compareTab()->filterEdit()->setText("finetuned");
        QCOMPARE(w.compareTab()->paretoPointCount(), 1);
        QCOMPARE(w.compareTab()->paretoCount(), 1);
        const QString tip = w.compareTab()->paretoTooltipAt(true, 0);
        QVERIFY2(tip.contains("finegrained sparsity=0.5 finetuned") && tip.contains("(n=1)"), qPrintable(tip));
        w.compareTab()->filterEdit()->clear();
        QCOMPARE(w.compareTab()->paretoPointCount(), 3);

        QTemporaryDir dir;
        const QString csv = dir.filePath("cmp.csv");
        QCOMPARE(w.compareTab()->exportCsv(csv), QString());
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString(f.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[0].startsWith("run,name,tags,dataset,model,method,setting,stage,metric,mean,std,n"));
        QVERIFY(lines[3].contains(",finegrained,sparsity=0.5,finetuned,accuracy,"));
        // Mean of the single seed equals the value the run reported.
        QCOMPARE(lines[1].split(',')[CompareTab::column("mean")].toDouble(),
            compare->rows()[0][CompareTab::column("mean")].toDouble());

        QCOMPARE(w.exportAllCharts(dir.filePath("charts")), QString());
        const QStringList pngs = QDir(dir.filePath("charts")).entryList({ "*.png" });
        const QStringList svgs = QDir(dir.filePath("charts")).entryList({ "*.svg" });
        // Charts with something drawn: 2 training + 3 sparsity + weights + pareto (the
        // quantization charts hold only the fp32 base; no rows selected for curves/histograms).
        QCOMPARE(pngs.size(), 7);
        QCOMPARE(svgs.size(), 7);
        QVERIFY2(
            pngs.contains("07-test-metric-vs-size-on-disk-pareto-front-highlighted.png"), qPrintable(pngs.join(' ')));
        QImage img(dir.filePath("charts/" + pngs.first()));
        // At the export size whatever the window's, in the light theme (a white background).
        QCOMPARE(img.size(), QSize(ChartView::kExportWidth, ChartView::kExportHeight));
        QCOMPARE(QColor(img.pixel(2, 2)).lightness() > 200, true);
        QFile svg(dir.filePath("charts/" + svgs.first()));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));

        QCOMPARE(w.saveScreenshots(dir.filePath("shots")), QString());
        QCOMPARE(QDir(dir.filePath("shots")).entryList({ "*.png" }).size(), 7); // one per tab

        // One-file HTML report: summary table, every non-empty chart inline, layers, configuration.
        const QString html = dir.filePath("report.html");
        QCOMPARE(w.exportReport(html), QString());
        QFile rf(html);
        QVERIFY(rf.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(rf.readAll());
        QVERIFY(text.startsWith("<!DOCTYPE html>"));
        QCOMPARE(text.count("<table>"), 2);
        // 2 training + 3 sparsity + a weight histogram per layer (2) + pareto
        QCOMPARE(text.count("data:image/png;base64,"), 8);
        // The Pareto scatter of this run's three rows, not of every run in the history.
        QCOMPARE(w.compareTab()->reportParetoPoints(), 3);
        QCOMPARE(text.count("<figcaption>Weight histogram — stack.conv0.weight</figcaption>"), 1);
        QCOMPARE(text.count("<figcaption>Weight histogram — stack.conv1.weight</figcaption>"), 1);
        // Drawing the report leaves the tab as it was: the layer and the epoch on the slider.
        QCOMPARE(weights->layerCombo()->currentText(), QString("stack.conv0.weight"));
        QCOMPARE(weights->epochSlider()->value(), 11);
        QCOMPARE(weights->epochCaption(), QString("finetuned epoch 4"));
        QVERIFY(text.contains("<td>finegrained</td><td>sparsity=0.5</td><td>finetuned</td>"));
        QVERIFY(text.contains("<td>stack.conv0.weight</td><td>[16, 1433]</td>"));
        QVERIFY(text.contains("method: finegrained"));
        QVERIFY(!text.contains("src=\"\"")); // no external or empty image references

        const QString cmp = dir.filePath("comparison.html");
        w.compareTab()->view()->selectRow(0);
        QCOMPARE(w.compareTab()->exportReport(cmp), QString());
        QFile cf(cmp);
        QVERIFY(cf.open(QIODevice::ReadOnly));
        const QString ctext = QString::fromUtf8(cf.readAll());
        QVERIFY(ctext.contains("1 row(s) from 1 run(s)"));
        QCOMPARE(ctext.count("<tr>"), 2); // header + the selected row
        QVERIFY(ctext.contains("The Pareto scatter shows these 1 row(s).")); // the selection's, not every run's
        QCOMPARE(w.compareTab()->paretoPointCount(), 3); // the screen shows every row again
        QVERIFY(w.exportReport("/nonexistent-dir/r.html").startsWith("/nonexistent-dir/r.html: "));

        // One layer's histogram across rows: base and fine-tuned, from the history database.
        auto* view = w.compareTab()->view();
        view->clearSelection();
        view->selectionModel()->select(
            w.compareTab()->proxy()->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        view->selectionModel()->select(
            w.compareTab()->proxy()->index(2, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(w.compareTab()->histogramLayerCombo()->count(), 2);
        QCOMPARE(w.compareTab()->histogramLayerCombo()->currentText(), QString("stack.conv0.weight"));
        QCOMPARE(w.compareTab()->histogramOverlayCount(), 2);

        // File -> Export model: the run kept its first job's models; one goes out as a .pt with
        // PyTorch Geometric's names.
        auto* exportModel = w.findChild<QAction*>("exportModel");
        QVERIFY(exportModel && exportModel->isEnabled());
        const QString models = SessionController::modelDirectory();
        QCOMPARE(QDir(models).entryList({ "*.gsqm" }, QDir::Files),
            (QStringList {
                "base.gsqm", "finegrained-sparsity_0.5-finetuned.gsqm", "finegrained-sparsity_0.5-pruned.gsqm" }));
        const QString pt = m_dir.filePath("finetuned.pt");
        QCOMPARE(w.exportModelFile(models + "/finegrained-sparsity_0.5-finetuned.gsqm", pt), QString());
        QFile ptFile(pt);
        QVERIFY(ptFile.open(QIODevice::ReadOnly));
        QVERIFY(ptFile.readAll().contains("convs.1.lin.weight"));
        QVERIFY(
            w.exportModelFile(m_dir.filePath("missing.gsqm"), pt).startsWith(m_dir.filePath("missing.gsqm") + ": "));
    }

    void aFinishedRunShownFromItsDirectoryFillsTheViewsAndTheReport()
    {
        // The headless report's path: a run written by the core (as the CLI does), read back
        // from its journal and shown by a window that did not watch it.
        QTemporaryDir dir;
        const QString yaml = dir.filePath("replay.yaml");
        QFile y(yaml);
        QVERIFY(y.open(QIODevice::WriteOnly));
        y.write("name: replay\ndescription: \"# Replayed\\nA run made by the core.\"\n"
                "dataset: {name: cora}\nmodel: {arch: gcn, hidden: 16, layers: 2}\n"
                "train: {epochs: 6, seeds: [0, 1], threads: 1}\n"
                "compression:\n  - prune: {method: finegrained, sparsity: [0.5], finetune_epochs: 3}\n"
                "  - analyze: {method: robustness, fgsm: [0.05]}\n");
        y.close();
        auto config = gsq::core::experiment::loadExperiment(yaml.toStdString());
        gsq::core::results::CancelToken cancel;
        gsq::core::session::RunOptions options;
        options.journalPath = dir.filePath("jobs.journal").toStdString();
        const auto ran = gsq::core::session::Session::run(config, {}, cancel, options);

        MainWindow w;
        w.show();
        QCOMPARE(w.showRunDirectory(dir.path() + "/missing"),
            dir.path()
                + "/missing: no jobs.journal here; is it the --out directory of a finished graphsqueeze-cli run?");
        QVERIFY(w.lessonPanel()->title().startsWith("Welcome")); // a fresh window greets
        QCOMPARE(w.showRunDirectory(dir.path()), QString());
        QCOMPARE(w.panel()->config().name, config.name);
        // The panel above the tabs shows the run's description, not the welcome text.
        QCOMPARE(w.lessonPanel()->title(), QString("Replayed"));
        QCOMPARE(w.lessonPanel()->text(), QString("A run made by the core."));
        // A shown run has no wall time of its own ("Finished in 0.0 s" before): its jobs are counted.
        QVERIFY2(w.statusText().startsWith("Shown from its journal: 2 jobs — base model: accuracy"),
            qPrintable(w.statusText()));
        QCOMPARE(w.trainingTab()->basePointCount(0), 6);
        QCOMPARE(w.trainingTab()->seriesCount(), 4); // 2 seeds x (base, finetuned)
        QCOMPARE(w.trainingTab()->meanCount(), 2);
        QCOMPARE(w.sparsityTab()->sweepPointCount("pruned"), 1);
        QCOMPARE(w.sparsityTab()->sweepPointCount("finetuned"), 1);
        QCOMPARE(
            w.layersTab()->model()->rowCount(), 6); // the first job's 2 weights x (base, pruned, finetuned), as live
        auto* compare = w.compareTab()->model();
        // Its three rows join the comparison (after any stored runs), with the run's own numbers:
        // the finetuned mean over both seeds.
        const int n = compare->rowCount();
        QVERIFY(n >= 3);
        QCOMPARE(compare->rows()[n - 1][CompareTab::column("stage")].toString(), QString("finetuned"));
        QCOMPARE(compare->rows()[n - 1][CompareTab::column("mean")].toDouble(), ran.summary.back().testMean);
        QCOMPARE(w.lastResult()->rows.size(), ran.rows.size());
        // The Robustness tab reads the whole result: base, pruned and fine-tuned under FGSM.
        QCOMPARE(w.robustnessTab()->summary().lines.size(), size_t { 3 });
        QCOMPARE(w.robustnessTab()->summary().jobs, 2);
        QCOMPARE(w.robustnessTab()->table()->rowCount(), 3);
        // Its report has the charts a watched run has (the weight histogram without its epoch slider).
        const QString html = dir.filePath("report.html");
        QCOMPARE(w.exportReport(html), QString());
        QFile rf(html);
        QVERIFY(rf.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(rf.readAll());
        QVERIFY(text.contains("<td>finegrained</td><td>sparsity=0.5</td><td>finetuned</td>"));
        QVERIFY(text.contains("<h2>Robustness (2 jobs)</h2>"));
        // As a watched run: 2 training + 3 sparsity + a weight histogram per layer (2) + pareto,
        // and the robustness chart of its one perturbation.
        QCOMPARE(text.count("data:image/png;base64,"), 9);
        QVERIFY(text.contains("<figcaption>FGSM</figcaption>"));
        // Its Pareto scatter has this run's three rows, not the stored runs' beside them.
        QVERIFY2(n > 3, "the previous test's run is in the history");
        QCOMPARE(w.compareTab()->reportParetoPoints(), 3);
        QCOMPARE(w.compareTab()->paretoPointCount(), n); // the screen's again
    }

    void historySurvivesANewConnection()
    {
        // The run of the previous test function was stored; a new window opens a new connection.
        MainWindow w;
        auto* compare = w.compareTab()->model();
        QCOMPARE(compare->rowCount(), 3);
        const auto runs = w.history()->runs();
        QCOMPARE(runs.size(), 1);
        const qint64 id = runs.first().id;
        QCOMPARE(compare->rows()[0][0].toLongLong(), id);
        QCOMPARE(w.history()->epochCount(id), 12); // 8 base + 4 fine-tuning epochs
        QCOMPARE(w.history()->layerCount(id), 6);
        const QStringList epochLines = w.history()->epochsCsv(id).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(epochLines.size(), 13);
        QCOMPARE(epochLines[0], QString("seed,fold,method,stage,setting,epoch,loss,train,val,test,val_loss"));
        QVERIFY(epochLines[1].startsWith("0,0,none,base,,1,"));
        QVERIFY(epochLines[12].startsWith("0,0,finegrained,finetuned,sparsity=0.5,4,"));
        QVERIFY(w.history()->configYaml(id).contains("method: finegrained"));
        QVERIFY(w.history()->rename(id, "renamed"));
        QVERIFY(w.history()->setTags(id, "lesson, demo"));
        w.reloadHistory();
        QCOMPARE(compare->rows()[0][1].toString(), QString("renamed"));
        QCOMPARE(compare->rows()[0][2].toString(), QString("lesson, demo"));
        // Selecting rows overlays their validation curves from the history.
        w.compareTab()->view()->selectAll();
        QCOMPARE(w.compareTab()->overlayCount(), 2); // base and finetuned ("pruned" has no curve)
        // ... and the chart says why the third selected row has none.
        QCOMPARE(w.compareTab()->overlayNote(), QString("1 pruned row(s): evaluated once, not trained"));
        QCOMPARE(w.compareTab()->charts()[1]->chart()->title(), QString("Validation curves: 2 of 3 selected rows"));
        auto* note = w.compareTab()->findChild<QLabel*>("overlayNote");
        QVERIFY(note && note->isVisibleTo(w.compareTab()));
        QCOMPARE(note->text(), QString("No curve for 1 pruned row(s): evaluated once, not trained."));
        // The three selected rows are ringed on the Pareto scatter.
        QCOMPARE(w.compareTab()->paretoSelectedCount(), 3);
        // Named by run, setting and stage, in a legend that wraps rather than elides.
        QVERIFY(w.compareTab()->charts()[1]->legendRows() >= 1);
        QCOMPARE(w.history()->validationCurve(id, "none", "base", "").size(), 8);
        QCOMPARE(w.history()->validationCurve(id, "finegrained", "finetuned", "sparsity=0.5").size(), 4);
        QCOMPARE(w.history()->validationCurve(id, "global", "finetuned", "sparsity=0.5").size(), 0);
        w.compareTab()->filterEdit()->setText("finetuned");
        QCOMPARE(w.compareTab()->proxy()->rowCount(), 1);
        QCOMPARE(w.compareTab()->paretoSelectedCount(), 1); // the filter hides two of the three
        QCOMPARE(w.compareTab()->overlayNote(), QString());
        QVERIFY(w.history()->remove(id));
        QVERIFY(!w.history()->remove(id));
        w.reloadHistory();
        QCOMPARE(compare->rowCount(), 0);
    }

    void interruptedRunResumesOnRestart()
    {
        // A run the app did not survive: its journal holds the first of three jobs (here a run
        // cancelled from its sink as job 1 ends, without the controller that would remove it).
        using namespace gsq::core;
        auto config = experiment::parseExperiment(
            "name: interrupted\ntrain:\n  epochs: 6\n  seeds: [0, 1, 2]\n  threads: 1\n", "i.yaml", {});
        session::RunOptions options;
        options.journalPath = SessionController::journalPath().toStdString();
        QDir().mkpath(QFileInfo(SessionController::journalPath()).path());
        results::CancelToken cancel;
        int baseRows = 0;
        std::string stopped;
        try {
            session::Session::run(
                config,
                [&](const results::SessionEvent& e) {
                    if (std::holds_alternative<results::StageFinished>(e) && ++baseRows == 1)
                        cancel.cancel();
                },
                cancel, options);
        } catch (const std::exception& e) {
            stopped = e.what();
        }
        // Said step by step, so a failure names the step (a sanitizer run once read no journal here).
        QVERIFY2(stopped.find("cancelled") != std::string::npos, stopped.c_str());
        QVERIFY2(QFileInfo::exists(SessionController::journalPath()), "the cancelled run left no journal");
        const auto whole = session::Session::run(config, {}, results::CancelToken());

        MainWindow w;
        w.show();
        QVERIFY2(QFileInfo::exists(SessionController::journalPath()), "the journal went before the window read it");
        QCOMPARE(w.interruptedRun(), QString("interrupted: 1 of 3 jobs finished"));
        QSignalSpy done(&w, &MainWindow::runFinished);
        QCOMPARE(w.resumeInterruptedRun(), QString());
        QCOMPARE(w.panel()->config().name, std::string("interrupted"));
        QVERIFY(done.wait(gsq::ui::test::runWait()));
        const auto& rows = w.lastResult()->rows;
        QCOMPARE(rows.size(), size_t(3));
        for (size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i].seed, whole.rows[i].seed);
            QCOMPARE(rows[i].testValue, whole.rows[i].testValue); // bit for bit, read back or retrained
        }
        QVERIFY(!QFile::exists(SessionController::journalPath())); // ended: nothing left to resume
        QCOMPARE(w.interruptedRun(), QString());
    }

    void historySurvivesTheAppKilledMidRun()
    {
        // The desktop app itself, killed (SIGKILL) in the middle of a run: the history database
        // stays consistent (PRAGMA integrity_check), keeps the earlier run, and the run's
        // journal is left for the next start to offer resuming.
        QTemporaryDir d;
        QFile yaml(d.filePath("long.yaml"));
        QVERIFY(yaml.open(QIODevice::WriteOnly));
        yaml.write("name: long\ntrain:\n  epochs: 30\n  seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]\n"
                   "  threads: 1\n");
        yaml.close();
        QFile quick(d.filePath("quick.yaml"));
        QVERIFY(quick.open(QIODevice::WriteOnly));
        quick.write("name: quick\ntrain:\n  epochs: 3\n  seeds: [0]\n  threads: 1\n");
        quick.close();
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("GRAPHSQUEEZE_HISTORY", d.filePath("history.sqlite"));
        env.insert("XDG_DATA_HOME", d.filePath("data")); // journal and models, not the user's
        auto app = [&](const QString& file, bool quit) {
            auto* p = new QProcess(this);
            p->setProcessEnvironment(env);
            QStringList args { "--open", file, "--run" };
            if (quit)
                args << "--quit";
            p->start(QString::fromUtf8(GSQ_UI_TEST_APP), args);
            return p;
        };
        auto* first = app(quick.fileName(), true);
        QVERIFY(first->waitForFinished(gsq::ui::test::runWait()));
        QCOMPARE(first->exitCode(), 0);
        auto* killed = app(yaml.fileName(), false);
        QVERIFY(killed->waitForStarted());
        const QString journal = d.filePath("data/GraphSqueeze/GraphSqueeze/interrupted-run.journal");
        QElapsedTimer waited;
        waited.start();
        auto finished = [&] {
            QFile j(journal);
            return j.open(QIODevice::ReadOnly) ? QString(j.readAll()).count("\nend\t") : 0;
        };
        while (finished() < 2 && waited.elapsed() < 120000)
            QTest::qWait(20);
        ::kill(static_cast<pid_t>(killed->processId()), SIGKILL);
        QVERIFY(killed->waitForFinished());
        QVERIFY(finished() >= 2 && finished() < 16);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "killed");
            db.setDatabaseName(d.filePath("history.sqlite"));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec("PRAGMA integrity_check") && q.next());
            QCOMPARE(q.value(0).toString(), QString("ok"));
            QVERIFY(q.exec("SELECT name FROM runs") && q.next());
            QCOMPARE(q.value(0).toString(), QString("quick"));
        }
        QSqlDatabase::removeDatabase("killed");
    }

    void invalidFieldDisablesRun()
    {
        MainWindow w;
        configure(w, "global", "0.5, 1.5", 5, 5);
        QVERIFY(!w.panel()->isValid());
        QVERIFY(!w.runAction()->isEnabled());
        QCOMPARE(w.panel()->validationMessage(),
            QString("Step 1 (prune · global), Sparsity: expected a number in [0, 1), found 1.5"));
        auto* sparsity = w.panel()->stepEditor()->lineEdit("sparsity");
        QCOMPARE(w.panel()->highlightedField(), static_cast<QWidget*>(sparsity));
        QVERIFY(sparsity->styleSheet().contains("#c0392b"));
        sparsity->setText("0.5, 0.9");
        QVERIFY(w.panel()->isValid());
        QCOMPARE(w.panel()->highlightedField(), static_cast<QWidget*>(nullptr));
        QVERIFY(sparsity->styleSheet().isEmpty());
        QVERIFY(w.runAction()->isEnabled());
    }

    void presetsSayHowLongTheirLastRunTookHere()
    {
        // A stored run named like a preset puts its training time on the preset's entry (its
        // stages' mean seconds per job times their job counts); presets never run say so.
        MainWindow w;
        auto* presets = w.findChild<QMenu*>("presets");
        QVERIFY(presets);
        auto entry = [&](const QString& file) -> QAction* {
            for (QAction* a : presets->actions())
                if (a->text().startsWith(file + " — "))
                    return a;
            return nullptr;
        };
        Q_EMIT presets->aboutToShow();
        QVERIFY(entry("quickstart"));
        QVERIFY(!entry("quickstart")->text().contains("took"));
        QVERIFY(entry("quickstart")->toolTip().endsWith("Not run on this machine yet."));
        gsq::core::results::RunResult r;
        r.config.name = "quickstart";
        gsq::core::results::SummaryRow base, pruned;
        base.trainSecondsMean = 12.5;
        base.n = 10;
        pruned.method = "finegrained";
        pruned.stage = gsq::core::results::Stage::Finetuned;
        pruned.trainSecondsMean = 5;
        pruned.n = 10;
        r.summary = { base, pruned };
        QVERIFY(w.history()->add(r) > 0);
        Q_EMIT presets->aboutToShow();
        QVERIFY2(
            entry("quickstart")->text().endsWith("  · took 2.9 min here"), qPrintable(entry("quickstart")->text()));
        QVERIFY(entry("quickstart")->toolTip().contains("trained for 2.9 min on this machine"));
        QVERIFY(!entry("proteins-gin")->text().contains("took")); // other presets untouched
    }

    void paperPresetsHaveTheirOwnMenu()
    {
        MainWindow w;
        auto* paper = w.findChild<QMenu*>("paperPresets");
        QVERIFY(paper);
        QCOMPARE(paper->title(), QString("Paper (Khedri et al.)"));
        const QStringList files
            = QDir(QString::fromUtf8(GSQ_UI_TEST_EXPERIMENTS) + "/paper").entryList({ "*.yaml" }, QDir::Files);
        QVERIFY(files.size() >= 6);
        QCOMPARE(paper->actions().size(), files.size());
        // Entries say what they run: file name and the first sentence of the file's comment.
        const QString entry = paper->actions().first()->text();
        QVERIFY2(entry.startsWith("bbbp-gcn-finegrained — The paper's BBBP experiment (Khedri et al. 2025, "),
            qPrintable(entry));
        QVERIFY2(entry.endsWith("…") && entry.size() <= QString("bbbp-gcn-finegrained — ").size() + 72,
            qPrintable(entry)); // long first sentences are cut at 72 characters
        QVERIFY(paper->actions().first()->toolTip().contains("GCN 3x128 (ReLU) -> global max pool"));
        paper->actions().first()->trigger(); // opens it in the form
        QCOMPARE(w.panel()->config().name,
            gsq::core::experiment::loadExperiment(
                (QString::fromUtf8(GSQ_UI_TEST_EXPERIMENTS) + "/paper/" + files.first()).toStdString())
                .name);
    }

    void pipelineAndRecipePresetsHaveTheirOwnMenus()
    {
        MainWindow w;
        const QString dir = QString::fromUtf8(GSQ_UI_TEST_EXPERIMENTS);
        for (const auto& [object, folder, count] : { std::tuple { "pipelinePresets", "pipelines", 8 },
                 std::tuple { "recipePresets", "degree-quant-recipes", 2 } }) {
            auto* menu = w.findChild<QMenu*>(object);
            QVERIFY2(menu, object);
            const QStringList files = QDir(dir + "/" + folder).entryList({ "*.yaml" }, QDir::Files);
            QCOMPARE(files.size(), count);
            QCOMPARE(menu->actions().size(), files.size());
        }
        // A pipeline preset opens in the form with its chain: the second step starts from the first.
        auto* pipelines = w.findChild<QMenu*>("pipelinePresets");
        pipelines->actions().first()->trigger();
        const auto& steps = w.panel()->config().steps;
        QVERIFY(steps.size() >= 2);
        QCOMPARE(gsq::core::experiment::nameOf(steps[0]), std::string("pruned"));
        QCOMPARE(gsq::core::experiment::fromOf(steps[1]), std::string("pruned"));
    }

    void wheelScrollsTheFormNotTheFieldUnderThePointer()
    {
        MainWindow w;
        w.resize(1280, 600);
        w.show();
        auto spins = w.panel()->findChildren<QDoubleSpinBox*>();
        QVERIFY(!spins.isEmpty());
        auto* field = spins.first();
        auto* scroll = w.panel()->findChild<QScrollArea*>();
        QVERIFY(scroll);
        QVERIFY(scroll->verticalScrollBar()->maximum() > 0); // the form is taller than the window
        QCOMPARE(field->focusPolicy(), Qt::StrongFocus);
        const double before = field->value();
        const int scrolled = scroll->verticalScrollBar()->value();
        QWheelEvent down(QPointF(5, 5), field->mapToGlobal(QPointF(5, 5)), QPoint(), QPoint(0, -120), Qt::NoButton,
            Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(field, &down);
        QCOMPARE(field->value(), before); // not edited by a passing wheel
        QVERIFY(scroll->verticalScrollBar()->value() > scrolled); // the form scrolled instead
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        field->setFocus();
        QVERIFY(field->hasFocus());
        QApplication::sendEvent(field, &down);
        QVERIFY(field->value() != before); // a focused field still takes the wheel
    }

    void helpListsTheShortcutsOfTheMenus()
    {
        MainWindow w;
        const QString table = w.keyboardShortcuts();
        QVERIFY2(table.contains("<td><b>F5</b></td><td>Run</td>"), qPrintable(table));
        QVERIFY(table.contains("<td><b>F11</b></td><td>Classroom mode</td>"));
        QVERIFY(table.contains("<td><b>Shift+F5</b></td><td>Stop</td>"));
        QVERIFY(table.contains("Open experiment") && table.contains("Quick start"));
    }

    void tableModelPassesTheTester()
    {
        RowTableModel model({ "a", "b" });
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.appendRows({ { 1, "x" }, { 2.5, "y" } });
        model.setRows({ { 3, "z" } });
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, 0), Qt::UserRole).toInt(), 3);
        QCOMPARE(model.toCsv(), QString("a,b\n3,z\n"));
    }

    void formShowsAndEditsEveryStep()
    {
        using namespace gsq::core::experiment;
        MainWindow w;
        const QString path = m_dir.filePath("steps.yaml");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("name: steps\ndataset:\n  name: cora\ntrain:\n  epochs: 5\ncompression:\n"
                "  - prune:\n      method: global\n      sparsity: [0.5]\n"
                "  - quantize:\n      method: qat\n      bits: 4\n      epochs: 2\n"
                "  - quantize:\n      method: ptq\n      bits: 8\n");
        f.close();
        QCOMPARE(w.openExperiment(path, false), QString());
        auto* p = w.panel();
        QCOMPARE(p->stepList()->count(), 3);
        QCOMPARE(p->stepList()->item(1)->text(), QString("2. quantize · qat · bits=4 · 2 epochs"));
        QCOMPARE(p->stepEditor()->methodCombo()->currentText(), QString("global"));
        p->selectStep(1);
        QCOMPARE(p->stepEditor()->methodCombo()->currentText(), QString("qat"));
        QCOMPARE(p->stepEditor()->spinBox("bits")->value(), 4);
        p->stepEditor()->spinBox("bits")->setValue(3); // edits the selected step only
        // The training's own values are said in words, not as -1.
        QCOMPARE(p->stepEditor()->spinBox("lr_step_size")->text(), QString("same as training"));
        auto* decay = qobject_cast<QLineEdit*>(p->stepEditor()->field("weight_decay"));
        QVERIFY(decay);
        QCOMPARE(decay->text(), QString());
        QCOMPARE(decay->placeholderText(), QString("same as training"));
        QCOMPARE(std::get<QuantSpec>(p->config().steps[1]).weightDecay, -1.0);
        QCOMPARE(std::get<QuantSpec>(p->config().steps[1]).lrStepSize, -1);
        auto steps = p->config().steps;
        QCOMPARE(steps.size(), size_t(3));
        QCOMPARE(std::get<QuantSpec>(steps[1]).bits, 3);
        QCOMPARE(std::get<QuantSpec>(steps[2]).method, std::string("ptq"));
        QCOMPARE(std::get<QuantSpec>(steps[2]).bits, 8);
        p->moveStep(2, 0); // ptq, global, qat
        QCOMPARE(std::get<QuantSpec>(p->config().steps[0]).method, std::string("ptq"));
        QCOMPARE(std::get<PruneSpec>(p->config().steps[1]).method, std::string("global"));
        p->removeStep(1); // the global prune step
        QCOMPARE(p->config().steps.size(), size_t(2));
        QCOMPARE(std::get<QuantSpec>(p->config().steps[1]).bits, 3);
        // An analyze step offers exactly its own keys.
        p->addStep(StepKind::Analyze, "sensitivity");
        QVERIFY(p->stepEditor()->field("sparsity"));
        QVERIFY(p->stepEditor()->field("targets"));
        QVERIFY(!p->stepEditor()->field("finetune_epochs"));
        QCOMPARE(p->config().steps.size(), size_t(3));
        // The robustness analysis: its perturbations, each a list of strengths.
        p->stepEditor()->methodCombo()->setCurrentText("robustness");
        QVERIFY(p->stepEditor()->field("pgd") && p->stepEditor()->field("edge_removal"));
        QVERIFY(!p->stepEditor()->field("sparsity"));
        QVERIFY2(p->isValid(), qPrintable(p->validationMessage()));
        QCOMPARE(
            std::get<gsq::core::experiment::AnalyzeSpec>(p->config().steps.back()).perturbations.size(), size_t(6));
    }

    void gradualScheduleShowsSparsityRising()
    {
        MainWindow w;
        w.show();
        configure(w, "finegrained", "0.8", 5, 10);
        w.panel()->stepEditor()->comboBox("schedule")->setCurrentText("agp");
        QVERIFY(w.panel()->isValid());
        QSignalSpy done(&w, &MainWindow::runFinished);
        w.run();
        QVERIFY(done.wait(gsq::ui::test::runWait()));
        const auto steps = w.sparsityTab()->globalSchedule();
        QVERIFY2(steps.size() >= 3, QByteArray::number(steps.size()).constData());
        for (int i = 1; i < steps.size(); ++i)
            QVERIFY(steps[i].y() >= steps[i - 1].y()); // the cubic schedule only rises
        QVERIFY(std::abs(steps.back().y() - 80.0) < 0.1);
        QVERIFY(steps.front().y() < 80.0);
        // The model and each layer in its own colour.
        const auto colors = w.sparsityTab()->scheduleColors();
        QCOMPARE(colors.size(), 3); // all layers, conv0, conv1
        QCOMPARE(QSet<QRgb>({ colors[0].rgb(), colors[1].rgb(), colors[2].rgb() }).size(), 3);
    }

    void olderHistoryDatabasesAreMigrated()
    {
        const QString path = m_dir.filePath("old-history.sqlite");
        {
            // The schema before quantization: no bits columns in summary, no macs in layers.
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "old");
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(
                "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, tags TEXT NOT NULL "
                "DEFAULT '', created TEXT NOT NULL, config_yaml TEXT NOT NULL, total_seconds REAL)"));
            QVERIFY(
                q.exec("CREATE TABLE summary (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
                       "experiment TEXT, dataset TEXT, task TEXT, model TEXT, method TEXT, setting TEXT, stage TEXT, "
                       "metric TEXT, mean REAL, std REAL, n INTEGER, nonzero REAL, total INTEGER, theoretical REAL, "
                       "dense INTEGER, disk REAL, latency REAL, latency_kind TEXT, target_sparsity REAL)"));
            QVERIFY(q.exec("CREATE TABLE layers (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
                           "method TEXT, setting TEXT, stage TEXT, seed INTEGER, fold INTEGER, layer TEXT, shape TEXT, "
                           "params INTEGER, nnz INTEGER, bits INTEGER, disk_bytes INTEGER, hist_lo REAL, hist_hi REAL, "
                           "hist TEXT)"));
            QVERIFY(
                q.exec("CREATE TABLE epochs (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
                       "seed INTEGER, fold INTEGER, stage TEXT, setting TEXT, epoch INTEGER, loss REAL, train REAL, "
                       "val REAL, test REAL, val_loss REAL)"));
            QVERIFY(
                q.exec("INSERT INTO runs (name, created, config_yaml) VALUES ('old run', '2026-11-01', 'name: old')"));
            QVERIFY(q.exec("INSERT INTO epochs VALUES (1, 0, 0, 'base', '', 1, 0.9, 0.5, 0.6, 0.55, 1.0)"));
            QVERIFY(q.exec("INSERT INTO summary (run_id, method, setting, stage, metric, mean, n, nonzero, disk) "
                           "VALUES (1, 'none', '', 'base', 'accuracy', 0.8, 1, 23063, 93000)"));
        }
        QSqlDatabase::removeDatabase("old");
        RunHistory history(path);
        QVERIFY2(history.isOpen(), qPrintable(history.lastError()));
        auto runs = history.runs();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].summary.at(0).bitsMean, 32.0); // the default for runs stored before
        QCOMPARE(runs[0].summary.at(0).nonzeroParamsMean, 23063.0); // renamed columns keep their values
        QCOMPARE(runs[0].summary.at(0).sizeDiskBytesMean, 93000.0);
        QCOMPARE(runs[0].summary.at(0).testMean, 0.8);
        QVERIFY(std::isnan(runs[0].summary.at(0).deployedMean)); // not measured then
        gsq::core::results::RunResult r;
        r.config.name = "new";
        gsq::core::results::SummaryRow s;
        s.method = "qat";
        s.stage = gsq::core::results::Stage::Quantized;
        s.bitsMean = 4;
        r.summary.push_back(s);
        gsq::core::results::LayerRow l;
        l.layer = "stack.conv0.weight";
        l.macs = 123;
        l.histCounts = { 1, 2, 3 };
        r.layers.push_back(l);
        // Two methods with the same setting label keep their own curves.
        for (auto [method, val] : { std::pair<const char*, double> { "qat", 0.5 }, { "degree_quant", 0.9 } }) {
            gsq::core::results::JobHistory h { 0, 0, gsq::core::results::Stage::Qat, {}, "bits=4", method };
            h.epochs.push_back({ 1, 0.3, 0.7, val, 0.6, 0.4, 0.001, 0.01 });
            r.histories.push_back(h);
        }
        const qint64 id = history.add(r);
        QVERIFY2(id > 0, qPrintable(history.lastError()));
        QCOMPARE(history.runs().back().summary.at(0).bitsMean, 4.0);
        QCOMPARE(history.validationCurve(1, "none", "base", ""), (QVector<QPointF> { { 1, 0.6 } })); // migrated epochs
        QCOMPARE(history.validationCurve(id, "qat", "qat", "bits=4"), (QVector<QPointF> { { 1, 0.5 } }));
        QCOMPARE(history.validationCurve(id, "degree_quant", "qat", "bits=4"), (QVector<QPointF> { { 1, 0.9 } }));
        QCOMPARE(history.layerHistogram(id, "", "", "base", "stack.conv0.weight").histCounts,
            (std::vector<int64_t> { 1, 2, 3 }));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(MainWindowTest)
#include "MainWindowTest.moc"
