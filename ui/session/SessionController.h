#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/results/SessionEvents.h"

#include <QObject>
#include <QTimer>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace gsq::ui {

/// Runs core::session::Session on a worker thread and turns its events into Qt signals on the
/// GUI thread. Events are queued by the worker and delivered in batches by a 50 ms timer, so
/// charts redraw at most 20 times a second however fast training goes.
///
/// Pause blocks the worker inside the event sink (between two epochs), Step lets exactly one
/// more epoch through, Stop raises the session's cancel flag (and releases a pause).
class SessionController : public QObject {
    Q_OBJECT
public:
    explicit SessionController(QObject* parent = nullptr);
    ~SessionController() override;

    bool isRunning() const { return m_running; }
    bool isPaused() const;
    /// Where each run writes its first job's model files (.gsqm), replaced at every start:
    /// the app data directory's `models/last-run`. File → Export model… reads from here.
    static QString modelDirectory();
    /// The journal of the run in progress (app data `interrupted-run.journal`): finished jobs are
    /// appended as they end and the file is removed when the run ends in any way the app sees
    /// (finished, failed, stopped), so one that is still there on start-up belongs to a run the
    /// app did not survive (crash, kill, power cut).
    static QString journalPath();

public Q_SLOTS:
    /// `resume`: continue from journalPath(), skipping the jobs it holds. `stepped`: start
    /// paused, with one epoch let through (Step one epoch pressed while idle). `baseModel`: a
    /// trained base model file to run the steps from instead of training one
    /// (RunOptions::baseModel); the model directory then keeps the files of the earlier run.
    void start(const gsq::core::experiment::ExperimentConfig& config, bool resume = false, bool stepped = false,
        const QString& baseModel = {});
    void pause();
    void resume();
    void step();
    void stop();

Q_SIGNALS:
    void runStarted(const gsq::core::results::RunStarted& info);
    /// Every event of the last batch, in order (EpochMetrics, StageFinished, PruningApplied, ...).
    void eventsArrived(const std::vector<gsq::core::results::SessionEvent>& events);
    void finished(std::shared_ptr<const gsq::core::results::RunResult> result);
    void failed(const QString& message, bool cancelled, bool invalidInput);
    void runningChanged(bool running);
    void pausedChanged(bool paused);

private:
    void drain();
    void onWorkerEvent(const gsq::core::results::SessionEvent& e);
    void joinWorker();

    QTimer m_timer;
    bool m_running = false;
    std::thread m_worker;
    std::unique_ptr<gsq::core::results::CancelToken> m_cancel;

    mutable std::mutex m_mutex;
    std::condition_variable m_resumed;
    std::deque<gsq::core::results::SessionEvent> m_queue;
    bool m_paused = false;
    int m_stepBudget = 0; ///< epochs allowed through while paused
};

} // namespace gsq::ui
