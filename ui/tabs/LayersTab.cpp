#include "ui/tabs/LayersTab.h"

#include "ui/charts/ChartView.h"
#include "ui/models/Cells.h"
#include "ui/models/RowTableModel.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace gsq::ui {

using namespace gsq::core::results;

LayersTab::LayersTab(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(
        makeChartHint(tr("Counted per tensor for seed 0. 'disk bytes' is what the tensor takes in the saved "
                         ".gsqm file (dense, CSR or bitmask, whichever is smallest). A2Q adds a 'features' row per "
                         "activation point: its learned quantizers, their bit-widths and bits by in-degree.")));
    m_model = new RowTableModel(
        { tr("method"), tr("setting"), tr("stage"), tr("kind"), tr("layer"), tr("shape"), tr("params"), tr("nnz"),
            tr("sparsity %"), tr("bits"), tr("bit-widths"), tr("bits by in-degree"), tr("disk bytes"), tr("MACs") },
        this);
    m_model->setHeaderToolTips({ {}, {}, {}, tr("weight: a weight tensor; features: an A2Q activation point"), {}, {},
        tr("counted: all values (features: learned quantizers)"), tr("counted: non-zero values"), {},
        tr("stored bits per value (features: the average over the rows of the last evaluation pass)"),
        tr("rows per learned bit-width, e.g. 4b ×48 (weights: output channels; features: rows of the last evaluation "
           "pass)"),
        tr("features: mean learned bits of the nodes per in-degree bucket, degrees:bits"),
        tr("measured: payload bytes in the model file"),
        tr("counted: multiply-accumulates of this weight in one forward pass over the test data, "
           "non-zero weights (and stored inputs) only; message passing not included") });
    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(Qt::UserRole);
    m_view = new QTableView;
    m_view->setModel(proxy);
    m_view->setSortingEnabled(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->verticalHeader()->hide();
    layout->addWidget(m_view, 1);
}

void LayersTab::clear()
{
    m_model->setRows({});
}

namespace {
/// {3: 4, 4: 60} as "3b ×4, 4b ×60" (rows per learned width).
QString widthsText(const std::map<int, int64_t>& widths)
{
    QStringList parts;
    for (const auto& [bits, rows] : widths)
        parts << QStringLiteral("%1b ×%2").arg(bits).arg(rows);
    return parts.join(QStringLiteral(", "));
}
} // namespace

void LayersTab::addEvents(const std::vector<SessionEvent>& events)
{
    QVector<QVariantList> rows;
    for (const auto& e : events) {
        auto* f = std::get_if<StageFinished>(&e);
        if (!f || f->job != 0)
            continue;
        for (const auto& l : f->layers)
            rows.append(QVariantList { QString::fromStdString(l.method), QString::fromStdString(l.setting),
                stageText(l.stage), QString::fromStdString(l.kind), QString::fromStdString(l.layer),
                QString::fromStdString(l.shape), static_cast<qlonglong>(l.params), static_cast<qlonglong>(l.nnz),
                l.sparsity() * 100.0, l.bits, widthsText(l.bitWidths), QString::fromStdString(l.bitsByDegree),
                static_cast<qlonglong>(l.diskBytes), static_cast<qlonglong>(l.macs) });
    }
    m_model->appendRows(rows);
}

} // namespace gsq::ui
