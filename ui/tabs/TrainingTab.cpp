#include "ui/tabs/TrainingTab.h"

#include "ui/charts/ChartView.h"
#include "ui/models/NumberFormat.h"

#include <QLabel>
#include <QSet>
#include <QVBoxLayout>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace gsq::ui {

using namespace gsq::core::results;

namespace {
QColor stageColor(Stage stage)
{
    if (stage == Stage::Base)
        return QColor("#2e86de");
    if (stage == Stage::Regularized)
        return QColor("#e67e22");
    if (stage == Stage::Qat)
        return QColor("#8e44ad");
    return QColor("#27ae60");
}

/// The stage's colour, shaded by the setting: a sequential ramp over the setting's value
/// ("sparsity=0.9" darker than "sparsity=0.5"; "bits=2" darker than "bits=8"), so the curves of
/// a sweep are told apart. Settings without a number keep the stage's colour. Each further
/// setting after the first ("bits=8 target_bits=4 weight_error=300": two) turns the hue by 18°,
/// so steps that share their first value ("bits=8") are told apart too.
QColor settingColor(Stage stage, const std::string& setting)
{
    QColor c = stageColor(stage);
    const auto eq = setting.find('=');
    if (eq == std::string::npos)
        return c;
    const int extra = static_cast<int>(std::count(setting.begin(), setting.end(), ' '));
    if (extra > 0) {
        const int hue = (c.hslHue() + 18 * std::min(extra, 3)) % 360;
        c = QColor::fromHsl(hue, c.hslSaturation(), c.lightness());
    }
    const std::string key = setting.substr(0, eq);
    double v = std::atof(setting.c_str() + eq + 1);
    if (key == "bits")
        v = 1.0 - std::clamp(v, 2.0, 8.0) / 8.0; // fewer bits: darker
    v = std::clamp(v, 0.0, 1.0);
    // From 40 % lighter (setting 0) to 45 % darker (setting 1) than the stage's colour.
    return v < 0.5 ? c.lighter(static_cast<int>(140 - 80 * v)) : c.darker(static_cast<int>(100 + 90 * (v - 0.5)));
}

QValueAxis* axis(const QString& title)
{
    auto* a = new QValueAxis;
    a->setTitleText(title);
    a->setLabelFormat("%g");
    return a;
}
} // namespace

TrainingTab::TrainingTab(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeChartHint(
        tr("Blue: base training · orange: L2-regularised training · green: fine-tuning with "
           "pruning masks · purple: quantization-aware training. Thin lines: one seed (and setting); bold: "
           "their mean. Later stages start where the base training ended (dashed line).")));
    m_lossView = new ChartView(tr("Training loss"));
    m_metricView = new ChartView(tr("Validation metric"));
    m_lossX = axis(tr("epoch"));
    m_lossY = axis(tr("loss"));
    m_metricX = axis(tr("epoch"));
    m_metricY = axis(tr("validation metric"));
    m_lossView->chart()->addAxis(m_lossX, Qt::AlignBottom);
    m_lossView->chart()->addAxis(m_lossY, Qt::AlignLeft);
    m_metricView->chart()->addAxis(m_metricX, Qt::AlignBottom);
    m_metricView->chart()->addAxis(m_metricY, Qt::AlignLeft);
    m_metricY->setRange(0, 1);
    layout->addWidget(m_lossView, 1);
    layout->addWidget(m_metricView, 1);
}

QList<ChartView*> TrainingTab::charts() const
{
    return { m_lossView, m_metricView };
}

void TrainingTab::clear()
{
    m_lossView->chart()->removeAllSeries();
    m_metricView->chart()->removeAllSeries();
    m_loss.clear();
    m_means.clear();
    m_baseMarkLoss = m_baseMarkMetric = nullptr;
    m_baseEnd.clear();
    m_regularizedEnd.clear();
    m_maxX = 1;
    m_maxLoss = 0.1;
    m_losses.clear();
}

