#include "ui/session/RunExtension.h"

#include "core/experiment/ConfigYaml.h"
#include "ui/panels/ExperimentPanel.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStringList>

#include <cmath>

namespace gsq::ui {

using namespace gsq::core;

std::optional<double> RunExtension::nextSparsity(const std::vector<double>& sparsities)
{
    const double current = sparsities.empty() ? 0.0 : sparsities.back();
    const double next = std::min(0.99, std::round((current + 0.1) * 100.0) / 100.0);
    if (next <= current)
        return std::nullopt;
    return next;
}

std::optional<double> RunExtension::nextBudget(const std::vector<double>& budgets)
{
    const double current = budgets.empty() ? 0.0 : budgets.back();
    for (double b : { 0.02, 0.05, 0.1, 0.2, 0.3, 0.5 })
        if (b > current + 1e-12)
            return b;
    return std::nullopt;
}

RunExtension::Plan RunExtension::attackHarder(ExperimentPanel& panel)
{
    using experiment::AnalyzeSpec;
    const auto config = panel.config(); // a copy: config() returns one
    const auto& steps = config.steps;
    for (size_t i = 0; i < steps.size(); ++i) {
        const auto* a = std::get_if<AnalyzeSpec>(&steps[i]);
        if (!a || a->method != "robustness" || !a->perturbations.count("pgd"))
            continue;
        const auto budgets = a->perturbations.at("pgd");
        const auto next = nextBudget(budgets);
        if (!next)
            return { QCoreApplication::translate("RunExtension",
                         "PGD's budget is already at %1 std, the most this "
                         "button attacks with.")
                         .arg(budgets.back()),
                false, {}, {} };
        QStringList texts;
        for (double v : budgets)
            texts << QString::number(v);
        texts << QString::number(*next);
        panel.setStepValue(static_cast<int>(i), "pgd", texts.join(", ").toStdString());
        return { {}, true, {}, {} };
    }
    return { QCoreApplication::translate("RunExtension",
                 "This experiment has no attack to strengthen: it needs an analyze step with method robustness "
                 "and a pgd list (lesson 4, File → Presets → Classroom lessons)."),
        false, {}, {} };
}

RunExtension::Plan RunExtension::pruneMore(
    ExperimentPanel& panel, const std::shared_ptr<const results::RunResult>& shown, const QString& baseModel)
{
    using experiment::PruneSpec;
    using experiment::StepKind;
    const std::string before = experiment::toYaml(panel.config());
    int index = panel.firstStep(StepKind::Prune);
    std::vector<double> values;
    if (index >= 0)
        values = std::get<PruneSpec>(panel.config().steps.at(static_cast<size_t>(index))).sparsities;
    const auto next = nextSparsity(values);
    if (!next)
        return { QCoreApplication::translate("RunExtension",
                     "The sparsity is already at %1 %, the most this button "
                     "prunes.")
                     .arg(values.back() * 100.0),
            false, {}, {} };
    if (index < 0) {
        index = panel.addStep(StepKind::Prune, "finegrained");
        panel.setStepValue(index, "schedule", "oneshot");
        panel.setStepValue(index, "finetune_epochs", "20");
    }
    values.push_back(*next);
    QStringList texts;
    for (double v : values)
        texts << QString::number(v);
    panel.setStepValue(index, "sparsity", texts.join(", ").toStdString());

    const auto full = panel.config();
    if (!shown || experiment::toYaml(shown->config) != before || full.jobCount() != 1 || !QFileInfo::exists(baseModel))
        return { {}, true, {}, {} };
    auto only = full;
    auto step = full.steps.at(static_cast<size_t>(index));
    std::get<PruneSpec>(step).sparsities = { *next };
    only.steps = { step };
    // An analysis of every stage (robustness) measures the new setting's models too; the base's
    // rows it repeats are dropped when the runs are joined (RunResult::extend).
    for (const auto& s : full.steps)
        if (experiment::kindOf(s) == experiment::StepKind::Analyze)
            only.steps.push_back(s);
    m_extending = Extension { shown, full };
    return { {}, false, only, baseModel };
}

std::vector<results::SessionEvent> RunExtension::filter(const std::vector<results::SessionEvent>& events) const
{
    std::vector<results::SessionEvent> out;
    for (const auto& e : events) {
        auto* f = std::get_if<results::StageFinished>(&e);
        if (!(m_extending && f && f->row.method == "none"))
            out.push_back(e);
    }
    return out;
}

std::shared_ptr<const results::RunResult> RunExtension::finish(std::shared_ptr<const results::RunResult> result)
{
    if (!m_extending)
        return result;
    auto merged = std::make_shared<results::RunResult>(*m_extending->previous);
    merged->extend(*result, m_extending->config);
    m_extending.reset();
    return merged;
}

} // namespace gsq::ui
