#include "ui/MainWindow.h"

#include "core/common/Error.h"
#include "core/experiment/ConfigYaml.h"
#include "core/results/Replay.h"
#include "core/session/JobJournal.h"
#include "core/session/Session.h"
#include "ui/charts/ChartView.h"
#include "ui/history/HistoryDialogs.h"
#include "ui/history/RunHistory.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/report/RunReport.h"
#include "ui/session/SessionController.h"
#include "ui/tabs/CompareTab.h"
#include "ui/tabs/LayersTab.h"
#include "ui/tabs/QuantizationTab.h"
#include "ui/tabs/SparsityTab.h"
#include "ui/tabs/TrainingTab.h"
#include "ui/tabs/WeightsTab.h"
#include "ui/window/ClassroomBar.h"
#include "ui/window/LessonPanel.h"
#include "ui/window/RunProgress.h"
#include "ui/window/Theme.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QResizeEvent>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include <cmath>

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
    m_lesson->setText(QString(), welcomeText());
    m_banner = new QLabel;
    m_banner->setWordWrap(true);
    m_banner->setObjectName("guardRail");
    m_banner->hide();
    layout->addWidget(m_banner);
    // Classroom bar: big buttons, shown in classroom mode only.
    auto* classroom = new ClassroomBar;
    m_classroomBar = classroom;
    connect(classroom, &ClassroomBar::runClicked, this,
        [this] { m_controller->isPaused() ? m_controller->resume() : run(); });
    connect(classroom, &ClassroomBar::stepClicked, m_controller, &SessionController::step);
    connect(classroom, &ClassroomBar::pruneMoreClicked, this, &MainWindow::pruneTenPercentMore);
    m_classroomBar->hide();
    layout->addWidget(m_classroomBar);

    m_tabs = new QTabWidget;
    m_training = new TrainingTab;
    m_sparsity = new SparsityTab;
    m_quantization = new QuantizationTab;
    m_weights = new WeightsTab;
    m_layers = new LayersTab;
    m_compare = new CompareTab;
    // Each tab scrolls rather than squeezing its charts below their minimum size (a 1280 x 720
    // projector, classroom mode's larger text).
    auto scrolled = [](QWidget* view) {
        auto* area = new QScrollArea;
        area->setWidget(view);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        return area;
    };
    m_tabs->addTab(scrolled(m_training), tr("Training"));
    m_tabs->addTab(scrolled(m_sparsity), tr("Sparsity"));
    m_tabs->addTab(scrolled(m_quantization), tr("Quantization"));
    m_tabs->addTab(scrolled(m_weights), tr("Weights"));
    m_tabs->addTab(scrolled(m_layers), tr("Layers"));
    m_tabs->addTab(scrolled(m_compare), tr("Compare"));
    m_views = { m_training, m_sparsity, m_quantization, m_weights, m_layers, m_compare };
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    auto* status = new QLabel(tr("Ready"));
    auto* bar = new QProgressBar;
    bar->setMaximumWidth(260);
    bar->setTextVisible(false);
    statusBar()->addWidget(status, 1);
    statusBar()->addPermanentWidget(bar);
    m_progress = new RunProgress(status, bar, this);

    buildMenus();

    connect(m_panel, &ExperimentPanel::validityChanged, this, [this] { updateActions(); });
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
            m_extending.reset();
            if (cancelled) {
                m_progress->stopped();
            } else {
                m_progress->failed();
                QString hint;
                if (message.contains("diverged"))
                    hint = tr(" — the loss became NaN or infinite: lower the learning rate and run again.");
                else if (invalid)
                    hint = tr(" — fix the input and run again.");
                showBanner(message + hint, true);
            }
            Q_EMIT runFailed(message);
        });

    // Run history: $GRAPHSQUEEZE_HISTORY (tests, portable setups) or the user's data directory.
    const QString historyPath = qEnvironmentVariableIsSet("GRAPHSQUEEZE_HISTORY")
        ? qEnvironmentVariable("GRAPHSQUEEZE_HISTORY")
        : RunHistory::defaultPath();
    m_history = std::make_unique<RunHistory>(historyPath);
    m_compare->setHistory(m_history.get());
    if (!m_history->isOpen())
        showBanner(
            tr("Run history unavailable (%1); results are shown but not kept.").arg(m_history->lastError()), false);
    reloadHistory();
    connectHistoryDialogs(this, m_compare, m_history.get(), [this] { reloadHistory(); });

    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    if (!settings.contains("window/geometry")) {
        // 1500 x 920, or the whole available screen where it is smaller (a 1280 x 720 projector):
        // a window taller than its screen hides the bottom of the form.
        QSize size(1500, 920);
        if (const QScreen* screen = QGuiApplication::primaryScreen())
            size = size.boundedTo(screen->availableGeometry().size());
        resize(size);
    }
    rebuildRecentMenu();
    updateActions();
    if (QSettings().value("view/dark", false).toBool())
        setDarkTheme(true);
    if (QSettings().value("view/classroom", false).toBool())
        setClassroomMode(true);
}

