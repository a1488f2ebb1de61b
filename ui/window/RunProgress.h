#pragma once

#include "core/results/SessionEvents.h"

#include <QObject>
#include <QString>

#include <vector>

class QLabel;
class QProgressBar;
class QStatusBar;

namespace gsq::ui {

/// The status bar's account of a run: the progress bar (epochs done of all planned), the status
/// line (job, stage, epoch, loss, validation metric, ETA) and the words for paused, stopped,
/// failed and finished runs. The ETA does not count time spent paused.
class RunProgress : public QObject {
    Q_OBJECT
public:
    RunProgress(QLabel* status, QProgressBar* bar, QObject* parent = nullptr);
    /// A status line ("Ready") and a progress bar added to `statusBar`, and their RunProgress.
    static RunProgress* inStatusBar(QStatusBar* statusBar);

    /// Before the data is read.
    void begin();
    void started(const gsq::core::results::RunStarted& s);
    void addEvents(const std::vector<gsq::core::results::SessionEvent>& events);
    void setPaused(bool paused);
    void stopped();
    void failed();
    /// How a run came to be on screen: run now, a setting added to the run shown ("Prune 10 %
    /// more"), or shown from its directory.
    enum class Finish { Run, Added, Shown };
    /// The status line of a finished run: this run's own wall time since begin(), time spent
    /// paused left out (a setting added to the run shown: the time of that press, not the sum of
    /// all), then the base and the latest setting (mean ± std over n runs; one run: its value). A
    /// run shown from its directory has no wall time of its own, so it says how many jobs its
    /// journal holds instead.
    void finished(const gsq::core::results::RunResult& result, Finish how = Finish::Run);
    void clear();
    void setText(const QString& text);
    /// While idle: the form's problem in the status line ("Cannot run: …"), or "Ready" once it
    /// is fixed (`error` empty).
    void formProblem(const QString& error);
    /// After Reset: which seeds the next run uses, the same (`newSeeds` false) or new ones.
    void resetTo(const std::vector<int64_t>& seeds, bool newSeeds);
    QString text() const;

private:
    /// Seconds since begin(), time spent paused (so far) left out.
    double runningSeconds() const;

    QLabel* m_status;
    QProgressBar* m_bar;
    int m_totalJobs = 1, m_epochsPerJob = 1;
    qint64 m_epochsDone = 0;
    qint64 m_startMs = 0, m_pausedMs = 0, m_pauseBeganMs = 0;
};

} // namespace gsq::ui
