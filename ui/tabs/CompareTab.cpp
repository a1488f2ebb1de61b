#include "ui/tabs/CompareTab.h"

#include "ui/window/FileDialogs.h"

#include "ui/report/HtmlReport.h"

#include "ui/charts/ChartView.h"
#include "ui/models/Cells.h"
#include "ui/models/NumberFormat.h"
#include "ui/models/RowTableModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCursor>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QResizeEvent>
#include <QSaveFile>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <cmath>

namespace gsq::ui {

namespace {
// The run's own columns come first; the rest are the summary schema's brief columns.
constexpr int RunId = 0, kFirstSummaryColumn = 3;
} // namespace

void CompareTab::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // The width that counts is the scroll area's (this widget grows to its own minimum inside it).
    const int available = parentWidget() ? parentWidget()->width() : width();
    const auto orientation = available >= 3 * (ChartView::kMinimumWidth + 24) ? Qt::Horizontal : Qt::Vertical;
    if (m_charts->orientation() != orientation)
        m_charts->setOrientation(orientation);
}

int CompareTab::column(const char* name)
{
    static const auto cols = briefSummaryColumns();
    for (size_t i = 0; i < cols.size(); ++i)
        if (std::string(name) == cols[i]->name)
            return kFirstSummaryColumn + static_cast<int>(i);
    return -1;
}

