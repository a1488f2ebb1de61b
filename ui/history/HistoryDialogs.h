#pragma once

#include <functional>

class QWidget;

namespace gsq::ui {

class CompareTab;
class RunHistory;

/// Answers the Compare tab's requests on stored runs (rename, tags, export of the per-epoch CSV,
/// delete) with dialogs over `parent`, writes them to `history` and calls `reload` after a
/// change.
void connectHistoryDialogs(QWidget* parent, CompareTab* compare, RunHistory* history, std::function<void()> reload);

} // namespace gsq::ui
