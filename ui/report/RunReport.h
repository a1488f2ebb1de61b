#pragma once

#include "core/results/RunResult.h"

#include <QList>
#include <QString>

class QTabWidget;
class QWidget;

namespace gsq::ui {

class ChartView;
class LiveView;

/// Files made from what the window shows: the HTML report of a run, every chart as PNG and SVG,
/// one screenshot per tab. Each shows every tab in turn (charts are drawn at a fixed export
/// size in the light theme) and returns an error message, or "" on success.
namespace exports {

/// One-file HTML report of `result`: summary, every non-empty chart of `views` (each view's
/// report charts: the weight histogram of every layer), per-layer table of the first job,
/// configuration and environment.
QString runReport(
    const gsq::core::results::RunResult& result, QTabWidget* tabs, const QList<LiveView*>& views, const QString& path);

/// NN-title.png and .svg per visible chart in `dir`.
QString allCharts(QTabWidget* tabs, const QList<ChartView*>& charts, const QString& dir);

/// NN-tab.png of `window` with each tab of `tabs` current.
QString tabScreenshots(QWidget* window, QTabWidget* tabs, const QString& dir);

} // namespace exports
} // namespace gsq::ui
