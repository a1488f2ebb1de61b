#include "core/results/RunResult.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace gsq::core::results {

void RunResult::extend(const RunResult& added, const experiment::ExperimentConfig& fullConfig)
{
    auto appendCompressed = [](auto& into, const auto& from) {
        for (const auto& x : from)
            if (x.method != "none")
                into.push_back(x);
    };
    appendCompressed(rows, added.rows);
    appendCompressed(layers, added.layers);
    appendCompressed(histories, added.histories);
    appendCompressed(robustness, added.robustness);
    sensitivity.insert(sensitivity.end(), added.sensitivity.begin(), added.sensitivity.end());
    for (const auto& w : added.warnings)
        if (std::find(warnings.begin(), warnings.end(), w) == warnings.end())
            warnings.push_back(w);
    config = fullConfig;
    totalSeconds += added.totalSeconds;
    summarize();
}

void RunResult::summarize()
{
    summary.clear();
    using Key = std::tuple<std::string, std::string, Stage, std::string>; // method, setting, stage, metric
    std::vector<Key> order;
    std::map<Key, std::vector<const ResultRow*>> groups;
    for (const auto& r : rows) {
        Key k { r.method, r.setting, r.stage, r.metric };
        auto [it, inserted] = groups.try_emplace(k);
        if (inserted)
            order.push_back(k);
        it->second.push_back(&r);
    }
    for (const auto& k : order) {
        const auto& g = groups[k];
        SummaryRow s;
        const ResultRow& first = *g.front();
        s.experiment = first.experiment;
        s.dataset = first.dataset;
        s.task = first.task;
        s.model = first.model;
        std::tie(s.method, s.setting, s.stage, s.metric) = k;
        s.lineage = first.lineage;
        s.quantBits = first.quantBits;
        s.targetBits = first.targetBits;
        s.observer = first.observer;
        s.granularity = first.granularity;
        s.storage = first.storage;
        s.start = first.start;
        s.methodOptions = first.methodOptions;
        s.chain = first.chain;
        std::vector<double> test, val, deployed;
        double nnz = 0, secs = 0, disk = 0, folded = 0, theo = 0, lat = 0, latDense = 0, bits = 0, featureBits = 0;
        for (const ResultRow* r : g) {
            test.push_back(r->testValue);
            val.push_back(r->valValue);
            deployed.push_back(r->deployedValue);
            nnz += static_cast<double>(r->nonzeroParams);
            secs += r->trainSeconds;
            disk += static_cast<double>(r->sizeDiskBytes);
            folded += static_cast<double>(r->sizeFoldedBytes);
            theo += static_cast<double>(r->sizeTheoreticalBytes);
            lat += r->latencyMs;
            latDense += r->latencyDenseMs;
            bits += r->bits;
            featureBits += r->featureBits;
        }
        std::tie(s.testMean, s.testStd) = meanStd(test);
        std::tie(s.valMean, s.valStd) = meanStd(val);
        std::tie(s.deployedMean, s.deployedStd) = meanStd(deployed);
        s.n = static_cast<int>(g.size());
        s.nonzeroParamsMean = nnz / s.n;
        s.totalParams = first.totalParams;
        s.trainSecondsMean = secs / s.n;
        s.targetSparsity = first.targetSparsity;
        s.sizeDiskBytesMean = disk / s.n;
        s.sizeFoldedBytesMean = folded / s.n;
        s.sizeTheoreticalBytesMean = theo / s.n;
        s.sizeDenseBytes = first.sizeDenseBytes;
        s.latencyMsMean = lat / s.n;
        s.latencyDenseMsMean = latDense / s.n;
        s.latencyKind = first.latencyKind;
        s.bitsMean = bits / s.n;
        s.featureBitsMean = featureBits / s.n;
        summary.push_back(s);
    }
}

std::string stepLabel(const ResultRow& row)
{
    if (row.method == "none")
        return "";
    char buf[64];
    if (row.quantBits > 0) {
        std::snprintf(buf, sizeof buf, " %db", row.quantBits);
        std::string label = row.method + buf;
        if (row.targetBits > 0) {
            std::snprintf(buf, sizeof buf, "→%g", row.targetBits);
            label += buf;
        }
        return label;
    }
    if (row.targetSparsity > 0) {
        std::snprintf(buf, sizeof buf, " %g", row.targetSparsity);
        return row.method + buf;
    }
    return row.method;
}

} // namespace gsq::core::results
