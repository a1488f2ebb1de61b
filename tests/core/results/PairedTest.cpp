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

    void studentTMatchesItsTables()
    {
        // Quantiles and p-values of Student's t to 9 digits (the incomplete beta function
        // evaluated at 30 digits, mpmath 1.3): the textbook t_0.975 of 12.706, 2.262, 2.045, 1.960.
        QVERIFY(std::abs(studentQuantile(0.975, 1) - 12.7062047362) < 1e-8);
        QVERIFY(std::abs(studentQuantile(0.975, 9) - 2.2621571628) < 1e-9);
        QVERIFY(std::abs(studentQuantile(0.975, 29) - 2.04522964213) < 1e-9);
        QVERIFY(std::abs(studentQuantile(0.975, 1e6) - 1.95996635681) < 1e-8);
        QVERIFY(std::abs(studentTwoSidedP(2.0, 10) - 0.0733880347707) < 1e-11);
        QVERIFY(std::abs(studentTwoSidedP(-3.5, 4) - 0.0248961634602) < 1e-11);
        QCOMPARE(studentTwoSidedP(0.0, 5), 1.0);
    }

    void correctedResampledTWidensForOverlappingFolds()
    {
        // Ten folds' differences, n2/n1 = 1/8: mean 0.011, variance (1/10 + 1/8) s^2, t = 22/17
        // (worked at 30 digits: p 0.227844260205, interval [-0.00822833588378, 0.0302283358838]).
        const std::vector<double> d { 0.01, 0.02, -0.01, 0.03, 0.00, 0.02, 0.01, 0.04, -0.02, 0.01 };
        const auto [p, lo, hi] = correctedResampledT(d, 1.0 / 8);
        QVERIFY(std::abs(p - 0.227844260205) < 1e-10);
        QVERIFY(std::abs(lo + 0.00822833588378) < 1e-11);
        QVERIFY(std::abs(hi - 0.0302283358838) < 1e-11);
        // Without the correction (samples taken as independent) the standard error is 1.5 times
        // smaller: t = 33/17, p 0.0841503080537 — almost three times more confident.
        QVERIFY(std::abs(std::get<0>(correctedResampledT(d, 0.0)) - 0.0841503080537) < 1e-10);
    }

    void holmStepsDown()
    {
        // m = 4: 0.005 * 4, 0.01 * 3, 0.03 * 2, then 0.04 * 1 held up by the 0.06 before it.
        const auto adjusted = holmAdjusted({ 0.01, 0.04, 0.03, 0.005 });
        const std::vector<double> expected { 0.03, 0.06, 0.06, 0.02 };
        for (size_t i = 0; i < 4; ++i)
            QVERIFY2(std::abs(adjusted[i] - expected[i]) < 1e-15, qPrintable(QString::number(adjusted[i])));
        QCOMPARE(holmAdjusted({ 0.6, 0.9 }), (std::vector<double> { 1.0, 1.0 }));
    }

    void tiesAreFoundAtTheStoredPrecision()
    {
        // Accuracies on 1000 test nodes: differences equal in exact arithmetic differ in their
        // last bits once computed in floating point, and would split one tie into distinct ranks.
        const std::vector<int> base { 812, 809, 815, 790, 801, 820, 799, 805 };
        const std::vector<int> gain { 3, -3, 3, 3, -3, 3, 1, 3 };
        std::vector<double> noisy, clean;
        for (size_t i = 0; i < base.size(); ++i) {
            noisy.push_back((base[i] + gain[i]) / 1000.0 - base[i] / 1000.0);
            clean.push_back(gain[i] / 1000.0);
        }
        QVERIFY2(bruteForceWilcoxon(noisy) != bruteForceWilcoxon(clean), "the data must carry float noise");
        QCOMPARE(wilcoxonP(noisy), bruteForceWilcoxon(clean));
        // Wins, ties and losses are counted at the same precision.
        std::vector<ResultRow> rows;
        for (size_t i = 0; i < base.size(); ++i) {
            rows.push_back(row("none", "", Stage::Base, static_cast<int64_t>(i), 0, 0.5));
            rows.push_back(row("qat", "bits=8", Stage::Quantized, static_cast<int64_t>(i), 0, 0.5 + 0.1 - 0.1));
        }
        const auto diffs = pairedDifferences(rows, RowKey { "none", "", Stage::Base });
        QCOMPARE(diffs.at(0).ties, 8);
    }

    void theTestFitsTheDesign()
    {
        // Ten folds: the corrected t-test decides, with its interval; seeds: Wilcoxon, with the
        // paired t interval. Holm over the two keys of each table.
        const std::vector<double> d { 0.01, 0.02, -0.01, 0.03, 0.00, 0.02, 0.01, 0.04, -0.02, 0.01 };
        std::vector<ResultRow> rows;
        for (int k = 0; k < 10; ++k) {
            rows.push_back(row("none", "", Stage::Base, 0, k, 0.7));
            rows.push_back(row("qat", "bits=8", Stage::Quantized, 0, k, 0.7 + d[static_cast<size_t>(k)]));
            rows.push_back(row("qat", "bits=4", Stage::Quantized, 0, k, 0.7 - 0.05));
        }
        PairedDesign folds;
        folds.folds = 10;
        folds.testTrainRatio = 1.0 / 8;
        const auto cv = pairedDifferences(rows, RowKey { "none", "", Stage::Base }, false, folds);
        QCOMPARE(cv.size(), size_t(2));
        QVERIFY(std::abs(cv[0].testP - 0.227844260205) < 1e-9);
        QVERIFY(std::abs(cv[0].ciHigh - 0.0302283358838) < 1e-9);
        QCOMPARE(cv[1].testP, 0.0); // a constant loss: zero variance
        QCOMPARE(cv[0].holmP, std::min(1.0, 1 * cv[0].testP)); // the larger p, multiplied by 1
        const auto seeds = pairedDifferences(rows, RowKey { "none", "", Stage::Base });
        QCOMPARE(seeds[0].testP, seeds[0].wilcoxonP);
        QCOMPARE(seeds[0].holmP,
            std::min(1.0, 2 * std::min(seeds[0].testP, seeds[1].testP)) > seeds[0].testP
                ? std::max(seeds[0].testP, std::min(1.0, 2 * seeds[1].testP))
                : seeds[0].holmP);
        QVERIFY(seeds[0].ciHigh - seeds[0].ciLow < cv[0].ciHigh - cv[0].ciLow); // narrower: no correction
        QVERIFY(PairedDesign {}.describe().find("Wilcoxon") != std::string::npos);
        QVERIFY(folds.describe().find("n2/n1 = 0.125") != std::string::npos);
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
