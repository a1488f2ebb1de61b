#pragma once

#include <QList>

class QMainWindow;
class QWidget;

namespace gsq::ui {

class ChartView;

/// Application-wide looks: the dark palette (classroom mode's chart fonts: ChartView::setFontScale).
namespace theme {

/// Fusion style with a dark palette (and Qt Charts' dark chart theme), or the style and palette
/// the application started with.
void applyDark(bool on, const QList<ChartView*>& charts);

/// Classroom mode's looks under `root`: the application font 1.4 times larger (the size before
/// is restored when off), chart text scaled alike, the explanations beside the charts set off.
void applyClassroom(bool on, QWidget* root);

/// The window's size, position and docks as last closed; a first start gets 1500 x 920, or the
/// whole available screen where it is smaller (a 1280 x 720 projector: a window taller than its
/// screen hides the bottom of the form).
void restoreWindow(QMainWindow* window);
void saveWindow(const QMainWindow* window);

} // namespace theme
} // namespace gsq::ui