CompareTab::CompareTab(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter rows (method, setting, stage, dataset…)"));
    auto* exportButton = new QPushButton(tr("Export CSV…"));
    m_paretoLatency = new QCheckBox(tr("Pareto vs latency"));
    m_paretoLatency->setToolTip(tr("Plot the test metric against measured latency instead of size on disk"));
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_paretoLatency);
    bar->addWidget(exportButton);
    layout->addLayout(bar);

    QStringList headers { tr("run"), tr("name"), tr("tags") }, tips { {}, {}, {} };
    for (const auto* c : briefSummaryColumns()) {
        headers << QString::fromUtf8(c->label);
        tips << QString::fromUtf8(c->help);
    }
    m_model = new RowTableModel(headers, this);
    m_model->setHeaderToolTips(tips);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterRole(Qt::DisplayRole);
    m_view = new QTableView;
    m_view->setMinimumHeight(180); // a few rows stay visible when the charts below are stacked
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setDefaultSectionSize(96);
    m_view->verticalHeader()->hide();
    m_view->setWordWrap(false);
    m_pareto = new ChartView(tr("Test metric vs size on disk (Pareto front highlighted)"));
    m_overlay = new ChartView(tr("Validation curves of selected rows (select rows above)"));
    m_overlay->setToolTip(tr("Mean over seeds and folds, read from the run history. Select rows in the table."));
    auto makeAxes = [](ChartView* view, QValueAxis*& x, QValueAxis*& y, const QString& xt, const QString& yt) {
        x = new QValueAxis;
        y = new QValueAxis;
        x->setTitleText(xt);
        y->setTitleText(yt);
        view->chart()->addAxis(x, Qt::AlignBottom);
        view->chart()->addAxis(y, Qt::AlignLeft);
    };
    makeAxes(m_pareto, m_paretoX, m_paretoY, tr("size on disk (KiB, measured)"), tr("test (mean)"));
    makeAxes(m_overlay, m_overlayX, m_overlayY, tr("epoch of the stage"), tr("validation"));
    m_histOverlay = new ChartView(tr("Weight histogram of one layer across the selected rows"));
    m_histOverlay->setToolTip(
        tr("First seed and fold of each selected row, from the run history; each run keeps its own bins."));
    // Their series are named by run, setting and stage: names stay whole, in as many rows as needed.
    m_overlay->setWrappingLegend(true);
    m_histOverlay->setWrappingLegend(true);
    m_histLayer = new QComboBox;
    m_histLayer->setMinimumContentsLength(20);
    m_histLayer->setToolTip(tr("Layer whose histogram is overlaid"));
    auto* histBox = new QWidget;
    auto* histLayout = new QVBoxLayout(histBox);
    histLayout->setContentsMargins(0, 0, 0, 0);
    auto* histBar = new QHBoxLayout;
    histBar->addWidget(new QLabel(tr("Layer")));
    histBar->addWidget(m_histLayer, 1);
    histLayout->addLayout(histBar);
    histLayout->addWidget(m_histOverlay, 1);
    auto* charts = m_charts = new QSplitter(Qt::Horizontal);
    // The overlay, and under it why selected rows have no curve (a title that long is elided).
    auto* overlayBox = new QWidget;
    auto* overlayLayout = new QVBoxLayout(overlayBox);
    overlayLayout->setContentsMargins(0, 0, 0, 0);
    overlayLayout->addWidget(m_overlay, 1);
    m_overlayNoteLabel = new QLabel;
    m_overlayNoteLabel->setObjectName("overlayNote");
    m_overlayNoteLabel->setWordWrap(true);
    m_overlayNoteLabel->hide();
    overlayLayout->addWidget(m_overlayNoteLabel);
    charts->addWidget(m_pareto);
    charts->addWidget(overlayBox);
    charts->addWidget(histBox);
    charts->setChildrenCollapsible(false);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_view);
    split->addWidget(charts);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        refreshOverlay();
        refreshHistogramOverlay();
        refreshPareto(); // the selection ringed on the scatter
    });
    connect(m_histLayer, &QComboBox::currentIndexChanged, this, [this] { refreshHistogramOverlay(); });
    connect(m_paretoLatency, &QCheckBox::toggled, this, [this] { refreshPareto(); });
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_proxy->mapToSource(m_view->indexAt(pos));
        const qint64 id = runIdAt(index.row());
        if (!index.isValid() || id == 0)
            return;
        QMenu menu(this);
        menu.addAction(tr("Rename run %1…").arg(id), this, [this, id] { Q_EMIT renameRequested(id); });
        menu.addAction(tr("Edit tags of run %1…").arg(id), this, [this, id] { Q_EMIT tagsRequested(id); });
        menu.addAction(
            tr("Export epochs of run %1 as CSV…").arg(id), this, [this, id] { Q_EMIT exportEpochsRequested(id); });
        menu.addAction(tr("Delete run %1").arg(id), this, [this, id] { Q_EMIT deleteRequested(id); });
        menu.addSeparator();
        menu.addAction(tr("Export HTML report of the selection…"), this, [this] {
            const QString path = files::saveFileName(this, tr("Export report"), "comparison.html", tr("HTML (*.html)"));
            if (!path.isEmpty())
                if (const QString err = exportReport(path); !err.isEmpty())
                    QMessageBox::warning(this, tr("Export failed"), err);
        });
        menu.exec(m_view->viewport()->mapToGlobal(pos));
    });
    // The filter reaches every view: the Pareto scatter shows the rows left, and the overlays drop
    // rows that are no longer listed.
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& t) {
        m_proxy->setFilterFixedString(t);
        refreshPareto();
        refreshOverlay();
        refreshHistogramOverlay();
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = files::saveFileName(this, tr("Export comparison"), "comparison.csv", tr("CSV (*.csv)"));
        if (path.isEmpty())
            return;
        if (const QString err = exportCsv(path); !err.isEmpty())
            QMessageBox::warning(this, tr("Export failed"), err);
    });
}

