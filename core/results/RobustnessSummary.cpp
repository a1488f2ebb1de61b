#include "core/results/RobustnessSummary.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

namespace gsq::core::results {

namespace {

using Job = std::pair<int64_t, int>; // seed, fold

/// Mean, 95 % interval (low, high) and two-sided p of paired differences, as
/// RobustnessSummary.h says.
std::tuple<double, double, double, double> pairedT(const std::vector<double>& diffs, const PairedDesign& design)
{
    const double mean = std::accumulate(diffs.begin(), diffs.end(), 0.0) / static_cast<double>(diffs.size());
    const auto [p, low, high] = correctedResampledT(diffs, design.folds > 1 ? design.testTrainRatio : 0.0);
    return { mean, low, high, p };
}

double mean(const std::vector<double>& v)
{
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

} // namespace

std::string robustnessStage(const RobustnessRow& row)
{
    return (row.lineage.empty() ? std::string("base") : row.lineage) + " (" + stageName(row.stage) + ")";
}

namespace {

/// The rows as values by (stage, perturbation, strength, job), and what the summary is made of.
class Table {
public:
    explicit Table(const std::vector<RobustnessRow>& rows, RobustnessSummary& out)
    {
        for (const auto& r : rows) {
            const std::string stage = robustnessStage(r);
            if (std::find(out.stages.begin(), out.stages.end(), stage) == out.stages.end())
                out.stages.push_back(stage);
            if (r.stage == Stage::Base && base.empty())
                base = stage;
            auto& ps = out.perturbations;
            if (std::find(ps.begin(), ps.end(), r.perturbation) == ps.end())
                ps.push_back(r.perturbation);
            if (std::find(jobs.begin(), jobs.end(), Job { r.seed, r.fold }) == jobs.end())
                jobs.push_back({ r.seed, r.fold });
            value[{ stage, r.perturbation, r.strength, r.seed, r.fold }] = r.value;
            largest[r.perturbation] = std::max(largest[r.perturbation], r.strength);
            if (r.strength > 0)
                unit[r.perturbation] = r.unit;
        }
        if (base.empty())
            throw std::invalid_argument("robustness rows without the base model's: nothing to pair the stages with");
        std::sort(jobs.begin(), jobs.end());
        out.jobs = static_cast<int>(jobs.size());
    }

    bool has(const std::string& stage, const std::string& p, double s, const Job& j) const
    {
        return value.count({ stage, p, s, j.first, j.second }) > 0;
    }
    double at(const std::string& stage, const std::string& p, double s, const Job& j) const
    {
        return value.at({ stage, p, s, j.first, j.second });
    }

    /// One line per stage and perturbation with values at strength 0 and the largest.
    void lines(RobustnessSummary& out, const PairedDesign& design) const
    {
        std::vector<size_t> tested;
        std::vector<double> ps;
        for (const auto& stage : out.stages) {
            for (const auto& p : out.perturbations) {
                const double top = largest.at(p);
                std::vector<double> clean, perturbed, drops, extra;
                for (const auto& j : jobs) {
                    if (!has(stage, p, top, j) || !has(stage, p, 0.0, j) || !has(base, p, top, j)
                        || !has(base, p, 0.0, j))
                        continue;
                    clean.push_back(at(stage, p, 0.0, j));
                    perturbed.push_back(at(stage, p, top, j));
                    drops.push_back(perturbed.back() - clean.back());
                    extra.push_back(drops.back() - (at(base, p, top, j) - at(base, p, 0.0, j)));
                }
                if (drops.empty())
                    continue;
                RobustnessLine line { stage, p, top, unit.count(p) ? unit.at(p) : std::string(),
                    static_cast<int>(drops.size()), mean(clean), mean(perturbed), mean(drops) };
                if (stage != base) {
                    line.compared = true;
                    std::tie(line.extraDrop, line.ciLow, line.ciHigh, line.p) = pairedT(extra, design);
                    tested.push_back(out.lines.size());
                    ps.push_back(line.p);
                }
                out.lines.push_back(line);
            }
        }
        const auto adjusted = holmAdjusted(ps);
        for (size_t k = 0; k < tested.size(); ++k)
            out.lines[tested[k]].holmP = adjusted[k];
    }

    /// The weighted worst-case score of every stage measured under every perturbation.
    void scores(RobustnessSummary& out, const PairedDesign& design) const
    {
        auto score = [&](const std::string& stage, const Job& j) {
            std::vector<double> worstFirst;
            for (const auto& p : out.perturbations)
                worstFirst.push_back(at(stage, p, largest.at(p), j));
            std::sort(worstFirst.begin(), worstFirst.end());
            const double k = static_cast<double>(worstFirst.size());
            double sum = 0;
            for (size_t i = 0; i < worstFirst.size(); ++i)
                sum += (k - static_cast<double>(i)) * worstFirst[i];
            return sum / (k * (k + 1) / 2);
        };
        for (const auto& stage : out.stages) {
            std::vector<double> scores, diffs;
            for (const auto& j : jobs) {
                const bool complete
                    = std::all_of(out.perturbations.begin(), out.perturbations.end(), [&](const std::string& p) {
                          return has(stage, p, largest.at(p), j) && has(base, p, largest.at(p), j);
                      });
                if (!complete)
                    continue;
                scores.push_back(score(stage, j));
                diffs.push_back(scores.back() - score(base, j));
            }
            if (scores.empty())
                continue;
            RobustnessScore s { stage, static_cast<int>(scores.size()), mean(scores) };
            if (stage != base) {
                s.compared = true;
                std::tie(s.diff, s.ciLow, s.ciHigh, std::ignore) = pairedT(diffs, design);
            }
            out.scores.push_back(s);
        }
    }

private:
    std::map<std::tuple<std::string, std::string, double, int64_t, int>, double> value;
    std::map<std::string, double> largest;
    std::map<std::string, std::string> unit;
    std::vector<Job> jobs;
    std::string base;
};

} // namespace

RobustnessSummary summarizeRobustness(const std::vector<RobustnessRow>& rows, const PairedDesign& design)
{
    RobustnessSummary out;
    if (rows.empty())
        return out;
    const Table table(rows, out);
    table.lines(out, design);
    table.scores(out, design);
    return out;
}

} // namespace gsq::core::results