namespace {
/// "qat" and "qat bits=4" → "qat bits=4" (QAT's stage and method share a name), "qat" and
/// "a2q bits=8" → "a2q bits=8" (every quantize step's training is stage "qat"; its method says
/// more), "finetuned" and "finegrained sparsity=0.5" → both, "base" and "" → "base".
QString stageAndSetting(const QString& stage, const QString& setting)
{
    if (setting == stage || setting.startsWith(stage + ' ') || (stage == "qat" && !setting.isEmpty()))
        return setting;
    return (stage + ' ' + setting).trimmed();
}
} // namespace

TrainingTab::Curve& TrainingTab::curve(
    int job, Stage stage, const std::string& setting, int64_t seed, const std::string& method)
{
    // Settings repeat across methods ("bits=4" for qat and degree_quant): the method is part of the key.
    const std::string label = settingKey(method, setting);
    const QString key = QString("%1|%2|%3").arg(job).arg(stageName(stage), QString::fromStdString(label));
    auto it = m_loss.find(key);
    if (it != m_loss.end())
        return *it;
    Curve c;
    const QString name
        = QString("seed %1 %2").arg(seed).arg(stageAndSetting(QString::fromStdString(stageName(stage)), label.c_str()));
    c.loss = new QLineSeries;
    c.metric = new QLineSeries;
    for (auto* s : { c.loss, c.metric }) {
        s->setName(name);
        QColor color = settingColor(stage, setting);
        color.setAlpha(150); // seeds thin and light, their mean drawn bold on top
        QPen pen(color);
        pen.setWidthF(1.0);
        s->setPen(pen);
    }
    addHoverTips(c.loss, tr("epoch"), tr("loss"));
    addHoverTips(c.metric, tr("epoch"), tr("validation"));
    m_lossView->chart()->addSeries(c.loss);
    c.loss->attachAxis(m_lossX);
    c.loss->attachAxis(m_lossY);
    m_metricView->chart()->addSeries(c.metric);
    c.metric->attachAxis(m_metricX);
    c.metric->attachAxis(m_metricY);
    if (stage == Stage::Regularized || stage == Stage::Finetuned || stage == Stage::Qat) {
        c.offset = m_baseEnd.value(job, 0);
        if (stage == Stage::Finetuned)
            c.offset = m_regularizedEnd.value(QString("%1|%2").arg(job).arg(QString::fromStdString(setting)), c.offset);
    }
    return *m_loss.insert(key, c);
}

QColor TrainingTab::curveColor(const QString& name) const
{
    for (const auto& c : m_loss)
        if (c.loss->name() == name)
            return c.loss->pen().color();
    return {};
}

void TrainingTab::addEvents(const std::vector<SessionEvent>& events)
{
    for (const auto& e : events) {
        if (auto* m = std::get_if<EpochMetrics>(&e)) {
            Curve& c = curve(m->job, m->stage, m->setting, m->seed, m->method);
            const double x = c.offset + m->point.epoch;
            c.lossPts.append(QPointF(x, m->point.loss));
            if (std::isfinite(m->point.valMetric))
                c.metricPts.append(QPointF(x, m->point.valMetric));
            c.dirty = true;
            m_maxX = std::max(m_maxX, x);
            if (std::isfinite(m->point.loss)) {
                m_maxLoss = std::max(m_maxLoss, m->point.loss);
                m_losses.push_back(m->point.loss);
            }
            {
                const QString key
                    = QString::fromStdString(stageName(m->stage) + ("|" + settingKey(m->method, m->setting)));
                Mean& mean = m_means[key];
                auto& sum = mean.sums[x];
                if (std::isfinite(m->point.loss)) {
                    sum[0] += m->point.loss;
                    sum[1] += 1;
                }
                if (std::isfinite(m->point.valMetric)) {
                    sum[2] += m->point.valMetric;
                    sum[3] += 1;
                }
                mean.jobs.insert(m->job);
                mean.dirty = true;
            }
            if (m->stage == Stage::Base)
                m_baseEnd[m->job] = m->point.epoch;
            if (m->stage == Stage::Regularized)
                m_regularizedEnd[QString("%1|%2").arg(m->job).arg(QString::fromStdString(m->setting))]
                    = static_cast<int>(x);
        } else if (auto* f = std::get_if<StageFinished>(&e)) {
            m_metricName = QString::fromStdString(f->row.metric);
        }
    }
    refresh();
}