void CompareTab::refreshHistogramOverlay()
{
    auto* chart = m_histOverlay->chart();
    chart->removeAllSeries();
    for (auto* a : chart->axes())
        chart->removeAxis(a), delete a;
    m_histOverlay->layoutLegend();
    m_histogramCount = 0;
    if (!m_history)
        return;
    const auto selected = m_view->selectionModel()->selectedRows();
    // Layers of the selected runs, in order of first appearance.
    QStringList layers;
    for (const QModelIndex& idx : selected)
        for (const auto& l :
            m_history->layerNames(m_model->rows()[m_proxy->mapToSource(idx).row()][RunId].toLongLong()))
            if (!layers.contains(l))
                layers << l;
    if (layers != QStringList([&] {
            QStringList items;
            for (int i = 0; i < m_histLayer->count(); ++i)
                items << m_histLayer->itemText(i);
            return items;
        }())) {
        const QString keep = m_histLayer->currentText();
        const QSignalBlocker block(m_histLayer);
        m_histLayer->clear();
        m_histLayer->addItems(layers);
        if (layers.contains(keep))
            m_histLayer->setCurrentText(keep);
    }
    const QString layer = m_histLayer->currentText();
    if (layer.isEmpty())
        return;
    auto* x = new QValueAxis;
    x->setTitleText(tr("weight value"));
    auto* y = new QValueAxis;
    y->setTitleText(tr("weights per bin"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    m_histOverlay->applyFonts();
    const QList<QColor> palette { QColor("#2e86de"), QColor("#c0392b"), QColor("#27ae60"), QColor("#8e44ad"),
        QColor("#e67e22"), QColor("#16a085"), QColor("#7f8c8d") };
    double lo = 0, hi = 0, maxCount = 1;
    for (const QModelIndex& idx : selected) {
        const auto& row = m_model->rows()[m_proxy->mapToSource(idx).row()];
        const auto h = m_history->layerHistogram(row[RunId].toLongLong(), row[column("method")].toString(),
            row[column("setting")].toString(), row[column("stage")].toString(), layer);
        if (h.histCounts.empty())
            continue;
        auto* s = new QLineSeries;
        const int bins = static_cast<int>(h.histCounts.size());
        const double width = (h.histHi - h.histLo) / bins;
        QList<QPointF> pts;
        for (int b = 0; b < bins; ++b) {
            const double v = static_cast<double>(h.histCounts[static_cast<size_t>(b)]);
            pts << QPointF(h.histLo + b * width, v) << QPointF(h.histLo + (b + 1) * width, v);
            maxCount = std::max(maxCount, v);
        }
        s->replace(pts);
        s->setName(tr("run %1 %2 %3 %4")
                       .arg(row[RunId].toLongLong())
                       .arg(row[column("method")].toString() == "none" ? QString() : row[column("method")].toString(),
                           row[column("setting")].toString(), row[column("stage")].toString())
                       .simplified());
        s->setPen(QPen(palette[m_histogramCount % palette.size()], 2));
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        lo = std::min(lo, h.histLo);
        hi = std::max(hi, h.histHi);
        ++m_histogramCount;
    }
    x->setRange(lo, hi > lo ? hi : lo + 1);
    y->setRange(0, maxCount * 1.05);
    y->applyNiceNumbers(); // counts on round ticks ("12037.2" is no count)
    y->setLabelFormat("%.0f");
    chart->setTitle(m_histogramCount ? tr("Weight histogram of %1 across the selected rows").arg(layer)
                                     : tr("Weight histogram of one layer across the selected rows"));
    m_histOverlay->layoutLegend();
}

QList<ChartView*> CompareTab::charts() const
{
    return { m_pareto, m_overlay, m_histOverlay };
}

void CompareTab::refreshOverlay()
{
    auto* chart = m_overlay->chart();
    chart->removeAllSeries();
    m_overlay->layoutLegend();
    m_overlayCount = 0;
    if (!m_history)
        return;
    auto* x = m_overlayX;
    auto* y = m_overlayY;
    double maxX = 1, minY = 1, maxY = 0;
    int pruned = 0, unstored = 0, shownOnly = 0; // selected rows without a curve, and why
    for (const QModelIndex& idx : m_view->selectionModel()->selectedRows()) {
        const auto& row = m_model->rows()[m_proxy->mapToSource(idx).row()];
        QString stage = row[column("stage")].toString();
        if (stage == stageText(gsq::core::results::Stage::Pruned)) {
            ++pruned; // no training curve: evaluated once right after pruning
            continue;
        }
        const auto points = m_history->validationCurve(
            row[RunId].toLongLong(), row[column("method")].toString(), stage, row[column("setting")].toString());
        if (points.isEmpty()) {
            ++(row[RunId].toLongLong() == 0 ? shownOnly : unstored);
            continue;
        }
        auto* s = new QLineSeries;
        s->replace(QList<QPointF>(points.begin(), points.end()));
        s->setName(QString("#%1 %2 %3")
                       .arg(row[RunId].toLongLong())
                       .arg(row[column("setting")].toString(), stage)
                       .simplified());
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        for (const auto& p : points) {
            maxX = std::max(maxX, p.x());
            minY = std::min(minY, p.y());
            maxY = std::max(maxY, p.y());
        }
        ++m_overlayCount;
    }
    x->setRange(0, maxX);
    y->setRange(std::max(0.0, minY - 0.05), std::min(1.0, std::max(maxY, minY) + 0.05));
    y->applyNiceNumbers();
    // One curve per selected row, or a word on the rows that have none.
    QStringList missing;
    if (pruned > 0)
        missing << tr("%n pruned row(s): evaluated once, not trained", nullptr, pruned);
    if (unstored > 0)
        missing << tr("%n row(s) whose run stored no epochs", nullptr, unstored);
    if (shownOnly > 0)
        missing << tr("%n row(s) of a run shown from its directory (not in the history)", nullptr, shownOnly);
    m_overlayNote = missing.join(QStringLiteral("; "));
    const int selectedRows = static_cast<int>(m_view->selectionModel()->selectedRows().size());
    chart->setTitle(selectedRows == 0
            ? tr("Validation curves of selected rows (select rows above)")
            : tr("Validation curves: %1 of %2 selected rows").arg(m_overlayCount).arg(selectedRows));
    m_overlayNoteLabel->setText(tr("No curve for %1.").arg(m_overlayNote));
    m_overlayNoteLabel->setVisible(!m_overlayNote.isEmpty());
    m_overlay->layoutLegend();
}

QVector<QVariantList> CompareTab::rowsOf(const StoredRun& run)
{
    QVector<QVariantList> rows;
    for (const auto& s : run.summary) {
        QVariantList row { run.id, run.name, run.tags };
        for (const auto* c : briefSummaryColumns())
            row << toVariant(c->get(s));
        rows.append(row);
    }
    return rows;
}

void CompareTab::setRuns(const QVector<StoredRun>& runs)
{
    QVector<QVariantList> rows;
    for (const auto& r : runs)
        rows += rowsOf(r);
    m_model->setRows(rows);
    // The run last added keeps its rows for its report when it is stored (found by its id).
    m_lastRunRows.clear();
    for (int i = 0; m_lastRunId > 0 && i < rows.size(); ++i)
        if (rows[i][RunId].toLongLong() == m_lastRunId)
            m_lastRunRows << i;
    // A reset model drops the selection without saying so: the overlays follow it here.
    refreshOverlay();
    refreshHistogramOverlay();
    m_view->resizeColumnsToContents();
    refreshPareto();
}

void CompareTab::addRun(const StoredRun& run)
{
    const auto rows = rowsOf(run);
    m_lastRunId = run.id;
    m_lastRunRows.clear();
    for (int i = 0; i < rows.size(); ++i)
        m_lastRunRows << static_cast<int>(m_model->rows().size()) + i;
    m_model->appendRows(rows);
    m_view->resizeColumnsToContents();
    refreshPareto();
}

qint64 CompareTab::runIdAt(int row) const
{
    return row >= 0 && row < m_model->rows().size() ? m_model->rows()[row][RunId].toLongLong() : 0;
}

void CompareTab::refreshPareto(const QList<int>* only)
{
    auto* chart = m_pareto->chart();
    chart->removeAllSeries();
    const auto& rows = m_model->rows();
    auto* front = new QScatterSeries;
    auto* others = new QScatterSeries;
    front->setName(tr("non-dominated"));
    others->setName(tr("dominated"));
    front->setColor(QColor("#e67e22"));
    front->setMarkerSize(11);
    others->setColor(QColor("#95a5a6"));
    others->setMarkerSize(7);
    const bool byLatency = m_paretoLatency->isChecked();
    // Cost on the x axis: KiB on disk or milliseconds, both measured.
    auto cost = [&](const QVariantList& row) {
        return byLatency ? row[column("latency_ms")].toDouble() : row[column("size_disk_bytes")].toDouble() / 1024.0;
    };
    double maxX = byLatency ? 0.1 : 1, minY = 1, maxY = 0;
    m_paretoCount = 0;
    m_paretoRows[0].clear();
    m_paretoRows[1].clear();
    // Only the rows the filter leaves in the table.
    QList<int> shown;
    if (only)
        shown = *only;
    else
        for (int r = 0; r < m_proxy->rowCount(); ++r)
            shown << m_proxy->mapToSource(m_proxy->index(r, 0)).row();
    // Sizes and metrics of different datasets or metrics do not compare: a point is dominated
    // only by points of its own group. (A dataset's tasks have metrics of their own: Cora's node
    // classification is scored by accuracy, its link prediction by ROC-AUC or AP.)
    auto group = [&](const QVariantList& row) {
        return row[column("dataset")].toString() + '\n' + row[column("metric")].toString();
    };
    QSet<QString> groups;
    for (const int i : shown) {
        const double acc = rows[i][column("mean")].toDouble(), size = cost(rows[i]);
        groups.insert(group(rows[i]));
        bool dominated = false;
        for (const int j : shown) {
            const double a = rows[j][column("mean")].toDouble(), s = cost(rows[j]);
            dominated = dominated
                || (j != i && group(rows[j]) == group(rows[i]) && a >= acc && s <= size && (a > acc || s < size));
        }
        (dominated ? others : front)->append(size, acc);
        m_paretoRows[dominated ? 1 : 0] << i;
        m_paretoCount += dominated ? 0 : 1;
        maxX = std::max(maxX, size);
        minY = std::min(minY, acc);
        maxY = std::max(maxY, acc);
    }
    auto* x = m_paretoX;
    auto* y = m_paretoY;
    x->setTitleText(byLatency ? tr("latency ms (measured, as deployed)") : tr("size on disk (KiB, measured)"));
    const QString perGroup = groups.size() > 1
        ? tr("; a front within each of the %1 dataset × metric groups").arg(groups.size())
        : QString();
    chart->setTitle((byLatency ? tr("Test metric vs latency (Pareto front highlighted%1)")
                               : tr("Test metric vs size on disk (Pareto front highlighted%1)"))
                        .arg(perGroup));
    x->setRange(0, maxX * 1.05);
    x->applyNiceNumbers();
    y->setRange(std::max(0.0, minY - 0.05), std::min(1.0, std::max(maxY, minY) + 0.05));
    y->applyNiceNumbers();
    // The rows selected in the table, ringed (the report draws its own selection only).
    auto* selected = new QScatterSeries;
    selected->setName(tr("selected"));
    selected->setMarkerSize(19);
    selected->setBrush(Qt::NoBrush);
    selected->setPen(QPen(QColor("#2c3e50"), 2.5));
    m_paretoSelected = 0;
    if (!only)
        for (const QModelIndex& idx : m_view->selectionModel()->selectedRows()) {
            const int i = m_proxy->mapToSource(idx).row();
            if (shown.contains(i)) {
                selected->append(cost(rows[i]), rows[i][column("mean")].toDouble());
                ++m_paretoSelected;
            }
        }
    for (auto* s : { others, front, selected }) {
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->legend()->markers(selected).first()->setVisible(m_paretoSelected > 0);
    // Hovering a point names its row.
    for (int k = 0; k < 2; ++k) {
        auto* series = k == 0 ? front : others;
        connect(series, &QScatterSeries::hovered, this, [this, series, k](const QPointF& p, bool state) {
            if (!state) {
                QToolTip::hideText();
                return;
            }
            const int index = static_cast<int>(series->points().indexOf(p));
            if (index >= 0 && index < m_paretoRows[k].size())
                QToolTip::showText(QCursor::pos(), paretoTooltip(m_paretoRows[k][index]), m_pareto);
        });
    }
}

void CompareTab::forEachReportChart(const std::function<void(ChartView*)>& fn)
{
    m_reportParetoPoints = 0;
    if (m_lastRunRows.isEmpty())
        return;
    refreshPareto(&m_lastRunRows);
    m_reportParetoPoints = paretoPointCount();
    fn(m_pareto);
    refreshPareto();
}

int CompareTab::paretoPointCount() const
{
    return static_cast<int>(m_paretoRows[0].size() + m_paretoRows[1].size());
}

QString CompareTab::paretoTooltip(int row) const
{
    const auto& r = m_model->rows().at(row);
    auto text = [&](const char* name) { return displayText(r[column(name)]); };
    QString setting = text("setting"); // a chained step's setting names its chain
    return tr("run %1 %2\n%3 %4 %5\n%6 %7 ± %8 (n=%9)\n%10 bytes on disk, %11 ms (%12)\n%13")
        .arg(displayText(r[RunId]), displayText(r[1]), text("method"), setting, text("stage"), text("metric"),
            text("mean"), text("std"), text("n"))
        .arg(text("size_disk_bytes"), text("latency_ms"), text("latency_kind"), text("dataset"));
}

QString CompareTab::paretoTooltipAt(bool front, int index) const
{
    const auto& rows = m_paretoRows[front ? 0 : 1];
    return index >= 0 && index < rows.size() ? paretoTooltip(rows[index]) : QString();
}

} // namespace gsq::ui
