#pragma once

#include "core/results/RobustnessSummary.h"
#include "core/results/SessionEvents.h"

#include "ui/tabs/LiveView.h"

#include <QMap>
#include <QWidget>

class QComboBox;
class QLabel;
class QTableWidget;
class QValueAxis;

namespace gsq::ui {

class ChartView;

/// What a robustness analysis (`analyze: {method: robustness}`) measured, once the run has
/// finished: the test metric of every stage against the strength of the chosen perturbation
/// (mean over the jobs, the dense base dashed), and a table of each stage's extra drop against
/// the base at every perturbation's largest strength with its 95 % interval, and its weighted
/// worst-case score (core/results/RobustnessSummary.h: the numbers `graphsqueeze-cli paired`
/// prints).
class RobustnessTab : public QWidget, public LiveView {
    Q_OBJECT
public:
    explicit RobustnessTab(QWidget* parent = nullptr);
    void clear() override;
    void showResult(const gsq::core::results::RunResult& result) override;
    QList<ChartView*> charts() const override;
    /// The report draws the chart once per perturbation.
    void forEachReportChart(const std::function<void(ChartView*)>& fn) override;

    /// For the report and tests: the summary shown (empty without a robustness analysis).
    const gsq::core::results::RobustnessSummary& summary() const { return m_summary; }
    /// Shows `perturbation` (a name of summary().perturbations) in the chart.
    void showPerturbation(const QString& perturbation);
    QString shownPerturbation() const;
    QTableWidget* table() const { return m_table; }
    ChartView* chartView() const { return m_view; }

    /// "FGSM", "edges removed": how the tab and the report name a perturbation.
    static QString perturbationText(const QString& perturbation);
    /// "+0.49 [+0.06, +0.92]": an extra drop in points with its interval.
    static QString extraDropText(const gsq::core::results::RobustnessLine& line);

private:
    void refreshChart();
    void refreshTable();

    QLabel* m_hint;
    QComboBox* m_perturbation;
    ChartView* m_view;
    QValueAxis *m_x, *m_y;
    QTableWidget* m_table;
    gsq::core::results::RobustnessSummary m_summary;
    /// perturbation -> stage -> strength -> metric of each job
    QMap<QString, QMap<QString, QMap<double, QList<double>>>> m_values;
    QMap<QString, QString> m_units; ///< perturbation -> unit of its strength
    QString m_error; ///< why rows could not be summarised (no base rows)
};

} // namespace gsq::ui
