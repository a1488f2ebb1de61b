#include "ui/tabs/QuantizationTab.h"

#include "ui/charts/ChartView.h"

#include "core/experiment/Steps.h"

#include <QLabel>
#include <QPalette>
#include <QPen>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <cmath>

namespace gsq::ui {

using namespace gsq::core::results;

namespace {
double mean(const QList<double>& v)
{
    return meanStd(v).first;
}

QString methodName(const std::string& method)
{
    QString name = QString::fromStdString(method);
    name.replace("degree_quant", "degree-quant");
    name.replace("weight_sharing", "sharing");
    return name;
}
} // namespace

/// A row's category, from its typed setting (ResultRow's quant_bits, target_bits, observer, …):
/// one per step and chain, whatever bits each job's A²Q learned (shown() adds their mean).
/// Words are what sets two steps of one method apart (observer, granularity, storage, start,
/// the method's own options) where they differ from the defaults.
QuantizationTab::Category QuantizationTab::categoryOf(const ResultRow& row)
{
    Category c;
    if (row.method == "none") {
        c.key = QStringLiteral("base");
        c.head = tr("fp32 base");
        return c;
    }
    c.key = QString::fromStdString(row.lineage.empty() ? settingKey(row.method, row.setting) : row.lineage);
    if (row.quantBits == 0) {
        // Stored before the typed columns existed: the setting as recorded, not taken apart.
        c.head = methodName(row.method) + ' ' + QString::fromStdString(row.setting);
        return c;
    }
    c.head = methodName(row.method) + ' ' + QString::number(row.quantBits) + 'b';
    if (row.targetBits > 0)
        c.head += "→" + QString::number(row.targetBits);
    static const gsq::core::experiment::QuantSpec defaults;
    if (!row.observer.empty() && row.observer != defaults.observer)
        c.words << QString::fromStdString(row.observer);
    if (row.granularity == "per_channel")
        c.words << tr("per-ch");
    if (row.storage == "huffman")
        c.words << tr("huff");
    else if (!row.storage.empty() && row.storage != defaults.storage)
        c.words << QString::fromStdString(row.storage);
    if (row.start == "init")
        c.words << tr("from init");
    if (!row.methodOptions.empty())
        c.words << QString::fromStdString(row.methodOptions);
    c.chain = QString::fromStdString(row.chain);
    return c;
}

/// The category's name on one line without `hidden` words: "qat 4b percentile per-ch", "sharing
/// 4b huff from global 0.9 → qat 8b"; A²Q's with the mean bits its jobs learned.
QString QuantizationTab::shown(const Category& c, const QStringList& hidden) const
{
    QStringList parts { c.head };
    if (c.head.startsWith("a2q") && m_entries.contains(c.key))
        parts << "(" + QString::number(mean(m_entries[c.key].bits), 'f', 2) + "b)";
    for (const auto& w : c.words)
        if (!hidden.contains(w))
            parts << w;
    if (!c.chain.isEmpty())
        parts << tr("from %1").arg(c.chain);
    return parts.join(' ');
}

/// An axis label on two or more lines: method and bits, then the rest ("qat 4b<br>percentile
/// per-ch"), or, for a chained category, its own setting, then its chain a step per line
/// ("sharing 4b huff<br>from global 0.9<br>→ qat 8b"), so seven methods side by side keep their
/// distinguishing part in view.
QString QuantizationTab::axisLabel(const Category& c, const QStringList& hidden) const
{
    if (!c.chain.isEmpty()) {
        Category own = c;
        own.chain.clear();
        return shown(own, hidden) + "<br>" + tr("from %1").arg(c.chain).replace(" → ", "<br>→ ");
    }
    Category head = c;
    head.words.clear();
    QStringList rest;
    for (const auto& w : c.words)
        if (!hidden.contains(w))
            rest << w;
    return shown(head, hidden) + (rest.isEmpty() ? QString() : "<br>" + rest.join(' '));
}

QuantizationTab::QuantizationTab(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeChartHint(
        tr("Quantized models next to their fp32 base. Bits = stored bits per weight (A²Q: the average over channels). "
           "Cost as ratios to the fp32 base: file = its size on disk over the base's; speed-up = the base's forward "
           "time over the deployed model's (below 1×, the deployed model is slower).")));
    // A chart with a category axis below and a value axis titled `yTitle` on the left.
    auto barChart = [](const QString& title, QBarCategoryAxis*& x, QValueAxis*& y, const QString& yTitle) {
        auto* view = new ChartView(title);
        x = new QBarCategoryAxis;
        y = new QValueAxis;
        y->setTitleText(yTitle);
        view->chart()->addAxis(x, Qt::AlignBottom);
        view->chart()->addAxis(y, Qt::AlignLeft);
        return view;
    };
    m_accView
        = barChart(tr("Test metric by quantization method (mean over seeds and folds)"), m_accX, m_accY, tr("metric"));
    m_accY->setRange(0, 1);
    m_costView = barChart(tr("Cost against the fp32 base: file size and speed-up (ratios; 1× = the same)"), m_costX,
        m_costY, tr("× fp32")); // short: the chart is ~70 px high at 1280 x 720
    m_costLineX = new QValueAxis;
    m_costLineX->setVisible(false);
    m_costView->chart()->addAxis(m_costLineX, Qt::AlignBottom);
    m_bitsView = barChart(tr("A²Q: learned bit-widths (seed 0)"), m_bitsX, m_bitsY, tr("% of rows"));
    m_bitsY->setRange(0, 100);
    m_bitsView->setToolTip(tr("Share of weight output channels and of feature rows (nodes or pooled rows of the "
                              "last evaluation pass) at each learned bit-width. The Layers tab lists them per "
                              "layer, with the features' mean bits by in-degree."));
    layout->addWidget(m_accView, 3);
    layout->addWidget(m_costView, 2);
    layout->addWidget(m_bitsView, 2);
    refresh();
    refreshBits();
}

