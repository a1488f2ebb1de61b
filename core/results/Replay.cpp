#include "core/results/Replay.h"

#include <algorithm>
#include <utility>

namespace gsq::core::results {

std::vector<SessionEvent> replayEvents(const RunResult& result)
{
    std::vector<std::pair<int64_t, int>> jobs; // (seed, fold) in the order rows name them
    for (const auto& row : result.rows)
        if (std::find(jobs.begin(), jobs.end(), std::make_pair(row.seed, row.fold)) == jobs.end())
            jobs.emplace_back(row.seed, row.fold);

    std::vector<SessionEvent> events;
    RunStarted started;
    started.experiment = result.config.name;
    if (!result.rows.empty()) {
        started.task = result.rows.front().task;
        started.model = result.rows.front().model;
    }
    started.totalJobs = static_cast<int>(jobs.size());
    started.epochsPerJob = result.config.train.epochs;
    events.emplace_back(started);

    auto layersOf = [&](const ResultRow& row) {
        std::vector<LayerRow> out;
        for (const auto& l : result.layers)
            if (l.seed == row.seed && l.fold == row.fold && l.stage == row.stage && l.method == row.method
                && l.setting == row.setting)
                out.push_back(l);
        return out;
    };
    auto emitHistory = [&](int job, const JobHistory& h) {
        const int planned = static_cast<int>(h.epochs.size());
        events.emplace_back(StageStarted { job, h.seed, h.fold, h.stage, planned, h.setting, h.method });
        for (const auto& p : h.epochs)
            events.emplace_back(EpochMetrics { job, h.seed, h.fold, h.stage, planned, p, h.setting, h.method });
    };
    for (size_t j = 0; j < jobs.size(); ++j) {
        const int job = static_cast<int>(j);
        const auto [seed, fold] = jobs[j];
        for (bool base : { true, false }) {
            for (const auto& h : result.histories)
                if (h.seed == seed && h.fold == fold && (h.method == "none") == base)
                    emitHistory(job, h);
            for (const auto& row : result.rows)
                if (row.seed == seed && row.fold == fold && (row.method == "none") == base) {
                    auto layers = layersOf(row);
                    if (row.stage == Stage::Pruned) { // the pruning step, from what it left
                        PruningApplied p;
                        p.job = job;
                        p.seed = row.seed;
                        p.fold = row.fold;
                        p.method = row.method;
                        p.setting = row.setting;
                        p.targetSparsity = row.targetSparsity;
                        p.layers = layers;
                        for (const auto& l : layers)
                            if (l.kind == "weight" && l.params > 0 && l.nnz == 0)
                                p.fullyPruned.push_back(l.layer);
                        events.emplace_back(std::move(p));
                    }
                    events.emplace_back(StageFinished { job, row, std::move(layers) });
                }
        }
    }
    return events;
}

} // namespace gsq::core::results
