// Classroom mode and lessons: "Prune 10 % more" grows the lesson's run, loading a lesson resets
// the views.
#include "MainWindowTestSupport.h"
#include "ui/MainWindow.h"

#include "core/experiment/ConfigYaml.h"
#include "core/results/RunResult.h"
#include "core/session/Session.h"
#include "ui/charts/ChartView.h"
#include "ui/history/RunHistory.h"
#include "ui/models/RowTableModel.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/session/SessionController.h"
#include "ui/tabs/LayersTab.h"
#include "ui/tabs/RobustnessTab.h"
#include "ui/tabs/SparsityTab.h"
#include "ui/tabs/TrainingTab.h"
#include "ui/tabs/WeightsTab.h"
#include "ui/window/LessonPanel.h"
#include <QApplication>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStyle>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLegend>
#include <QtTest>

using namespace gsq::ui;
using gsq::ui::test::configure;

namespace {
/// Everything the theme and classroom toggles touch, as text (a failing QCOMPARE shows the line).
QStringList looks(MainWindow& w)
{
    QStringList out;
    out << "style " + QApplication::style()->name() << "font " + QApplication::font().toString();
    const QPalette p = QApplication::palette();
    for (int g = 0; g < QPalette::NColorGroups; ++g)
        for (int r = 0; r < QPalette::NColorRoles; ++r)
            out << QString("palette %1/%2 %3")
                       .arg(g)
                       .arg(r)
                       .arg(p.color(QPalette::ColorGroup(g), QPalette::ColorRole(r)).name(QColor::HexArgb));
    for (auto* b : w.findChildren<QPushButton*>())
        out << "button " + b->text() + " " + b->font().toString() + " " + b->palette().color(QPalette::Button).name();
    for (auto* v : w.findChildren<ChartView*>()) {
        const auto* c = v->chart();
        QString line = c->title() + QString(" theme %1 ").arg(int(c->theme())) + c->titleFont().toString() + " legend "
            + c->legend()->font().toString() + " bg " + c->backgroundBrush().color().name();
        for (const auto* a : c->axes())
            line += " axis " + a->labelsFont().toString() + "/" + a->titleFont().toString();
        out << line;
    }
    for (auto* hint : w.findChildren<QLabel*>("chartHint"))
        out << "hint " + hint->styleSheet();
    return out;
}
} // namespace

class ClassroomTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        gsq::ui::test::isolateApp(m_dir, "GraphSqueezeClassroomTest");
    }

    void classroomModePrunesTenPercentMore()
    {
        MainWindow w;
        w.show();
        configure(w, "none", "0.5", 10, 0);
        w.setClassroomMode(true);
        QVERIFY(w.isClassroomMode());
        QVERIFY(w.panel()->epochsSpin()->isVisibleTo(&w));
        QSignalSpy done(&w, &MainWindow::runFinished);
        w.pruneTenPercentMore(); // no prune step: a fine-grained one is added, the run starts afresh
        QVERIFY(done.wait(gsq::ui::test::runWait()));
        QCOMPARE(w.panel()->stepEditor()->lineEdit("sparsity")->text(), QString("0.1"));
        QCOMPARE(w.panel()->stepEditor()->methodCombo()->currentText(), QString("finegrained"));
        QVERIFY(!w.panel()->stepEditor()->field("schedule")->isVisibleTo(&w)); // advanced fields hidden
        QCOMPARE(w.currentView(), static_cast<QWidget*>(w.weightsTab()));
        QCOMPARE(w.weightsTab()->stageCount(), 3);
        // conv0 after fine-tuning keeps round(0.9 * 22928) weights.
        QCOMPARE(w.layersTab()->model()->rows()[2][7].toLongLong(), 20635);
        w.setClassroomMode(false);
        QVERIFY(w.panel()->stepEditor()->field("schedule")->isVisibleTo(&w));
    }

    void pruneTenPercentMoreAddsSettingsToTheLesson()
    {
        MainWindow w;
        w.show();
        QCOMPARE(
            w.openExperiment(GSQ_UI_TEST_EXPERIMENTS "/classroom/lesson1-what-pruning-does.yaml", false), QString());
        w.setClassroomMode(true);
        QSignalSpy done(&w, &MainWindow::runFinished);
        w.run();
        QVERIFY(done.wait(gsq::ui::test::runWait()));
        const double baseSeconds = w.lastResult()->rows.front().trainSeconds;
        for (int press = 1; press <= 3; ++press) {
            w.pruneTenPercentMore();
            QVERIFY(done.wait(gsq::ui::test::runWait()));
        }
        QCOMPARE(w.panel()->stepEditor()->lineEdit("sparsity")->text(), QString("0.1, 0.2, 0.3"));
        QCOMPARE(w.panel()->stepEditor()->methodCombo()->currentText(), QString("finegrained"));
        // Three settings on the Sparsity tab, one base: the lesson's run grew, nothing was replaced.
        QCOMPARE(w.sparsityTab()->sweepPointCount("pruned"), 3);
        QCOMPARE(w.sparsityTab()->sweepPointCount("finetuned"), 3);
        QCOMPARE(w.trainingTab()->basePointCount(0), 100);
        // Each setting's curve has its own shade (sparser: darker), and the legend lists them all:
        // base, three fine-tuning curves, the end of base training.
        const QColor c1 = w.trainingTab()->curveColor("seed 0 finetuned finegrained sparsity=0.1");
        const QColor c3 = w.trainingTab()->curveColor("seed 0 finetuned finegrained sparsity=0.3");
        QVERIFY(c1.isValid() && c3.isValid());
        QVERIFY2(c3.lightness() < c1.lightness(), qPrintable(c1.name() + " " + c3.name()));
        QCOMPARE(w.trainingTab()->legendEntryCount(), 5);
        const auto result = w.lastResult();
        QCOMPARE(result->rows.size(), size_t(7)); // base + 3 x (pruned, fine-tuned)
        QCOMPARE(result->rows.front().trainSeconds, baseSeconds); // the base was trained once
        QVERIFY(w.statusText().contains("finegrained sparsity=0.3"));
        // Each press reports its own time (it said "Finished in" the sum of all presses), and a
        // single run its value without a "± 0.0000".
        QVERIFY2(w.statusText().startsWith("Setting added in "), qPrintable(w.statusText()));
        QVERIFY2(
            w.statusText().contains("accuracy") && w.statusText().contains(" (1 run)") && !w.statusText().contains("±"),
            qPrintable(w.statusText()));
        // The rows equal one run of the final experiment (timing aside).
        gsq::core::results::CancelToken cancel;
        const auto fresh = gsq::core::session::Session::run(w.panel()->config(), {}, cancel);
        QCOMPARE(fresh.rows.size(), result->rows.size());
        for (size_t i = 0; i < fresh.rows.size(); ++i) {
            const auto &a = fresh.rows[i], &b = result->rows[i];
            QCOMPARE(b.method + " " + b.setting + " " + gsq::core::results::stageName(b.stage),
                a.method + " " + a.setting + " " + gsq::core::results::stageName(a.stage));
            QVERIFY2(b.testValue == a.testValue,
                qPrintable(QString("row %1: %2 vs %3").arg(i).arg(b.testValue).arg(a.testValue)));
            QCOMPARE(b.nonzeroParams, a.nonzeroParams);
        }
        // One history entry for the lesson, holding every setting.
        int entries = 0;
        for (const auto& run : w.history()->runs())
            entries += run.name == "lesson1-what-pruning-does";
        QCOMPARE(entries, 1);
        w.setClassroomMode(false); // the mode is a saved setting
    }

    void attackHarderGrowsTheLessonsPgdBudgets()
    {
        MainWindow w;
        w.show();
        // Without a robustness step there is nothing to strengthen: said, nothing runs.
        QCOMPARE(
            w.openExperiment(GSQ_UI_TEST_EXPERIMENTS "/classroom/lesson1-what-pruning-does.yaml", false), QString());
        const std::string before = gsq::core::experiment::toYaml(w.panel()->config());
        w.attackHarder();
        QVERIFY(!w.controller()->isRunning());
        QCOMPARE(gsq::core::experiment::toYaml(w.panel()->config()), before);
        QVERIFY(w.bannerText().contains("no attack to strengthen"));

        QCOMPARE(w.openExperiment(GSQ_UI_TEST_EXPERIMENTS "/classroom/lesson4-attack.yaml", false), QString());
        w.setClassroomMode(true);
        auto* attack = w.findChild<QPushButton*>("attackHarder");
        QVERIFY(attack && attack->isVisibleTo(&w));
        QSignalSpy done(&w, &MainWindow::runFinished);
        w.run();
        QVERIFY(done.wait(gsq::ui::test::runWait()));
        const auto first = w.robustnessTab()->summary();
        QCOMPARE(first.lines.size(), size_t { 3 }); // base, pruned, fine-tuned under PGD 0.02
        QCOMPARE(first.lines.front().strength, 0.02);
        const auto firstRows = w.lastResult()->robustness;
        const std::vector<std::vector<double>> grown { { 0.02, 0.05 }, { 0.02, 0.05, 0.1 } };
        for (const auto& budgets : grown) {
            attack->click();
            QVERIFY(done.wait(gsq::ui::test::runWait()));
            const auto config = w.panel()->config();
            const auto& step = std::get<gsq::core::experiment::AnalyzeSpec>(config.steps.at(1));
            QCOMPARE(step.perturbations.at("pgd"), budgets);
        }
        QCOMPARE(w.currentView(), static_cast<QWidget*>(w.robustnessTab()));
        const auto& rows = w.lastResult()->robustness;
        QCOMPARE(rows.size(), size_t { 3 * 4 }); // three models at 0, 0.02, 0.05 and 0.1
        QCOMPARE(w.robustnessTab()->summary().lines.front().strength, 0.1);
        // The same seed trains the same models: the points of the first run did not move.
        for (const auto& r : firstRows) {
            const auto same = std::find_if(rows.begin(), rows.end(), [&](const auto& x) {
                return x.stage == r.stage && x.strength == r.strength && x.perturbation == r.perturbation;
            });
            QVERIFY(same != rows.end());
            QCOMPARE(same->value, r.value);
        }
        // "Prune 10 % more" runs the new setting alone from the trained base; its models are
        // attacked too (the analysis runs with it), and the base's rows are not repeated.
        w.pruneTenPercentMore();
        QVERIFY(done.wait(gsq::ui::test::runWait()));
        QVERIFY2(w.statusText().startsWith("Setting added in "), qPrintable(w.statusText()));
        const auto& stages = w.robustnessTab()->summary().stages;
        QVERIFY(std::find(stages.begin(), stages.end(), "global sparsity=0.99 (finetuned)") != stages.end());
        QCOMPARE(w.lastResult()->robustness.size(), size_t { 5 * 4 }); // two more models at 4 strengths
        w.setClassroomMode(false); // the mode is a saved setting
    }

    void loadingALessonClearsTheViews()
    {
        MainWindow w;
        QCOMPARE(
            w.openExperiment(GSQ_UI_TEST_EXPERIMENTS "/classroom/lesson1-what-pruning-does.yaml", false), QString());
        QSignalSpy done(&w, &MainWindow::runFinished);
        w.run();
        QVERIFY(done.wait(gsq::ui::test::runWait()));
        QCOMPARE(w.trainingTab()->basePointCount(0), 100);
        QVERIFY(w.lastResult());
        QCOMPARE(w.openExperiment(GSQ_UI_TEST_EXPERIMENTS "/classroom/lesson2-global-vs-finegrained.yaml", false),
            QString());
        QCOMPARE(w.trainingTab()->basePointCount(0), 0);
        QCOMPARE(w.sparsityTab()->sweepPointCount("finetuned"), 0);
        QCOMPARE(w.weightsTab()->stageCount(), 0);
        QVERIFY(!w.lastResult());
        QCOMPARE(w.statusText(), QString("Ready"));
    }

    void firstScreenWelcomesAndLinksToALesson()
    {
        MainWindow w;
        w.show();
        QVERIFY(w.lessonPanel()->isVisible());
        QCOMPARE(w.lessonPanel()->title(), QString("Welcome to GraphSqueeze"));
        QVERIFY(w.lessonPanel()->text().contains("(preset:classroom/lesson1-what-pruning-does.yaml)"));
        w.lessonPanel()->activateLink("preset:classroom/lesson1-what-pruning-does.yaml");
        QCOMPARE(w.panel()->config().name, std::string("lesson1-what-pruning-does"));
        QVERIFY(w.isClassroomMode());
        QCOMPARE(w.lessonPanel()->title(), QString("Lesson 1 — what pruning does"));
        QVERIFY(w.lessonPanel()->text().startsWith("**Goal:**"));
        // Every preset the welcome text links to exists.
        const QRegularExpression link(R"(\(preset:([^)]+)\))");
        auto it = link.globalMatch(LessonPanel::welcomeText());
        int links = 0;
        while (it.hasNext()) {
            const QString file = it.next().captured(1);
            QVERIFY2(QFileInfo::exists(GSQ_UI_TEST_EXPERIMENTS "/" + file), qPrintable(file));
            ++links;
        }
        QCOMPARE(links, 3);
        w.setClassroomMode(false);
    }

    void themeAndClassroomTogglesRestoreFontsAndPalette()
    {
        MainWindow w;
        w.show();
        const QStringList before = looks(w);
        const auto* title = w.findChildren<ChartView*>().first();
        const double titleSize = title->chart()->titleFont().pointSizeF();
        w.setClassroomMode(true);
        QCOMPARE(title->chart()->titleFont().pointSizeF(), titleSize * 1.4);
        w.setDarkTheme(true); // a new chart theme keeps classroom mode's chart text
        QCOMPARE(title->chart()->theme(), QChart::ChartThemeDark);
        QCOMPARE(title->chart()->titleFont().pointSizeF(), titleSize * 1.4);
        w.setClassroomMode(false);
        QCOMPARE(title->chart()->titleFont().pointSizeF(), titleSize);
        w.setDarkTheme(false);
        QCOMPARE(looks(w), before);
        // The other order.
        w.setDarkTheme(true);
        w.setClassroomMode(true);
        w.setDarkTheme(false);
        w.setClassroomMode(false);
        QCOMPARE(looks(w), before);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(ClassroomTest)
#include "ClassroomTest.moc"