QList<ChartView*> QuantizationTab::charts() const
{
    return { m_accView, m_costView, m_bitsView };
}

void QuantizationTab::clear()
{
    m_order.clear();
    m_categories.clear();
    m_entries.clear();
    m_baseDisk.clear();
    m_weightWidths.clear();
    m_featureWidths.clear();
    refresh();
    refreshBits();
}

void QuantizationTab::addEvents(const std::vector<SessionEvent>& events)
{
    bool changed = false;
    for (const auto& e : events) {
        const auto* f = std::get_if<StageFinished>(&e);
        if (!f || (f->row.method != "none" && f->row.stage != Stage::Quantized))
            continue;
        const auto& row = f->row;
        const Category category = categoryOf(row);
        const QString& key = category.key;
        if (!m_order.contains(key)) {
            m_order << key;
            m_categories[key] = category;
        }
        if (row.method == "a2q" && f->job == 0) {
            for (const auto& l : f->layers) {
                auto& widths = l.isWeight() ? m_weightWidths[key] : m_featureWidths[key];
                for (const auto& [bits, rows] : l.bitWidths)
                    widths[bits] += rows;
            }
        }
        Entry& entry = m_entries[key];
        entry.test << row.testValue;
        entry.deployed << row.deployedValue;
        entry.bits << row.bits;
        // Sizes in deployment form (BatchNorm folded), the form quantized files are stored in, so
        // the ratio compares like with like.
        auto folded = [](const ResultRow& r) {
            return static_cast<double>(r.sizeFoldedBytes > 0 ? r.sizeFoldedBytes : r.sizeDiskBytes);
        };
        if (row.method == "none") {
            m_baseDisk[{ row.seed, row.fold }] = folded(row);
            entry.diskRatio << 1.0;
            entry.speedup << 1.0;
        } else {
            const double base = m_baseDisk.value({ row.seed, row.fold }, 0.0);
            if (base > 0)
                entry.diskRatio << folded(row) / base;
            if (row.latencyMs > 0)
                entry.speedup << row.latencyDenseMs / row.latencyMs;
        }
        changed = true;
    }
    if (changed) {
        refresh();
        refreshBits(); // A²Q's names carry the mean bits of the jobs so far
    }
}

