#include "ui/tabs/RobustnessTab.h"

#include "ui/charts/ChartView.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QResizeEvent>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gsq::ui {

using namespace gsq::core::results;

namespace {

QString points(double v)
{
    return QString::asprintf("%+.2f", 100 * v);
}

double mean(const QList<double>& v)
{
    double s = 0;
    for (double x : v)
        s += x;
    return v.isEmpty() ? 0 : s / static_cast<double>(v.size());
}

} // namespace

RobustnessTab::RobustnessTab(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    m_hint = makeChartHint(
        tr("How much of its accuracy each stage keeps when the test data are perturbed or attacked. Extra drop: the "
           "stage's drop minus the dense base's on the same seed/fold, in points; below zero the compressed model "
           "loses more than the base."));
    layout->addWidget(m_hint);
    m_legend = new QLabel;
    m_legend->setObjectName("robustnessLegend");
    m_legend->setWordWrap(true);
    layout->addWidget(m_legend);
    m_placeholder = new ChartView(tr("Robustness"));
    m_placeholder->setPlaceholder(true);
    layout->addWidget(m_placeholder, 3);
    m_grid = new QWidget;
    new QGridLayout(m_grid);
    m_grid->layout()->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_grid); // the charts at their own height, the table takes the rest
    m_table = new QTableWidget;
    m_table->setObjectName("robustnessTable");
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->setMinimumHeight(160);
    layout->addWidget(m_table, 1);
    clear();
}

QList<ChartView*> RobustnessTab::charts() const
{
    return m_order.isEmpty() ? QList<ChartView*> { m_placeholder } : m_order;
}

void RobustnessTab::forEachReportChart(const std::function<void(ChartView*)>& fn)
{
    for (auto* c : charts()) {
        const bool shown = c->chart()->legend()->isVisible();
        c->chart()->legend()->setVisible(!m_order.isEmpty());
        c->layoutLegend();
        fn(c);
        c->chart()->legend()->setVisible(shown);
        c->layoutLegend();
    }
}

void RobustnessTab::clear()
{
    m_summary = {};
    m_error.clear();
    m_values.clear();
    m_units.clear();
    qDeleteAll(m_order);
    m_order.clear();
    m_charts.clear();
    m_legend->clear();
    m_legend->hide();
    m_grid->hide();
    refreshPlaceholder();
    refreshTable();
}

void RobustnessTab::showResult(const RunResult& result)
{
    clear();
    if (result.robustness.empty())
        return;
    try {
        m_summary = summarizeRobustness(
            result.robustness, PairedDesign::of(result.config.foldsRun(), result.config.dataset.folds));
    } catch (const std::invalid_argument& e) {
        m_error = QString::fromStdString(e.what());
        refreshPlaceholder();
        return;
    }
    for (const auto& r : result.robustness) {
        const QString p = QString::fromStdString(r.perturbation);
        m_values[p][QString::fromStdString(robustnessStage(r))][r.strength].append(r.value);
        if (r.strength > 0)
            m_units[p] = QString::fromStdString(r.unit);
    }
    for (const auto& name : m_summary.perturbations) {
        const QString p = QString::fromStdString(name);
        auto* chart = makeChart(p);
        m_order << chart;
        m_charts.insert(p, chart);
    }
    layoutCharts();
    QStringList entries;
    for (const auto& stage : m_summary.stages) {
        const QString name = QString::fromStdString(stage);
        const bool base = name.endsWith(QStringLiteral("(base)"));
        entries << QStringLiteral("<span style=\"color:%1\">%2</span>&nbsp;%3")
                       .arg(colorOf(name).name(), base ? QStringLiteral("╌╌") : QStringLiteral("━━"),
                           (base ? tr("base (dense)") : name).toHtmlEscaped());
    }
    m_legend->setText(entries.join(QStringLiteral(" &nbsp; ")));
    m_legend->show();
    m_grid->show();
    refreshPlaceholder();
    refreshTable();
}

