#pragma once

#include <QtCharts/QChartView>

class QLabel;

namespace gsq::ui {

/// A chart with "Save as PNG…" / "Save as SVG…" on its context menu. Files are written
/// atomically (QSaveFile); failures are reported with the path and the reason.
class ChartView : public QChartView {
    Q_OBJECT
public:
    explicit ChartView(const QString& title, QWidget* parent = nullptr);

    /// Writes the chart; returns an empty string on success, else the error message.
    QString savePng(const QString& path);
    QString saveSvg(const QString& path);

    /// Chart theme of every chart created from now on (and of those re-themed by the window).
    static void setDark(bool dark);
    static bool dark();
    /// Applies the current theme to this chart, keeping the colours the tabs chose.
    void applyTheme();

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;
};

/// The short explanation shown above a chart (highlighted in classroom mode).
QLabel* makeChartHint(const QString& text);

} // namespace gsq::ui
