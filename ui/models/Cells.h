#pragma once

#include "core/results/ResultSchema.h"

#include <QString>
#include <QVariant>

#include <cmath>
#include <vector>

namespace gsq::ui {

/// A stage's name as shown and stored (core/results/Stage.h spells it).
inline QString stageText(gsq::core::results::Stage s)
{
    return QString::fromLatin1(gsq::core::results::stageName(s));
}

/// A result cell as a Qt value: text as QString, numbers as numbers (so tables sort numerically),
/// a non-finite number (not measured) as a null QVariant.
inline QVariant toVariant(const gsq::core::results::Cell& cell)
{
    if (const auto* s = std::get_if<std::string>(&cell))
        return QString::fromStdString(*s);
    if (const auto* i = std::get_if<int64_t>(&cell))
        return QVariant(static_cast<qlonglong>(*i));
    const double v = std::get<double>(cell);
    return std::isfinite(v) ? QVariant(v) : QVariant();
}

/// A stored Qt value back as a cell of `type` (null numbers become NaN: not measured).
inline gsq::core::results::Cell fromVariant(gsq::core::results::ColumnType type, const QVariant& v)
{
    using gsq::core::results::ColumnType;
    if (type == ColumnType::Text)
        return v.toString().toStdString();
    if (type == ColumnType::Integer)
        return static_cast<int64_t>(v.toLongLong());
    return v.isNull() ? std::nan("") : v.toDouble();
}

/// The summary columns shown in tables (Compare tab, HTML report), in schema order.
inline std::vector<const gsq::core::results::Column<gsq::core::results::SummaryRow>*> briefSummaryColumns()
{
    std::vector<const gsq::core::results::Column<gsq::core::results::SummaryRow>*> out;
    for (const auto& c : gsq::core::results::summaryColumns())
        if (c.brief)
            out.push_back(&c);
    return out;
}

} // namespace gsq::ui
