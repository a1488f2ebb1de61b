// Chart behaviour every tab relies on: hover tooltips and legends that keep names whole.
#include "ui/charts/ChartView.h"

#include <QApplication>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtTest>

using namespace gsq::ui;

namespace {
/// Text the chart's scene draws for legend entries: the QGraphicsTextItems inside the legend.
QStringList legendTexts(ChartView& view)
{
    QStringList texts;
    const QRectF legend = view.chart()->legend()->sceneBoundingRect();
    for (auto* item : view.scene()->items())
        if (auto* text = dynamic_cast<QGraphicsTextItem*>(item); text && text->isVisible()
            && legend.intersects(text->sceneBoundingRect()) && text->toPlainText() != view.chart()->title())
            texts << text->toPlainText();
    return texts;
}

void addLongSeries(ChartView& view, int n)
{
    for (int i = 0; i < n; ++i) {
        auto* s = new QLineSeries;
        s->append(0, i);
        s->append(1, i + 1);
        s->setName(QString("#%1 finegrained sparsity=0.%2 finetuned").arg(i + 12).arg(i + 3));
        view.chart()->addSeries(s);
    }
    view.chart()->createDefaultAxes();
}
} // namespace

class ChartViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hoverTextNamesTheNearestPoint()
    {
        QLineSeries s;
        s.setName("seed 0 base");
        QCOMPARE(hoverText(&s, { 1, 1 }, "epoch", "loss"), QString());
        s.append(1, 0.5);
        s.append(2, 0.25);
        s.append(3, 0.125);
        QCOMPARE(hoverText(&s, { 1.8, 0.3 }, "epoch", "loss"), QString("seed 0 base\nepoch 2 · loss 0.25"));
        QCOMPARE(hoverText(&s, { 9, 0 }, "epoch", "loss"), QString("seed 0 base\nepoch 3 · loss 0.125"));
    }

    void wrappingLegendKeepsEveryNameWhole()
    {
        // Six long names do not fit one row of a 700 px chart: Qt Charts' bottom legend elides
        // them ("#12 finegr..."); the wrapping legend gives them rows under the plot.
        for (const bool wrapping : { false, true }) {
            ChartView view("names");
            addLongSeries(view, 6);
            view.setWrappingLegend(wrapping);
            view.resize(700, 400);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            QApplication::processEvents();
            const QStringList texts = legendTexts(view);
            QCOMPARE(texts.size(), 6);
            int whole = 0;
            for (const auto& t : texts)
                whole += t.contains(" finetuned") && t.startsWith('#') ? 1 : 0;
            if (!wrapping) {
                QCOMPARE(whole, 0); // the failure the wrapping legend fixes
                continue;
            }
            QCOMPARE(whole, 6);
            QVERIFY2(view.legendRows() >= 2 && view.legendRows() <= 6, qPrintable(QString::number(view.legendRows())));
            // The rows reserved hold every entry, and the plot (with its axis labels) stays above them.
            const QRectF legend = view.chart()->legend()->geometry();
            for (auto* item : view.scene()->items())
                if (auto* text = dynamic_cast<QGraphicsTextItem*>(item); text && texts.contains(text->toPlainText()))
                    QVERIFY(text->sceneBoundingRect().bottom() <= legend.bottom() + 1);
            QVERIFY(view.chart()->plotArea().bottom() + 15 < legend.top());
            QVERIFY(legend.bottom() <= view.chart()->size().height());
            // Wider, the same names need no more rows; without series, none.
            const int rows = view.legendRows();
            view.resize(1400, 400);
            QApplication::processEvents();
            QVERIFY(view.legendRows() <= rows);
            QCOMPARE(legendTexts(view).size(), 6);
            view.chart()->removeAllSeries();
            view.layoutLegend();
            QCOMPARE(view.legendRows(), 0);
        }
    }
};

QTEST_MAIN(ChartViewTest)
#include "ChartViewTest.moc"