void TrainingTab::refresh()
{
    for (auto& c : m_loss) {
        if (!c.dirty)
            continue;
        c.loss->replace(c.lossPts); // one replace per refresh, never append in a loop
        c.metric->replace(c.metricPts);
        // A line needs two points: a curve of one (a stepped first epoch) shows as a marker.
        c.loss->setPointsVisible(c.lossPts.size() == 1);
        c.metric->setPointsVisible(c.metricPts.size() == 1);
        c.dirty = false;
    }
    for (auto it = m_means.begin(); it != m_means.end(); ++it) {
        Mean& mean = *it;
        if (!mean.dirty || mean.jobs.size() < 2)
            continue;
        if (!mean.loss) {
            const QStringList parts = it.key().split('|');
            const QString name = tr("mean %1").arg(stageAndSetting(parts[0], parts.value(1)));
            mean.loss = new QLineSeries;
            mean.metric = new QLineSeries;
            // The key's setting part is "method setting"; its last word carries the value.
            const std::string setting = parts.value(1).section(' ', -1).toStdString();
            const Stage stage = parseStage(parts[0].toStdString()).value_or(Stage::Finetuned);
            for (auto* s : { mean.loss, mean.metric }) {
                s->setName(name);
                s->setPen(QPen(settingColor(stage, setting), 2.6));
            }
            addHoverTips(mean.loss, tr("epoch"), tr("loss"));
            addHoverTips(mean.metric, tr("epoch"), tr("validation"));
            m_lossView->chart()->addSeries(mean.loss);
            mean.loss->attachAxis(m_lossX);
            mean.loss->attachAxis(m_lossY);
            m_metricView->chart()->addSeries(mean.metric);
            mean.metric->attachAxis(m_metricX);
            mean.metric->attachAxis(m_metricY);
        }
        QList<QPointF> loss, metric;
        for (auto p = mean.sums.cbegin(); p != mean.sums.cend(); ++p) {
            if ((*p)[1] > 0)
                loss.append(QPointF(p.key(), (*p)[0] / (*p)[1]));
            if ((*p)[3] > 0)
                metric.append(QPointF(p.key(), (*p)[2] / (*p)[3]));
        }
        mean.loss->replace(loss);
        mean.metric->replace(metric);
        mean.dirty = false;
    }
    const double lossTop = std::max(0.1, lossAxisTop(m_losses));
    // The end of base training, where compression stages begin, marked on both charts.
    int baseEnd = 0;
    for (int end : m_baseEnd)
        baseEnd = std::max(baseEnd, end);
    if (baseEnd > 0 && m_maxX > baseEnd) {
        if (!m_baseMarkLoss) {
            m_baseMarkLoss = new QLineSeries;
            m_baseMarkMetric = new QLineSeries;
            for (auto* s : { m_baseMarkLoss, m_baseMarkMetric }) {
                s->setName(tr("end of base training"));
                s->setPen(QPen(QColor("#7f8c8d"), 1.2, Qt::DashLine));
            }
            m_lossView->chart()->addSeries(m_baseMarkLoss);
            m_baseMarkLoss->attachAxis(m_lossX);
            m_baseMarkLoss->attachAxis(m_lossY);
            m_metricView->chart()->addSeries(m_baseMarkMetric);
            m_baseMarkMetric->attachAxis(m_metricX);
            m_baseMarkMetric->attachAxis(m_metricY);
        }
        m_baseMarkLoss->replace({ QPointF(baseEnd, 0), QPointF(baseEnd, lossTop * 1.05) });
        m_baseMarkMetric->replace({ QPointF(baseEnd, 0), QPointF(baseEnd, 1) });
    }
    // The legend names each stage and setting once: its mean where there is one (its seeds'
    // thin curves are not listed), else its single curve. Many entries go to the right, one per
    // line, so none is cut.
    QSet<QString> withMean;
    for (auto it = m_means.cbegin(); it != m_means.cend(); ++it)
        if (it->loss)
            withMean.insert(it.key());
    int entries = m_baseMarkLoss ? 1 : 0;
    for (auto it = m_loss.cbegin(); it != m_loss.cend(); ++it) {
        const QStringList parts = it.key().split('|'); // job|stage|setting
        const bool listed = !withMean.contains(parts.value(1) + "|" + parts.value(2));
        entries += listed ? 1 : 0;
        for (auto* view : { m_lossView, m_metricView })
            for (auto* marker : view->chart()->legend()->markers(view == m_lossView ? it->loss : it->metric))
                marker->setVisible(listed);
    }
    entries += static_cast<int>(withMean.size());
    m_legendEntries = entries;
    for (auto* view : { m_lossView, m_metricView }) {
        auto* legend = view->chart()->legend();
        legend->setVisible(true);
        legend->setAlignment(entries > 6 ? Qt::AlignRight : Qt::AlignBottom);
    }
    // Epochs end where the data ends (nice numbers would stretch 300 epochs to 400), on ticks
    // of a round step from 0.
    const double step = epochTickStep(m_maxX);
    for (auto* a : { m_lossX, m_metricX }) {
        a->setRange(0, m_maxX);
        a->setTickType(QValueAxis::TicksDynamic);
        a->setTickAnchor(0);
        a->setTickInterval(step);
        a->setLabelFormat("%.0f");
    }
    m_lossY->setRange(0, lossTop * 1.05);
    m_lossY->applyNiceNumbers();
    m_lossY->setTitleText(
        lossTop < m_maxLoss ? tr("loss (clipped; up to %1)").arg(formatNumber(m_maxLoss)) : tr("loss"));
    m_metricY->setTitleText(tr("validation %1").arg(m_metricName));
}

