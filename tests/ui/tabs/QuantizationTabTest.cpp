// Tests ui/tabs/QuantizationTab: learned bit-width bars, the fp32 base alone with bars from 0,
// and a short 4-bit QAT run through the main window filling this tab and the other views it touches.
#include "MainWindowTestSupport.h"
#include "ui/MainWindow.h"

#include "core/experiment/ConfigYaml.h"
#include "ui/charts/ChartView.h"
#include "ui/models/RowTableModel.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/tabs/CompareTab.h"
#include "ui/tabs/LayersTab.h"
#include "ui/tabs/QuantizationTab.h"
#include "ui/tabs/SparsityTab.h"
#include "ui/tabs/TrainingTab.h"

#include <QCheckBox>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QtTest>

using namespace gsq::ui;
using gsq::ui::test::configure;

namespace {
/// An fp32 base row with a 1000-byte file, and a QAT row at `bits` copied from it, its typed
/// setting at the defaults (minmax, per tensor, packed, from the base).
std::pair<gsq::core::results::ResultRow, gsq::core::results::ResultRow> baseAndQat(int bits)
{
    gsq::core::results::ResultRow base;
    base.sizeDiskBytes = base.sizeFoldedBytes = 1000;
    auto qat = base;
    qat.method = "qat";
    qat.quantBits = bits;
    qat.setting = "bits=" + std::to_string(bits);
    qat.lineage = "qat " + qat.setting;
    qat.observer = "minmax";
    qat.granularity = "per_tensor";
    qat.storage = "packed";
    qat.start = "base";
    qat.stage = gsq::core::results::Stage::Quantized;
    return { base, qat };
}
} // namespace

class QuantizationTabTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        gsq::ui::test::isolateApp(m_dir, "GraphSqueezeQuantizationTabTest");
    }

    void wordsEveryCategoryShares()
    {
        // What every quantized category shares is said once in the title, so the axis labels
        // (cut after about 12 characters at 1280 x 720) keep what tells them apart: the chain.
        QuantizationTab tab;
        using namespace gsq::core::results;
        auto [base, qat] = baseAndQat(8);
        qat.observer = "percentile";
        qat.granularity = "per_channel";
        qat.storage = "huffman";
        qat.lineage = "qat bits=8 observer=percentile per_channel storage=huffman";
        ResultRow chained = qat;
        chained.lineage = "global sparsity=0.9 → " + qat.lineage;
        chained.chain = "global 0.9";
        ResultRow ptq = chained;
        ptq.method = "ptq";
        ptq.quantBits = 4;
        ptq.lineage = "global sparsity=0.9 → ptq bits=4 observer=percentile per_channel storage=huffman";
        tab.addEvents({ StageFinished { 0, base, {} }, StageFinished { 0, qat, {} } });
        QCOMPARE(tab.sharedSetting(), QStringList {}); // one quantized category: nothing to share
        QCOMPARE(tab.axisCategories(), (QStringList { "fp32 base", "qat 8b percentile per-ch huff" }));
        tab.addEvents({ StageFinished { 0, chained, {} }, StageFinished { 0, ptq, {} } });
        QCOMPARE(tab.sharedSetting(), (QStringList { "percentile", "per-ch", "huff" }));
        QCOMPARE(tab.axisCategories(),
            (QStringList { "fp32 base", "qat 8b", "qat 8b from global 0.9", "ptq 4b from global 0.9" }));
        QCOMPARE(tab.categories().at(2), QString("qat 8b percentile per-ch huff from global 0.9"));
        QVERIFY2(tab.charts().front()->chart()->title().endsWith("every one: percentile per-ch huff)"),
            qPrintable(tab.charts().front()->chart()->title()));
        // A category without one of the words keeps the others in its label.
        ResultRow plain = baseAndQat(4).second;
        tab.addEvents({ StageFinished { 0, plain, {} } });
        QCOMPARE(tab.sharedSetting(), QStringList {});
        QCOMPARE(tab.axisCategories().at(1), QString("qat 8b percentile per-ch huff"));
        // Rows stored before the typed columns existed are named by their setting as recorded
        // (nothing is taken apart), each its own category.
        ResultRow old = qat;
        old.quantBits = 0;
        old.observer = old.granularity = old.storage = old.start = "";
        old.setting = "bits=2 observer=mse";
        old.lineage = "qat bits=2 observer=mse";
        tab.addEvents({ StageFinished { 0, old, {} } });
        QCOMPARE(tab.categories().back(), QString("qat bits=2 observer=mse"));
        QCOMPARE(tab.categories().size(), 6);
    }

    void quantizationTabShowsTheLearnedBitWidths()
    {
        // A²Q's layer rows (weights: channels per width; features: rows per width) become one bar
        // set each, in percent of rows; other methods leave the chart hidden.
        QuantizationTab tab;
        tab.show();
        using namespace gsq::core::results;
        auto [base, qat] = baseAndQat(4);
        tab.addEvents({ StageFinished { 0, base, {} }, StageFinished { 0, qat, {} } });
        QVERIFY(!tab.bitsView()->isVisible());
        ResultRow a2q = qat;
        a2q.method = "a2q";
        a2q.setting = "bits=8 target_bits=4";
        a2q.lineage = "a2q bits=8 target_bits=4";
        a2q.quantBits = 8;
        a2q.targetBits = 4;
        a2q.observer = a2q.granularity = "";
        a2q.bits = 4.25;
        LayerRow w1, w2, f1;
        w1.bitWidths = { { 4, 48 }, { 5, 16 } };
        w2.bitWidths = { { 3, 2 }, { 4, 30 } };
        f1.kind = "features";
        f1.bitWidths = { { 4, 75 }, { 8, 25 } };
        tab.addEvents({ StageFinished { 0, a2q, { w1, w2, f1 } } });
        QVERIFY(tab.bitsView()->isVisible());
        QCOMPARE(tab.categories().back(), QString("a2q 8b→4 (4.25b)"));
        // A second job whose A²Q learned other widths joins the same category with the mean
        // bits (it used to become a category of its own per distinct average).
        ResultRow a2qOther = a2q;
        a2qOther.bits = 5.75;
        a2qOther.fold = 1;
        tab.addEvents({ StageFinished { 1, a2qOther, {} } });
        QCOMPARE(tab.categories().size(), 3);
        QCOMPARE(tab.categories().back(), QString("a2q 8b→4 (5.00b)"));
        // A chained row is named by its own setting first, then, compactly, the chain it came from.
        ResultRow shared = qat;
        shared.method = "weight_sharing";
        shared.setting = "global sparsity=0.9 → qat bits=8 storage=huffman → bits=4 storage=huffman";
        shared.lineage = "global sparsity=0.9 → qat bits=8 storage=huffman → weight_sharing bits=4 storage=huffman";
        shared.storage = "huffman";
        shared.chain = "global 0.9 → qat 8b";
        tab.addEvents({ StageFinished { 0, shared, {} } });
        QCOMPARE(tab.categories().back(), QString("sharing 4b huff from global 0.9 → qat 8b"));
        auto series = tab.bitsView()->chart()->series();
        QCOMPARE(series.size(), 1);
        auto sets = static_cast<QBarSeries*>(series[0])->barSets();
        QCOMPARE(sets.size(), 2);
        // 3..8 bits; weights: 2, 78, 16 of 96 channels; features: 75 and 25 of 100 rows.
        QCOMPARE(sets[0]->count(), 6);
        QCOMPARE(sets[0]->at(0), 2.1);
        QCOMPARE(sets[0]->at(1), 81.3);
        QCOMPARE(sets[0]->at(2), 16.7);
        QCOMPARE(sets[1]->at(1), 75.0);
        QCOMPARE(sets[1]->at(5), 25.0);
        QVERIFY(static_cast<QBarSeries*>(series[0])->isLabelsVisible());
        // A second A²Q step (weight_error) adds two more sets; four sets' bars are too narrow
        // for their value labels.
        ResultRow a2qWe = a2q;
        a2qWe.setting = "bits=8 target_bits=4 weight_error=300";
        a2qWe.lineage = "a2q " + a2qWe.setting;
        a2qWe.methodOptions = "weight_error=300";
        tab.addEvents({ StageFinished { 0, a2qWe, { w1, f1 } } });
        series = tab.bitsView()->chart()->series();
        QCOMPARE(static_cast<QBarSeries*>(series[0])->barSets().size(), 4);
        QVERIFY(!static_cast<QBarSeries*>(series[0])->isLabelsVisible());
        tab.clear();
        QVERIFY(!tab.bitsView()->isVisible());
    }

    void quantizationTabShowsTheBaseAloneAndBarsFromZero()
    {
        // Without a quantize step the fp32 base still gets its bar; the metric axis runs from 0
        // (no cut axis), also after a run whose values were all high, and after clear().
        QuantizationTab tab;
        tab.show();
        using namespace gsq::core::results;
        auto accAxis = [&] { return static_cast<QValueAxis*>(tab.charts()[0]->chart()->axes(Qt::Vertical).first()); };
        auto accSets = [&] {
            auto series = tab.charts()[0]->chart()->series();
            return series.isEmpty() ? QList<QBarSet*> {} : static_cast<QBarSeries*>(series[0])->barSets();
        };
        ResultRow base;
        base.testValue = base.deployedValue = 0.9;
        base.sizeDiskBytes = base.sizeFoldedBytes = 1000;
        tab.addEvents({ StageFinished { 0, base, {} } });
        QCOMPARE(tab.categories(), QStringList { "fp32 base" });
        QCOMPARE(accSets().size(), 1); // the base alone ran no int8 kernels: no deployed bar
        QCOMPARE(accSets()[0]->at(0), 0.9);
        QVERIFY(tab.charts()[0]->chart()->title().contains("add a quantize step"));
        ResultRow qat = base;
        qat.method = "qat";
        qat.setting = "bits=8";
        qat.stage = Stage::Quantized;
        qat.testValue = qat.deployedValue = 0.88;
        tab.addEvents({ StageFinished { 0, qat, {} } });
        QCOMPARE(accAxis()->min(), 0.0);
        QCOMPARE(accAxis()->max(), 1.0);
        QCOMPARE(accSets().size(), 2);
        QCOMPARE(accSets()[1]->label(), QString("deployed (int8 kernels / decoded codebook)"));
        QCOMPARE(accSets()[0]->at(1), 0.88);
        tab.clear();
        QCOMPARE(accAxis()->min(), 0.0);
        QVERIFY(accSets().isEmpty());
    }

    void costIsDrawnAsRatiosWithTheOneLine()
    {
        // A deployed model slower than fp32 (10 ms against 12.5 ms) is 0.8×, below the 1× line;
        // its file at a quarter of the base's is 0.25×.
        QuantizationTab tab;
        tab.show();
        using namespace gsq::core::results;
        auto [base, qat] = baseAndQat(8);
        base.latencyMs = base.latencyDenseMs = qat.latencyDenseMs = 10;
        qat.sizeDiskBytes = qat.sizeFoldedBytes = 250;
        qat.latencyMs = 12.5;
        tab.addEvents({ StageFinished { 0, base, {} }, StageFinished { 0, qat, {} } });
        const auto series = tab.charts()[1]->chart()->series();
        QCOMPARE(series.size(), 2);
        const auto sets = static_cast<QBarSeries*>(series[0])->barSets();
        QCOMPARE(sets[0]->label(), QString("file ÷ fp32 file (BatchNorm folded in both)"));
        QCOMPARE(sets[0]->at(1), 0.25);
        QCOMPARE(sets[1]->label(), QString("speed-up: fp32 time ÷ deployed time"));
        QCOMPARE(sets[1]->at(0), 1.0);
        QCOMPARE(sets[1]->at(1), 0.8);
        QCOMPARE(static_cast<QBarSeries*>(series[0])->labelsFormat(), QString("@value×"));
        const auto* one = qobject_cast<QLineSeries*>(series[1]);
        QVERIFY(one);
        QCOMPARE(one->count(), 2);
        QCOMPARE(one->at(0).y(), 1.0);
        QCOMPARE(one->at(1).y(), 1.0);
        QCOMPARE(one->at(1).x() - one->at(0).x(), 2.0); // across both categories
        auto* y = static_cast<QValueAxis*>(tab.charts()[1]->chart()->axes(Qt::Vertical).first());
        QCOMPARE(y->titleText(), QString("× fp32")); // fits the axis at 1280 x 720
        QCOMPARE(y->max(), 1.5);
        QCOMPARE(y->tickCount(), 4); // 0, 0.5, 1, 1.5: the 1× line on a tick
    }

    void compareParetoIsPerDatasetAndMetric()
    {
        // A PROTEINS model at 96 % in 1 kB must not push Cora's points off their front: each
        // dataset (and metric) has its own front, and the title says so.
        using namespace gsq::core::results;
        auto summary = [](const std::string& dataset, const std::string& method, double mean, double bytes) {
            SummaryRow s;
            s.dataset = dataset;
            s.metric = "accuracy";
            s.method = method;
            s.setting = method == "none" ? "" : "bits=8";
            s.stage = method == "none" ? Stage::Base : Stage::Quantized;
            s.testMean = mean;
            s.n = 1;
            s.sizeDiskBytesMean = bytes;
            return s;
        };
        CompareTab tab;
        StoredRun cora { 1, "cora", "", "",
            { summary("cora", "none", 0.81, 90000), summary("cora", "qat", 0.80, 30000) } };
        StoredRun proteins { 2, "proteins", "", "",
            { summary("proteins", "none", 0.95, 200000), summary("proteins", "qat", 0.96, 1000) } };
        tab.setRuns({ cora, proteins });
        QCOMPARE(tab.paretoPointCount(), 4);
        QCOMPARE(tab.paretoCount(), 3); // both of Cora's, PROTEINS' 1 kB model (its base is dominated)
        QCOMPARE(tab.charts().first()->chart()->title(),
            QString("Test metric vs size on disk (Pareto front highlighted; a front within each of the 2 dataset × "
                    "metric groups)"));
        tab.setRuns({ cora });
        QCOMPARE(tab.paretoCount(), 2);
        QCOMPARE(
            tab.charts().first()->chart()->title(), QString("Test metric vs size on disk (Pareto front highlighted)"));
        StoredRun worse { 3, "cora2", "", "", { summary("cora", "qat", 0.79, 40000) } };
        tab.setRuns({ cora, proteins, worse });
        QCOMPARE(tab.paretoCount(), 3); // the new point is dominated by Cora's QAT, not by PROTEINS'
        QVERIFY2(tab.paretoTooltipAt(false, 0).contains("cora"), qPrintable(tab.paretoTooltipAt(false, 0)));
    }

    void lossAxisKeepsTheBulkReadable()
    {
        // 100 task losses around 0.6 and A²Q's first epochs with the memory penalty (600, 200,
        // 60): the axis tops at 3 × the 75th percentile, not at 600.
        std::vector<double> losses;
        for (int i = 0; i < 100; ++i)
            losses.push_back(0.5 + 0.002 * i); // 0.5 … 0.698
        const auto bulk = losses;
        QCOMPARE(TrainingTab::lossAxisTop(bulk), 0.698); // no outlier: the largest
        for (double penalty : { 600.0, 200.0, 60.0 })
            losses.push_back(penalty);
        // 103 values: the 75th percentile is index 76 (0.75 × 102 = 76.5), 0.5 + 0.002 * 76.
        QCOMPARE(TrainingTab::lossAxisTop(losses), 3 * (0.5 + 0.002 * 76));
        QCOMPARE(TrainingTab::lossAxisTop({}), 0.0);
        // The tab says so on the axis.
        TrainingTab tab;
        using namespace gsq::core::results;
        auto epoch = [](Stage stage, int e, double loss, const char* setting, const char* method) {
            EpochMetrics m;
            m.stage = stage;
            m.epochs = 40;
            m.point.epoch = e;
            m.point.loss = loss;
            m.point.valMetric = 0.7;
            m.setting = setting;
            m.method = method;
            return m;
        };
        std::vector<SessionEvent> events;
        for (int e = 1; e <= 40; ++e)
            events.emplace_back(epoch(Stage::Base, e, 0.6, "", "none"));
        events.emplace_back(epoch(Stage::Qat, 1, 600.0, "bits=8", "a2q"));
        tab.addEvents(events);
        QVERIFY2(tab.lossAxisTitle().startsWith("loss (clipped; up to 600"), qPrintable(tab.lossAxisTitle()));
        QVERIFY(tab.lossAxisMax() < 10);
        // Named by its method; "qat" is only the stage every quantize step trains in.
        QVERIFY(tab.curveColor("seed 0 a2q bits=8").isValid());
        QVERIFY(!tab.curveColor("seed 0 qat a2q bits=8").isValid());
        // Two steps that share their first setting ("bits=8") are told apart by colour.
        std::vector<SessionEvent> more;
        more.emplace_back(epoch(Stage::Qat, 1, 0.6, "bits=8 target_bits=4", "a2q"));
        more.emplace_back(epoch(Stage::Qat, 1, 0.6, "bits=8 target_bits=4 weight_error=300", "a2q"));
        tab.addEvents(more);
        const QColor plain = tab.curveColor("seed 0 a2q bits=8 target_bits=4");
        const QColor extended = tab.curveColor("seed 0 a2q bits=8 target_bits=4 weight_error=300");
        QVERIFY(plain.isValid() && extended.isValid());
        QVERIFY2(plain.rgb() != extended.rgb(), qPrintable(plain.name()));
        QCOMPARE(tab.curveColor("seed 0 a2q bits=8").rgb() == plain.rgb(), false);
    }

    void shortQuantizationRunFillsTheQuantizationTab()
    {
        MainWindow w;
        w.show();
        QCOMPARE(w.exportReport("unused.html"), QString("no finished run to report on yet"));
        configure(w, "none", "0.5", 6, 1);
        auto* p = w.panel();
        p->addStep(gsq::core::experiment::StepKind::Quantize, "qat");
        p->stepEditor()->spinBox("bits")->setValue(4);
        p->stepEditor()->spinBox("epochs")->setValue(3);
        p->seedsSpin()->setValue(2);
        QVERIFY2(p->isValid(), "form should accept qat at 4 bits");
        QSignalSpy done(&w, &MainWindow::runFinished);
        w.run();
        QVERIFY(done.wait(gsq::ui::test::runWait()));
        QCOMPARE(w.quantizationTab()->categories(), (QStringList { "fp32 base", "qat 4b" }));
        QCOMPARE(w.trainingTab()->seriesCount(), 4); // 2 seeds x (base, qat)
        QCOMPARE(w.trainingTab()->meanCount(), 2); // base and qat, each over the 2 seeds
        // QAT's stage and method share a name: said once.
        QVERIFY(w.trainingTab()->curveColor("seed 0 qat bits=4").isValid());
        QVERIFY(!w.trainingTab()->curveColor("seed 0 qat qat bits=4").isValid());
        QCOMPARE(w.trainingTab()->lossAxisTitle(), QString("loss")); // nothing far above the bulk
        // Hovering a training curve names the series and its nearest recorded epoch.
        for (auto* chart : w.trainingTab()->charts()) {
            auto* line = qobject_cast<QLineSeries*>(chart->chart()->series().first());
            QVERIFY(line && line->count() >= 2);
            const QPointF near = line->at(1) + QPointF(0.3, 0.0);
            Q_EMIT line->hovered(near, true);
            QCOMPARE(QToolTip::text(),
                gsq::ui::hoverText(
                    line, near, "epoch", chart == w.trainingTab()->charts().first() ? "loss" : "validation"));
            QVERIFY2(QToolTip::text().startsWith(line->name() + "\nepoch 2 · "), qPrintable(QToolTip::text()));
            Q_EMIT line->hovered(near, false);
        }
        QCOMPARE(w.sparsityTab()->sweepPointCount("quantized"), 0);
        // Without a pruning step the accuracy-vs-sparsity chart holds the base line and a hint:
        // shown on its tab, left out of the report and exports.
        w.tabs()->setCurrentIndex(1);
        QCoreApplication::processEvents();
        auto* sweep = w.sparsityTab()->charts().first();
        QVERIFY(sweep->isVisible() && !sweep->chart()->series().isEmpty());
        QVERIFY(!sweep->exportable());
        auto* compare = w.compareTab()->model();
        const auto& last = compare->rows().back();
        QCOMPARE(last[CompareTab::column("stage")].toString(), QString("quantized"));
        QVERIFY2(last[CompareTab::column("latency_kind")].toString().startsWith("w4a")
                && last[CompareTab::column("latency_kind")].toString().endsWith("lanes-onednn"),
            qPrintable(last[CompareTab::column("latency_kind")].toString()));
        QVERIFY(last[CompareTab::column("deployed_mean")]
                    .isValid()); // the deployed (int8 kernels) mean beside the simulated one
        QCOMPARE(last[CompareTab::column("bits")].toDouble(), 4.0);
        auto* layers = w.layersTab()->model();
        QCOMPARE(layers->rows().back()[2].toString(), QString("quantized"));

        // Pareto against latency instead of size; Edit → Copy takes the selected rows.
        w.compareTab()->paretoLatencyToggle()->setChecked(true);
        QCOMPARE(w.compareTab()->charts().first()->chart()->title(),
            QString("Test metric vs latency (Pareto front highlighted)"));
        QVERIFY(w.compareTab()->paretoCount() >= 1);
        w.compareTab()->view()->selectRow(0);
        const QStringList copied = w.compareTab()->selectionCsv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(copied.size(), 2);
        QVERIFY(copied[0].startsWith("run,name,tags"));

        // Reset: same seeds, or new ones after the largest in use.
        w.reset(false);
        QCOMPARE(w.quantizationTab()->categories().size(), 0);
        QCOMPARE(p->config().train.effectiveSeeds(), (std::vector<int64_t> { 0, 1 }));
        w.reset(true);
        QCOMPARE(p->config().train.effectiveSeeds(), (std::vector<int64_t> { 2, 3 }));
        QVERIFY(w.statusText().contains("new seeds 2, 3"));

        // bits outside 2..8 cannot be typed (the lowest entry is "auto", the default); a ptq step
        // has no epochs field and stays valid.
        p->stepEditor()->methodCombo()->setCurrentText("ptq");
        QVERIFY(p->isValid());
        QCOMPARE(p->stepEditor()->spinBox("bits")->maximum(), 8);
        QCOMPARE(p->stepEditor()->spinBox("bits")->minimum(), 1);
        QCOMPARE(p->stepEditor()->spinBox("bits")->specialValueText(), QString("auto"));
        QVERIFY(!p->stepEditor()->field("epochs"));
        QCOMPARE(std::get<gsq::core::experiment::QuantSpec>(p->config().steps.back()).epochs, 0);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(QuantizationTabTest)
#include "QuantizationTabTest.moc"
