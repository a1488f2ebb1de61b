#include "ui/MainWindow.h"

#include "core/common/Error.h"
#include "core/experiment/ConfigYaml.h"
#include "core/results/Replay.h"
#include "core/session/Session.h"
#include "ui/charts/ChartView.h"
#include "ui/history/HistoryDialogs.h"
#include "ui/history/RunHistory.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/report/RunReport.h"
#include "ui/session/InterruptedRun.h"
#include "ui/session/SessionController.h"
#include "ui/tabs/CompareTab.h"
#include "ui/tabs/RobustnessTab.h"
#include "ui/tabs/WeightsTab.h"
#include "ui/window/Banner.h"
#include "ui/window/ClassroomBar.h"
#include "ui/window/LessonPanel.h"
#include "ui/window/PresetMenu.h"
#include "ui/window/RunProgress.h"
#include "ui/window/Theme.h"
#include "ui/window/ViewTabs.h"

#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QResizeEvent>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace gsq::ui {

using namespace gsq::core;
using namespace gsq::core::results;
using namespace gsq::core::session;

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("GraphSqueeze"));
    m_controller = new SessionController(this);
    m_panel = new ExperimentPanel;
    auto* dock = m_dock = new QDockWidget(tr("Experiment"), this);
    dock->setObjectName("experimentDock");
    dock->setWidget(m_panel);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    dock->setMinimumWidth(300);
    addDockWidget(Qt::LeftDockWidgetArea, dock);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    m_lesson = new LessonPanel;
    layout->addWidget(m_lesson);
    connect(m_lesson, &LessonPanel::linkActivated, this, [this](const QString& link) { followLink(link); });
    // First screen: what to do (replaced by the description of the first experiment opened).
    m_lesson->setText(QString(), LessonPanel::welcomeText());
    m_banner = new Banner;
    layout->addWidget(m_banner);
    // Classroom bar: big buttons, shown in classroom mode only.
    auto* classroom = new ClassroomBar;
    m_classroomBar = classroom;
    connect(classroom, &ClassroomBar::runClicked, this,
        [this] { m_controller->isPaused() ? m_controller->resume() : run(); });
    connect(classroom, &ClassroomBar::stepClicked, this, &MainWindow::stepOneEpoch); // from any state
    connect(classroom, &ClassroomBar::pruneMoreClicked, this, &MainWindow::pruneTenPercentMore);
    connect(classroom, &ClassroomBar::attackClicked, this, &MainWindow::attackHarder);
    m_classroomBar->hide();
    layout->addWidget(m_classroomBar);

    m_tabs = new ViewTabs;
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_progress = RunProgress::inStatusBar(statusBar());

    buildMenus();

    connect(m_panel, &ExperimentPanel::validityChanged, this, [this] { updateActions(); });
    connect(m_panel, &ExperimentPanel::configEdited, m_banner, &Banner::formEdited);
    connect(m_panel, &ExperimentPanel::errorChanged, this,
        [this](const QString& error) { m_controller->isRunning() ? void() : m_progress->formProblem(error); });
    connect(m_controller, &SessionController::runningChanged, this, [this] { updateActions(); });
    connect(m_controller, &SessionController::pausedChanged, this, [this](bool paused) {
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
        m_progress->setPaused(paused);
    });
    connect(
        m_controller, &SessionController::runStarted, this, [this](const RunStarted& s) { m_progress->started(s); });
    connect(m_controller, &SessionController::eventsArrived, this, [this](const auto& events) { onEvents(events); });
    connect(m_controller, &SessionController::finished, this, [this](auto result) { onFinished(result); });
    connect(
        m_controller, &SessionController::failed, this, [this](const QString& message, bool cancelled, bool invalid) {
            m_extension.cancel();
            if (cancelled) {
                m_progress->stopped();
            } else {
                m_progress->failed();
                m_banner->say(Banner::failure(message, invalid), true, invalid);
            }
            Q_EMIT runFailed(message);
        });

    m_history = std::make_unique<RunHistory>(RunHistory::configuredPath());
    compareTab()->setHistory(m_history.get());
    if (!m_history->isOpen())
        m_banner->say(
            tr("Run history unavailable (%1); results are shown but not kept.").arg(m_history->lastError()), false);
    reloadHistory();
    m_presets->setHistory(m_history.get());
    connectHistoryDialogs(this, compareTab(), m_history.get(), [this] { reloadHistory(); });

    theme::restoreWindow(this);
    rebuildRecentMenu();
    updateActions();
    if (QSettings().value("view/dark", false).toBool())
        setDarkTheme(true);
    if (QSettings().value("view/classroom", false).toBool())
        setClassroomMode(true);
}

