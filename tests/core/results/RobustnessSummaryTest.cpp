// Tests core/results/RobustnessSummary: the extra drop of a stage against the dense base, paired
// per (seed, fold) at each perturbation's largest strength, its t-interval (corrected for folds),
// Holm over the compared lines only, and the weighted worst-case score.
#include "core/results/RobustnessSummary.h"

#include <QtTest>

#include <cmath>

using namespace gsq::core::results;

namespace {

RobustnessRow row(const std::string& lineage, Stage stage, int64_t seed, int fold, const std::string& perturbation,
    double strength, double value)
{
    RobustnessRow r;
    r.method = lineage.empty() ? "none" : "global";
    r.lineage = lineage;
    r.stage = stage;
    r.seed = seed;
    r.fold = fold;
    r.perturbation = perturbation;
    r.strength = strength;
    r.unit = "feature std";
    r.metric = "accuracy";
    r.value = value;
    return r;
}

/// Three seeds; the base drops 0.30 under FGSM 0.1 and 0.10 under noise 2; the pruned stage
/// drops 0.20, 0.10, 0.00 under FGSM (extra drops +0.10, +0.20, +0.30) and 0.10, 0.05, 0.00
/// under noise (+0, +0.05, +0.10); plus one FGSM strength in between that must not be used.
std::vector<RobustnessRow> threeSeeds()
{
    std::vector<RobustnessRow> rows;
    for (int64_t seed = 0; seed < 3; ++seed) {
        const double clean = 0.8 + 0.01 * static_cast<double>(seed);
        for (const char* p : { "fgsm", "feature_noise" }) {
            const bool fgsm = std::string(p) == "fgsm";
            const double top = fgsm ? 0.1 : 2.0;
            rows.push_back(row("", Stage::Base, seed, 0, p, 0, clean));
            if (fgsm)
                rows.push_back(row("", Stage::Base, seed, 0, p, 0.05, clean - 0.5));
            rows.push_back(row("", Stage::Base, seed, 0, p, top, clean - (fgsm ? 0.3 : 0.1)));
            rows.push_back(row("global sparsity=0.9", Stage::Finetuned, seed, 0, p, 0, clean - 0.02));
            rows.push_back(row("global sparsity=0.9", Stage::Finetuned, seed, 0, p, top,
                clean - 0.02
                    - (fgsm ? 0.2 - 0.1 * static_cast<double>(seed) : 0.1 - 0.05 * static_cast<double>(seed))));
        }
    }
    return rows;
}

} // namespace

class RobustnessSummaryTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void extraDropIsPairedPerJobAtTheLargestStrength()
    {
        const auto s = summarizeRobustness(threeSeeds());
        QCOMPARE(s.jobs, 3);
        QCOMPARE(s.stages, (std::vector<std::string> { "base (base)", "global sparsity=0.9 (finetuned)" }));
        QCOMPARE(s.perturbations, (std::vector<std::string> { "fgsm", "feature_noise" }));
        QCOMPARE(s.lines.size(), size_t { 4 });
        const auto& base = s.lines[0];
        QCOMPARE(base.stage, std::string("base (base)"));
        QVERIFY(!base.compared);
        QCOMPARE(base.strength, 0.1);
        QVERIFY(std::abs(base.drop + 0.3) < 1e-12);
        QVERIFY(std::abs(base.clean - 0.81) < 1e-12);
        const auto& fgsm = s.lines[2];
        QCOMPARE(fgsm.stage, std::string("global sparsity=0.9 (finetuned)"));
        QCOMPARE(fgsm.perturbation, std::string("fgsm"));
        QVERIFY(fgsm.compared);
        QCOMPARE(fgsm.n, 3);
        // Extra drops +0.1, +0.2, +0.3: mean 0.2, sd 0.1, t(0.975, 2) = 4.302653 -> half 0.248414.
        QVERIFY(std::abs(fgsm.extraDrop - 0.2) < 1e-12);
        QVERIFY(std::abs(fgsm.ciLow - (0.2 - 0.248414)) < 1e-5);
        QVERIFY(std::abs(fgsm.ciHigh - (0.2 + 0.248414)) < 1e-5);
        // t = 0.2 / (0.1 / sqrt 3) = 3.4641 with 2 df: two-sided p = 0.07418.
        QVERIFY(std::abs(fgsm.p - 0.07418) < 1e-4);
        // Noise: +0, +0.05, +0.10: t = 0.05 / (0.05 / sqrt 3) = 1.7321, p = 0.2254.
        QVERIFY(std::abs(s.lines[3].extraDrop - 0.05) < 1e-12);
        QVERIFY(std::abs(s.lines[3].p - 0.2254) < 1e-4);
    }

    void holmRunsOverTheComparedLinesOnly()
    {
        const auto s = summarizeRobustness(threeSeeds());
        // Two compared lines, FGSM (p 0.0742) and noise (p 0.2254): Holm doubles the smaller and
        // keeps the larger (a count of four, with the base's untested lines, would give 0.297
        // and 0.676). The base's lines keep holmP 1.
        QVERIFY(std::abs(s.lines[2].holmP - 2 * s.lines[2].p) < 1e-12);
        QVERIFY(std::abs(s.lines[3].holmP - s.lines[3].p) < 1e-12);
        QCOMPARE(s.lines[0].holmP, 1.0);
        QCOMPARE(s.lines[1].holmP, 1.0);
    }

    void foldsWidenTheInterval()
    {
        auto rows = threeSeeds();
        for (auto& r : rows) { // the same values as three folds of one seed
            r.fold = static_cast<int>(r.seed);
            r.seed = 0;
        }
        PairedDesign design;
        design.folds = 10;
        design.testTrainRatio = 1.0 / 8;
        const auto summary = summarizeRobustness(rows, design);
        const auto& line = summary.lines[2];
        // Variance (1/3 + 1/8) s^2 instead of s^2 / 3.
        const double half = 4.302653 * std::sqrt((1.0 / 3 + 1.0 / 8) * 0.01);
        QVERIFY(std::abs(line.ciHigh - (0.2 + half)) < 1e-5);
    }

    void scoreWeighsTheWorstPerturbationMost()
    {
        const auto s = summarizeRobustness(threeSeeds());
        QCOMPARE(s.scores.size(), size_t { 2 });
        // Seed 0's base: FGSM 0.50 (worst, weight 2), noise 0.70 (weight 1): (2*0.5 + 0.7) / 3.
        // Over the seeds the base's score is (2*(0.51) + 0.71) / 3 on average.
        QVERIFY(std::abs(s.scores[0].score - (2 * 0.51 + 0.71) / 3) < 1e-12);
        QVERIFY(!s.scores[0].compared);
        // The stage: FGSM 0.58, 0.69, 0.80 and noise 0.68, 0.74, 0.80; sorted per seed.
        const double s0 = (2 * 0.58 + 0.68) / 3, s1 = (2 * 0.69 + 0.74) / 3, s2 = (2 * 0.80 + 0.80) / 3;
        QVERIFY(std::abs(s.scores[1].score - (s0 + s1 + s2) / 3) < 1e-12);
        QVERIFY(s.scores[1].compared);
        const double b0 = (2 * 0.50 + 0.70) / 3, b1 = (2 * 0.51 + 0.71) / 3, b2 = (2 * 0.52 + 0.72) / 3;
        QVERIFY(std::abs(s.scores[1].diff - ((s0 - b0) + (s1 - b1) + (s2 - b2)) / 3) < 1e-12);
    }

    void rowsWithoutTheBaseAreRefused()
    {
        QVERIFY(summarizeRobustness({}).lines.empty());
        auto rows = threeSeeds();
        rows.erase(
            std::remove_if(rows.begin(), rows.end(), [](const RobustnessRow& r) { return r.stage == Stage::Base; }),
            rows.end());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, summarizeRobustness(rows));
    }
};

QTEST_GUILESS_MAIN(RobustnessSummaryTest)
#include "RobustnessSummaryTest.moc"