QStringList QuantizationTab::categories() const
{
    QStringList out;
    for (const auto& key : m_order)
        out << shown(m_categories[key]);
    return out;
}

QStringList QuantizationTab::sharedSetting() const
{
    QList<const Category*> quantized;
    for (const auto& key : m_order)
        if (key != QStringLiteral("base"))
            quantized << &*m_categories.constFind(key);
    if (quantized.size() < 2)
        return {};
    QStringList common = quantized.front()->words;
    for (const auto* c : quantized) {
        QStringList kept;
        for (const auto& w : common)
            if (c->words.contains(w))
                kept << w;
        common = kept;
    }
    return common;
}

QStringList QuantizationTab::axisCategories() const
{
    const QStringList shared = sharedSetting();
    QStringList out;
    for (const auto& key : m_order)
        out << shown(m_categories[key], shared);
    return out;
}

void QuantizationTab::refresh()
{
    auto* chart = m_accView->chart();
    chart->removeAllSeries();
    auto* costChart = m_costView->chart();
    costChart->removeAllSeries();
    const QStringList shared = sharedSetting();
    QStringList accLabels, costLabels;
    for (const auto& key : m_order) {
        const QString label = axisLabel(m_categories[key], shared);
        const auto [testMean, testStd] = meanStd(m_entries[key].test);
        accLabels << QString("%1<br>%2 ± %3").arg(label).arg(testMean, 0, 'f', 3).arg(testStd, 0, 'f', 3);
        costLabels << label;
    }
    m_accX->setCategories(accLabels);
    m_costX->setCategories(costLabels);
    // Bars start at 0 (a cut axis would make small gaps look large; the labels carry the values)
    // and the axes are reset when there is nothing to show, so no range survives a cleared run.
    m_accY->setRange(0, 1);
    m_accY->setTickCount(6); // 11 ticks elided every label at 1600 x 1000 with three charts
    m_costY->setRange(0, 1.5);
    // With only the fp32 base its bar is shown, with a hint how to add something to compare.
    chart->setTitle(m_order.size() <= 1
            ? tr("Test metric by quantization method — add a quantize step (Compression steps → Add step)")
            : shared.isEmpty() ? tr("Test metric by quantization method (mean over seeds and folds)")
                               : tr("Test metric by quantization method (mean over seeds and folds; every one: %1)")
                                     .arg(shared.join(' ')));
    // The base alone is a reference, not a result: not exported.
    m_accView->setPlaceholder(m_order.size() <= 1);
    m_costView->setPlaceholder(m_order.size() <= 1);
    if (m_order.isEmpty())
        return;

    // Simulated (fake quantization, what training optimised) beside deployed (the predictions of
    // the int8 kernels or, for weight sharing, of the decoded codebook: the model whose latency is
    // shown); equal for the fp32 base.
    auto* acc = new QBarSet(tr("simulated (fake-quant)"));
    acc->setColor(QColor("#2e86de"));
    acc->setLabelColor(Qt::white);
    auto* deployed = new QBarSet(tr("deployed (int8 kernels / decoded codebook)"));
    deployed->setColor(QColor("#1b4f72"));
    deployed->setLabelColor(Qt::white);
    for (const auto& key : m_order) {
        *acc << std::round(mean(m_entries[key].test) * 1000.0) / 1000.0;
        *deployed << std::round(mean(m_entries[key].deployed) * 1000.0) / 1000.0;
    }
    auto* accSeries = new QBarSeries;
    accSeries->append(acc);
    if (m_order.size() > 1) // the base alone runs no int8 kernels: no deployed bar to show
        accSeries->append(deployed);
    else
        delete deployed;
    chart->addSeries(accSeries);
    accSeries->attachAxis(m_accX);
    accSeries->attachAxis(m_accY);

    // Both as ratios to the base, drawn as ratios: 0.81× is a slow-down, and reads as one beside
    // the 1× line (a "× 100" on a "% of fp32" axis read as "81 % of the time").
    auto* disk = new QBarSet(tr("file ÷ fp32 file (BatchNorm folded in both)"));
    disk->setColor(QColor("#8e44ad"));
    auto* speed = new QBarSet(tr("speed-up: fp32 time ÷ deployed time"));
    speed->setColor(QColor("#27ae60"));
    // Labels above the bars: a file at 0.03× has a bar too thin to hold its label.
    disk->setLabelColor(palette().color(QPalette::WindowText));
    speed->setLabelColor(palette().color(QPalette::WindowText));
    double hi = 1.0;
    for (const auto& key : m_order) {
        const double d = std::round(mean(m_entries[key].diskRatio) * 100.0) / 100.0;
        const double s = std::round(mean(m_entries[key].speedup) * 100.0) / 100.0;
        *disk << d;
        *speed << s;
        hi = std::max({ hi, d, s });
    }
    auto* costSeries = new QBarSeries;
    costSeries->append(disk);
    costSeries->append(speed);
    costSeries->setLabelsVisible(true);
    costSeries->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    costSeries->setLabelsFormat("@value×");
    costChart->addSeries(costSeries);
    costSeries->attachAxis(m_costX);
    costSeries->attachAxis(m_costY);
    // Ticks every 0.5, so 1× is one of them.
    const double top = std::ceil(hi * 2.0 + 0.5) / 2.0;
    m_costY->setRange(0, top);
    m_costY->setTickCount(static_cast<int>(top * 2.0) + 1);
    m_costY->setLabelFormat("%.1f");
    // The 1× line: equal to the base; a speed-up bar below it is a slow-down.
    auto* same = new QLineSeries;
    same->setName(tr("1× = as the fp32 base"));
    same->setPen(QPen(QColor("#555555"), 1.5, Qt::DashLine));
    const double n = static_cast<double>(m_order.size());
    same->append(-0.5, 1.0);
    same->append(n - 0.5, 1.0);
    costChart->addSeries(same);
    m_costLineX->setRange(-0.5, n - 0.5);
    same->attachAxis(m_costLineX);
    same->attachAxis(m_costY);
}