MainWindow::~MainWindow()
{
    theme::saveWindow(this);
}

void MainWindow::pruneTenPercentMore()
{
    if (!m_controller->isRunning() && m_panel->isValid())
        follow(m_extension.pruneMore(*m_panel, m_lastResult, SessionController::modelDirectory() + "/base.gsqm"),
            weightsTab());
}

void MainWindow::attackHarder()
{
    if (!m_controller->isRunning() && m_panel->isValid())
        follow(RunExtension::attackHarder(*m_panel), robustnessTab());
}

void MainWindow::follow(const RunExtension::Plan& plan, QWidget* view)
{
    if (!plan.message.isEmpty()) {
        m_banner->say(plan.message, false);
        return;
    }
    showView(view);
    if (plan.runAll) {
        run();
        return;
    }
    m_banner->hide();
    m_progress->begin();
    m_controller->start(plan.only, false, false, plan.baseModel);
}

void MainWindow::reloadHistory()
{
    if (m_history && m_history->isOpen())
        compareTab()->setRuns(m_history->runs());
}

void MainWindow::updateActions()
{
    const bool running = m_controller->isRunning();
    m_run->setEnabled(!running && m_panel->isValid());
    m_pause->setEnabled(running);
    m_step->setEnabled(running || m_panel->isValid());
    m_stop->setEnabled(running);
    if (m_reset) {
        m_reset->setEnabled(!running);
        m_resetSeeds->setEnabled(!running);
    }
    m_panel->setEnabled(!running);
}

QString MainWindow::openExperiment(const QString& path, bool interactive)
{
    try {
        const auto config = experiment::loadExperiment(path.toStdString());
        showExperiment(config);
        if (!m_controller->isRunning()) {
            // Another experiment (a lesson after a lesson): nothing of the last run stays on screen.
            clearViews();
            m_lastResult.reset();
            m_lastRunId = 0;
            m_progress->setText(tr("Ready"));
            m_progress->formProblem(m_panel->isValid() ? QString() : m_panel->validationMessage());
        }
        m_currentFile = path;
        setWindowTitle(tr("GraphSqueeze — %1").arg(QFileInfo(path).fileName()));
        addRecent(path);
        return {};
    } catch (const InputError& e) {
        const QString msg = QString::fromStdString(e.what());
        if (interactive)
            QMessageBox::warning(this, tr("Could not open the experiment"), msg);
        return msg;
    }
}

QString MainWindow::saveExperiment(const QString& path)
{
    if (const QString error = m_panel->saveFile(path); !error.isEmpty())
        return error;
    m_currentFile = path;
    addRecent(path);
    return {};
}

void MainWindow::showRun(std::shared_ptr<const RunResult> result)
{
    clearViews();
    showExperiment(result->config); // its own description, not the welcome text shown before
    onEvents(gsq::core::results::replayEvents(*result));
    presentFinished(result, 0, RunProgress::Finish::Shown);
}

void MainWindow::presentFinished(std::shared_ptr<const RunResult> result, qint64 storedId, RunProgress::Finish how)
{
    m_lastResult = result;
    for (auto* view : m_tabs->views())
        view->showResult(*result);
    compareTab()->addRun({ storedId, QString::fromStdString(result->config.name), {}, {}, result->summary });
    m_progress->finished(*result, how);
}

