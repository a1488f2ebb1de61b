// MainWindow, part 2: the menu bar and the toolbar (File, Edit, Run, View, Help), and the View
// menu's dark theme and classroom mode.
#include "ui/MainWindow.h"

#include "core/session/Session.h"
#include "ui/charts/ChartView.h"
#include "ui/history/RunHistory.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/report/RunReport.h"
#include "ui/session/SessionController.h"
#include "ui/tabs/CompareTab.h"
#include "ui/window/FileDialogs.h"
#include "ui/window/PresetMenu.h"
#include "ui/window/RunProgress.h"
#include "ui/window/Theme.h"
#include "ui/window/ViewTabs.h"

#include <QApplication>
#include <QClipboard>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>

#include <functional>
#include <vector>

namespace gsq::ui {

using namespace gsq::core;
using namespace gsq::core::results;
using namespace gsq::core::session;

QString MainWindow::saveScreenshots(const QString& dir)
{
    return exports::tabScreenshots(this, m_tabs, dir);
}

QString MainWindow::exportReport(const QString& path)
{
    if (!m_lastResult)
        return tr("no finished run to report on yet");
    return exports::runReport(*m_lastResult, m_tabs, m_tabs->views(), path);
}

QString MainWindow::exportAllCharts(const QString& dir)
{
    return exports::allCharts(m_tabs, m_tabs->charts(), dir);
}

QString MainWindow::exportModelFile(const QString& model, const QString& out)
{
    try {
        Session::exportModel(model.toStdString(), out.toStdString(), /*codes=*/true);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
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
    theme::applyClassroom(on, this);
    m_panel->setSimplified(on);
    m_classroomBar->setVisible(on);
    m_classroomAction->setChecked(on);
    // The form needs more room at classroom mode's larger text.
    m_dock->setMinimumWidth(on ? 380 : 300);
    resizeDocks({ m_dock }, { on ? 380 : 300 }, Qt::Horizontal);
    if (remember)
        QSettings().setValue("view/classroom", on);
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open experiment…"), QKeySequence::Open, this, [this] { openExperimentDialog(); });
    m_presets = new PresetMenu(this);
    file->addMenu(m_presets);
    connect(m_presets, &PresetMenu::openRequested, this, [this](const QString& path, bool classroom) {
        openExperiment(path);
        if (classroom)
            setClassroomMode(true);
    });
    m_recentMenu = file->addMenu(tr("Recent experiments"));
    // Every save and export: the dialog opens in the folder used last, and the status line says
    // where the file went (a warning says why it did not).
    auto done = [this](const QString& path, const QString& error, const QString& failure) {
        if (!error.isEmpty())
            QMessageBox::warning(this, failure, error);
        else
            m_progress->setText(files::wroteMessage(path));
    };
    file->addAction(tr("&Save experiment"), QKeySequence::Save, this, [this, done] {
        QString path = m_currentFile;
        if (path.isEmpty() || path.startsWith(PresetMenu::directory()))
            path = files::saveFileName(this, tr("Save experiment"), "experiment.yaml", tr("YAML (*.yaml)"));
        if (!path.isEmpty())
            done(path, saveExperiment(path), tr("Could not save"));
    });
    file->addAction(tr("Save experiment &as…"), QKeySequence::SaveAs, this, [this, done] {
        if (const QString path
            = files::saveFileName(this, tr("Save experiment"), "experiment.yaml", tr("YAML (*.yaml)"));
            !path.isEmpty())
            done(path, saveExperiment(path), tr("Could not save"));
    });
    file->addSeparator();
    file->addAction(tr("Export comparison as CSV…"), this, [this, done] {
        if (const QString path
            = files::saveFileName(this, tr("Export comparison"), "comparison.csv", tr("CSV (*.csv)"));
            !path.isEmpty())
            done(path, compareTab()->exportCsv(path), tr("Export failed"));
    });
    auto* exportModel = file->addAction(tr("Export model for PyTorch…"), this, [this] {
        const QString model = QFileDialog::getOpenFileName(this, tr("Export model: which model of the last run"),
            SessionController::modelDirectory(), tr("GraphSqueeze models (*.gsqm)"));
        if (model.isEmpty())
            return;
        const QString out = files::saveFileName(
            this, tr("Export model as"), QFileInfo(model).completeBaseName() + ".pt", tr("PyTorch state dict (*.pt)"));
        if (out.isEmpty())
            return;
        if (const QString err = exportModelFile(model, out); !err.isEmpty())
            QMessageBox::warning(this, tr("Export failed"), err);
        else
            statusBar()->showMessage(tr("Wrote %1 (torch.load; names as PyTorch Geometric's layers)").arg(out), 8000);
    });
    exportModel->setObjectName("exportModel");
    exportModel->setToolTip(tr("A .gsqm of the last run as a torch.load-able state dict (docs/interop.md)"));
    file->addAction(tr("Export HTML report of the last run…"), this, [this, done] {
        if (const QString path = files::saveFileName(this, tr("Export report"), "report.html", tr("HTML (*.html)"));
            !path.isEmpty())
            done(path, exportReport(path), tr("Export failed"));
    });
    file->addAction(tr("Export comparison as HTML report…"), this, [this, done] {
        if (const QString path = files::saveFileName(this, tr("Export report"), "comparison.html", tr("HTML (*.html)"));
            !path.isEmpty())
            done(path, compareTab()->exportReport(path), tr("Export failed"));
    });
    file->addAction(tr("Export all charts…"), this, [this, done] {
        if (const QString dir = files::directory(this, tr("Export all charts to")); !dir.isEmpty())
            done(dir + "/", exportAllCharts(dir), tr("Export failed"));
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* runMenu = menuBar()->addMenu(tr("&Run"));
    m_run = runMenu->addAction(tr("Run"), QKeySequence(Qt::Key_F5), this, &MainWindow::run);
    m_pause = runMenu->addAction(tr("Pause"), QKeySequence(Qt::Key_F6), this,
        [this] { m_controller->isPaused() ? m_controller->resume() : m_controller->pause(); });
    // While idle, Step starts the run paused after its first epoch.
    m_step = runMenu->addAction(tr("Step one epoch"), QKeySequence(Qt::Key_F7), this, [this] { stepOneEpoch(); });
    m_stop
        = runMenu->addAction(tr("Stop"), QKeySequence(Qt::SHIFT | Qt::Key_F5), m_controller, &SessionController::stop);
    runMenu->addSeparator();
    m_reset = runMenu->addAction(tr("Reset"), QKeySequence(Qt::CTRL | Qt::Key_R), this, [this] { reset(false); });
    m_resetSeeds = runMenu->addAction(
        tr("Reset with new seeds"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), this, [this] { reset(true); });
    auto* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(tr("&Copy comparison rows"), QKeySequence::Copy, this, [this] {
        QApplication::clipboard()->setText(compareTab()->selectionCsv());
        m_progress->setText(tr("Copied the selected comparison rows as CSV"));
    });
    edit->addAction(tr("Select &all comparison rows"), QKeySequence::SelectAll, this, [this] {
        showView(compareTab());
        compareTab()->view()->selectAll();
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
    help->addAction(tr("&Quick start"), QKeySequence::HelpContents, this, [this] {
        QMessageBox::information(this, tr("Quick start"),
            tr("<b>1. Pick an experiment.</b> File → Presets (the paper's own experiments are under "
               "<i>Paper (Khedri et al.)</i>, lessons under <i>Classroom lessons</i>), or File → Open for "
               "your own YAML. A TU directory or a SMILES CSV is chosen in the form: Dataset → tu / csv, then "
               "Browse… beside the path.<br><br><b>2. Check the form.</b> Every field is the experiment file's own "
               "key; "
               "Compression steps lists what runs after the base model (Add step, Up/Down). Run stays disabled "
               "while a field is invalid; the problem is named under the form.<br><br><b>3. Run (F5).</b> "
               "Training curves fill the Training tab as they happen; Pause (F6) and Step one epoch (F7) let "
               "you look at one epoch at a time.<br><br><b>4. Read the results.</b> Sparsity and "
               "Quantization compare the settings with the base model (mean ± std over seeds and folds), "
               "Weights and Layers show what changed inside, Compare keeps every run and exports CSV and an "
               "HTML report. Sizes are measured model files, latencies measured forward passes; each column "
               "says which model it describes."));
    });
    help->addAction(tr("&Keyboard shortcuts"), this,
        [this] { QMessageBox::information(this, tr("Keyboard shortcuts"), keyboardShortcuts()); });
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

QString MainWindow::keyboardShortcuts() const
{
    // Read from the menus themselves, so the list is never out of date.
    QString rows;
    std::function<void(const QMenu*)> walk = [&](const QMenu* menu) {
        for (const QAction* a : menu->actions()) {
            if (a->menu())
                walk(a->menu());
            else if (!a->shortcut().isEmpty())
                rows += QString("<tr><td><b>%1</b></td><td>%2</td></tr>")
                            .arg(a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                                QString(a->text()).remove('&').toHtmlEscaped());
        }
    };
    for (const QAction* top : menuBar()->actions())
        if (top->menu())
            walk(top->menu());
    return "<table cellspacing=\"6\">" + rows + "</table>";
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

} // namespace gsq::ui
