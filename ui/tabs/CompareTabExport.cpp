#include "ui/tabs/CompareTab.h"

#include "ui/charts/ChartView.h"
#include "ui/models/RowTableModel.h"
#include "ui/report/HtmlReport.h"

#include <QItemSelectionModel>
#include <QSaveFile>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTableView>

// The Compare tab's exports: the HTML report of a selection, CSV of the table or the selection.
namespace gsq::ui {

namespace {
constexpr int RunId = 0; // the run id is the table's first column
} // namespace

QString CompareTab::exportReport(const QString& path)
{
    QVector<QVariantList> rows;
    QList<int> sourceRows;
    QSet<qint64> runs;
    const auto selected = m_view->selectionModel()->selectedRows();
    if (selected.isEmpty()) {
        for (int r = 0; r < m_proxy->rowCount(); ++r)
            sourceRows << m_proxy->mapToSource(m_proxy->index(r, 0)).row();
    } else {
        for (const QModelIndex& idx : selected)
            sourceRows << m_proxy->mapToSource(idx).row();
    }
    for (const int r : sourceRows)
        rows.append(m_model->rows()[r]);
    for (const auto& row : rows)
        runs.insert(row[RunId].toLongLong());
    HtmlReport report(tr("GraphSqueeze comparison"));
    report.paragraph(tr("%n row(s) from %1 run(s). Sizes: theoretical counts stored values at their bits, dense every "
                        "value as fp32, disk is the measured model file. Latency: median forward pass measured on the "
                        "machine that ran the experiment.",
        nullptr, static_cast<int>(rows.size()))
                         .arg(runs.size()));
    QStringList headers;
    for (int c = 0; c < m_model->columnCount(); ++c)
        headers << m_model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
    report.table(headers, rows);
    // The Pareto scatter of these rows only, then the screen's again.
    refreshPareto(&sourceRows);
    report.paragraph(tr("The Pareto scatter shows these %n row(s).", nullptr, paretoPointCount()));
    for (auto* chart : charts())
        if (chart->chart()->series().size() > 0)
            report.image(chart->grab().toImage(), chart->chart()->title());
    refreshPareto();
    return report.save(path);
}

QString CompareTab::selectionCsv() const
{
    const auto selected = m_view->selectionModel()->selectedRows();
    if (selected.isEmpty())
        return m_model->toCsv();
    QVector<QVariantList> rows;
    for (const QModelIndex& idx : selected)
        rows.append(m_model->rows()[m_proxy->mapToSource(idx).row()]);
    RowTableModel copy(m_model->headers());
    copy.setRows(rows);
    return copy.toCsv();
}

QString CompareTab::exportCsv(const QString& path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return path + ": " + file.errorString();
    file.write(m_model->toCsv().toUtf8());
    if (!file.commit())
        return path + ": " + file.errorString();
    return {};
}

} // namespace gsq::ui
