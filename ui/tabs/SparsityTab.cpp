#include "ui/tabs/SparsityTab.h"

#include "ui/charts/ChartView.h"
#include "ui/models/Cells.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <cmath>

namespace gsq::ui {

using namespace gsq::core::results;

SparsityTab::SparsityTab(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeChartHint(tr("Sparsity = fraction of weights set to zero. 'pruned' is measured right after "
                                       "removing weights, 'finetuned' after retraining with the zeros kept.")));
    m_accView = new ChartView(tr("Test accuracy vs sparsity"));
    m_layerView = new ChartView(tr("Per-layer sparsity after the last pruning step"));
    m_accX = new QValueAxis;
    m_accX->setTitleText(tr("target sparsity"));
    m_accX->setRange(0, 1);
    m_accY = new QValueAxis;
    m_accY->setTitleText(tr("test metric (mean ± std)"));
    m_accY->setRange(0, 1);
    m_accView->chart()->addAxis(m_accX, Qt::AlignBottom);
    m_accView->chart()->addAxis(m_accY, Qt::AlignLeft);
    m_layerX = new QBarCategoryAxis;
    m_layerY = new QValueAxis;
    m_layerY->setRange(0, 100);
    m_layerY->setTitleText(tr("sparsity (%)"));
    m_layerView->chart()->addAxis(m_layerX, Qt::AlignBottom);
    m_layerView->chart()->addAxis(m_layerY, Qt::AlignLeft);
    m_scheduleView = new ChartView(tr("Sparsity during fine-tuning"));
    m_schedX = new QValueAxis;
    m_schedX->setTitleText(tr("fine-tuning epoch"));
    m_schedX->setLabelFormat("%d");
    m_schedY = new QValueAxis;
    m_schedY->setTitleText(tr("sparsity (%)"));
    m_schedY->setRange(0, 100);
    m_scheduleView->chart()->addAxis(m_schedX, Qt::AlignBottom);
    m_scheduleView->chart()->addAxis(m_schedY, Qt::AlignLeft);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_layerView, 1);
    bottom->addWidget(m_scheduleView, 1);
    layout->addWidget(m_accView, 3);
    layout->addLayout(bottom, 2);
}

QList<ChartView*> SparsityTab::charts() const
{
    return { m_accView, m_layerView, m_scheduleView };
}

void SparsityTab::clear()
{
    m_values.clear();
    m_base.clear();
    m_lastLayers.clear();
    m_schedule.clear();
    m_plannedEpochs.clear();
    m_scheduleSetting.clear();
    refresh();
}

void SparsityTab::addEvents(const std::vector<SessionEvent>& events)
{
    bool changed = false;
    for (const auto& e : events) {
        if (auto* f = std::get_if<StageFinished>(&e)) {
            if (f->row.method == "none")
                m_base << f->row.testValue;
            else if (f->row.stage == Stage::Quantized)
                continue; // the Quantization tab shows these
            else
                m_values[stageText(f->row.stage)][f->row.targetSparsity] << f->row.testValue;
            changed = true;
        } else if (auto* p = std::get_if<PruningApplied>(&e)) {
            m_lastLayers = p->layers;
            m_lastSetting = QString::fromStdString(settingKey(p->method, p->setting));
            if (p->job == 0) {
                auto& series = m_schedule[m_lastSetting];
                int64_t params = 0, zeros = 0;
                for (const auto& l : p->layers) {
                    series[QString::fromStdString(l.layer)].append(QPointF(p->epoch, l.sparsity() * 100.0));
                    params += l.params;
                    zeros += l.params - l.nnz;
                }
                series[QString()].append(
                    QPointF(p->epoch, params ? 100.0 * static_cast<double>(zeros) / static_cast<double>(params) : 0.0));
                m_scheduleSetting = m_lastSetting;
            }
            changed = true;
        } else if (auto* s = std::get_if<StageStarted>(&e); s && s->job == 0 && s->stage == Stage::Finetuned) {
            m_plannedEpochs[QString::fromStdString(settingKey(s->method, s->setting))] = s->epochs;
        }
    }
    if (changed)
        refresh();
}

QList<QColor> SparsityTab::scheduleColors() const
{
    QList<QColor> out;
    for (auto* series : m_scheduleView->chart()->series())
        if (auto* line = qobject_cast<QLineSeries*>(series))
            out << line->pen().color();
    return out;
}

QList<QPointF> SparsityTab::globalSchedule() const
{
    return m_schedule.value(m_scheduleSetting).value(QString());
}

int SparsityTab::sweepPointCount(const QString& stage) const
{
    return static_cast<int>(m_values.value(stage).size());
}

