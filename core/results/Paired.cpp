#include "core/results/Paired.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

namespace gsq::core::results {
namespace {

bool sameKey(const ResultRow& r, const RowKey& k)
{
    return r.method == k.method && r.setting == k.setting && r.stage == k.stage;
}

} // namespace

std::string RowKey::label() const
{
    std::string out = method;
    if (!setting.empty())
        out += " " + setting;
    return out + " (" + stageName(stage) + ")";
}

double signTestP(int wins, int losses)
{
    const int n = wins + losses;
    if (n == 0)
        return 1.0;
    const int k = std::min(wins, losses);
    // Sum of C(n, i) / 2^n for i <= k, in logs so large n stays finite.
    double tail = 0;
    for (int i = 0; i <= k; ++i)
        tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
    return std::min(1.0, 2.0 * tail);
}

double wilcoxonP(const std::vector<double>& diffs)
{
    std::vector<double> d;
    for (double v : diffs)
        if (v != 0.0)
            d.push_back(v);
    const size_t n = d.size();
    if (n == 0)
        return 1.0;
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return std::abs(d[a]) < std::abs(d[b]); });
    // Doubled ranks (integers even when ties share an average rank).
    std::vector<int64_t> rank2(n);
    double tieTerm = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && std::abs(d[order[j + 1]]) == std::abs(d[order[i]]))
            ++j;
        const int64_t r2 = static_cast<int64_t>(i + j + 2); // 2 * average of ranks i+1 .. j+1
        for (size_t k = i; k <= j; ++k)
            rank2[order[k]] = r2;
        const double t = static_cast<double>(j - i + 1);
        tieTerm += t * t * t - t;
        i = j + 1;
    }
    int64_t w2 = 0, total2 = 0; // doubled W+ and doubled rank sum
    for (size_t i = 0; i < n; ++i) {
        total2 += rank2[i];
        if (d[i] > 0)
            w2 += rank2[i];
    }
    if (n <= 200) {
        // Every sign assignment equally likely: counts of each doubled W+ over the 2^n of them.
        std::vector<double> ways(static_cast<size_t>(total2) + 1, 0.0);
        ways[0] = 1.0;
        int64_t reach = 0;
        for (size_t i = 0; i < n; ++i) {
            for (int64_t s = reach; s >= 0; --s)
                if (ways[static_cast<size_t>(s)] != 0.0)
                    ways[static_cast<size_t>(s + rank2[i])] += ways[static_cast<size_t>(s)];
            reach += rank2[i];
        }
        double all = 0, below = 0, above = 0;
        for (int64_t s = 0; s <= total2; ++s) {
            const double c = ways[static_cast<size_t>(s)];
            all += c;
            if (s <= w2)
                below += c;
            if (s >= w2)
                above += c;
        }
        return std::min(1.0, 2.0 * std::min(below, above) / all);
    }
    const double nn = static_cast<double>(n);
    const double mean = nn * (nn + 1) / 4.0;
    const double var = nn * (nn + 1) * (2 * nn + 1) / 24.0 - tieTerm / 48.0;
    const double w = static_cast<double>(w2) / 2.0;
    const double z = (std::abs(w - mean) - 0.5) / std::sqrt(var);
    return std::min(1.0, std::erfc(std::max(0.0, z) / std::sqrt(2.0)));
}

std::vector<PairedDifference> pairedDifferences(
    const std::vector<ResultRow>& rows, const RowKey& baseline, bool deployed)
{
    std::map<std::pair<int64_t, int>, double> base;
    for (const auto& r : rows)
        if (sameKey(r, baseline))
            base[{ r.seed, r.fold }] = deployed ? r.deployedValue : r.testValue;
    if (base.empty())
        throw std::invalid_argument("no rows for the baseline " + baseline.label());
    std::vector<RowKey> keys;
    for (const auto& r : rows) {
        RowKey k { r.method, r.setting, r.stage };
        if (sameKey(r, baseline)
            || std::any_of(keys.begin(), keys.end(), [&](const RowKey& o) { return sameKey(r, o); }))
            continue;
        keys.push_back(k);
    }
    std::vector<PairedDifference> out;
    for (const auto& k : keys) {
        PairedDifference p;
        p.key = k;
        std::vector<double> diffs;
        for (const auto& r : rows) {
            if (!sameKey(r, k))
                continue;
            auto it = base.find({ r.seed, r.fold });
            if (it == base.end())
                continue;
            const double diff = (deployed ? r.deployedValue : r.testValue) - it->second;
            diffs.push_back(diff);
            (diff > 0 ? p.wins : diff < 0 ? p.losses : p.ties)++;
        }
        p.n = static_cast<int>(diffs.size());
        if (p.n == 0)
            continue;
        p.meanDiff = std::accumulate(diffs.begin(), diffs.end(), 0.0) / p.n;
        double ss = 0;
        for (double v : diffs)
            ss += (v - p.meanDiff) * (v - p.meanDiff);
        p.stdDiff = p.n > 1 ? std::sqrt(ss / (p.n - 1)) : 0.0;
        p.signP = signTestP(p.wins, p.losses);
        p.wilcoxonP = wilcoxonP(diffs);
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<ResultRow> poolRuns(const std::vector<std::vector<ResultRow>>& runs)
{
    std::vector<ResultRow> out;
    std::map<std::tuple<std::string, std::string, Stage, int64_t, int>, std::pair<size_t, size_t>> seen;
    for (size_t run = 0; run < runs.size(); ++run) {
        for (const auto& r : runs[run]) {
            const auto key = std::make_tuple(r.method, r.setting, r.stage, r.seed, r.fold);
            auto it = seen.find(key);
            if (it == seen.end()) {
                seen.emplace(key, std::make_pair(run, out.size()));
                out.push_back(r);
                continue;
            }
            if (it->second.first == run) { // one run's own rows stay as they are
                out.push_back(r);
                continue;
            }
            const auto& first = out[it->second.second];
            if (first.testValue != r.testValue || first.deployedValue != r.deployedValue)
                throw std::invalid_argument(RowKey { r.method, r.setting, r.stage }.label() + " of seed "
                    + std::to_string(r.seed) + ", fold " + std::to_string(r.fold)
                    + " differs between the runs: they did not train the same models, so their rows cannot be paired");
        }
    }
    return out;
}

RowKey findKey(const std::vector<ResultRow>& rows, const std::string& text)
{
    const std::string wanted = text.empty() ? "none" : text;
    const ResultRow* match = nullptr;
    std::vector<std::string> labels;
    for (const auto& r : rows) {
        const RowKey k { r.method, r.setting, r.stage };
        const std::string plain = r.setting.empty() ? r.method : r.method + " " + r.setting;
        if (k.label() == wanted || plain == wanted)
            match = &r; // the last stage of the key wins when the stage is not given
        if (std::find(labels.begin(), labels.end(), k.label()) == labels.end())
            labels.push_back(k.label());
    }
    if (!match) {
        std::string all;
        for (const auto& l : labels)
            all += (all.empty() ? "" : "; ") + l;
        throw std::invalid_argument("no rows are labelled '" + wanted + "'; this run has: " + all);
    }
    return { match->method, match->setting, match->stage };
}

} // namespace gsq::core::results
