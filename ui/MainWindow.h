#pragma once

#include "core/results/SessionEvents.h"
#include "ui/session/RunExtension.h"
#include "ui/window/Banner.h"
#include "ui/window/RunProgress.h"
#include "ui/window/ViewTabs.h"

#include <QMainWindow>

#include <memory>
#include <optional>

class QTabWidget;
class QLabel;
class QProgressBar;
class QAction;
class QMenu;
class QDockWidget;

namespace gsq::ui {

class ExperimentPanel;
class SessionController;
class TrainingTab;
class SparsityTab;
class QuantizationTab;
class WeightsTab;
class LayersTab;
class RobustnessTab;
class CompareTab;
class RunHistory;
class LiveView;
class ChartView;
class LessonPanel;
class PresetMenu;

/// The main window: layout and wiring only. The experiment form docks on the left, the tabs
/// (window/ViewTabs: Training, Sparsity, Quantization, Weights, Layers, Compare; each a LiveView)
/// fill the centre, run state sits in the status bar (window/RunProgress), and guard-rail
/// warnings from the core appear in a banner above the tabs (window/Banner). Menus and the
/// exports they run: MainWindowMenus.cpp; presets: window/PresetMenu; themes and classroom looks:
/// window/Theme; "Prune 10 % more": session/RunExtension; interrupted runs:
/// session/InterruptedRun; reports: report/RunReport; history dialogs: history/HistoryDialogs.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Loads an experiment YAML into the form; on error shows (or returns) the message.
    QString openExperiment(const QString& path, bool interactive = true);
    QString saveExperiment(const QString& path);
    /// One PNG per tab (NN-name.png) in `dir`; returns an error message or an empty string.
    QString saveScreenshots(const QString& dir);
    /// Every chart as PNG and SVG in `dir`.
    QString exportAllCharts(const QString& dir);
    /// One-file HTML report of the last finished run: summary, every chart, per-layer table of
    /// the first job, configuration and environment. Returns an error message or "".
    QString exportReport(const QString& path);
    /// File -> Export model for PyTorch: `model` (.gsqm) to `out` (.pt, with integer codes of
    /// quantized weights); returns the error message or "".
    QString exportModelFile(const QString& model, const QString& out);
    /// A run the app did not survive (SessionController::journalPath() still there): a line such
    /// as "cora-gcn: 3 of 10 jobs finished", or "" when there is none (or it is unreadable).
    QString interruptedRun() const;
    /// Loads the interrupted run's experiment into the form and continues it: finished jobs are
    /// read back, the rest train. Returns an error message or "".
    QString resumeInterruptedRun();
    /// On start-up: asks whether to resume an interrupted run (or discard its journal).
    void offerResume();
    /// Shows a finished run it did not watch (read back from a run directory): the form gets
    /// its experiment, the views its rows, curves and layer histograms (core/results/Replay.h;
    /// per-epoch weight snapshots are not stored), and it becomes the run reports describe. Not
    /// added to the history.
    void showRun(std::shared_ptr<const gsq::core::results::RunResult> result);
    /// showRun() of the run in `dir` (its jobs.journal, as `graphsqueeze-cli merge` reads it);
    /// returns an error message naming the file, or "".
    QString showRunDirectory(const QString& dir);
    /// The result of the last finished run (null before any).
    std::shared_ptr<const gsq::core::results::RunResult> lastResult() const { return m_lastResult; }
    /// Clears every live view; the next run starts from the same initial weights (same seeds),
    /// or from new ones with `newSeeds`.
    void reset(bool newSeeds);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    /// Empties every live view (tabs, banner, progress) before a run or on Reset.
    void clearViews();
    /// clearViews(), then runs `config` (SessionController::start).
    void startRun(const gsq::core::experiment::ExperimentConfig& config, bool resume, bool stepped);
    /// `config` in the form, its name and description in the lesson panel.
    void showExperiment(const gsq::core::experiment::ExperimentConfig& config);

public:
    ExperimentPanel* panel() const { return m_panel; }
    SessionController* controller() const { return m_controller; }
    QTabWidget* tabs() const { return m_tabs; }
    /// Selects the tab showing `view` (each tab is a scroll area around one view).
    void showView(QWidget* view) { m_tabs->showView(view); }
    /// The view of the current tab (TrainingTab, ..., CompareTab).
    QWidget* currentView() const { return m_tabs->currentView(); }
    TrainingTab* trainingTab() const { return m_tabs->training(); }
    SparsityTab* sparsityTab() const { return m_tabs->sparsity(); }
    QuantizationTab* quantizationTab() const { return m_tabs->quantization(); }
    WeightsTab* weightsTab() const { return m_tabs->weights(); }
    LayersTab* layersTab() const { return m_tabs->layers(); }
    RobustnessTab* robustnessTab() const { return m_tabs->robustness(); }
    CompareTab* compareTab() const { return m_tabs->compare(); }
    RunHistory* history() const { return m_history.get(); }
    /// Reloads the Compare tab from the history database.
    void reloadHistory();
    QAction* runAction() const { return m_run; }
    QAction* stopAction() const { return m_stop; }
    QAction* stepAction() const { return m_step; }
    QString bannerText() const { return m_banner->shownText(); }
    /// The experiment's description above the tabs (a lesson's goal and steps).
    LessonPanel* lessonPanel() const { return m_lesson; }
    /// A link of the lesson panel: "preset:<file under the preset directory>" or "action:open".
    void followLink(const QString& link);
    bool isClassroomMode() const { return m_classroom; }