QString MainWindow::showRunDirectory(const QString& dir)
{
    const QString journal = QDir(dir).filePath("jobs.journal");
    if (!QFileInfo::exists(journal))
        return tr("%1: no jobs.journal here; is it the --out directory of a finished graphsqueeze-cli run?").arg(dir);
    try {
        showRun(std::make_shared<RunResult>(gsq::core::session::Session::merge({ journal.toStdString() })));
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void MainWindow::clearViews()
{
    m_tabs->clearRun();
    m_banner->hide();
    m_progress->clear();
}

void MainWindow::reset(bool newSeeds)
{
    if (m_controller->isRunning())
        return;
    clearViews();
    if (newSeeds)
        m_panel->useNewSeeds();
    m_progress->resetTo(m_panel->config().train.effectiveSeeds(), newSeeds);
    updateActions();
}

void MainWindow::stepOneEpoch()
{
    if (m_controller->isRunning()) {
        m_controller->step();
        return;
    }
    if (!m_panel->isValid())
        return;
    startRun(m_panel->config(), /*resume=*/false, /*stepped=*/true);
}

void MainWindow::run()
{
    if (!m_panel->isValid() || m_controller->isRunning())
        return;
    startRun(m_panel->config(), false, false);
}

void MainWindow::startRun(const experiment::ExperimentConfig& config, bool resume, bool stepped)
{
    clearViews();
    m_progress->begin();
    m_controller->start(config, resume, stepped);
}

void MainWindow::showExperiment(const experiment::ExperimentConfig& config)
{
    m_panel->setConfig(config);
    m_lesson->setText(QString::fromStdString(config.name), QString::fromStdString(config.description));
}

QString MainWindow::interruptedRun() const
{
    return m_controller->isRunning() ? QString() : interrupted::describe(SessionController::journalPath());
}

QString MainWindow::resumeInterruptedRun()
{
    if (m_controller->isRunning())
        return tr("a run is in progress");
    try {
        const auto config = interrupted::experimentOf(SessionController::journalPath());
        showExperiment(config);
        startRun(config, /*resume=*/true, false);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void MainWindow::offerResume()
{
    if (interrupted::ask(this, interruptedRun()))
        if (const QString err = resumeInterruptedRun(); !err.isEmpty())
            m_banner->say(tr("Could not resume: %1").arg(err), true);
}

void MainWindow::onEvents(const std::vector<SessionEvent>& all)
{
    // Adding a setting to the run shown: its base row repeats the one on screen.
    const std::vector<SessionEvent> events = m_extension.filter(all);
    for (auto* view : m_tabs->views())
        view->addEvents(events);
    m_progress->addEvents(events);
    // Guard-rail warnings (fully pruned layers, accuracy collapse) come from the core, so the
    // CLI prints the same ones.
    for (const auto& e : events)
        if (auto* w = std::get_if<RunWarning>(&e))
            m_banner->say(Banner::warning(QString::fromStdString(w->message)), false);
}

void MainWindow::onFinished(std::shared_ptr<const RunResult> result)
{
    const auto how = m_extension.active() ? RunProgress::Finish::Added : RunProgress::Finish::Run;
    if (m_extension.active()) {
        // The run shown, with the new setting: it replaces the earlier entry in the history.
        result = m_extension.finish(result);
        if (m_lastRunId > 0 && m_history->isOpen() && m_history->remove(m_lastRunId))
            reloadHistory();
    }
    qint64 id = 0;
    if (m_history->isOpen()) {
        id = m_history->add(*result);
        if (id == 0)
            m_banner->say(tr("Could not save the run to the history: %1").arg(m_history->lastError()), false);
    }
    m_lastRunId = id;
    presentFinished(result, id, how);
    Q_EMIT runFinished();
}

void MainWindow::followLink(const QString& link)
{
    if (link.startsWith("preset:")) {
        const QString file = link.mid(7);
        openExperiment(PresetMenu::directory() + "/" + file);
        if (file.startsWith("classroom/"))
            setClassroomMode(true);
    } else if (link == "action:open") {
        openExperimentDialog();
    }
}

void MainWindow::openExperimentDialog()
{
    const QString path
        = QFileDialog::getOpenFileName(this, tr("Open experiment"), PresetMenu::directory(), tr("YAML (*.yaml *.yml)"));
    if (!path.isEmpty())
        openExperiment(path);
}

void MainWindow::resizeEvent(QResizeEvent* event)
{
    QMainWindow::resizeEvent(event);
    // The lesson's text never takes more than a quarter of the window; it scrolls inside.
    m_lesson->setMaximumHeight(std::max(80, event->size().height() / 4));
}

} // namespace gsq::ui
