#pragma once

#include "core/results/RunResult.h"
#include "ui/history/RunHistory.h"

#include "ui/tabs/LiveView.h"

#include <QWidget>

#include <memory>

class QTableView;
class QLineEdit;
class QCheckBox;
class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QValueAxis;

class QSplitter;

namespace gsq::ui {

class RowTableModel;
class ChartView;

/// Every finished run of this session in one sortable, filterable table (mean ± std per
/// method, setting and stage, with the three sizes labelled by how they were obtained), and a
/// Pareto scatter of the test metric against size on disk with non-dominated runs highlighted.
class CompareTab : public QWidget, public LiveView {
    Q_OBJECT
public:
    explicit CompareTab(QWidget* parent = nullptr);
    /// Replaces the table with these runs (from the history database).
    void setRuns(const QVector<StoredRun>& runs);
    void addRun(const StoredRun& run);
    /// Index of a summary-schema column (core/results/ResultSchema.h, brief ones) in the table; -1
    /// when it is not shown.
    static int column(const char* name);
    /// Run id of a table row (source-model row), or 0.
    qint64 runIdAt(int row) const;
    QTableView* view() const { return m_view; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    RowTableModel* model() const { return m_model; }
    QLineEdit* filterEdit() const { return m_filter; }
    /// Rows on the Pareto front (tests).
    int paretoCount() const { return m_paretoCount; }
    /// Points on the Pareto scatter: the rows the filter leaves.
    int paretoPointCount() const;
    /// The hover text of the index-th point of the front (or of the dominated points).
    QString paretoTooltipAt(bool front, int index) const;
    /// Pareto scatter against measured latency instead of size on disk.
    QCheckBox* paretoLatencyToggle() const { return m_paretoLatency; }
    /// Selected rows (all rows when none) as CSV, header included (Edit → Copy).
    QString selectionCsv() const;
    QList<ChartView*> charts() const override;
    /// A run's report (File → Export report) shows the Pareto scatter of the run last added
    /// only: the other rows of the history and the overlays of a selection belong to the
    /// comparison's own report (exportReport).
    void forEachReportChart(const std::function<void(ChartView*)>& fn) override;
    /// Points the last run report's Pareto scatter drew; for tests.
    int reportParetoPoints() const { return m_reportParetoPoints; }
    /// Where overlay curves come from (the run history); may be null.
    void setHistory(const RunHistory* history) { m_history = history; }
    /// Curves drawn for the current selection (tests).
    int overlayCount() const { return m_overlayCount; }
    /// Why selected rows have no curve ("1 pruned row(s): evaluated once, not trained"); empty
    /// when every selected row has one. Shown under the chart, whose title counts the curves.
    QString overlayNote() const { return m_overlayNote; }
    /// Points ringed on the Pareto scatter: the selected rows the filter shows.
    int paretoSelectedCount() const { return m_paretoSelected; }
    /// Weight histograms of the chosen layer drawn for the current selection (tests).
    int histogramOverlayCount() const { return m_histogramCount; }
    QComboBox* histogramLayerCombo() const { return m_histLayer; }
    /// Writes the table as CSV; returns an error message or an empty string.
    QString exportCsv(const QString& path) const;
    /// Writes a one-file HTML report of the selected rows (all rows the filter leaves when none
    /// is selected) with the Pareto scatter of those rows and the overlay charts; returns an
    /// error message or an empty string.
    QString exportReport(const QString& path);

Q_SIGNALS:
    void renameRequested(qint64 runId);
    void tagsRequested(qint64 runId);
    void deleteRequested(qint64 runId);
    void exportEpochsRequested(qint64 runId);

protected:
    /// Three charts side by side where the width holds them at their minimum size, else stacked.
    void resizeEvent(QResizeEvent* event) override;

private:
    QSplitter* m_charts = nullptr;
    /// Source rows of the Pareto points: [0] the front, [1] the dominated, in series order.
    QList<int> m_paretoRows[2];
    QString paretoTooltip(int row) const;
    static QVector<QVariantList> rowsOf(const StoredRun& run);
    /// Redraws the Pareto scatter from the rows the filter leaves, or only from `only` (source rows).
    void refreshPareto(const QList<int>* only = nullptr);
    void refreshHistogramOverlay();

    RowTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QLineEdit* m_filter;
    void refreshOverlay();

    ChartView* m_pareto;
    ChartView* m_overlay;
    ChartView* m_histOverlay;
    QCheckBox* m_paretoLatency;
    QComboBox* m_histLayer;
    int m_histogramCount = 0;
    QValueAxis *m_paretoX, *m_paretoY, *m_overlayX, *m_overlayY; ///< created once, ranges updated
    const RunHistory* m_history = nullptr;
    int m_paretoCount = 0, m_overlayCount = 0, m_paretoSelected = 0, m_reportParetoPoints = 0;
    QList<int> m_lastRunRows; ///< model rows of the run last added (addRun), found again by id after setRuns
    qint64 m_lastRunId = 0; ///< its history id (0: not stored)
    QString m_overlayNote;
    QLabel* m_overlayNoteLabel; ///< shows m_overlayNote under the overlay
};

} // namespace gsq::ui