    /// Classroom mode: larger fonts, fewer controls, explanations beside the charts, big Run and
    /// Step buttons and "Prune 10 % more".
    /// `remember`: saved as the mode of the next start (a command-line --classroom is not).
    void setClassroomMode(bool on, bool remember = true);
    /// Dark theme: Fusion style with a dark palette and Qt Charts' dark chart theme. Remembered.
    void setDarkTheme(bool on, bool remember = true);
    bool isDarkTheme() const { return m_dark; }
    /// Adds a setting 0.1 above the last sparsity of the first pruning step (keeping its method;
    /// a one-shot fine-grained step with 20 fine-tuning epochs when there is none). When the run
    /// shown is of this experiment with one job, only the new setting runs, from its trained
    /// base, and joins that run (charts, history); otherwise the experiment runs afresh.
    void pruneTenPercentMore();
    /// Classroom's "Attack harder": the next PGD budget on the experiment's robustness step, and
    /// the lesson runs again (RunExtension::attackHarder); the Robustness tab shows it.
    void attackHarder();
    QString statusText() const { return m_progress->text(); }

    /// Every menu action with a shortcut as an HTML table (Help → Keyboard shortcuts).
    QString keyboardShortcuts() const;

public Q_SLOTS:
    void run();
    /// Run → Step one epoch: one more epoch of a paused run, or, while idle, start the run and
    /// pause it after its first epoch.
    void stepOneEpoch();

Q_SIGNALS:
    void runFinished();
    void runFailed(const QString& message);

private:
    void buildMenus(); ///< MainWindowMenus.cpp
    void updateActions();
    void onEvents(const std::vector<gsq::core::results::SessionEvent>& events);
    void onFinished(std::shared_ptr<const gsq::core::results::RunResult> result);
    /// A finished run becomes the one on screen: last result, a Compare entry (history id
    /// `storedId`, 0 when not stored), the status line. Shared by onFinished() and showRun().
    /// `how`: run now, a setting added, or opened from its directory (the status line says so).
    void presentFinished(
        std::shared_ptr<const gsq::core::results::RunResult> result, qint64 storedId, RunProgress::Finish how);
    std::shared_ptr<const gsq::core::results::RunResult> m_lastResult;
    qint64 m_lastRunId = 0; ///< m_lastResult's id in the history (0: not stored)
    /// "Prune 10 % more" running one more setting of the run shown (pruneTenPercentMore).
    RunExtension m_extension;
    /// Carries out an extension's plan: its message in the banner, or `view` shown and the run
    /// started (the whole experiment, or the one new setting).
    void follow(const RunExtension::Plan& plan, QWidget* view);
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    /// File → Open experiment (and the welcome text's link): a file dialog, then openExperiment().
    void openExperimentDialog();

    ExperimentPanel* m_panel;
    SessionController* m_controller;
    ViewTabs* m_tabs;
    Banner* m_banner;
    LessonPanel* m_lesson = nullptr;
    QDockWidget* m_dock = nullptr;
    RunProgress* m_progress;
    QAction *m_run, *m_pause, *m_step, *m_stop;
    QMenu* m_recentMenu = nullptr;
    PresetMenu* m_presets = nullptr;
    QWidget* m_classroomBar = nullptr;
    QAction* m_classroomAction = nullptr;
    bool m_classroom = false;
    bool m_dark = false;
    QAction* m_darkAction = nullptr;
    QAction* m_reset = nullptr;
    QAction* m_resetSeeds = nullptr;
    QString m_currentFile;
    std::unique_ptr<RunHistory> m_history;
};

} // namespace gsq::ui
