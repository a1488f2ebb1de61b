#pragma once

#include <QMenu>

namespace gsq::ui {

class RunHistory;

/// File → Presets: the experiment files of the preset directory, then a submenu per folder (the
/// paper's experiments as its public code runs them, Degree-Quant's recipes, pipelines that chain
/// methods, classroom lessons). Each entry is named by its file and the first sentence of its
/// leading comment (the whole comment as tooltip) and says how long its newest stored run took on
/// this machine, refreshed whenever a menu opens.
class PresetMenu : public QMenu {
    Q_OBJECT
public:
    explicit PresetMenu(QWidget* parent = nullptr);
    /// Where the presets are: the source tree's resources/experiments, or the installed
    /// share/graphsqueeze/experiments; "" when neither exists.
    static QString directory();
    /// The run history the training times come from (none: every preset says it has not run).
    void setHistory(const RunHistory* history) { m_history = history; }

Q_SIGNALS:
    /// An entry was chosen: the preset's file, and whether it is a classroom lesson.
    void openRequested(const QString& path, bool classroom);

private:
    void addPreset(QMenu* menu, const QString& path, bool classroom);
    void updateTimes(QMenu* menu);
    const RunHistory* m_history = nullptr;
};

} // namespace gsq::ui
