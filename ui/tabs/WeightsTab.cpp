#include "ui/tabs/WeightsTab.h"

#include "ui/charts/ChartView.h"
#include "ui/models/Cells.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSlider>
#include <QVBoxLayout>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

namespace gsq::ui {

using namespace gsq::core::results;

WeightsTab::WeightsTab(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_layer = new QComboBox;
    m_layer->setMinimumContentsLength(22);
    m_setting = new QComboBox;
    m_setting->setMinimumContentsLength(16);
    m_log = new QCheckBox(tr("Log scale"));
    m_log->setChecked(true);
    m_all = new QCheckBox(tr("All layers"));
    m_all->setToolTip(tr("Every layer side by side (small multiples) for the selected setting"));
    bar->addWidget(new QLabel(tr("Layer")));
    bar->addWidget(m_layer);
    bar->addWidget(new QLabel(tr("Setting")));
    bar->addWidget(m_setting);
    bar->addWidget(m_log);
    bar->addWidget(m_all);
    bar->addStretch(1);
    layout->addLayout(bar);
    auto* epochBar = new QHBoxLayout;
    m_epoch = new QSlider(Qt::Horizontal);
    m_epoch->setRange(0, 0);
    m_epoch->setToolTip(tr("Weights after each training epoch; the right end shows the stages overlaid"));
    m_epochLabel = new QLabel;
    m_epochLabel->setMinimumWidth(260);
    epochBar->addWidget(new QLabel(tr("Epoch")));
    epochBar->addWidget(m_epoch, 1);
    epochBar->addWidget(m_epochLabel);
    layout->addLayout(epochBar);
    layout->addWidget(
        makeChartHint(tr("Pruned weights are exactly zero, so the bin at zero spikes. A masked model is "
                         "not faster by itself: the zeros are still multiplied unless a sparse kernel skips them. "
                         "Quantized weights are drawn as stored: at 4 bits only 15 levels remain.")));
    m_view = new ChartView(tr("Weight histogram"));
    layout->addWidget(m_view, 1);
    m_gridArea = new QScrollArea;
    m_gridArea->setWidgetResizable(true);
    auto* gridHost = new QWidget;
    m_grid = new QGridLayout(gridHost);
    m_gridArea->setWidget(gridHost);
    m_gridArea->hide();
    layout->addWidget(m_gridArea, 1);
    connect(m_layer, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    connect(m_layer, &QComboBox::activated, this, [this] { m_layerChosen = true; });
    connect(m_setting, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    connect(m_log, &QCheckBox::toggled, this, [this] { refresh(); });
    connect(m_all, &QCheckBox::toggled, this, [this] { refresh(); });
    connect(m_epoch, &QSlider::valueChanged, this, [this] { refresh(); });
}

QList<ChartView*> WeightsTab::charts() const
{
    return { m_view };
}

void WeightsTab::forEachReportChart(const std::function<void(ChartView*)>& fn)
{
    if (!isVisible())
        return; // the report draws each tab while it is current
    const bool all = m_all->isChecked();
    const int layer = m_layer->currentIndex();
    const int epoch = m_epoch->value();
    {
        const QSignalBlocker blockAll(m_all), blockEpoch(m_epoch), blockLayer(m_layer);
        m_all->setChecked(false);
        m_epoch->setValue(m_epoch->maximum()); // the stages overlaid
        for (int i = 0; i < m_layer->count(); ++i) {
            m_layer->setCurrentIndex(i);
            refresh();
            // The previous layer's axes are deleted later by Qt Charts: let that happen before
            // drawing, or their ticks stay painted over the new ones.
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
            QCoreApplication::processEvents();
            fn(m_view);
        }
        m_all->setChecked(all);
        m_layer->setCurrentIndex(layer);
        m_epoch->setValue(epoch);
    }
    refresh();
}

void WeightsTab::clear()
{
    m_layerChosen = false;
    m_rows.clear();
    m_snapshots.clear();
    m_layer->clear();
    m_setting->clear();
    refresh();
}

void WeightsTab::addEvents(const std::vector<SessionEvent>& events)
{
    bool changed = false;
    for (const auto& e : events) {
        if (auto* w = std::get_if<WeightSnapshot>(&e)) {
            const QString setting = QString::fromStdString(settingKey(w->method, w->setting));
            for (const auto& l : w->layers)
                m_snapshots[QString::fromStdString(l.layer)][setting].append({ stageText(w->stage), w->epoch, l });
            changed = true;
            continue;
        }
        auto* f = std::get_if<StageFinished>(&e);
        if (!f || f->job != 0)
            continue;
        for (const auto& l : f->layers) {
            if (!l.isWeight())
                continue; // A²Q feature rows have no weight histogram (Layers tab)
            const QString layer = QString::fromStdString(l.layer);
            const QString setting = QString::fromStdString(settingKey(l.method, l.setting));
            m_rows[layer][setting][stageText(l.stage)] = l;
            if (m_layer->findText(layer) < 0)
                m_layer->addItem(layer);
            if (!setting.isEmpty() && m_setting->findText(setting) < 0) {
                m_setting->addItem(setting);
                m_setting->setCurrentIndex(m_setting->count() - 1); // follow the newest (most pruned) setting
            }
            changed = true;
        }
    }
    if (changed && !m_layerChosen) {
        // Until the user picks one, show the largest weight matrix: the most telling histogram.
        QString largest;
        int64_t most = -1;
        for (auto it = m_rows.cbegin(); it != m_rows.cend(); ++it)
            for (const auto& bySetting : *it)
                for (const auto& row : bySetting)
                    if (row.params > most) {
                        most = row.params;
                        largest = it.key();
                    }
        if (!largest.isEmpty() && m_layer->currentText() != largest) {
            const QSignalBlocker block(m_layer);
            m_layer->setCurrentText(largest);
        }
    }
    if (changed)
        refresh();
}

int WeightsTab::stageCount() const
{
    const auto byLayer = m_rows.value(m_layer->currentText());
    const int base = static_cast<int>(byLayer.value(QString()).size());
    return m_setting->currentText().isEmpty() ? base
                                              : base + static_cast<int>(byLayer.value(m_setting->currentText()).size());
}

QList<WeightsTab::Snapshot> WeightsTab::snapshotsOf(const QString& layer) const
{
    const auto layerIt = m_snapshots.constFind(layer);
    if (layerIt == m_snapshots.cend())
        return {};
    QList<Snapshot> out = layerIt->value(QString()); // base training
    if (const QString setting = m_setting->currentText(); !setting.isEmpty())
        out += layerIt->value(setting);
    return out;
}

int WeightsTab::epochCount() const
{
    return static_cast<int>(snapshotsOf(m_layer->currentText()).size());
}

QString WeightsTab::epochCaption() const
{
    const auto snaps = snapshotsOf(m_layer->currentText());
    if (m_epoch->value() >= snaps.size())
        return tr("final: stages overlaid");
    const auto& s = snaps[m_epoch->value()];
    return tr("%1 epoch %2").arg(s.stage).arg(s.epoch);
}

void WeightsTab::updateSlider()
{
    const int count = epochCount();
    const bool atEnd = m_epoch->value() >= m_epoch->maximum();
    const QSignalBlocker block(m_epoch);
    m_epoch->setRange(0, count);
    if (atEnd)
        m_epoch->setValue(count); // follow the run while the slider sits at "final"
    m_epoch->setEnabled(count > 0);
    m_epochLabel->setText(epochCaption());
}

void WeightsTab::refresh()
{
    updateSlider();
    const bool all = m_all->isChecked();
    m_view->setVisible(!all);
    m_gridArea->setVisible(all);
    m_layer->setEnabled(!all);
    qDeleteAll(m_small);
    m_small.clear();
    if (!all) {
        draw(m_view, m_layer->currentText(), false);
        return;
    }
    const QStringList layers = m_rows.keys();
    const int columns = layers.size() > 4 ? 3 : 2;
    for (int i = 0; i < layers.size(); ++i) {
        auto* view = new ChartView(layers[i]);
        draw(view, layers[i], true);
        m_grid->addWidget(view, i / columns, i % columns);
        m_small << view;
    }
}

int WeightsTab::draw(ChartView* view, const QString& layer, bool compact) const
{
    auto* chart = view->chart();
    chart->removeAllSeries();
    for (auto* a : chart->axes())
        chart->removeAxis(a), delete a;
    // Pointers into m_rows and `snaps` (never into temporary copies), valid while drawing.
    QList<const LayerRow*> rows;
    const QList<Snapshot> snaps = snapshotsOf(layer);
    const Snapshot* snapshot = m_epoch->value() < snaps.size() ? &snaps[m_epoch->value()] : nullptr;
    const auto layerIt = m_rows.constFind(layer);
    if (snapshot) {
        rows << &snapshot->row;
    } else if (layerIt != m_rows.cend()) {
        for (const QString& setting : { QString(), m_setting->currentText() }) {
            if (setting.isEmpty() && !rows.isEmpty())
                continue;
            const auto settingIt = layerIt->constFind(setting);
            if (settingIt != layerIt->cend())
                for (const auto& r : *settingIt)
                    rows << &r;
        }
    }
    if (rows.isEmpty())
        return 0;
    auto* x = new QValueAxis;
    if (!compact)
        x->setTitleText(tr("weight value"));
    x->setTickCount(compact ? 3 : 5);
    QAbstractAxis* y;
    if (m_log->isChecked()) {
        auto* ly = new QLogValueAxis;
        ly->setBase(10);
        ly->setLabelFormat("%g");
        ly->setMin(0.5);
        y = ly;
    } else {
        y = new QValueAxis;
    }
    if (!compact)
        y->setTitleText(tr("weights per bin"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    view->applyFonts();
    const QMap<QString, QColor> colors { { stageText(Stage::Base), QColor("#2e86de") },
        { stageText(Stage::Pruned), QColor("#c0392b") }, { stageText(Stage::Finetuned), QColor("#27ae60") },
        { stageText(Stage::Quantized), QColor("#8e44ad") }, { stageText(Stage::Qat), QColor("#8e44ad") },
        { stageText(Stage::Regularized), QColor("#e67e22") } };
    double maxCount = 1;
    std::stable_sort(rows.begin(), rows.end(), [](const LayerRow* a, const LayerRow* b) {
        return (a->stage == Stage::Base ? 1 : 0) < (b->stage == Stage::Base ? 1 : 0);
    });
    for (const LayerRow* r : rows) {
        auto* s = new QLineSeries;
        const int bins = static_cast<int>(r->histCounts.size());
        const double width = (r->histHi - r->histLo) / std::max(1, bins);
        QList<QPointF> pts;
        for (int b = 0; b < bins; ++b) {
            // Stepped outline; empty bins sit at 0.5 so the log axis can draw them.
            const double v = std::max<double>(m_log->isChecked() ? 0.5 : 0.0, static_cast<double>(r->histCounts[b]));
            pts << QPointF(r->histLo + b * width, v) << QPointF(r->histLo + (b + 1) * width, v);
            maxCount = std::max(maxCount, v);
        }
        s->replace(pts);
        const QString stage = stageText(r->stage);
        s->setName(stage + (r->setting.empty() ? QString() : " " + QString::fromStdString(r->setting))
            + (snapshot ? tr(" epoch %1 (bins span this epoch's range)").arg(snapshot->epoch) : QString()));
        // Base is dashed and drawn on top, so it stays visible where the stages coincide.
        s->setPen(QPen(colors.value(stage, Qt::darkGray), compact ? 1.5 : 2,
            r->stage == Stage::Base ? Qt::DashLine : Qt::SolidLine));
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    // One x-range for the layer: every stage drawn, every epoch snapshot and the final stages of
    // the setting, so the epoch slider does not rescale the axis at each step.
    double lo = 0, hi = 0;
    auto cover = [&](const LayerRow& r) {
        lo = std::min(lo, r.histLo);
        hi = std::max(hi, r.histHi);
    };
    for (const LayerRow* r : rows)
        cover(*r);
    for (const auto& s : snaps)
        cover(s.row);
    if (layerIt != m_rows.cend())
        for (const auto& settingRows : *layerIt)
            for (const auto& r : settingRows)
                cover(r);
    x->setRange(lo, hi);
    if (!compact)
        m_xRange = { lo, hi };
    y->setMax(maxCount * (m_log->isChecked() ? 2.0 : 1.05));
    const QString when = snapshot ? tr(" — %1 epoch %2").arg(snapshot->stage).arg(snapshot->epoch) : QString();
    if (compact) {
        chart->legend()->setVisible(false);
        chart->setTitle(QString(layer).remove("stack.").remove(".weight") + when);
    } else {
        chart->legend()->setVisible(true);
        chart->setTitle(tr("Weight histogram — %1").arg(layer) + when);
    }
    return static_cast<int>(rows.size());
}

} // namespace gsq::ui
