#include "ui/MainWindow.h"

#include "core/common/Error.h"
#include "core/experiment/ConfigYaml.h"
#include "core/session/Session.h"
#include "ui/charts/ChartView.h"
#include "ui/history/RunHistory.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/report/HtmlReport.h"
#include "ui/session/SessionController.h"
#include "ui/tabs/CompareTab.h"
#include "ui/tabs/LayersTab.h"
#include "ui/tabs/QuantizationTab.h"
#include "ui/tabs/SparsityTab.h"
#include "ui/tabs/TrainingTab.h"
#include "ui/tabs/WeightsTab.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>

namespace gsq::ui {

using namespace gsq::core;
using namespace gsq::core::session;

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("GraphSqueeze"));
    m_controller = new SessionController(this);
    m_panel = new ExperimentPanel;
    auto* dock = new QDockWidget(tr("Experiment"), this);
    dock->setObjectName("experimentDock");
    dock->setWidget(m_panel);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    dock->setMinimumWidth(300);
    addDockWidget(Qt::LeftDockWidgetArea, dock);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    m_banner = new QLabel;
    m_banner->setWordWrap(true);
    m_banner->setObjectName("guardRail");
    m_banner->hide();
    layout->addWidget(m_banner);
    // Classroom bar: big buttons, shown in classroom mode only.
    m_classroomBar = new QWidget;
    auto* bar = new QHBoxLayout(m_classroomBar);
    bar->setContentsMargins(0, 0, 0, 0);
    auto big = [&](const QString& text, const QString& tip) {
        auto* b = new QPushButton(text);
        b->setMinimumHeight(48);
        b->setToolTip(tip);
        b->setStyleSheet("font-size: 18pt; padding: 4px 18px;");
        bar->addWidget(b);
        return b;
    };
    auto* play = big(tr("▶ Run"), tr("Train the model in the form"));
    auto* step = big(tr("▶| Step"), tr("Pause, then train one more epoch per click"));
    auto* more = big(
        tr("✂ Prune 10 % more"), tr("Remove another 10 % of every layer's smallest weights, then fine-tune 20 epochs"));
    more->setObjectName("pruneMore");
    bar->addStretch(1);
    connect(play, &QPushButton::clicked, this, [this] { m_controller->isPaused() ? m_controller->resume() : run(); });
    connect(step, &QPushButton::clicked, m_controller, &SessionController::step);
    connect(more, &QPushButton::clicked, this, &MainWindow::pruneTenPercentMore);
    m_classroomBar->hide();
    layout->addWidget(m_classroomBar);

    m_tabs = new QTabWidget;
    m_training = new TrainingTab;
    m_sparsity = new SparsityTab;
    m_quantization = new QuantizationTab;
    m_weights = new WeightsTab;
    m_layers = new LayersTab;
    m_compare = new CompareTab;
    m_tabs->addTab(m_training, tr("Training"));
    m_tabs->addTab(m_sparsity, tr("Sparsity"));
    m_tabs->addTab(m_quantization, tr("Quantization"));
    m_tabs->addTab(m_weights, tr("Weights"));
    m_tabs->addTab(m_layers, tr("Layers"));
    m_tabs->addTab(m_compare, tr("Compare"));
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_status = new QLabel(tr("Ready"));
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_progress->setTextVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);

    buildMenus();

    connect(m_panel, &ExperimentPanel::validityChanged, this, [this] { updateActions(); });
    connect(m_controller, &SessionController::runningChanged, this, [this] { updateActions(); });
    connect(m_controller, &SessionController::pausedChanged, this, [this](bool paused) {
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
        if (paused)
            m_status->setText(tr("Paused — Step runs one epoch, Resume continues"));
    });
    connect(m_controller, &SessionController::runStarted, this, [this](const RunStarted& s) {
        m_totalJobs = std::max(1, s.totalJobs);
        m_epochsPerJob = std::max(1, s.epochsPerJob);
        m_status->setText(QString::fromStdString(s.model + " on " + s.datasetSummary));
    });
    connect(m_controller, &SessionController::eventsArrived, this, [this](const auto& events) { onEvents(events); });
    connect(m_controller, &SessionController::finished, this, [this](auto result) { onFinished(result); });
    connect(
        m_controller, &SessionController::failed, this, [this](const QString& message, bool cancelled, bool invalid) {
            m_progress->setValue(0);
            if (cancelled) {
                m_status->setText(tr("Stopped. Results of finished stages are shown; nothing was saved."));
            } else {
                m_status->setText(tr("Run failed"));
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
    connect(m_compare, &CompareTab::renameRequested, this, [this](qint64 id) {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Rename run"), tr("Name"), QLineEdit::Normal, {}, &ok);
        if (ok && !name.isEmpty() && m_history->rename(id, name))
            reloadHistory();
    });
    connect(m_compare, &CompareTab::tagsRequested, this, [this](qint64 id) {
        bool ok = false;
        const QString tags
            = QInputDialog::getText(this, tr("Tags"), tr("Comma-separated tags"), QLineEdit::Normal, {}, &ok);
        if (ok && m_history->setTags(id, tags))
            reloadHistory();
    });
    connect(m_compare, &CompareTab::exportEpochsRequested, this, [this](qint64 id) {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export epochs"), QString("run-%1-epochs.csv").arg(id), tr("CSV (*.csv)"));
        if (path.isEmpty())
            return;
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(m_history->epochsCsv(id).toUtf8()) < 0
            || !file.commit())
            QMessageBox::warning(this, tr("Export failed"), path + ": " + file.errorString());
    });
    connect(m_compare, &CompareTab::deleteRequested, this, [this](qint64 id) {
        if (QMessageBox::question(this, tr("Delete run"), tr("Delete run %1 from the history?").arg(id))
                == QMessageBox::Yes
            && m_history->remove(id))
            reloadHistory();
    });

    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    if (!settings.contains("window/geometry"))
        resize(1500, 920);
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

void MainWindow::setDarkTheme(bool on)
{
    m_dark = on;
    if (m_darkAction)
        m_darkAction->setChecked(on);
    QSettings().setValue("view/dark", on);
    static const QPalette light = QApplication::palette();
    static const QString lightStyle = QApplication::style()->name();
    if (on) {
        QApplication::setStyle("Fusion");
        QPalette p;
        const QColor window(45, 45, 48), base(30, 30, 32), text(225, 225, 225), disabled(127, 127, 127);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, window);
        p.setColor(QPalette::ToolTipBase, window);
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, window);
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::BrightText, Qt::red);
        p.setColor(QPalette::Link, QColor(86, 156, 214));
        p.setColor(QPalette::Highlight, QColor(38, 79, 120));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::PlaceholderText, disabled);
        for (auto role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
            p.setColor(QPalette::Disabled, role, disabled);
        QApplication::setPalette(p);
    } else {
        QApplication::setStyle(lightStyle);
        QApplication::setPalette(light);
    }
    ChartView::setDark(on);
    for (auto* chart : findChildren<ChartView*>())
        chart->applyTheme();
}

