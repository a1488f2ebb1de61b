#include "ui/tabs/QuantizationTab.h"

#include "ui/charts/ChartView.h"

#include <QLabel>
#include <QPalette>
#include <QPen>
#include <QRegularExpression>
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

/// The method and, compactly, its setting (two INT4 QAT steps differ by observer or granularity):
/// "qat 4b percentile per-ch", "a2q 8b→4". One category per step, whatever bits each job's A²Q
/// learned (QuantizationTab::shown adds their mean).
QString labelOf(const ResultRow& row)
{
    if (row.method == "none")
        return QObject::tr("fp32 base");
    QString method = QString::fromStdString(row.method);
    method.replace("degree_quant", "degree-quant");
    method.replace("weight_sharing", "sharing");
    QStringList parts { method };
    // A chained row's setting is its source's chain, then its own: the own part names the bar,
    // the chain follows it compactly ("from global 0.9 → qat 8b").
    QString setting = QString::fromStdString(row.setting);
    QString chain;
    if (const int at = setting.lastIndexOf(QStringLiteral(" → ")); at >= 0) {
        chain = setting.left(at);
        setting = setting.mid(at + 3);
        chain.replace(QRegularExpression(QStringLiteral("\\b(sparsity|bits|target_bits)=")), QString());
        chain.replace(QRegularExpression(QStringLiteral(" storage=\\w+")), QString());
    }
    for (const QString& token : setting.split(' ', Qt::SkipEmptyParts)) {
        if (token.startsWith("bits="))
            parts << token.mid(5) + "b";
        else if (token.startsWith("target_bits="))
            parts.last() += "→" + token.mid(12);
        else if (token.startsWith("observer="))
            parts << token.mid(9);
        else if (token == "per_channel")
            parts << QObject::tr("per-ch");
        else if (token == "start=init")
            parts << QObject::tr("from init");
        else if (token == "storage=huffman")
            parts << QObject::tr("huff");
        else if (token.startsWith("storage="))
            parts << token.mid(8);
        else
            parts << token;
    }
    if (!chain.isEmpty())
        parts << QObject::tr("from") << chain;
    return parts.join(' ');
}

/// A category label on two lines: method and bits, then the rest ("qat 4b<br>percentile per-ch"),
/// or, for a chained row, its own setting, then its chain a step per line ("sharing 4b huff<br>from
/// global 0.9<br>→ qat 8"), so seven methods side by side keep their distinguishing part in view.
QString twoLines(const QString& label)
{
    // A chained row: its own setting, then where it came from, a step per line.
    if (const int at = label.indexOf(QStringLiteral(" from ")); at > 0)
        return label.left(at) + "<br>" + label.mid(at + 1).replace(QStringLiteral(" → "), QStringLiteral("<br>→ "));
    QStringList parts = label.split(' ');
    if (parts.size() <= 2)
        return label;
    return parts.mid(0, 2).join(' ') + "<br>" + parts.mid(2).join(' ');
}

/// The words of a category's own setting after its method and bits ("qat 8b percentile per-ch
/// from global 0.9" -> percentile, per-ch), and where its chain starts (-1: none).
QStringList ownWords(const QString& label, qsizetype* chainAt = nullptr)
{
    const qsizetype at = label.indexOf(QStringLiteral(" from "));
    if (chainAt)
        *chainAt = at;
    return (at >= 0 ? label.left(at) : label).split(' ', Qt::SkipEmptyParts).mid(2);
}

/// `label` without `words` in its own setting (its method, bits and chain stay).
QString withoutWords(const QString& label, const QStringList& words)
{
    qsizetype at = -1;
    const QStringList own = ownWords(label, &at);
    QStringList kept = (at >= 0 ? label.left(at) : label).split(' ', Qt::SkipEmptyParts).mid(0, 2);
    for (const auto& w : own)
        if (!words.contains(w))
            kept << w;
    return kept.join(' ') + (at >= 0 ? label.mid(at) : QString());
}

