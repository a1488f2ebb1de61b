#pragma once

#include <QList>

namespace gsq::ui {

class ChartView;

/// Application-wide looks: the dark palette (classroom mode's chart fonts: ChartView::setFontScale).
namespace theme {

/// Fusion style with a dark palette (and Qt Charts' dark chart theme), or the style and palette
/// the application started with.
void applyDark(bool on, const QList<ChartView*>& charts);

} // namespace theme
} // namespace gsq::ui
