#pragma once

#include <QtCharts/QChartView>

#include <functional>

class QLabel;
QT_BEGIN_NAMESPACE
class QXYSeries;
QT_END_NAMESPACE

namespace gsq::ui {

/// A chart with "Save as PNG…" / "Save as SVG…" on its context menu. Files are written
/// atomically (QSaveFile); failures are reported with the path and the reason.
class ChartView : public QChartView {
    Q_OBJECT
public:
    explicit ChartView(const QString& title, QWidget* parent = nullptr);

    /// The smallest a chart gets (its height scales with fontScale()): below it Qt Charts elides
    /// axis labels to "…". Tabs scroll rather than squeeze charts under it.
    static constexpr int kMinimumWidth = 320, kMinimumHeight = 240;

    /// Files and reports show charts at one size whatever the window's (a chart squeezed on
    /// screen would be squeezed in the report too), in the light theme.
    static constexpr int kExportWidth = 960, kExportHeight = 600;
    /// The chart rendered at kExportWidth × kExportHeight in the light theme; the view on screen
    /// keeps its size and theme.
    QImage exportImage();

    /// A chart that shows no result yet, only a hint or a lone reference bar: left out of
    /// reports and chart exports.
    void setPlaceholder(bool placeholder) { m_placeholder = placeholder; }
    /// Worth exporting: visible, with something drawn, and not a placeholder.
    bool exportable() const;

    /// Writes the chart (as exportImage() draws it); returns an empty string on success, else
    /// the error message.
    QString savePng(const QString& path);
    QString saveSvg(const QString& path);

    /// Chart theme of every chart created from now on (and of those re-themed by the window).
    static void setDark(bool dark);
    static bool dark();
    /// Applies the current theme to this chart, keeping the colours the tabs chose, and the font
    /// scale.
    void applyTheme();

    /// Size of chart text in every chart: 1 is the chart theme's own fonts; classroom mode
    /// enlarges them. Chart text does not follow the application font.
    static void setFontScale(double scale);
    static double fontScale();
    /// Title, legend and axis fonts set to the theme's own scaled by fontScale() (exactly the
    /// theme's at 1). Tabs call it after they create axes.
    void applyFonts();

    /// The legend sits under the plot and wraps its entries into as many rows as they need, each
    /// name whole (Qt Charts' own bottom legend keeps one row and elides names to "…", its right
    /// legend elides them at a fraction of the width). For charts whose series names carry the
    /// run, setting and stage.
    void setWrappingLegend(bool wrapping);
    /// Lays the wrapping legend out again; tabs call it after adding or renaming series (resizes
    /// do it themselves).
    void layoutLegend();
    /// Rows the wrapping legend took in the last layout (0 without entries or when hidden).
    int legendRows() const { return m_legendRows; }

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    /// Calls `draw` with the chart laid out at the export size in the light theme, then
    /// restores the view.
    void atExportSize(const std::function<void()>& draw);
    /// The theme's own title and legend fonts (axes keep theirs as properties), recorded the
    /// first time fonts are applied.
    bool m_haveBaseFonts = false;
    bool m_placeholder = false;
    bool m_wrappingLegend = false;
    int m_legendRows = 0;
    QFont m_baseTitle, m_baseLegend;
};

/// Hovering `series` shows a tooltip naming it and the data point nearest the pointer (by x):
/// "<series name>\n<xName> <x> · <yName> <y>", numbers through formatNumber.
void addHoverTips(QXYSeries* series, const QString& xName, const QString& yName);
/// The text of that tooltip for a hover at `at` (empty for a series without points).
QString hoverText(const QXYSeries* series, const QPointF& at, const QString& xName, const QString& yName);

/// The short explanation shown above a chart (highlighted in classroom mode).
QLabel* makeChartHint(const QString& text);

} // namespace gsq::ui
