#pragma once

#include <QLocale>
#include <QString>
#include <QVariant>

#include <cmath>

namespace gsq::ui {

/// The one way numbers are shown in tables, reports and labels (CSV exports keep raw values):
/// whole numbers and anything of magnitude >= 1000 (parameters, bytes, MACs) as integers with
/// thousands separators ("23,063", never "2.306e+04"); smaller values to 4 significant digits
/// without an exponent down to 1e-4 ("0.8228", "0.009192"); tinier ones as "1.0e-05"; NaN as
/// "–" (not measured).
inline QString formatNumber(double v)
{
    if (std::isnan(v))
        return QStringLiteral("–");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    const double a = std::abs(v);
    if (a >= 1000 || (a >= 1 && v == std::round(v))) {
        static const QLocale grouped = [] {
            QLocale c(QLocale::C);
            c.setNumberOptions(QLocale::DefaultNumberOptions); // group separators on
            return c;
        }(); // tables call this for every visible cell on every repaint
        return grouped.toString(static_cast<qlonglong>(std::llround(v)));
    }
    if (a == 0)
        return QStringLiteral("0");
    if (a < 1e-4)
        return QString::number(v, 'e', 1);
    // 4 significant digits in fixed notation: decimals = 3 - floor(log10 |v|).
    const int decimals = std::max(0, 3 - static_cast<int>(std::floor(std::log10(a))));
    QString s = QString::number(v, 'f', decimals);
    if (s.contains('.')) { // drop trailing zeros ("0.5000" -> "0.5")
        while (s.endsWith('0'))
            s.chop(1);
        if (s.endsWith('.'))
            s.chop(1);
    }
    return s;
}

/// A duration for people: "40 s" below a minute, "3.5 min" below ten minutes, "25 min" below an
/// hour, then "2 h 05 min"; "–" for a negative or NaN value (not measured).
inline QString formatDuration(double seconds)
{
    if (!(seconds >= 0))
        return QStringLiteral("–");
    if (seconds < 59.5)
        return QString("%1 s").arg(std::lround(seconds));
    const double minutes = seconds / 60.0;
    if (minutes < 9.95)
        return QString("%1 min").arg(QString::number(minutes, 'f', 1));
    if (minutes < 59.5)
        return QString("%1 min").arg(std::lround(minutes));
    const long total = std::lround(minutes);
    return QString("%1 h %2 min").arg(total / 60).arg(total % 60, 2, 10, QChar('0'));
}

/// A table cell: numbers through formatNumber, everything else as text.
inline QString displayText(const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::Double:
    case QMetaType::Float:
        return formatNumber(v.toDouble());
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return formatNumber(static_cast<double>(v.toLongLong()));
    default:
        return v.toString();
    }
}

} // namespace gsq::ui