void MainWindow::setClassroomMode(bool on)
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
    // Chart text does not follow the application font: scale titles, legends and axes too.
    for (auto* view : findChildren<ChartView*>()) {
        QFont title = f, small = f;
        title.setBold(true);
        small.setPointSizeF(f.pointSizeF() * 0.85);
        view->chart()->setTitleFont(title);
        view->chart()->legend()->setFont(small);
        for (auto* axis : view->chart()->axes()) {
            axis->setLabelsFont(small);
            axis->setTitleFont(small);
        }
    }
    QSettings().setValue("view/classroom", on);
}

void MainWindow::pruneTenPercentMore()
{
    if (m_controller->isRunning())
        return;
    // Edits the first prune step (adding a fine-grained one if there is none): its last
    // sparsity plus 0.1, one-shot, a short fine-tuning.
    using core::experiment::StepKind;
    int index = m_panel->firstStep(StepKind::Prune);
    double current = 0.0;
    if (index < 0) {
        index = m_panel->addStep(StepKind::Prune, "finegrained");
    } else {
        const QStringList parts
            = QString::fromStdString(m_panel->stepDraft(index).value("sparsity")).split(',', Qt::SkipEmptyParts);
        if (!parts.isEmpty())
            current = parts.back().trimmed().toDouble();
    }
    const double next = std::min(0.95, std::round((current + 0.1) * 100.0) / 100.0);
    m_panel->setStepValue(index, "schedule", "oneshot");
    m_panel->setStepValue(index, "sparsity", QString::number(next).toStdString());
    m_panel->setStepValue(index, "finetune_epochs", "20");
    m_tabs->setCurrentWidget(m_weights);
    run();
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

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open experiment…"), QKeySequence::Open, this, [this] {
        const QString path
            = QFileDialog::getOpenFileName(this, tr("Open experiment"), presetDirectory(), tr("YAML (*.yaml *.yml)"));
        if (!path.isEmpty())
            openExperiment(path);
    });
    auto* presets = file->addMenu(tr("Presets"));
    const QString dir = presetDirectory();
    for (const QString& f : QDir(dir).entryList({ "*.yaml" }, QDir::Files))
        presets->addAction(f, this, [this, dir, f] { openExperiment(dir + "/" + f); });
    auto* lessons = presets->addMenu(tr("Classroom lessons"));
    for (const QString& f : QDir(dir + "/classroom").entryList({ "*.yaml" }, QDir::Files))
        lessons->addAction(f, this, [this, dir, f] {
            openExperiment(dir + "/classroom/" + f);
            setClassroomMode(true);
        });
    m_recentMenu = file->addMenu(tr("Recent experiments"));
    file->addAction(tr("&Save experiment"), QKeySequence::Save, this, [this] {
        QString path = m_currentFile;
        if (path.isEmpty() || path.startsWith(presetDirectory()))
            path = QFileDialog::getSaveFileName(this, tr("Save experiment"), "experiment.yaml", tr("YAML (*.yaml)"));
        if (!path.isEmpty())
            if (const QString err = saveExperiment(path); !err.isEmpty())
                QMessageBox::warning(this, tr("Could not save"), err);
    });
    file->addAction(tr("Save experiment &as…"), QKeySequence::SaveAs, this, [this] {
        const QString path
            = QFileDialog::getSaveFileName(this, tr("Save experiment"), "experiment.yaml", tr("YAML (*.yaml)"));
        if (!path.isEmpty())
            if (const QString err = saveExperiment(path); !err.isEmpty())
                QMessageBox::warning(this, tr("Could not save"), err);
    });
    file->addSeparator();
    file->addAction(tr("Export comparison as CSV…"), this, [this] {
        const QString path
            = QFileDialog::getSaveFileName(this, tr("Export comparison"), "comparison.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty())
            if (const QString err = m_compare->exportCsv(path); !err.isEmpty())
                QMessageBox::warning(this, tr("Export failed"), err);
    });
    file->addAction(tr("Export HTML report of the last run…"), this, [this] {
        const QString path
            = QFileDialog::getSaveFileName(this, tr("Export report"), "report.html", tr("HTML (*.html)"));
        if (!path.isEmpty())
            if (const QString err = exportReport(path); !err.isEmpty())
                QMessageBox::warning(this, tr("Export failed"), err);
    });
    file->addAction(tr("Export comparison as HTML report…"), this, [this] {
        const QString path
            = QFileDialog::getSaveFileName(this, tr("Export report"), "comparison.html", tr("HTML (*.html)"));
        if (!path.isEmpty())
            if (const QString err = m_compare->exportReport(path); !err.isEmpty())
                QMessageBox::warning(this, tr("Export failed"), err);
    });
    file->addAction(tr("Export all charts…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export all charts to"));
        if (!dir.isEmpty())
            if (const QString err = exportAllCharts(dir); !err.isEmpty())
                QMessageBox::warning(this, tr("Export failed"), err);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* runMenu = menuBar()->addMenu(tr("&Run"));
    m_run = runMenu->addAction(tr("Run"), QKeySequence(Qt::Key_F5), this, &MainWindow::run);
    m_pause = runMenu->addAction(tr("Pause"), QKeySequence(Qt::Key_F6), this,
        [this] { m_controller->isPaused() ? m_controller->resume() : m_controller->pause(); });
    m_step = runMenu->addAction(tr("Step one epoch"), QKeySequence(Qt::Key_F7), m_controller, &SessionController::step);
    m_stop
        = runMenu->addAction(tr("Stop"), QKeySequence(Qt::SHIFT | Qt::Key_F5), m_controller, &SessionController::stop);
    runMenu->addSeparator();
    m_reset = runMenu->addAction(tr("Reset"), QKeySequence(Qt::CTRL | Qt::Key_R), this, [this] { reset(false); });
    m_resetSeeds = runMenu->addAction(
        tr("Reset with new seeds"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), this, [this] { reset(true); });
    auto* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(tr("&Copy comparison rows"), QKeySequence::Copy, this, [this] {
        QApplication::clipboard()->setText(m_compare->selectionCsv());
        m_status->setText(tr("Copied the selected comparison rows as CSV"));
    });
    edit->addAction(tr("Select &all comparison rows"), QKeySequence::SelectAll, this, [this] {
        m_tabs->setCurrentWidget(m_compare);
        m_compare->view()->selectAll();
    });
    menuBar()->insertMenu(menuBar()->actions().at(1), edit); // File, Edit, Run, View, Help
    auto* toolbar = addToolBar(tr("Run"));
    toolbar->setObjectName("runToolbar");
    toolbar->addActions({ m_run, m_pause, m_step, m_stop });

    auto* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i)
        view->addAction(m_tabs->tabText(i), QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)), this,
            [this, i] { m_tabs->setCurrentIndex(i); });

    view->addSeparator();
    m_classroomAction = view->addAction(
        tr("Classroom mode"), QKeySequence(Qt::Key_F11), this, [this](bool on) { setClassroomMode(on); });
    m_darkAction = view->addAction(tr("Dark theme"), this, [this](bool on) { setDarkTheme(on); });
    m_darkAction->setCheckable(true);
    m_classroomAction->setCheckable(true);

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About GraphSqueeze"), this, [this] {
        QString versions;
        for (const auto& [k, v] : Session::versions())
            versions += QString("%1 %2<br>").arg(QString::fromStdString(k), QString::fromStdString(v));
        QMessageBox::about(this, tr("About GraphSqueeze"),
            tr("<b>GraphSqueeze</b> — a lab for pruning and quantizing graph neural networks.<br><br>"
               "%1Qt %2<br><br>Reproduces and extends Khedri et al., <i>Pruning and Quantization Impact "
               "on Graph Neural Networks</i> (arXiv:2510.22058, 2025).")
                .arg(versions, qVersion()));
    });
}