void SparsityTab::refresh()
{
    auto* chart = m_accView->chart();
    chart->removeAllSeries();
    double lo = 1.0;
    const QMap<QString, QColor> colors { { stageText(Stage::Pruned), QColor("#c0392b") },
        { stageText(Stage::Finetuned), QColor("#27ae60") } };
    for (auto it = m_values.begin(); it != m_values.end(); ++it) {
        auto* mean = new QLineSeries;
        auto* dots = new QScatterSeries;
        auto* upper = new QLineSeries;
        auto* lower = new QLineSeries;
        for (auto p = it->begin(); p != it->end(); ++p) {
            const auto [m, sd] = meanStd(*p);
            mean->append(p.key(), m);
            dots->append(p.key(), m);
            upper->append(p.key(), m + sd);
            lower->append(p.key(), m - sd);
            lo = std::min(lo, m - sd);
        }
        const QColor c = colors.value(it.key(), QColor("#8e44ad"));
        auto* band = new QAreaSeries(upper, lower);
        // A QAreaSeries does not own its boundary lines: they go with it (removeAllSeries deleted
        // the band and leaked the lines; found by LeakSanitizer in MainWindowTest).
        upper->setParent(band);
        lower->setParent(band);
        QColor fill = c;
        fill.setAlpha(50);
        band->setBrush(fill);
        band->setPen(Qt::NoPen);
        band->setName(it.key() + tr(" ±std"));
        mean->setName(it.key());
        mean->setPen(QPen(c, 2));
        dots->setColor(c);
        dots->setMarkerSize(7);
        dots->setName(it.key());
        addHoverTips(dots, tr("sparsity"), tr("test mean"));
        addHoverTips(mean, tr("sparsity"), tr("test mean"));
        for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*> { band, mean, dots }) {
            chart->addSeries(s);
            s->attachAxis(m_accX);
            s->attachAxis(m_accY);
        }
        chart->legend()->markers(dots).first()->setVisible(false);
    }
    if (!m_base.isEmpty()) {
        const double m = meanStd(m_base).first;
        auto* base = new QLineSeries;
        base->append(0, m);
        base->append(1, m);
        base->setName(tr("base (dense)"));
        QPen pen(QColor("#2e86de"), 1.5, Qt::DashLine);
        base->setPen(pen);
        chart->addSeries(base);
        base->attachAxis(m_accX);
        base->attachAxis(m_accY);
        lo = std::min(lo, m);
    }
    m_accY->setRange(std::max(0.0, std::floor((lo - 0.05) * 10) / 10), 1.0);
    // Ticks every 0.1 over a short range, 0.2 over a long one: more labels than the chart's height
    // holds are all elided to "…".
    m_accY->setTickType(QValueAxis::TicksDynamic);
    m_accY->setTickAnchor(0.0);
    m_accY->setTickInterval(1.0 - m_accY->min() <= 0.41 ? 0.1 : 0.2);
    chart->setTitle(m_values.isEmpty()
            ? tr("Test accuracy vs sparsity — add a pruning step (Compression → Method) to sweep")
            : tr("Test accuracy vs sparsity"));
    // Only the base line and a hint without a sweep: left out of reports and exports.
    m_accView->setPlaceholder(m_values.isEmpty());

    // Sparsity over the fine-tuning epochs of the latest setting, drawn as steps.
    auto* schart = m_scheduleView->chart();
    schart->removeAllSeries();
    const auto byLayer = m_schedule.value(m_scheduleSetting);
    const int planned = m_plannedEpochs.value(m_scheduleSetting, 0);
    double maxEpoch = std::max(1, planned);
    int layerIndex = 0;
    for (auto it = byLayer.begin(); it != byLayer.end(); ++it) {
        auto* s = new QLineSeries;
        QList<QPointF> pts;
        for (const auto& p : *it) {
            if (!pts.isEmpty())
                pts << QPointF(p.x(), pts.back().y());
            pts << p;
            maxEpoch = std::max(maxEpoch, p.x());
        }
        if (!pts.isEmpty() && planned > pts.back().x())
            pts << QPointF(planned, pts.back().y());
        s->replace(pts);
        const bool global = it.key().isEmpty();
        QString name = it.key();
        s->setName(global ? tr("all layers") : name.remove("stack.").remove(".weight"));
        // One colour per layer (conv0 and conv1 shared one before), the whole model bold and dark.
        static const QList<QColor> layerColors { QColor("#8e44ad"), QColor("#e67e22"), QColor("#16a085"),
            QColor("#c0392b"), QColor("#2980b9"), QColor("#7f8c8d"), QColor("#d35400"), QColor("#27ae60") };
        const QColor layerColor = layerColors[layerIndex++ % layerColors.size()];
        s->setPen(global ? QPen(QColor("#2c3e50"), 3) : QPen(layerColor, 1.6, Qt::DashLine));
        addHoverTips(s, tr("epoch"), tr("sparsity"));
        schart->addSeries(s);
        s->attachAxis(m_schedX);
        s->attachAxis(m_schedY);
    }
    // Whole epochs only: "%d" labels over 0..1 with five ticks read "0 0 0 0 1".
    const double last = std::max(1.0, maxEpoch);
    m_schedX->setRange(0, last);
    m_schedX->setTickType(QValueAxis::TicksDynamic);
    m_schedX->setTickAnchor(0);
    m_schedX->setTickInterval(std::max(1.0, std::ceil(last / 5.0)));
    schart->setTitle(byLayer.isEmpty() ? tr("Sparsity during fine-tuning")
                                       : tr("Sparsity during fine-tuning — %1").arg(m_scheduleSetting));
    schart->legend()->setVisible(byLayer.size() <= 7);

    auto* lchart = m_layerView->chart();
    lchart->removeAllSeries();
    QStringList names;
    auto* set = new QBarSet(m_lastSetting.isEmpty() ? tr("sparsity") : m_lastSetting);
    for (const auto& l : m_lastLayers) {
        QString name = QString::fromStdString(l.layer);
        name.remove("stack.").remove(".weight");
        names << name;
        *set << std::round(l.sparsity() * 1000.0) / 10.0; // one decimal in the bar labels
    }
    m_layerX->setCategories(names);
    if (!m_lastLayers.empty()) {
        auto* bars = new QBarSeries;
        bars->append(set);
        bars->setLabelsVisible(true);
        bars->setLabelsFormat("@value %");
        lchart->addSeries(bars);
        bars->attachAxis(m_layerX);
        bars->attachAxis(m_layerY);
    } else {
        delete set;
    }
}

} // namespace gsq::ui