QColor RobustnessTab::colorOf(const QString& stage) const
{
    if (stage.endsWith(QStringLiteral("(base)")))
        return QColor("#2e86de");
    static const QList<QColor> colors { QColor("#c0392b"), QColor("#27ae60"), QColor("#8e44ad"), QColor("#e67e22"),
        QColor("#16a085"), QColor("#7f8c8d"), QColor("#d35400"), QColor("#2c3e50") };
    int index = 0;
    for (const auto& s : m_summary.stages) {
        const QString name = QString::fromStdString(s);
        if (name == stage)
            break;
        if (!name.endsWith(QStringLiteral("(base)")))
            ++index;
    }
    return colors[index % colors.size()];
}

QString RobustnessTab::perturbationText(const QString& p)
{
    static const QMap<QString, QString> names { { "edge_removal", tr("edges removed") },
        { "edge_addition", tr("edges added") }, { "feature_noise", tr("feature noise") },
        { "feature_mask", tr("feature masking") }, { "fgsm", tr("FGSM") }, { "pgd", tr("PGD") } };
    return names.value(p, p);
}

QString RobustnessTab::extraDropText(const RobustnessLine& line)
{
    return QStringLiteral("%1 [%2, %3]").arg(points(line.extraDrop), points(line.ciLow), points(line.ciHigh));
}

void RobustnessTab::refreshPlaceholder()
{
    m_placeholder->setVisible(m_order.isEmpty());
    m_placeholder->chart()->setTitle(!m_error.isEmpty()
            ? tr("Robustness — not shown: %1").arg(m_error)
            : tr("Robustness — shown when a run with an analysis step (analyze: {method: robustness}; preset "
                 "cora-gcn-robustness) finishes"));
}

int RobustnessTab::columns() const
{
    // As many columns as fit at about 1.3 times a chart's minimum width (3 at 1920 x 1080, 1 on a
    // 1280 x 720 projector in classroom mode): the tab scrolls down, never sideways.
    const double least = 1.3 * ChartView::kMinimumWidth * std::max(1.0, ChartView::fontScale());
    return std::clamp(static_cast<int>(width() / least), 1, 3);
}

void RobustnessTab::layoutCharts()
{
    auto* grid = static_cast<QGridLayout*>(m_grid->layout());
    const int n = columns();
    m_columns = n;
    for (auto* c : m_order)
        grid->removeWidget(c);
    for (int i = 0; i < m_order.size(); ++i)
        grid->addWidget(m_order[i], i / n, i % n);
}

void RobustnessTab::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (!m_order.isEmpty() && columns() != m_columns)
        layoutCharts();
}

ChartView* RobustnessTab::makeChart(const QString& p)
{
    auto* view = new ChartView(perturbationText(p));
    auto* chart = view->chart();
    auto* x = new QValueAxis;
    auto* y = new QValueAxis;
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    view->setWrappingLegend(true);
    double lo = 100, hi = 0, maxStrength = 0;
    for (const auto& stageName : m_summary.stages) {
        const QString stage = QString::fromStdString(stageName);
        const auto byStrength = m_values.value(p).value(stage);
        if (byStrength.isEmpty())
            continue;
        const bool base = stage.endsWith(QStringLiteral("(base)"));
        auto* line = new QLineSeries;
        auto* dots = new QScatterSeries;
        for (auto it = byStrength.begin(); it != byStrength.end(); ++it) {
            const double m = 100 * mean(*it);
            line->append(it.key(), m);
            dots->append(it.key(), m);
            lo = std::min(lo, m);
            hi = std::max(hi, m);
            maxStrength = std::max(maxStrength, it.key());
        }
        const QColor c = colorOf(stage);
        line->setName(base ? tr("base (dense)") : stage);
        line->setPen(QPen(c, base ? 2.5 : 1.8, base ? Qt::DashLine : Qt::SolidLine));
        dots->setColor(c);
        dots->setMarkerSize(6);
        addHoverTips(line, m_units.value(p, tr("strength")), tr("test %"));
        for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*> { line, dots }) {
            chart->addSeries(s);
            s->attachAxis(x);
            s->attachAxis(y);
        }
        chart->legend()->markers(dots).first()->setVisible(false);
    }
    x->setTitleText(m_units.value(p, tr("strength")));
    x->setRange(0, maxStrength > 0 ? maxStrength : 1);
    x->setLabelFormat("%g"); // strengths such as 0.125 whole, not "0.13"
    x->setTickCount(3); // 0, the middle and the largest strength: labels that fit a small chart
    y->setTitleText(tr("test %"));
    y->setRange(std::max(0.0, std::floor(lo / 10) * 10), std::min(100.0, std::ceil(hi / 10) * 10));
    chart->legend()->setVisible(false); // the one legend is above the charts
    view->applyFonts();
    return view;
}