void MainWindow::updateActions()
{
    const bool running = m_controller->isRunning();
    m_run->setEnabled(!running && m_panel->isValid());
    m_pause->setEnabled(running);
    m_step->setEnabled(running);
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
        m_panel->setConfig(experiment::loadExperiment(path.toStdString()));
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

void MainWindow::addRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value("recentFiles").toStringList();
    recent.removeAll(path);
    recent.prepend(QFileInfo(path).absoluteFilePath());
    settings.setValue("recentFiles", recent.mid(0, 8));
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    for (const QString& p : QSettings().value("recentFiles").toStringList())
        m_recentMenu->addAction(p, this, [this, p] { openExperiment(p); });
    m_recentMenu->setEnabled(!m_recentMenu->isEmpty());
}

void MainWindow::clearViews()
{
    m_training->clear();
    m_sparsity->clear();
    m_quantization->clear();
    m_weights->clear();
    m_layers->clear();
    m_banner->hide();
    m_progress->setValue(0);
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
    m_status->setText(newSeeds
            ? tr("Reset: the next run uses new seeds %1").arg(seeds.join(", "))
            : tr("Reset: the next run starts from the same initial weights (seeds %1)").arg(seeds.join(", ")));
    updateActions();
}

void MainWindow::run()
{
    if (!m_panel->isValid() || m_controller->isRunning())
        return;
    clearViews();
    m_epochsDone = 0;
    m_runStartMs = QDateTime::currentMSecsSinceEpoch();
    m_status->setText(tr("Loading data…"));
    m_controller->start(m_panel->config());
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
    return m_status->text();
}

