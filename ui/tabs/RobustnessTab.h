#pragma once

#include "core/results/RobustnessSummary.h"
#include "core/results/SessionEvents.h"

#include "ui/tabs/LiveView.h"

#include <QMap>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace gsq::ui {

class ChartView;

/// What a robustness analysis (`analyze: {method: robustness}`) measured, once the run has
/// finished: one small chart per perturbation with the test metric of every stage against its
/// strength (mean over the jobs, the dense base dashed; one legend above them, the same colour
/// per stage in every chart), and a table of each stage's extra drop against the base at every
/// perturbation's largest strength with its 95 % interval, and its weighted worst-case score
/// (core/results/RobustnessSummary.h: the numbers `graphsqueeze-cli paired` prints).
class RobustnessTab : public QWidget, public LiveView {
    Q_OBJECT
public:
    explicit RobustnessTab(QWidget* parent = nullptr);
    void clear() override;
    void showResult(const gsq::core::results::RunResult& result) override;
    /// One chart per perturbation, or the placeholder saying how to get one.
    QList<ChartView*> charts() const override;
    /// In the report each chart carries the legend (on screen it is above the charts).
    void forEachReportChart(const std::function<void(ChartView*)>& fn) override;

    /// For the report and tests: the summary shown (empty without a robustness analysis).
    const gsq::core::results::RobustnessSummary& summary() const { return m_summary; }
    /// The chart of `perturbation` ("fgsm"), or null.
    ChartView* chartOf(const QString& perturbation) const { return m_charts.value(perturbation); }
    ChartView* placeholder() const { return m_placeholder; }
    QTableWidget* table() const { return m_table; }
    /// The legend above the charts: one entry per stage.
    QLabel* legend() const { return m_legend; }

    /// "FGSM", "edges removed": how the tab and the report name a perturbation.
    static QString perturbationText(const QString& perturbation);
    /// "+0.49 [+0.06, +0.92]": an extra drop in points with its interval.
    static QString extraDropText(const gsq::core::results::RobustnessLine& line);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    ChartView* makeChart(const QString& perturbation);
    /// Columns of the grid of charts for the tab's width.
    int columns() const;
    void layoutCharts();
    void refreshPlaceholder();
    void refreshTable();
    QColor colorOf(const QString& stage) const;

    QLabel* m_hint;
    QLabel* m_legend;
    ChartView* m_placeholder;
    QWidget* m_grid;
    QMap<QString, ChartView*> m_charts; ///< perturbation -> its chart
    QList<ChartView*> m_order; ///< the charts in the analysis' order
    int m_columns = 0; ///< of the grid as laid out
    QTableWidget* m_table;
    gsq::core::results::RobustnessSummary m_summary;
    /// perturbation -> stage -> strength -> metric of each job
    QMap<QString, QMap<QString, QMap<double, QList<double>>>> m_values;
    QMap<QString, QString> m_units; ///< perturbation -> unit of its strength
    QString m_error; ///< why rows could not be summarised (no base rows)
};

} // namespace gsq::ui
