#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "core/results/SessionEvents.h"

#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace gsq::ui {

class ExperimentPanel;

/// "Prune 10 % more" (the classroom button) and the run it extends. pruneMore() adds a setting
/// 0.1 above the last sparsity of the form's first prune step (keeping its method; a one-shot
/// fine-grained step with 20 fine-tuning epochs when there is none). When the run shown is of the
/// form's experiment before the edit, with one job and its trained base on disk, only the new
/// setting runs, from that base; its events skip the base rows the run on screen already has,
/// and at its end finish() joins it to that run (the rows equal a full rerun's).
class RunExtension {
public:
    struct Plan {
        QString message; ///< non-empty: nothing was changed or run, say this
        bool runAll = false; ///< run the whole edited experiment afresh
        /// Otherwise: run this (the new setting alone) from `baseModel`, extending the run shown.
        gsq::core::experiment::ExperimentConfig only;
        QString baseModel;
    };
    /// Edits the form (`panel`, valid) and says what to run. `shown`: the run on screen (may be
    /// null); `baseModel`: its trained base's file.
    Plan pruneMore(ExperimentPanel& panel, const std::shared_ptr<const gsq::core::results::RunResult>& shown,
        const QString& baseModel);
    /// A run extending the one shown is under way.
    bool active() const { return m_extending.has_value(); }
    /// `events` without the base rows an extension repeats (all of them otherwise).
    std::vector<gsq::core::results::SessionEvent> filter(
        const std::vector<gsq::core::results::SessionEvent>& events) const;
    /// The finished `result`, joined to the run it extends (then no extension is active).
    std::shared_ptr<const gsq::core::results::RunResult> finish(
        std::shared_ptr<const gsq::core::results::RunResult> result);
    /// The extension failed or was stopped.
    void cancel() { m_extending.reset(); }

    /// The sparsity after `sparsities`: their last plus 0.1, rounded to hundredths, at most
    /// 0.99; nullopt when the last is already there.
    static std::optional<double> nextSparsity(const std::vector<double>& sparsities);

    /// Classroom's "Attack harder": appends the next PGD budget (nextBudget) to the first
    /// robustness step of the form (`panel`, valid) and plans a run of the whole experiment (a
    /// lesson of one seed trains in seconds, and the same seed gives the same models, so only the
    /// new budget's points are new). A message instead when the form has no robustness step with
    /// PGD, or the budgets are at their largest.
    static Plan attackHarder(ExperimentPanel& panel);
    /// The PGD budget after `budgets` (in feature std): the next of 0.02, 0.05, 0.1, 0.2, 0.3,
    /// 0.5 above their last; nullopt after 0.5.
    static std::optional<double> nextBudget(const std::vector<double>& budgets);

private:
    struct Extension {
        std::shared_ptr<const gsq::core::results::RunResult> previous;
        gsq::core::experiment::ExperimentConfig config; ///< the experiment with every setting
    };
    std::optional<Extension> m_extending;
};

} // namespace gsq::ui