/// "3:4 4:60" -> {3: 4, 4: 60}.
QMap<int, qint64> parseWidths(const std::string& text)
{
    QMap<int, qint64> out;
    for (const QString& part : QString::fromStdString(text).split(' ', Qt::SkipEmptyParts)) {
        const auto kv = part.split(':');
        if (kv.size() == 2)
            out[kv[0].toInt()] += kv[1].toLongLong();
    }
    return out;
}
} // namespace

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
        const QString label = labelOf(row);
        if (row.method == "a2q" && f->job == 0) {
            for (const auto& l : f->layers) {
                auto& widths = l.isWeight() ? m_weightWidths[label] : m_featureWidths[label];
                const auto parsed = parseWidths(l.bitWidths);
                for (auto it = parsed.begin(); it != parsed.end(); ++it)
                    widths[it.key()] += it.value();
            }
            refreshBits();
        }
        if (!m_order.contains(label))
            m_order << label;
        Entry& entry = m_entries[label];
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
    if (changed)
        refresh();
}

QString QuantizationTab::shown(const QString& label) const
{
    if (!label.startsWith("a2q"))
        return label;
    return label + " (" + QString::number(mean(m_entries[label].bits), 'f', 2) + "b)";
}

QStringList QuantizationTab::categories() const
{
    QStringList out;
    for (const auto& label : m_order)
        out << shown(label);
    return out;
}

QStringList QuantizationTab::sharedSetting() const
{
    QStringList quantized;
    for (const auto& label : m_order)
        if (label != tr("fp32 base"))
            quantized << shown(label);
    if (quantized.size() < 2)
        return {};
    QStringList common = ownWords(quantized.front());
    for (const auto& label : quantized) {
        const QStringList words = ownWords(label);
        QStringList kept;
        for (const auto& w : common)
            if (words.contains(w))
                kept << w;
        common = kept;
    }
    return common;
}

QStringList QuantizationTab::axisCategories() const
{
    const QStringList shared = sharedSetting();
    QStringList out;
    for (const auto& label : m_order)
        out << withoutWords(shown(label), shared);
    return out;
}

void QuantizationTab::refresh()
{
    auto* chart = m_accView->chart();
    chart->removeAllSeries();
    auto* costChart = m_costView->chart();
    costChart->removeAllSeries();
    const QStringList axis = axisCategories();
    QStringList accLabels;
    for (qsizetype i = 0; i < m_order.size(); ++i)
        accLabels << QString("%1<br>%2 ± %3")
                         .arg(twoLines(axis[i]))
                         .arg(meanStd(m_entries[m_order[i]].test).first, 0, 'f', 3)
                         .arg(meanStd(m_entries[m_order[i]].test).second, 0, 'f', 3);
    m_accX->setCategories(accLabels);
    QStringList costLabels;
    for (const auto& label : axis)
        costLabels << twoLines(label);
    m_costX->setCategories(costLabels);
    // Bars start at 0 (a cut axis would make small gaps look large; the labels carry the values)
    // and the axes are reset when there is nothing to show, so no range survives a cleared run.
    m_accY->setRange(0, 1);
    m_accY->setTickCount(6); // 11 ticks elided every label at 1600 x 1000 with three charts
    m_costY->setRange(0, 1.5);
    // With only the fp32 base its bar is shown, with a hint how to add something to compare.
    const QStringList shared = sharedSetting();
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
    for (const auto& label : m_order) {
        *acc << std::round(mean(m_entries[label].test) * 1000.0) / 1000.0;
        *deployed << std::round(mean(m_entries[label].deployed) * 1000.0) / 1000.0;
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
    for (const auto& label : m_order) {
        const double d = std::round(mean(m_entries[label].diskRatio) * 100.0) / 100.0;
        const double s = std::round(mean(m_entries[label].speedup) * 100.0) / 100.0;
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
    for (auto it = m_weightWidths.begin(); it != m_weightWidths.end(); ++it) {
        addSet(tr("%1 — weight channels").arg(it.key()), it.value());
        addSet(tr("%1 — feature rows").arg(it.key()), m_featureWidths.value(it.key()));
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
