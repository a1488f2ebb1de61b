// Tests core/results/Paired: the exact sign test, the Wilcoxon signed-rank test (exact with tied
// ranks, checked against brute-force enumeration of every sign assignment; normal approximation
// for large samples), pairing by (seed, fold) and the baseline lookup.
#include "core/results/Paired.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace gsq::core::results;

namespace {

/// Two-sided p of W+ by enumerating all 2^n sign assignments of the average ranks of |d|.
double bruteForceWilcoxon(const std::vector<double>& d)
{
    const size_t n = d.size();
    std::vector<double> rank(n);
    for (size_t i = 0; i < n; ++i) {
        double less = 0, equal = 0;
        for (size_t j = 0; j < n; ++j) {
            less += std::abs(d[j]) < std::abs(d[i]);
            equal += std::abs(d[j]) == std::abs(d[i]);
        }
        rank[i] = less + (equal + 1) / 2.0;
    }
    double observed = 0;
    for (size_t i = 0; i < n; ++i)
        observed += d[i] > 0 ? rank[i] : 0;
    double below = 0, above = 0;
    const uint64_t all = uint64_t { 1 } << n;
    for (uint64_t m = 0; m < all; ++m) {
        double w = 0;
        for (size_t i = 0; i < n; ++i)
            if (m >> i & 1)
                w += rank[i];
        below += w <= observed + 1e-9;
        above += w >= observed - 1e-9;
    }
    return std::min(1.0, 2.0 * std::min(below, above) / static_cast<double>(all));
}

ResultRow row(const std::string& method, const std::string& setting, Stage stage, int64_t seed, int fold, double test)
{
    ResultRow r;
    r.method = method;
    r.setting = setting;
    r.stage = stage;
    r.seed = seed;
    r.fold = fold;
    r.testValue = test;
    r.deployedValue = test - 0.1;
    return r;
}

} // namespace

class PairedTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void signTestIsTheBinomialTail()
    {
        QCOMPARE(signTestP(8, 2), 2.0 * (1 + 10 + 45) / 1024.0);
        QCOMPARE(signTestP(2, 8), 2.0 * (1 + 10 + 45) / 1024.0);
        QCOMPARE(signTestP(10, 0), 2.0 / 1024.0);
        QCOMPARE(signTestP(5, 5), 1.0);
        QCOMPARE(signTestP(0, 0), 1.0);
    }

    void wilcoxonIsExactWithTiesAndZeros()
    {
        // All five positive: W+ = 15 is the largest of 32 equally likely values.
        QCOMPARE(wilcoxonP({ 1, 2, 3, 4, 5 }), 2.0 / 32.0);
        QCOMPARE(wilcoxonP({ 0, 0 }), 1.0);
        // Zeros are dropped before ranking.
        QCOMPARE(wilcoxonP({ 0, 1, 2, 3, 4, 5 }), 2.0 / 32.0);
        std::mt19937 rng(3);
        std::uniform_int_distribution<int> level(-3, 3); // many ties among 12 values
        for (int trial = 0; trial < 20; ++trial) {
            std::vector<double> d;
            for (int i = 0; i < 12; ++i)
                if (int v = level(rng); v != 0)
                    d.push_back(v * 0.01);
            const double expected = bruteForceWilcoxon(d);
            QVERIFY2(std::abs(wilcoxonP(d) - expected) < 1e-12,
                (std::to_string(wilcoxonP(d)) + " vs " + std::to_string(expected)).c_str());
        }
    }

    void wilcoxonUsesTheNormalApproximationForLargeSamples()
    {
        std::vector<double> up(250), mixed(250);
        for (int i = 0; i < 250; ++i) {
            up[i] = i + 1;
            mixed[i] = (i % 2 ? 1 : -1) * (i / 2 + 1.0); // each magnitude once up, once down
        }
        QVERIFY(wilcoxonP(up) < 1e-30);
        QVERIFY2(wilcoxonP(mixed) > 0.9, std::to_string(wilcoxonP(mixed)).c_str());
    }

    void runsOnTheSameBasesPoolWithTheBaseOnce()
    {
        // Two experiments on the same fp32 bases (seeds 0-1, folds 0-2): the second adds one
        // method. Pooled, the base pairs count once (n = 6, not 12) and both methods pair with it.
        std::vector<ResultRow> first, second;
        for (int64_t seed : { 0, 1 })
            for (int fold = 0; fold < 3; ++fold) {
                const double base = 0.70 + 0.01 * fold + 0.001 * seed;
                first.push_back(row("none", "", Stage::Base, seed, fold, base));
                first.push_back(row("qat", "bits=4", Stage::Quantized, seed, fold, base - 0.01));
                second.push_back(row("none", "", Stage::Base, seed, fold, base));
                second.push_back(row("qat", "bits=8", Stage::Quantized, seed, fold, base + 0.01));
            }
        auto pooled = poolRuns({ first, second });
        QCOMPARE(pooled.size(), size_t(18));
        auto q8 = pairedDifferences(pooled, findKey(pooled, "qat bits=8"));
        QCOMPARE(q8.size(), size_t(2));
        QCOMPARE(q8[0].key.method, std::string("none"));
        QCOMPARE(q8[0].n, 6);
        QCOMPARE(q8[1].key.setting, std::string("bits=4"));
        QCOMPARE(q8[1].n, 6);
        QCOMPARE(q8[1].losses, 6);
        QVERIFY(std::abs(q8[1].meanDiff + 0.02) < 1e-12);
        // Bases that differ are not the same models: refused, naming the row.
        second[2].testValue += 0.001;
        try {
            poolRuns({ first, second });
            QFAIL("expected an error");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()),
                std::string("none (base) of seed 0, fold 1 differs between the runs: they did not train the same "
                            "models, so their rows cannot be paired"));
        }
    }

    void rowsPairBySeedAndFold()
    {
        std::vector<ResultRow> rows;
        for (int64_t seed : { 0, 1 })
            for (int fold = 0; fold < 3; ++fold) {
                const double base = 0.70 + 0.01 * fold + 0.001 * seed;
                rows.push_back(row("none", "", Stage::Base, seed, fold, base));
                rows.push_back(row("qat", "bits=4", Stage::Quantized, seed, fold, base + (fold == 2 ? 0.0 : 0.02)));
                if (!(seed == 1 && fold == 0)) // a missing pair is left out, not counted
                    rows.push_back(
                        row("a2q", "bits=8 target_bits=4", Stage::Quantized, seed, fold, base - 0.01 * fold));
            }
        auto d = pairedDifferences(rows, findKey(rows, ""));
        QCOMPARE(d.size(), size_t(2));
        QCOMPARE(d[0].key.label(), std::string("qat bits=4 (quantized)"));
        QCOMPARE(d[0].n, 6);
        QCOMPARE(d[0].wins, 4);
        QCOMPARE(d[0].ties, 2);
        QCOMPARE(d[0].losses, 0);
        QVERIFY(std::abs(d[0].meanDiff - 0.02 * 4 / 6) < 1e-12);
        QCOMPARE(d[0].signP, 2.0 / 16.0);
        QCOMPARE(d[1].n, 5);
        QCOMPARE(d[1].losses, 4);
        QCOMPARE(d[1].ties, 1);
        // differences 0, -0.01, -0.02 (seed 0) and -0.01, -0.02 (seed 1): mean -0.012.
        QVERIFY(std::abs(d[1].meanDiff + 0.012) < 1e-12);
        QVERIFY(
            std::abs(d[1].stdDiff - std::sqrt((0.012 * 0.012 + 2 * 0.002 * 0.002 + 2 * 0.008 * 0.008) / 4)) < 1e-12);
        // Against another method, on deployed values (each 0.1 below its test value: same diffs).
        auto q = pairedDifferences(rows, findKey(rows, "qat bits=4"), true);
        QCOMPARE(q.size(), size_t(2));
        QCOMPARE(q[0].key.method, std::string("none"));
        QCOMPARE(q[0].losses, 4);
        QCOMPARE(findKey(rows, "qat bits=4 (quantized)").stage, Stage::Quantized);
        try {
            findKey(rows, "qat bits=2");
            QFAIL("expected an error");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()),
                std::string("no rows are labelled 'qat bits=2'; this run has: none (base); qat bits=4 (quantized); a2q "
                            "bits=8 target_bits=4 (quantized)"));
        }
    }
};

QTEST_GUILESS_MAIN(PairedTest)
#include "PairedTest.moc"
