#include "ui/window/RunProgress.h"

#include "core/results/RunResult.h"
#include "ui/models/Cells.h"

#include <QDateTime>
#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <set>

namespace gsq::ui {

using namespace gsq::core::results;

RunProgress::RunProgress(QLabel* status, QProgressBar* bar, QObject* parent)
    : QObject(parent)
    , m_status(status)
    , m_bar(bar)
{
    m_bar->setRange(0, 1000);
}

void RunProgress::begin()
{
    m_epochsDone = 0;
    m_pausedMs = 0;
    m_pauseBeganMs = 0;
    m_startMs = QDateTime::currentMSecsSinceEpoch();
    m_bar->setValue(0);
    m_status->setText(tr("Loading data…"));
}

void RunProgress::started(const RunStarted& s)
{
    m_totalJobs = std::max(1, s.totalJobs);
    m_epochsPerJob = std::max(1, s.epochsPerJob);
    m_status->setText(QString::fromStdString(s.model + " on " + s.datasetSummary));
}

void RunProgress::addEvents(const std::vector<SessionEvent>& events)
{
    const EpochMetrics* last = nullptr;
    for (const auto& e : events) {
        if (auto* m = std::get_if<EpochMetrics>(&e)) {
            ++m_epochsDone;
            last = m;
        } else if (auto* s = std::get_if<StageStarted>(&e)) {
            if (s->stage == Stage::Base)
                m_epochsDone = static_cast<qint64>(s->job) * m_epochsPerJob;
        }
    }
    const double fraction
        = std::min(1.0, static_cast<double>(m_epochsDone) / (static_cast<double>(m_totalJobs) * m_epochsPerJob));
    m_bar->setValue(static_cast<int>(fraction * 1000));
    if (!last || m_pauseBeganMs > 0)
        return;
    const double elapsed = runningSeconds();
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    m_status->setText(tr("Job %1/%2 · %3%4 · epoch %5/%6 · loss %7 · val %8 · ETA %9 s")
                          .arg(last->job + 1)
                          .arg(m_totalJobs)
                          .arg(stageText(last->stage))
                          .arg(last->setting.empty() ? QString() : " " + QString::fromStdString(last->setting))
                          .arg(last->point.epoch)
                          .arg(last->epochs)
                          .arg(last->point.loss, 0, 'f', 4)
                          .arg(std::isfinite(last->point.valMetric) ? last->point.valMetric : 0.0, 0, 'f', 3)
                          .arg(eta, 0, 'f', 0));
}

double RunProgress::runningSeconds() const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 paused = m_pausedMs + (m_pauseBeganMs > 0 ? now - m_pauseBeganMs : 0);
    return static_cast<double>(now - m_startMs - paused) / 1000.0;
}

void RunProgress::setPaused(bool paused)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (paused && m_pauseBeganMs == 0) {
        m_pauseBeganMs = now;
        m_status->setText(tr("Paused — Step runs one epoch, Resume continues"));
    } else if (!paused && m_pauseBeganMs > 0) {
        m_pausedMs += now - m_pauseBeganMs;
        m_pauseBeganMs = 0;
    }
}

void RunProgress::stopped()
{
    m_bar->setValue(0);
    m_pauseBeganMs = 0;
    m_status->setText(tr("Stopped. Results of finished stages are shown; nothing was saved."));
}

void RunProgress::failed()
{
    m_bar->setValue(0);
    m_pauseBeganMs = 0;
    m_status->setText(tr("Run failed"));
}

void RunProgress::finished(const RunResult& result, Finish how)
{
    m_bar->setValue(1000);
    auto text = [](const gsq::core::results::SummaryRow& s) {
        if (s.n <= 1)
            return tr("%1 %2 (1 run)").arg(QString::fromStdString(s.metric)).arg(s.testMean, 0, 'f', 4);
        return tr("%1 %2 ± %3 over %4 runs")
            .arg(QString::fromStdString(s.metric))
            .arg(s.testMean, 0, 'f', 4)
            .arg(s.testStd, 0, 'f', 4)
            .arg(s.n);
    };
    QString base, latest;
    for (const auto& s : result.summary) {
        if (s.method == "none")
            base = text(s);
        else // the last setting run (the one "Prune 10 % more" just added)
            latest = tr("; latest: %1 %2 %3: %4")
                         .arg(QString::fromStdString(s.method), QString::fromStdString(s.setting),
                             QString::fromLatin1(gsq::core::results::stageName(s.stage)), text(s));
    }
    std::set<std::pair<int64_t, int>> jobs;
    for (const auto& r : result.rows)
        jobs.insert({ r.seed, r.fold });
    const double seconds = m_startMs > 0 ? runningSeconds() : result.totalSeconds;
    const QString lead = how == Finish::Run ? tr("Finished in %1 s").arg(seconds, 0, 'f', 1)
        : how == Finish::Added              ? tr("Setting added in %1 s").arg(seconds, 0, 'f', 1)
        : jobs.size() == 1                  ? tr("Shown from its journal: 1 job")
                                            : tr("Shown from its journal: %1 jobs").arg(jobs.size());
    m_status->setText(tr("%1 — base model: %2%3").arg(lead, base, latest));
}

void RunProgress::clear()
{
    m_bar->setValue(0);
}

RunProgress* RunProgress::inStatusBar(QStatusBar* statusBar)
{
    auto* status = new QLabel(tr("Ready"));
    auto* bar = new QProgressBar;
    bar->setMaximumWidth(260);
    bar->setTextVisible(false);
    statusBar->addWidget(status, 1);
    statusBar->addPermanentWidget(bar);
    return new RunProgress(status, bar, statusBar);
}

void RunProgress::resetTo(const std::vector<int64_t>& seeds, bool newSeeds)
{
    QStringList list;
    for (auto s : seeds)
        list << QString::number(s);
    setText(newSeeds ? tr("Reset: the next run uses new seeds %1").arg(list.join(", "))
                     : tr("Reset: the next run starts from the same initial weights (seeds %1)").arg(list.join(", ")));
}

void RunProgress::formProblem(const QString& error)
{
    const QString prefix = tr("Cannot run: ");
    if (!error.isEmpty())
        setText(prefix + error);
    else if (text().startsWith(prefix))
        setText(tr("Ready"));
}

void RunProgress::setText(const QString& text)
{
    m_status->setText(text);
}

QString RunProgress::text() const
{
    return m_status->text();
}

} // namespace gsq::ui