double TrainingTab::epochTickStep(double maxEpoch)
{
    // About five intervals, each 1, 2 or 5 times a power of ten, and whole epochs.
    const double raw = std::max(maxEpoch, 1.0) / 5;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    const double m = raw / power;
    return std::max(1.0, (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power);
}

double TrainingTab::lossAxisTop(std::vector<double> losses)
{
    if (losses.empty())
        return 0;
    const double most = *std::max_element(losses.begin(), losses.end());
    auto q = losses.begin() + static_cast<std::ptrdiff_t>(0.75 * static_cast<double>(losses.size() - 1));
    std::nth_element(losses.begin(), q, losses.end());
    return std::min(most, 3 * *q);
}

double TrainingTab::lossAxisMax() const
{
    return m_lossY->max();
}

QString TrainingTab::lossAxisTitle() const
{
    return m_lossY->titleText();
}

double TrainingTab::epochAxisMax() const
{
    return m_lossX->max();
}

int TrainingTab::meanCount() const
{
    int n = 0;
    for (const auto& mean : m_means)
        n += mean.loss ? 1 : 0;
    return n;
}

int TrainingTab::basePointCount(int job) const
{
    auto it = m_loss.find(QString("%1|base|").arg(job));
    return it == m_loss.end() ? 0 : static_cast<int>(it->lossPts.size());
}

bool TrainingTab::basePointsMarked(int job) const
{
    auto it = m_loss.find(QString("%1|base|").arg(job));
    return it != m_loss.end() && it->loss->pointsVisible();
}

} // namespace gsq::ui