MainWindow::~MainWindow()
{
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
}

void MainWindow::setDarkTheme(bool on, bool remember)
{
    m_dark = on;
    if (m_darkAction)
        m_darkAction->setChecked(on);
    if (remember)
        QSettings().setValue("view/dark", on);
    theme::applyDark(on, findChildren<ChartView*>());
}

void MainWindow::setClassroomMode(bool on, bool remember)
{
    if (on == m_classroom)
        return;
    m_classroom = on;
    if (on)
        m_normalFont = QApplication::font();
    QFont f = m_normalFont;
    if (on)
        f.setPointSizeF(m_normalFont.pointSizeF() * 1.4);
    QApplication::setFont(f);
    m_panel->setSimplified(on);
    m_classroomBar->setVisible(on);
    m_classroomAction->setChecked(on);
    // Explanations beside each chart are always there; classroom mode makes them prominent.
    for (auto* hint : findChildren<QLabel*>("chartHint"))
        hint->setStyleSheet(on ? "background:#eaf2f8; padding:8px; border-radius:4px;" : QString());
    ChartView::setFontScale(on ? 1.4 : 1.0);
    for (auto* chart : findChildren<ChartView*>())
        chart->applyFonts();
    // The form needs more room at classroom mode's larger text.
    m_dock->setMinimumWidth(on ? 380 : 300);
    resizeDocks({ m_dock }, { on ? 380 : 300 }, Qt::Horizontal);
    if (remember)
        QSettings().setValue("view/classroom", on);
}

void MainWindow::pruneTenPercentMore()
{
    if (m_controller->isRunning() || !m_panel->isValid())
        return;
    // Adds the next sparsity (the step's last plus 0.1) to the first prune step, keeping its
    // method; a lesson without one gets a one-shot fine-grained step with a short fine-tuning.
    using core::experiment::StepKind;
    const std::string before = core::experiment::toYaml(m_panel->config());
    int index = m_panel->firstStep(StepKind::Prune);
    QStringList values;
    if (index < 0) {
        index = m_panel->addStep(StepKind::Prune, "finegrained");
        m_panel->setStepValue(index, "schedule", "oneshot");
        m_panel->setStepValue(index, "finetune_epochs", "20");
    } else {
        values = QString::fromStdString(m_panel->stepDraft(index).value("sparsity")).split(',', Qt::SkipEmptyParts);
    }
    const double current = values.isEmpty() ? 0.0 : values.back().trimmed().toDouble();
    const double next = std::min(0.99, std::round((current + 0.1) * 100.0) / 100.0);
    if (next <= current) {
        showBanner(tr("The sparsity is already at %1 %, the most this button prunes.").arg(current * 100.0), false);
        return;
    }
    values << QString::number(next);
    for (auto& v : values)
        v = v.trimmed();
    m_panel->setStepValue(index, "sparsity", values.join(", ").toStdString());
    showView(m_weights);

    // The run just shown had the same experiment, one job and its trained base on disk: run the
    // new setting alone from that base and add it to the run (the rows equal a full rerun's).
    auto full = m_panel->config();
    const QString base = SessionController::modelDirectory() + "/base.gsqm";
    if (!m_lastResult || core::experiment::toYaml(m_lastResult->config) != before || full.jobCount() != 1
        || !QFileInfo::exists(base)) {
        run();
        return;
    }
    auto only = full;
    auto step = full.steps.at(static_cast<size_t>(index));
    std::get<core::experiment::PruneSpec>(step).sparsities = { next };
    only.steps = { step };
    m_extending = Extension { m_lastResult, full };
    m_banner->hide();
    m_progress->begin();
    m_controller->start(only, false, false, base);
}

void MainWindow::reloadHistory()
{
    if (m_history && m_history->isOpen())
        m_compare->setRuns(m_history->runs());
}