void MainWindow::onEvents(const std::vector<SessionEvent>& events)
{
    m_training->addEvents(events);
    m_sparsity->addEvents(events);
    m_quantization->addEvents(events);
    m_weights->addEvents(events);
    m_layers->addEvents(events);
    const EpochMetrics* last = nullptr;
    QStringList warnings;
    for (const auto& e : events) {
        if (auto* m = std::get_if<EpochMetrics>(&e)) {
            ++m_epochsDone;
            last = m;
        } else if (auto* s = std::get_if<StageStarted>(&e)) {
            if (s->stage == "base")
                m_epochsDone = static_cast<qint64>(s->job) * m_epochsPerJob;
        } else if (auto* w = std::get_if<RunWarning>(&e)) {
            warnings << QString::fromStdString(w->message);
        }
    }
    // Guard-rail warnings (fully pruned layers, accuracy collapse) come from the core, so the
    // CLI prints the same ones.
    for (const QString& w : warnings) {
        QString text = w.left(1).toUpper() + w.mid(1);
        if (w.contains("100% pruned"))
            text += tr(" — lower the sparsity, or use finegrained pruning so every layer keeps weights.");
        showBanner(text, false);
    }
    const double fraction
        = std::min(1.0, static_cast<double>(m_epochsDone) / (static_cast<double>(m_totalJobs) * m_epochsPerJob));
    m_progress->setValue(static_cast<int>(fraction * 1000));
    if (last) {
        const double elapsed = (QDateTime::currentMSecsSinceEpoch() - m_runStartMs) / 1000.0;
        const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
        m_status->setText(tr("Job %1/%2 · %3%4 · epoch %5/%6 · loss %7 · val %8 · ETA %9 s")
                              .arg(last->job + 1)
                              .arg(m_totalJobs)
                              .arg(QString::fromStdString(last->stage))
                              .arg(last->setting.empty() ? QString() : " " + QString::fromStdString(last->setting))
                              .arg(last->point.epoch)
                              .arg(last->epochs)
                              .arg(last->point.loss, 0, 'f', 4)
                              .arg(std::isfinite(last->point.valMetric) ? last->point.valMetric : 0.0, 0, 'f', 3)
                              .arg(eta, 0, 'f', 0));
    }
}

