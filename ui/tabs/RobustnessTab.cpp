#include "ui/tabs/RobustnessTab.h"

#include "ui/charts/ChartView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
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
    auto* pick = new QHBoxLayout;
    auto* label = new QLabel(tr("Perturbation:"));
    m_perturbation = new QComboBox;
    m_perturbation->setObjectName("robustnessPerturbation");
    label->setBuddy(m_perturbation);
    pick->addWidget(label);
    pick->addWidget(m_perturbation);
    pick->addStretch(1);
    layout->addLayout(pick);
    m_view = new ChartView(tr("Robustness"));
    m_view->setWrappingLegend(true);
    m_x = new QValueAxis;
    m_y = new QValueAxis;
    m_y->setTitleText(tr("test metric (%, mean over the jobs)"));
    m_view->chart()->addAxis(m_x, Qt::AlignBottom);
    m_view->chart()->addAxis(m_y, Qt::AlignLeft);
    layout->addWidget(m_view, 3);
    m_table = new QTableWidget;
    m_table->setObjectName("robustnessTable");
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->setMinimumHeight(160);
    layout->addWidget(m_table, 2);
    connect(m_perturbation, &QComboBox::currentIndexChanged, this, [this] { refreshChart(); });
    clear();
}

QList<ChartView*> RobustnessTab::charts() const
{
    return { m_view };
}

void RobustnessTab::forEachReportChart(const std::function<void(ChartView*)>& fn)
{
    const int current = m_perturbation->currentIndex();
    for (int i = 0; i < m_perturbation->count(); ++i) {
        m_perturbation->setCurrentIndex(i);
        fn(m_view);
    }
    m_perturbation->setCurrentIndex(current);
}

void RobustnessTab::clear()
{
    m_summary = {};
    m_error.clear();
    m_values.clear();
    m_units.clear();
    const QSignalBlocker block(m_perturbation);
    m_perturbation->clear();
    refreshChart();
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
        refreshChart();
        return;
    }
    for (const auto& r : result.robustness) {
        const QString p = QString::fromStdString(r.perturbation);
        m_values[p][QString::fromStdString(robustnessStage(r))][r.strength].append(r.value);
        if (r.strength > 0)
            m_units[p] = QString::fromStdString(r.unit);
    }
    const QSignalBlocker block(m_perturbation);
    for (const auto& p : m_summary.perturbations)
        m_perturbation->addItem(perturbationText(QString::fromStdString(p)), QString::fromStdString(p));
    refreshChart();
    refreshTable();
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

void RobustnessTab::showPerturbation(const QString& perturbation)
{
    const int i = m_perturbation->findData(perturbation);
    if (i >= 0)
        m_perturbation->setCurrentIndex(i);
}

QString RobustnessTab::shownPerturbation() const
{
    return m_perturbation->currentData().toString();
}

void RobustnessTab::refreshChart()
{
    auto* chart = m_view->chart();
    chart->removeAllSeries();
    const QString p = shownPerturbation();
    const bool empty = p.isEmpty();
    m_perturbation->setEnabled(!empty);
    m_view->setPlaceholder(empty);
    if (empty) {
        chart->setTitle(!m_error.isEmpty() ? tr("Robustness — not shown: %1").arg(m_error)
                                           : tr("Robustness — add an analysis step (analyze: {method: robustness}; "
                                                "preset cora-gcn-robustness) to measure it"));
        m_x->setTitleText(tr("strength"));
        m_x->setRange(0, 1);
        m_y->setRange(0, 100);
        return;
    }
    static const QList<QColor> colors { QColor("#c0392b"), QColor("#27ae60"), QColor("#8e44ad"), QColor("#e67e22"),
        QColor("#16a085"), QColor("#7f8c8d"), QColor("#d35400"), QColor("#2c3e50") };
    double lo = 100, hi = 0, maxStrength = 0;
    int index = 0;
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
        const QColor c = base ? QColor("#2e86de") : colors[index++ % colors.size()];
        line->setName(base ? tr("base (dense)") : stage);
        line->setPen(QPen(c, base ? 2.5 : 1.8, base ? Qt::DashLine : Qt::SolidLine));
        dots->setColor(c);
        dots->setMarkerSize(7);
        addHoverTips(line, m_units.value(p, tr("strength")), tr("test %"));
        for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*> { line, dots }) {
            chart->addSeries(s);
            s->attachAxis(m_x);
            s->attachAxis(m_y);
        }
        chart->legend()->markers(dots).first()->setVisible(false);
    }
    chart->setTitle(tr("Test metric under %1").arg(perturbationText(p)));
    m_x->setTitleText(m_units.value(p, tr("strength")));
    m_x->setRange(0, maxStrength > 0 ? maxStrength : 1);
    m_x->setLabelFormat("%g"); // strengths such as 0.125 whole, not "0.13"
    m_y->setRange(std::max(0.0, std::floor(lo / 10) * 10), std::min(100.0, std::ceil(hi / 10) * 10));
    m_view->applyFonts();
    m_view->layoutLegend();
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
    for (const auto& p : m_summary.perturbations)
        headers << tr("%1 (%2)")
                       .arg(perturbationText(QString::fromStdString(p)))
                       .arg(std::find_if(m_summary.lines.begin(), m_summary.lines.end(), [&](const RobustnessLine& l) {
                           return l.perturbation == p;
                       })->strength);
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