void RobustnessTab::refreshTable()
{
    m_table->clear();
    m_table->setVisible(!m_summary.lines.empty());
    if (m_summary.lines.empty()) {
        m_table->setRowCount(0);
        m_table->setColumnCount(0);
        return;
    }
    QStringList headers { tr("stage") };
    for (const auto& p : m_summary.perturbations) {
        const auto line = std::find_if(m_summary.lines.begin(), m_summary.lines.end(),
            [&](const RobustnessLine& l) { return l.perturbation == p; });
        // A perturbation without a line (no job has its clean and largest values) names no strength.
        headers << (line == m_summary.lines.end()
                ? perturbationText(QString::fromStdString(p))
                : tr("%1 (%2)").arg(perturbationText(QString::fromStdString(p))).arg(line->strength));
    }
    headers << tr("weighted worst-case score");
    m_table->setColumnCount(headers.size());
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(static_cast<int>(m_summary.stages.size()));
    for (int row = 0; row < static_cast<int>(m_summary.stages.size()); ++row) {
        const auto& stage = m_summary.stages[static_cast<size_t>(row)];
        m_table->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(stage)));
        for (const auto& l : m_summary.lines) {
            if (l.stage != stage)
                continue;
            const int col = 1
                + static_cast<int>(
                    std::find(m_summary.perturbations.begin(), m_summary.perturbations.end(), l.perturbation)
                    - m_summary.perturbations.begin());
            auto* item = new QTableWidgetItem(l.compared
                    ? extraDropText(l)
                    : tr("%1 % (drop %2)").arg(100 * l.perturbed, 0, 'f', 2).arg(points(l.drop)));
            item->setToolTip(l.compared ? tr("%1 % under the perturbation, drop %2 points from its clean %3 %; extra "
                                             "drop %4 points against the base, p %5, Holm p %6, n = %7")
                                              .arg(100 * l.perturbed, 0, 'f', 2)
                                              .arg(points(l.drop))
                                              .arg(100 * l.clean, 0, 'f', 2)
                                              .arg(extraDropText(l))
                                              .arg(l.p, 0, 'g', 3)
                                              .arg(l.holmP, 0, 'g', 3)
                                              .arg(l.n)
                                        : tr("the dense base: %1 % under the perturbation, %2 % clean, n = %3")
                                              .arg(100 * l.perturbed, 0, 'f', 2)
                                              .arg(100 * l.clean, 0, 'f', 2)
                                              .arg(l.n));
            if (l.compared && l.holmP < 0.05) { // an effect the Holm-corrected test separates from zero
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            m_table->setItem(row, col, item);
        }
        for (const auto& sc : m_summary.scores)
            if (sc.stage == stage)
                m_table->setItem(row, static_cast<int>(headers.size()) - 1,
                    new QTableWidgetItem(sc.compared ? QStringLiteral("%1 (%2 [%3, %4])")
                                                           .arg(100 * sc.score, 0, 'f', 2)
                                                           .arg(points(sc.diff), points(sc.ciLow), points(sc.ciHigh))
                                                     : QString::number(100 * sc.score, 'f', 2)));
    }
    m_table->resizeColumnsToContents();
    m_table->setToolTip(tr("Extra drop in points against the dense base at each perturbation's largest strength, "
                           "paired per seed/fold, with the 95 % interval; bold: Holm p < 0.05 over the table. The "
                           "base's row shows its own metric under the perturbation."));
}

} // namespace gsq::ui