QString MainWindow::presetDirectory() const
{
    for (const QString& dir : { QString(GSQ_UI_SOURCE_DIR "/resources/experiments"),
             QCoreApplication::applicationDirPath() + "/../share/graphsqueeze/experiments" })
        if (QDir(dir).exists())
            return QDir(dir).absolutePath();
    return {};
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
        m_panel->setConfig(config);
        m_lesson->setText(QString::fromStdString(config.name), QString::fromStdString(config.description));
        if (!m_controller->isRunning()) {
            // Another experiment (a lesson after a lesson): nothing of the last run stays on screen.
            clearViews();
            m_lastResult.reset();
            m_lastRunId = 0;
            m_progress->setText(tr("Ready"));
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
    if (!m_panel->isValid())
        return tr("The experiment has an invalid field: %1").arg(m_panel->validationMessage());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return path + ": " + file.errorString();
    file.write(QByteArray::fromStdString(experiment::toYaml(m_panel->config())));
    if (!file.commit())
        return path + ": " + file.errorString();
    m_currentFile = path;
    addRecent(path);
    return {};
}

void MainWindow::showRun(std::shared_ptr<const RunResult> result)
{
    clearViews();
    m_panel->setConfig(result->config);
    // The run's own description, not what the window showed before (the welcome text).
    m_lesson->setText(QString::fromStdString(result->config.name), QString::fromStdString(result->config.description));
    onEvents(gsq::core::results::replayEvents(*result));
    presentFinished(result, 0, true);
}

void MainWindow::presentFinished(std::shared_ptr<const RunResult> result, qint64 storedId, bool shown)
{
    m_lastResult = result;
    StoredRun stored;
    stored.id = storedId;
    stored.name = QString::fromStdString(result->config.name);
    stored.summary = result->summary;
    m_compare->addRun(stored);
    m_progress->finished(*result, shown);
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
    for (auto* view : m_views)
        if (view != m_compare) // the comparison keeps every stored run
            view->clear();
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
    QStringList seeds;
    for (auto s : m_panel->config().train.effectiveSeeds())
        seeds << QString::number(s);
    m_progress->setText(newSeeds
            ? tr("Reset: the next run uses new seeds %1").arg(seeds.join(", "))
            : tr("Reset: the next run starts from the same initial weights (seeds %1)").arg(seeds.join(", ")));
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
    clearViews();
    m_progress->begin();
    m_controller->start(m_panel->config(), /*resume=*/false, /*stepped=*/true);
}

void MainWindow::run()
{
    if (!m_panel->isValid() || m_controller->isRunning())
        return;
    clearViews();
    m_progress->begin();
    m_controller->start(m_panel->config());
}

QString MainWindow::interruptedRun() const
{
    const QString path = SessionController::journalPath();
    if (m_controller->isRunning() || !QFileInfo::exists(path))
        return {};
    try {
        const auto journal = JobJournal::read(path.toStdString());
        const auto config = experiment::parseExperiment(journal.configYaml, path.toStdString(), {});
        return tr("%1: %2 of %3 jobs finished")
            .arg(QString::fromStdString(config.name))
            .arg(journal.jobs.size())
            .arg(journal.totalJobs);
    } catch (const std::exception&) {
        return {};
    }
}

QString MainWindow::resumeInterruptedRun()
{
    const QString path = SessionController::journalPath();
    if (m_controller->isRunning())
        return tr("a run is in progress");
    try {
        const auto journal = JobJournal::read(path.toStdString());
        auto config = experiment::parseExperiment(journal.configYaml, path.toStdString(), {});
        m_panel->setConfig(config);
        m_lesson->setText(QString::fromStdString(config.name), QString::fromStdString(config.description));
        clearViews();
        m_progress->begin();
        m_controller->start(config, /*resume=*/true);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void MainWindow::offerResume()
{
    const QString what = interruptedRun();
    if (what.isEmpty())
        return;
    const auto answer = QMessageBox::question(this, tr("Resume the interrupted run?"),
        tr("GraphSqueeze was closed while a run was in progress (%1). Resume it? Finished jobs are read back; "
           "only the others train again.")
            .arg(what),
        QMessageBox::Yes | QMessageBox::Discard, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) {
        QFile::remove(SessionController::journalPath());
        return;
    }
    if (const QString err = resumeInterruptedRun(); !err.isEmpty())
        showBanner(tr("Could not resume: %1").arg(err), true);
}

void MainWindow::showBanner(const QString& text, bool error)
{
    m_banner->setText(text);
    m_banner->setStyleSheet(error ? "background:#fdecea; color:#8e1c12; padding:6px; border:1px solid #e6b0aa;"
                                  : "background:#fef5e7; color:#7d5100; padding:6px; border:1px solid #f5cba7;");
    m_banner->show();
}

QString MainWindow::bannerText() const
{
    return m_banner->isVisible() ? m_banner->text() : QString();
}

QString MainWindow::statusText() const
{
    return m_progress->text();
}

void MainWindow::onEvents(const std::vector<SessionEvent>& all)
{
    // Adding a setting to the run shown: its base row repeats the one on screen.
    std::vector<SessionEvent> events;
    for (const auto& e : all) {
        auto* f = std::get_if<StageFinished>(&e);
        if (!(m_extending && f && f->row.method == "none"))
            events.push_back(e);
    }
    for (auto* view : m_views)
        view->addEvents(events);
    m_progress->addEvents(events);
    // Guard-rail warnings (fully pruned layers, accuracy collapse) come from the core, so the
    // CLI prints the same ones.
    for (const auto& e : events)
        if (auto* w = std::get_if<RunWarning>(&e)) {
            const QString message = QString::fromStdString(w->message);
            QString text = message.left(1).toUpper() + message.mid(1);
            if (message.contains("100% pruned"))
                text += tr(" — lower the sparsity, or use finegrained pruning so every layer keeps weights.");
            showBanner(text, false);
        }
}

void MainWindow::onFinished(std::shared_ptr<const RunResult> result)
{
    if (m_extending) {
        // The run shown, with the new setting: it replaces the earlier entry in the history.
        auto merged = std::make_shared<RunResult>(*m_extending->previous);
        merged->extend(*result, m_extending->config);
        result = merged;
        m_extending.reset();
        if (m_lastRunId > 0 && m_history->isOpen() && m_history->remove(m_lastRunId))
            reloadHistory();
    }
    qint64 id = 0;
    if (m_history->isOpen()) {
        id = m_history->add(*result);
        if (id == 0)
            showBanner(tr("Could not save the run to the history: %1").arg(m_history->lastError()), false);
    }
    m_lastRunId = id;
    presentFinished(result, id);
    Q_EMIT runFinished();
}

QList<ChartView*> MainWindow::charts() const
{
    QList<ChartView*> out;
    for (auto* view : m_views)
        out += view->charts();
    return out;
}

QString MainWindow::welcomeText()
{
    return tr("# Welcome to GraphSqueeze\n"
              "Prune and quantize graph neural networks, and see what it costs in accuracy, size and time. "
              "Start with one of these, then press **Run** (F5):\n\n"
              "- [Lesson 1 — what pruning does](preset:classroom/lesson1-what-pruning-does.yaml): a small GCN on "
              "Cora, a second per run, in classroom mode.\n"
              "- [Quickstart](preset:quickstart.yaml): the GCN of Kipf & Welling on Cora, 10 seeds.\n"
              "- [Degree-Quant on PROTEINS](preset:proteins-gin-dq4.yaml): a 4-bit GIN for graph classification.\n"
              "- [Your own experiment](action:open): a YAML file. For your own data pick Dataset → *tu* (a TU "
              "directory) or *csv* (a SMILES CSV) in the form and press Browse….\n\n"
              "The paper's own experiments are under File → Presets → Paper (Khedri et al.); Help → Quick start "
              "explains the tabs.");
}

void MainWindow::followLink(const QString& link)
{
    if (link.startsWith("preset:")) {
        const QString file = link.mid(7);
        openExperiment(presetDirectory() + "/" + file);
        if (file.startsWith("classroom/"))
            setClassroomMode(true);
    } else if (link == "action:open") {
        openExperimentDialog();
    }
}

void MainWindow::openExperimentDialog()
{
    const QString path
        = QFileDialog::getOpenFileName(this, tr("Open experiment"), presetDirectory(), tr("YAML (*.yaml *.yml)"));
    if (!path.isEmpty())
        openExperiment(path);
}

void MainWindow::showView(QWidget* view)
{
    for (int i = 0; i < m_tabs->count(); ++i)
        if (auto* area = qobject_cast<QScrollArea*>(m_tabs->widget(i)); area && area->widget() == view)
            m_tabs->setCurrentIndex(i);
}

QWidget* MainWindow::currentView() const
{
    auto* area = qobject_cast<QScrollArea*>(m_tabs->currentWidget());
    return area ? area->widget() : nullptr;
}

void MainWindow::resizeEvent(QResizeEvent* event)
{
    QMainWindow::resizeEvent(event);
    // The lesson's text never takes more than a quarter of the window; it scrolls inside.
    m_lesson->setMaximumHeight(std::max(80, event->size().height() / 4));
}

QString MainWindow::saveScreenshots(const QString& dir)
{
    return exports::tabScreenshots(this, m_tabs, dir);
}

QString MainWindow::exportReport(const QString& path)
{
    if (!m_lastResult)
        return tr("no finished run to report on yet");
    return exports::runReport(*m_lastResult, m_tabs, m_views, path);
}

QString MainWindow::exportAllCharts(const QString& dir)
{
    return exports::allCharts(m_tabs, charts(), dir);
}

} // namespace gsq::ui
