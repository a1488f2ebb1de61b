#include "ui/models/RowTableModel.h"

#include "ui/models/NumberFormat.h"

namespace gsq::ui {

RowTableModel::RowTableModel(QStringList headers, QObject* parent)
    : QAbstractTableModel(parent)
    , m_headers(std::move(headers))
{
}

int RowTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RowTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_headers.size());
}

QVariant RowTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= m_headers.size())
        return {};
    const QVariant& v = m_rows[index.row()].value(index.column());
    if (role == Qt::DisplayRole)
        return v.isNull() ? QVariant() : QVariant(displayText(v));
    if (role == Qt::EditRole || role == Qt::UserRole)
        return v; // raw value for sorting
    if (role == Qt::TextAlignmentRole
        && (v.typeId() == QMetaType::Double || v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant RowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_headers.size())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return m_headers[section];
    if (role == Qt::ToolTipRole && section < m_tips.size() && !m_tips[section].isEmpty())
        return m_tips[section];
    return {};
}

void RowTableModel::setRows(QVector<QVariantList> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void RowTableModel::appendRows(const QVector<QVariantList>& rows)
{
    if (rows.isEmpty())
        return;
    beginInsertRows({}, static_cast<int>(m_rows.size()), static_cast<int>(m_rows.size() + rows.size() - 1));
    m_rows += rows;
    endInsertRows();
}

QString RowTableModel::toCsv() const
{
    auto field = [](QString s) {
        if (s.contains(',') || s.contains('"') || s.contains('\n')) {
            s.replace("\"", "\"\"");
            return "\"" + s + "\"";
        }
        return s;
    };
    QString out;
    QStringList h;
    for (const auto& x : m_headers)
        h << field(x);
    out += h.join(',') + "\n";
    for (const auto& r : m_rows) {
        QStringList cells;
        for (const auto& v : r)
            cells << field(v.typeId() == QMetaType::Double ? QString::number(v.toDouble(), 'g', 10) : v.toString());
        out += cells.join(',') + "\n";
    }
    return out;
}

} // namespace gsq::ui
