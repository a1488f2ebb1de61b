#pragma once

#include "core/results/SessionEvents.h"

#include <QList>

#include <functional>
#include <vector>

namespace gsq::ui {

class ChartView;

/// What every tab of the main window shares: it can be emptied, it consumes a batch of session
/// events (at most 20 batches a second, SessionController) and the finished run's result, and it
/// lists its charts for reports and exports. MainWindow loops over its views and knows nothing of what each one draws.
class LiveView {
public:
    virtual ~LiveView() = default;
    /// Forgets everything of the current run (before a run, on Reset).
    virtual void clear() { }
    /// One batch of events, in the order the session emitted them.
    virtual void addEvents(const std::vector<gsq::core::results::SessionEvent>& events) { (void)events; }
    /// The whole result once the run has finished (after "Prune 10 % more", the run shown with the
    /// new setting merged in), or of a stored run being shown; after its events.
    virtual void showResult(const gsq::core::results::RunResult& result) { (void)result; }
    /// The charts this view shows, for the HTML report and "Export all charts".
    virtual QList<ChartView*> charts() const { return {}; }
    /// The charts of the HTML report: `fn` is called with each while it is drawn (by default the
    /// charts() as shown; a view may draw more, e.g. one weight histogram per layer).
    virtual void forEachReportChart(const std::function<void(ChartView*)>& fn)
    {
        for (auto* c : charts())
            fn(c);
    }
};

} // namespace gsq::ui