void QuantizationTab::refreshBits()
{
    auto* chart = m_bitsView->chart();
    chart->removeAllSeries();
    m_bitsView->setVisible(!m_weightWidths.isEmpty());
    if (m_weightWidths.isEmpty())
        return;
    int lo = 8, hi = 2;
    for (const auto* all : { &m_weightWidths, &m_featureWidths })
        for (const auto& widths : *all)
            for (auto it = widths.begin(); it != widths.end(); ++it) {
                lo = std::min(lo, it.key());
                hi = std::max(hi, it.key());
            }
    QStringList categories;
    for (int b = lo; b <= hi; ++b)
        categories << tr("%1 bits").arg(b);
    m_bitsX->setCategories(categories);
    auto* series = new QBarSeries;
    const QStringList colours { "#2e86de", "#e67e22", "#16a085", "#c0392b" };
    int colour = 0;
    auto addSet = [&](const QString& name, const QMap<int, qint64>& widths) {
        qint64 total = 0;
        for (auto n : widths)
            total += n;
        if (total == 0)
            return;
        auto* set = new QBarSet(name);
        set->setColor(QColor(colours[colour++ % colours.size()]));
        for (int b = lo; b <= hi; ++b)
            *set << std::round(1000.0 * static_cast<double>(widths.value(b)) / static_cast<double>(total)) / 10.0;
        series->append(set);
    };
    for (const auto& key : m_order)
        if (m_weightWidths.contains(key)) {
            const QString name = shown(m_categories[key]);
            addSet(tr("%1 — weight channels").arg(name), m_weightWidths[key]);
            addSet(tr("%1 — feature rows").arg(name), m_featureWidths.value(key));
        }
    // Values on the bars for one A²Q step (two sets); with more, the bars are too narrow for
    // their labels, which overlapped into unreadable fragments ("00 %", "7.1"): hover tells.
    series->setLabelsVisible(series->count() <= 2);
    series->setLabelsFormat("@value %");
    chart->addSeries(series);
    series->attachAxis(m_bitsX);
    series->attachAxis(m_bitsY);
}

} // namespace gsq::ui
