#include "core/results/Paired.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
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

/// The continued fraction of the incomplete beta function (modified Lentz).
double betaFraction(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    d = 1 / (std::abs(d) < tiny ? tiny : d);
    double h = d;
    for (int m = 1; m <= 500; ++m) {
        const double m2 = 2.0 * m;
        for (double aa :
            { m * (b - m) * x / ((a - 1 + m2) * (a + m2)), -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2)) }) {
            d = 1 + aa * d;
            d = 1 / (std::abs(d) < tiny ? tiny : d);
            c = 1 + aa / c;
            c = std::abs(c) < tiny ? tiny : c;
            h *= d * c;
        }
        if (std::abs(d * c - 1) < 1e-16)
            break;
    }
    return h;
}

/// The regularized incomplete beta function I_x(a, b).
double regularizedBeta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    const double front
        = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
    if (x < (a + 1) / (a + b + 2))
        return front * betaFraction(a, b, x) / a;
    return 1 - front * betaFraction(b, a, 1 - x) / b;
}

double rounded(double diff)
{
    return std::round(diff / kTiePrecision) * kTiePrecision;
}

} // namespace

double studentTwoSidedP(double t, double df)
{
    if (std::isnan(t))
        return 1.0;
    if (std::isinf(t))
        return 0.0;
    return std::min(1.0, regularizedBeta(df / 2.0, 0.5, df / (df + t * t)));
}

double studentQuantile(double q, double df)
{
    const double target = 2.0 * (1.0 - q); // the two-sided p of the quantile
    double lo = 0, hi = 1e6;
    for (int i = 0; i < 200; ++i) {
        const double mid = (lo + hi) / 2;
        (studentTwoSidedP(mid, df) > target ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

std::vector<double> holmAdjusted(const std::vector<double>& p)
{
    const size_t m = p.size();
    std::vector<size_t> order(m);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
    std::vector<double> out(m);
    double running = 0;
    for (size_t i = 0; i < m; ++i) {
        running = std::max(running, std::min(1.0, static_cast<double>(m - i) * p[order[i]]));
        out[order[i]] = running;
    }
    return out;
}

std::tuple<double, double, double> correctedResampledT(const std::vector<double>& diffs, double ratio)
{
    const size_t n = diffs.size();
    if (n < 2)
        return { 1.0, -INFINITY, INFINITY };
    const double mean = std::accumulate(diffs.begin(), diffs.end(), 0.0) / static_cast<double>(n);
    double ss = 0;
    for (double d : diffs)
        ss += (d - mean) * (d - mean);
    const double se = std::sqrt((1.0 / static_cast<double>(n) + ratio) * ss / static_cast<double>(n - 1));
    const double df = static_cast<double>(n - 1);
    const double half = studentQuantile(0.975, df) * se;
    if (se == 0)
        return { mean == 0 ? 1.0 : 0.0, mean, mean };
    return { studentTwoSidedP(mean / se, df), mean - half, mean + half };
}

PairedDesign PairedDesign::of(int foldsRun, int folds)
{
    PairedDesign design;
    if (foldsRun > 1 && folds > 2) {
        design.folds = folds;
        design.testTrainRatio = 1.0 / (folds - 2);
    }
    return design;
}

std::string PairedDesign::describe() const
{
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.4g", testTrainRatio);
    if (folds > 1)
        return "test: corrected resampled t (Nadeau and Bengio 2003), " + std::to_string(folds)
            + "-fold cross-validation, variance (1/n + n2/n1) s^2 with n2/n1 = " + ratio
            + ", df n - 1; interval: the same t; Holm over the table";
    return "test: Wilcoxon signed-rank over independent seeds (exact; differences compared at 1e-9, zeros "
           "dropped, tied magnitudes at their average rank); interval: paired t; Holm over the table";
}

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
        if (rounded(v) != 0.0)
            d.push_back(rounded(v));
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
    const std::vector<ResultRow>& rows, const RowKey& baseline, bool deployed, const PairedDesign& design)
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
            (rounded(diff) > 0 ? p.wins : rounded(diff) < 0 ? p.losses : p.ties)++;
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
        if (design.folds > 1) {
            std::tie(p.testP, p.ciLow, p.ciHigh) = correctedResampledT(diffs, design.testTrainRatio);
        } else {
            p.testP = p.wilcoxonP;
            std::tie(std::ignore, p.ciLow, p.ciHigh) = correctedResampledT(diffs, 0.0);
        }
        out.push_back(std::move(p));
    }
    std::vector<double> ps;
    for (const auto& p : out)
        ps.push_back(p.testP);
    const auto adjusted = holmAdjusted(ps);
    for (size_t i = 0; i < out.size(); ++i)
        out[i].holmP = adjusted[i];
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
