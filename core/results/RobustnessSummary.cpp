#include "core/results/RobustnessSummary.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

namespace gsq::core::results {

namespace {

using Job = std::pair<int64_t, int>; // seed, fold

struct Interval {
    double mean = 0, low = 0, high = 0, p = 1;
};

/// Mean, 95 % interval and two-sided p of paired differences, as RobustnessSummary.h says.
Interval pairedT(const std::vector<double>& diffs, const PairedDesign& design)
{
    Interval out;
    out.mean = std::accumulate(diffs.begin(), diffs.end(), 0.0) / static_cast<double>(diffs.size());
    std::tie(out.p, out.low, out.high) = correctedResampledT(diffs, design.folds > 1 ? design.testTrainRatio : 0.0);
    return out;
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

RobustnessSummary summarizeRobustness(const std::vector<RobustnessRow>& rows, const PairedDesign& design)
{
    RobustnessSummary out;
    if (rows.empty())
        return out;
    std::map<std::tuple<std::string, std::string, double, int64_t, int>, double> value;
    std::map<std::string, double> largest;
    std::map<std::string, std::string> unit;
    std::vector<Job> jobs;
    std::string base;
    for (const auto& r : rows) {
        const std::string stage = robustnessStage(r);
        if (std::find(out.stages.begin(), out.stages.end(), stage) == out.stages.end())
            out.stages.push_back(stage);
        if (r.stage == Stage::Base && base.empty())
            base = stage;
        if (std::find(out.perturbations.begin(), out.perturbations.end(), r.perturbation) == out.perturbations.end())
            out.perturbations.push_back(r.perturbation);
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
    auto has = [&](const std::string& stage, const std::string& p, double s, const Job& j) {
        return value.count({ stage, p, s, j.first, j.second }) > 0;
    };
    auto at = [&](const std::string& stage, const std::string& p, double s, const Job& j) {
        return value.at({ stage, p, s, j.first, j.second });
    };

    std::vector<size_t> tested;
    std::vector<double> ps;
    for (const auto& stage : out.stages) {
        for (const auto& p : out.perturbations) {
            const double top = largest[p];
            std::vector<double> clean, perturbed, drops, extra;
            for (const auto& j : jobs) {
                if (!has(stage, p, top, j) || !has(stage, p, 0.0, j) || !has(base, p, top, j) || !has(base, p, 0.0, j))
                    continue;
                clean.push_back(at(stage, p, 0.0, j));
                perturbed.push_back(at(stage, p, top, j));
                drops.push_back(perturbed.back() - clean.back());
                extra.push_back(drops.back() - (at(base, p, top, j) - at(base, p, 0.0, j)));
            }
            if (drops.empty())
                continue;
            RobustnessLine line { stage, p, top, unit[p], static_cast<int>(drops.size()), mean(clean), mean(perturbed),
                mean(drops) };
            if (stage != base) {
                const Interval i = pairedT(extra, design);
                line.compared = true;
                line.extraDrop = i.mean;
                line.ciLow = i.low;
                line.ciHigh = i.high;
                line.p = i.p;
                tested.push_back(out.lines.size());
                ps.push_back(i.p);
            }
            out.lines.push_back(line);
        }
    }
    const auto adjusted = holmAdjusted(ps);
    for (size_t k = 0; k < tested.size(); ++k)
        out.lines[tested[k]].holmP = adjusted[k];

    auto score = [&](const std::string& stage, const Job& j) {
        std::vector<double> worstFirst;
        for (const auto& p : out.perturbations)
            worstFirst.push_back(at(stage, p, largest[p], j));
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
            const bool complete = std::all_of(out.perturbations.begin(), out.perturbations.end(),
                [&](const std::string& p) { return has(stage, p, largest[p], j) && has(base, p, largest[p], j); });
            if (!complete)
                continue;
            scores.push_back(score(stage, j));
            diffs.push_back(scores.back() - score(base, j));
        }
        if (scores.empty())
            continue;
        RobustnessScore s { stage, static_cast<int>(scores.size()), mean(scores) };
        if (stage != base) {
            const Interval i = pairedT(diffs, design);
            s.compared = true;
            s.diff = i.mean;
            s.ciLow = i.low;
            s.ciHigh = i.high;
        }
        out.scores.push_back(s);
    }
    return out;
}

} // namespace gsq::core::results
