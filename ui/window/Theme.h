#pragma once

#include <QFont>
#include <QList>

namespace gsq::ui {

class ChartView;

/// Application-wide looks: the dark palette and the fonts of classroom mode.
namespace theme {

/// Fusion style with a dark palette (and Qt Charts' dark chart theme), or the style and palette
/// the application started with.
void applyDark(bool on, const QList<ChartView*>& charts);

/// Chart text does not follow the application font: sets titles (bold), legends and axes of
/// every chart from `font`.
void applyChartFonts(const QList<ChartView*>& charts, const QFont& font);

} // namespace theme
} // namespace gsq::ui
