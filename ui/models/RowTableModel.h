#pragma once

#include <QAbstractTableModel>
#include <QStringList>
#include <QVariant>
#include <QVector>

namespace gsq::ui {

/// A read-only table of snapshot rows (views own no data; the model is replaced or appended to
/// in one step per refresh). Numbers are kept as numbers so sorting is numeric.
class RowTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit RowTableModel(QStringList headers, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setRows(QVector<QVariantList> rows);
    void appendRows(const QVector<QVariantList>& rows);
    const QVector<QVariantList>& rows() const { return m_rows; }
    const QStringList& headers() const { return m_headers; }
    /// Column tooltips (e.g. why theoretical, dense and disk sizes differ).
    void setHeaderToolTips(QStringList tips) { m_tips = std::move(tips); }

    /// The table as CSV (header row, then rows; RFC 4180 quoting).
    QString toCsv() const;

private:
    QStringList m_headers, m_tips;
    QVector<QVariantList> m_rows;
};

} // namespace gsq::ui