void MainWindow::onFinished(std::shared_ptr<const RunResult> result)
{
    m_progress->setValue(1000);
    m_lastResult = result;
    StoredRun stored;
    stored.name = QString::fromStdString(result->config.name);
    stored.summary = result->summary;
    if (m_history->isOpen()) {
        stored.id = m_history->add(*result);
        if (stored.id == 0)
            showBanner(tr("Could not save the run to the history: %1").arg(m_history->lastError()), false);
    }
    m_compare->addRun(stored);
    QString summary;
    for (const auto& s : result->summary)
        if (s.method == "none")
            summary = tr("%1 %2 ± %3 over %4 run(s)")
                          .arg(QString::fromStdString(s.metric))
                          .arg(s.testMean, 0, 'f', 4)
                          .arg(s.testStd, 0, 'f', 4)
                          .arg(s.n);
    m_status->setText(tr("Finished in %1 s — base model: %2").arg(result->totalSeconds, 0, 'f', 1).arg(summary));
    Q_EMIT runFinished();
}

QString MainWindow::saveScreenshots(const QString& dir)
{
    if (!QDir().mkpath(dir))
        return dir + ": cannot create the directory";
    const int current = m_tabs->currentIndex();
    for (int i = 0; i < m_tabs->count(); ++i) {
        m_tabs->setCurrentIndex(i);
        QApplication::processEvents();
        const QString name
            = QString("%1/%2-%3.png").arg(dir).arg(i + 1, 2, 10, QChar('0')).arg(m_tabs->tabText(i).toLower());
        QSaveFile file(name);
        if (!file.open(QIODevice::WriteOnly) || !grab().save(&file, "PNG") || !file.commit())
            return name + ": " + file.errorString();
    }
    m_tabs->setCurrentIndex(current);
    return {};
}

