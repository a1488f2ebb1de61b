#include "ui/session/SessionController.h"

#include "core/common/Error.h"
#include "core/session/Session.h"

#include <QDir>

#include <QStandardPaths>
#include <cstdio>

namespace gsq::ui {

using namespace gsq::core::results;
using namespace gsq::core::session;

SessionController::SessionController(QObject* parent)
    : QObject(parent)
{
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, [this] { drain(); });
}

SessionController::~SessionController()
{
    stop();
    joinWorker();
}

bool SessionController::isPaused() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_paused;
}

void SessionController::joinWorker()
{
    if (m_worker.joinable())
        m_worker.join();
}

QString SessionController::modelDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/models/last-run";
}

QString SessionController::journalPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/interrupted-run.journal";
}

void SessionController::start(
    const gsq::core::experiment::ExperimentConfig& config, bool resume, bool stepped, const QString& baseModel)
{
    if (m_running)
        return;
    joinWorker();
    m_cancel = std::make_unique<CancelToken>();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_queue.clear();
        m_paused = stepped;
        m_stepBudget = stepped ? 1 : 0;
    }
    m_running = true;
    Q_EMIT runningChanged(true);
    if (stepped)
        Q_EMIT pausedChanged(true);
    m_timer.start();
    CancelToken* cancel = m_cancel.get();
    // The last run's models, for File -> Export model (a run writes them as it goes).
    if (baseModel.isEmpty())
        QDir(modelDirectory()).removeRecursively();
    RunOptions options;
    options.baseModel = baseModel.toStdString();
    options.modelDir = modelDirectory().toStdString();
    QDir().mkpath(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    options.journalPath = journalPath().toStdString();
    options.resume = resume;
    m_worker = std::thread([this, config, cancel, options] {
        try {
            Session::run(
                config, [this](const SessionEvent& e) { onWorkerEvent(e); }, *cancel, options);
        } catch (const std::exception&) {
            // Session::run has already emitted RunFailed with the message.
        }
        // The run ended where the app saw it: nothing to resume later.
        std::remove(options.journalPath.c_str());
    });
}

void SessionController::onWorkerEvent(const SessionEvent& e)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_queue.push_back(e);
    if (!std::holds_alternative<EpochMetrics>(e))
        return;
    // Pause point: between two epochs, on the worker thread.
    if (m_paused) {
        if (m_stepBudget > 0) {
            --m_stepBudget;
        }
        m_resumed.wait(lock, [&] { return !m_paused || m_stepBudget > 0 || m_cancel->cancelled(); });
    }
}

void SessionController::pause()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_running || m_paused)
        return;
    m_paused = true;
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT pausedChanged(true); }, Qt::QueuedConnection);
}

void SessionController::resume()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_paused)
            return;
        m_paused = false;
    }
    m_resumed.notify_all();
    Q_EMIT pausedChanged(false);
}

void SessionController::step()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_running)
            return;
        if (!m_paused) {
            m_paused = true;
            QMetaObject::invokeMethod(
                this, [this] { Q_EMIT pausedChanged(true); }, Qt::QueuedConnection);
        }
        m_stepBudget = 1;
    }
    m_resumed.notify_all();
}

void SessionController::stop()
{
    if (m_cancel)
        m_cancel->cancel();
    m_resumed.notify_all();
}

void SessionController::drain()
{
    std::vector<SessionEvent> batch;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        batch.assign(m_queue.begin(), m_queue.end());
        m_queue.clear();
    }
    if (batch.empty())
        return;
    std::shared_ptr<const RunResult> result;
    const RunFailed* failure = nullptr;
    for (const auto& e : batch) {
        if (auto* s = std::get_if<RunStarted>(&e))
            Q_EMIT runStarted(*s);
        else if (auto* f = std::get_if<RunFinished>(&e))
            result = f->result;
        else if (auto* f = std::get_if<RunFailed>(&e))
            failure = f;
    }
    Q_EMIT eventsArrived(batch);
    if (result || failure) {
        m_timer.stop();
        joinWorker();
        m_running = false;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_paused = false;
        }
        Q_EMIT pausedChanged(false);
        Q_EMIT runningChanged(false);
        if (result)
            Q_EMIT finished(result);
        else
            Q_EMIT failed(QString::fromStdString(failure->message), failure->cancelled, failure->invalidInput);
    }
}

} // namespace gsq::ui
