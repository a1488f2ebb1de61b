// Tests the main window's run controls and how it keeps problems in view: pause, step and stop;
// Step while idle (the menu's and classroom mode's big button); a dataset path checked as one
// types, the form's problem in the status line, an input failure's banner until the next edit.
#include "MainWindowTestSupport.h"
#include "ui/MainWindow.h"

#include "ui/panels/ExperimentPanel.h"
#include "ui/session/SessionController.h"
#include "ui/tabs/TrainingTab.h"
#include "ui/window/ClassroomBar.h"
#include "ui/window/FileDialogs.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace gsq::ui;
using gsq::ui::test::configure;

class RunControlTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        gsq::ui::test::isolateApp(m_dir, "GraphSqueezeRunControlTest");
    }

    void saveDialogsStartInTheFolderUsedLast()
    {
        // Before any save, a bare name (the working directory); then the last folder, for every
        // save dialog (experiments, exports, charts), also after a restart (QSettings).
        QCOMPARE(files::suggestedPath("comparison.csv"), QString("comparison.csv"));
        const QString sub = m_dir.filePath("results");
        QVERIFY(QDir().mkpath(sub));
        files::rememberFolder(sub + "/report.html");
        QCOMPARE(files::suggestedPath("comparison.csv"), sub + "/comparison.csv");
        files::rememberFolder(m_dir.path()); // a directory (Export all charts) is the folder itself
        QCOMPARE(files::suggestedPath("a.png"), m_dir.filePath("a.png"));
        QCOMPARE(files::wroteMessage(sub + "/report.html"), QString("Wrote report.html (in %1)").arg(sub));
        QVERIFY(QDir(sub).removeRecursively());
        QCOMPARE(files::suggestedPath("x.csv"), m_dir.filePath("x.csv")); // still there
        files::rememberFolder(sub + "/gone.csv"); // a folder since removed: back to the bare name
        QCOMPARE(files::suggestedPath("x.csv"), QString("x.csv"));
    }

    void pauseStepAndStop()
    {
        MainWindow w;
        configure(w, "none", "0.5", 5000, 0);
        QSignalSpy failed(&w, &MainWindow::runFailed);
        w.run();
        QTRY_VERIFY_WITH_TIMEOUT(w.trainingTab()->basePointCount(0) >= 3, 30000);
        w.controller()->pause();
        QTest::qWait(400);
        const int paused = w.trainingTab()->basePointCount(0);
        QTest::qWait(300);
        QCOMPARE(w.trainingTab()->basePointCount(0), paused);
        w.controller()->step();
        QTRY_COMPARE_WITH_TIMEOUT(w.trainingTab()->basePointCount(0), paused + 1, 5000);
        QTest::qWait(300);
        QCOMPARE(w.trainingTab()->basePointCount(0), paused + 1);
        w.stopAction()->trigger();
        QVERIFY(failed.wait(10000) || failed.count() == 1);
        QCOMPARE(failed.first().first().toString(), QString("cancelled by the user"));
        QVERIFY(!w.controller()->isRunning());
        QVERIFY(w.runAction()->isEnabled());
        QVERIFY(w.statusText().startsWith("Stopped."));
    }

    void stepWhileIdleStartsPausedAfterOneEpoch()
    {
        MainWindow w;
        configure(w, "none", "0.5", 5000, 0);
        QVERIFY(w.stepAction()->isEnabled()); // idle, valid form: Step starts the run
        QSignalSpy failed(&w, &MainWindow::runFailed);
        w.stepAction()->trigger();
        QVERIFY(w.controller()->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(w.trainingTab()->basePointCount(0), 1, 30000);
        QTest::qWait(400);
        QCOMPARE(w.trainingTab()->basePointCount(0), 1); // one epoch, then paused
        QVERIFY(w.controller()->isPaused());
        QVERIFY(w.trainingTab()->basePointsMarked(0)); // a lone point is drawn as a marker
        w.stepAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.trainingTab()->basePointCount(0), 2, 5000);
        QVERIFY(!w.trainingTab()->basePointsMarked(0)); // two points: a line
        w.stopAction()->trigger();
        QVERIFY(failed.wait(10000) || failed.count() == 1);
        QVERIFY(!w.controller()->isRunning());
    }

    void inputProblemsStayInViewUntilFixed()
    {
        // A path that does not exist is named in the status line while idle (it said "Ready");
        // a run that fails on its input keeps its banner only until the form is edited.
        MainWindow w;
        auto* p = w.panel();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkpath("BAD"));
        auto put = [&](const QString& name, const QByteArray& text) {
            QFile f(dir.filePath("BAD/" + name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        put("BAD_A.txt", "1, 2\n2, 1\n");
        put("BAD_graph_indicator.txt", "1\n1\n");
        put("BAD_graph_labels.txt", "x\n"); // not a label
        p->datasetCombo()->setCurrentText("tu");
        p->pathEdit()->setText(dir.filePath("nothing"));
        QVERIFY(!w.runAction()->isEnabled());
        QVERIFY2(w.statusText().startsWith("Cannot run: Path: " + dir.filePath("nothing") + " does not exist"),
            qPrintable(w.statusText()));
        p->pathEdit()->setText(dir.filePath("BAD"));
        p->epochsSpin()->setValue(2);
        QVERIFY2(p->isValid(), qPrintable(p->validationMessage()));
        QCOMPARE(w.statusText(), QString("Ready"));
        QSignalSpy failed(&w, &MainWindow::runFailed);
        w.run();
        QVERIFY(failed.wait(gsq::ui::test::runWait()));
        QVERIFY2(
            w.bannerText().contains("BAD_graph_labels.txt") && w.bannerText().endsWith("fix the input and run again."),
            qPrintable(w.bannerText() + " | " + w.statusText() + " | " + failed.first().at(0).toString()));
        p->tuNameEdit()->setText("BAD"); // an edit: the form checks from here on
        QCOMPARE(w.bannerText(), QString());
        // An experiment file whose path is missing says so in the status line when opened.
        QFile yaml(dir.filePath("missing.yaml"));
        QVERIFY(yaml.open(QIODevice::WriteOnly));
        yaml.write(("name: missing\ndataset:\n  name: tu\n  path: " + dir.filePath("nothing") + "\n").toUtf8());
        yaml.close();
        QCOMPARE(w.openExperiment(dir.filePath("missing.yaml"), false), QString());
        QVERIFY2(w.statusText().startsWith("Cannot run: Path: "), qPrintable(w.statusText()));
    }

    void bigStepButtonStartsAnIdleRun()
    {
        // Classroom mode's "▶| Step" did nothing unless a run was already paused; it now steps
        // from any state, as Run → Step one epoch does: idle, it starts the run paused after one
        // epoch.
        MainWindow w;
        configure(w, "none", "0.5", 5000, 0);
        w.setClassroomMode(true, false);
        QPushButton* big = nullptr;
        for (auto* b : w.findChild<ClassroomBar*>()->findChildren<QPushButton*>())
            if (b->text().contains("Step"))
                big = b;
        QVERIFY(big);
        QSignalSpy failed(&w, &MainWindow::runFailed);
        big->click();
        QVERIFY(w.controller()->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(w.trainingTab()->basePointCount(0), 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(w.controller()->isPaused(), 5000);
        big->click();
        QTRY_COMPARE_WITH_TIMEOUT(w.trainingTab()->basePointCount(0), 2, 5000);
        w.stopAction()->trigger();
        QVERIFY(failed.wait(10000) || failed.count() == 1);
        w.setClassroomMode(false, false);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(RunControlTest)
#include "RunControlTest.moc"
