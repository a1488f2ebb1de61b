// Tests ui/tabs/RobustnessTab and the report's robustness section: a finished run's robustness
// rows become one curve per stage for the chosen perturbation and a table of extra drops with
// their intervals (the numbers of core/results/RobustnessSummary); a run without them shows the
// hint; rows without the base are named, not drawn.
#include "ui/tabs/RobustnessTab.h"
#include "ui/report/RunReport.h"

#include "ui/charts/ChartView.h"

#include <QFile>
#include <QLabel>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtTest>

using namespace gsq::ui;
using namespace gsq::core::results;

namespace {

RobustnessRow row(const std::string& lineage, Stage stage, int64_t seed, const std::string& perturbation,
    double strength, double value)
{
    RobustnessRow r;
    r.method = lineage.empty() ? "none" : "global";
    r.lineage = lineage;
    r.stage = stage;
    r.seed = seed;
    r.perturbation = perturbation;
    r.strength = strength;
    r.unit = perturbation == "fgsm" ? "feature std" : "fraction of edges";
    r.metric = "accuracy";
    r.value = value;
    return r;
}

/// Two seeds, the base and a pruned stage; FGSM at 0, 0.05, 0.1 and edge removal at 0, 0.5.
/// Under FGSM 0.1 the base drops 0.40 and the stage 0.20 (seed 0) and 0.10 (seed 1): extra drops
/// +0.20 and +0.30, mean +0.25, sd 0.0707, t(0.975, 1) = 12.706 -> half-width 0.635. Under edge
/// removal 0.5 the base drops 0.05 and the stage 0.10 in both seeds: extra drop -0.05, no spread.
RunResult result()
{
    RunResult r;
    const std::string pruned = "global sparsity=0.9";
    for (int64_t seed = 0; seed < 2; ++seed) {
        for (double s : { 0.0, 0.05, 0.1 }) {
            r.robustness.push_back(row("", Stage::Base, seed, "fgsm", s, 0.8 - 4 * s));
            r.robustness.push_back(row(pruned, Stage::Finetuned, seed, "fgsm", s, 0.78 - (seed == 0 ? 2 : 1) * s));
        }
        for (double s : { 0.0, 0.5 }) {
            r.robustness.push_back(row("", Stage::Base, seed, "edge_removal", s, 0.8 - 0.1 * s));
            r.robustness.push_back(row(pruned, Stage::Finetuned, seed, "edge_removal", s, 0.78 - 0.2 * s));
        }
    }
    return r;
}

} // namespace

class RobustnessTabTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tableShowsTheExtraDropWithItsInterval()
    {
        RobustnessTab tab;
        tab.showResult(result());
        auto* t = tab.table();
        QVERIFY(t->isVisibleTo(&tab));
        QCOMPARE(t->rowCount(), 2);
        QCOMPARE(t->columnCount(), 4); // stage, FGSM, edges removed, score
        QCOMPARE(t->horizontalHeaderItem(1)->text(), QString("FGSM (0.1)"));
        QCOMPARE(t->horizontalHeaderItem(2)->text(), QString("edges removed (0.5)"));
        QCOMPARE(t->item(0, 0)->text(), QString("base (base)"));
        QCOMPARE(t->item(1, 0)->text(), QString("global sparsity=0.9 (finetuned)"));
        QCOMPARE(t->item(0, 1)->text(), QString("40.00 % (drop -40.00)"));
        QCOMPARE(t->item(1, 1)->text(), QString("+25.00 [-38.53, +88.53]"));
        QCOMPARE(t->item(1, 2)->text(), QString("-5.00 [-5.00, -5.00]"));
        QVERIFY(!t->item(1, 1)->font().bold()); // Holm p far from 0.05
    }

    void oneChartPerPerturbationWithOneCurvePerStage()
    {
        RobustnessTab tab;
        tab.showResult(result());
        QCOMPARE(tab.charts().size(), 2);
        QVERIFY(!tab.placeholder()->isVisibleTo(&tab));
        auto linesOf = [](ChartView* view) {
            QList<QLineSeries*> lines;
            for (auto* s : view->chart()->series())
                if (s->type() == QAbstractSeries::SeriesTypeLine)
                    lines << static_cast<QLineSeries*>(s);
            return lines;
        };
        auto* fgsm = tab.chartOf("fgsm");
        QVERIFY(fgsm);
        QCOMPARE(tab.charts().first(), fgsm); // in the analysis' order
        QCOMPARE(fgsm->chart()->title(), QString("FGSM"));
        const auto lines = linesOf(fgsm);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0]->name(), QString("base (dense)"));
        QCOMPARE(lines[0]->count(), 3);
        QVERIFY(std::abs(lines[0]->at(2).y() - 40.0) < 1e-9); // 0.8 - 0.4, in %
        QVERIFY(std::abs(lines[1]->at(2).y() - 63.0) < 1e-9); // mean of 0.58 and 0.68
        // The same colour per stage in every chart, named once in the legend above them.
        auto* edges = tab.chartOf("edge_removal");
        QCOMPARE(linesOf(edges)[1]->pen().color(), lines[1]->pen().color());
        QCOMPARE(linesOf(edges)[0]->count() + linesOf(edges)[1]->count(), 4);
        QVERIFY(!fgsm->chart()->legend()->isVisible());
        QVERIFY(tab.legend()->text().contains("global sparsity=0.9 (finetuned)"));
        QVERIFY(tab.legend()->text().contains(lines[1]->pen().color().name()));
        // The report's copy carries the legend.
        QList<bool> legends;
        tab.forEachReportChart([&](ChartView* c) { legends << c->chart()->legend()->isVisible(); });
        QCOMPARE(legends, (QList<bool> { true, true }));
        QVERIFY(!fgsm->chart()->legend()->isVisible());
    }

    void withoutAnalysisTheTabSaysHowToGetOne()
    {
        RobustnessTab tab;
        tab.showResult(result());
        tab.showResult(RunResult {});
        QVERIFY(tab.summary().lines.empty());
        QVERIFY(!tab.table()->isVisibleTo(&tab));
        QCOMPARE(tab.charts(), QList<ChartView*> { tab.placeholder() });
        QVERIFY(tab.placeholder()->chart()->title().contains("analyze: {method: robustness}"));
        QVERIFY(tab.legend()->text().isEmpty());
    }

    void rowsWithoutTheBaseAreNamedNotDrawn()
    {
        auto r = result();
        r.robustness.erase(std::remove_if(r.robustness.begin(), r.robustness.end(),
                               [](const RobustnessRow& x) { return x.stage == Stage::Base; }),
            r.robustness.end());
        RobustnessTab tab;
        tab.showResult(r);
        QVERIFY(
            tab.placeholder()->chart()->title().startsWith("Robustness — not shown: robustness rows without the base"));
        QVERIFY(!tab.table()->isVisibleTo(&tab));
    }

    void reportHasTheSection()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("report.html");
        QTabWidget tabs;
        QCOMPARE(exports::runReport(result(), &tabs, {}, path), QString());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString html = QString::fromUtf8(f.readAll());
        QVERIFY(html.contains("<h2>Robustness (2 jobs)</h2>"));
        QVERIFY(html.contains("+25.00 [-38.53, +88.53]"));
        QVERIFY(html.contains("the paired t-test over the seeds"));
        QVERIFY(html.contains("weighted worst-case score"));
        // Without rows, no section.
        QCOMPARE(exports::runReport(RunResult {}, &tabs, {}, path), QString());
        QFile g(path);
        QVERIFY(g.open(QIODevice::ReadOnly));
        QVERIFY(!QString::fromUtf8(g.readAll()).contains("Robustness ("));
    }
};

QTEST_MAIN(RobustnessTabTest)
#include "RobustnessTabTest.moc"