QString MainWindow::exportReport(const QString& path)
{
    if (!m_lastResult)
        return tr("no finished run to report on yet");
    const RunResult& r = *m_lastResult;
    HtmlReport report(tr("GraphSqueeze report: %1").arg(QString::fromStdString(r.config.name)));
    const auto& first = r.rows.empty() ? ResultRow {} : r.rows.front();
    report.paragraph(tr("%1 on %2 (%3), %4 result rows, %5 s in total.")
                         .arg(QString::fromStdString(first.model), QString::fromStdString(first.dataset),
                             QString::fromStdString(first.task))
                         .arg(r.rows.size())
                         .arg(r.totalSeconds, 0, 'f', 1));
    for (const auto& w : r.warnings)
        report.paragraph(tr("Warning: %1").arg(QString::fromStdString(w)));

    report.heading(tr("Summary (mean ± sample std over seeds and folds)"));
    QVector<QVariantList> rows;
    for (const auto& s : r.summary)
        rows.append({ QString::fromStdString(s.method), QString::fromStdString(s.setting),
            QString::fromStdString(s.stage), QString::fromStdString(s.metric), s.testMean, s.testStd, s.n,
            s.nonzeroParamsMean, static_cast<qlonglong>(s.totalParams), s.bitsMean, s.sizeDiskBytesMean,
            static_cast<qlonglong>(s.sizeDenseBytes), s.latencyMsMean, QString::fromStdString(s.latencyKind),
            s.latencyDenseMsMean });
    report.table({ tr("method"), tr("setting"), tr("stage"), tr("metric"), tr("mean"), tr("std"), tr("n"),
                     tr("non-zero params"), tr("params"), tr("bits"), tr("disk bytes (measured)"),
                     tr("dense bytes (counted)"), tr("latency ms"), tr("latency kind"), tr("fp32/masked latency ms") },
        rows);

    report.heading(tr("Charts"));
    const QList<ChartView*> charts = m_training->charts() + m_sparsity->charts() + m_quantization->charts()
        + m_weights->charts() + m_compare->charts();
    const int current = m_tabs->currentIndex();
    for (int i = 0; i < m_tabs->count(); ++i) {
        m_tabs->setCurrentIndex(i); // charts render at their on-screen size
        QApplication::processEvents();
        for (auto* c : charts)
            if (c->isVisible() && !c->chart()->series().isEmpty())
                report.image(c->grab().toImage(), c->chart()->title());
    }
    m_tabs->setCurrentIndex(current);

    if (!r.layers.empty()) {
        report.heading(
            tr("Layers of the first job (seed %1, fold %2)").arg(r.layers.front().seed).arg(r.layers.front().fold));
        QVector<QVariantList> layers;
        for (const auto& l : r.layers)
            if (l.seed == r.layers.front().seed && l.fold == r.layers.front().fold)
                layers.append({ QString::fromStdString(l.method), QString::fromStdString(l.setting),
                    QString::fromStdString(l.stage), QString::fromStdString(l.layer), QString::fromStdString(l.shape),
                    static_cast<qlonglong>(l.params), static_cast<qlonglong>(l.nnz), l.sparsity(), l.bits,
                    static_cast<qlonglong>(l.diskBytes) });
        report.table({ tr("method"), tr("setting"), tr("stage"), tr("layer"), tr("shape"), tr("params"), tr("non-zero"),
                         tr("sparsity"), tr("bits"), tr("disk bytes") },
            layers);
    }
    report.heading(tr("Configuration"));
    report.preformatted(QString::fromStdString(gsq::core::experiment::toYaml(r.config)));
    report.heading(tr("Environment"));
    QString env;
    for (const auto& [k, v] : r.versions)
        env += QString::fromStdString(k + ": " + v + "\n");
    for (const auto& [k, v] : r.environment)
        env += QString::fromStdString(k + ": " + v + "\n");
    report.preformatted(env);
    return report.save(path);
}

QString MainWindow::exportAllCharts(const QString& dir)
{
    if (!QDir().mkpath(dir))
        return dir + ": cannot create the directory";
    QList<ChartView*> charts = m_training->charts() + m_sparsity->charts() + m_quantization->charts()
        + m_weights->charts() + m_compare->charts();
    const int current = m_tabs->currentIndex();
    int n = 0;
    for (int i = 0; i < m_tabs->count(); ++i) {
        m_tabs->setCurrentIndex(i); // charts render at their on-screen size
        QApplication::processEvents();
        for (auto* c : charts) {
            if (!c->isVisible())
                continue;
            QString base = c->chart()->title().toLower();
            base.replace(QRegularExpression("[^a-z0-9]+"), "-");
            base = QString("%1/%2-%3").arg(dir).arg(++n, 2, 10, QChar('0')).arg(base.left(48));
            if (QString err = c->savePng(base + ".png"); !err.isEmpty())
                return err;
            if (QString err = c->saveSvg(base + ".svg"); !err.isEmpty())
                return err;
        }
    }
    m_tabs->setCurrentIndex(current);
    return {};
}

} // namespace gsq::ui
