// Tests core/training/Metrics against values worked out by hand (and matching scikit-learn).
#include "core/training/Metrics.h"

#include <QtTest>
#include <torch/torch.h>

#include <cmath>

using gsq::core::training::Metrics;

class MetricsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void accuracy()
    {
        auto logits = torch::tensor({ 2.0f, 1.0f, 0.0f, 3.0f, 1.0f, 0.0f }).view({ 3, 2 });
        auto labels = torch::tensor({ 0, 1, 1 }, torch::kLong);
        QVERIFY(std::abs(Metrics::accuracy(logits, labels) - 2.0 / 3.0) < 1e-12);
        QVERIFY(std::isnan(Metrics::accuracy(torch::zeros({ 0, 2 }), torch::zeros({ 0 }, torch::kLong))));
    }

    void macroF1()
    {
        // predictions 0,0,1,1 vs labels 0,1,1,1: F1(0) = 2/3, F1(1) = 4/5.
        auto logits = torch::tensor({ 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f }).view({ 4, 2 });
        auto labels = torch::tensor({ 0, 1, 1, 1 }, torch::kLong);
        QVERIFY(std::abs(Metrics::macroF1(logits, labels, 2) - (2.0 / 3.0 + 0.8) / 2.0) < 1e-12);
    }

    void rocAucAndAveragePrecision()
    {
        auto scores = torch::tensor({ 0.1, 0.4, 0.35, 0.8 });
        auto labels = torch::tensor({ 0, 0, 1, 1 }, torch::kLong);
        QVERIFY(std::abs(Metrics::rocAuc(scores, labels) - 0.75) < 1e-12);
        QVERIFY(std::abs(Metrics::averagePrecision(scores, labels) - 5.0 / 6.0) < 1e-12);
    }

    void tiesCountHalf()
    {
        auto scores = torch::tensor({ 0.5, 0.5, 0.9 });
        auto labels = torch::tensor({ 0, 1, 1 }, torch::kLong);
        // pairs (pos, neg): (0.5 vs 0.5) = 0.5, (0.9 vs 0.5) = 1 -> 0.75
        QVERIFY(std::abs(Metrics::rocAuc(scores, labels) - 0.75) < 1e-12);
        // threshold 0.9: P=1, R=0.5; threshold 0.5: P=2/3, R=1 -> 0.5*1 + 0.5*2/3
        QVERIFY(std::abs(Metrics::averagePrecision(scores, labels) - (0.5 + 1.0 / 3.0)) < 1e-12);
    }

    void singleClassGivesNan()
    {
        auto scores = torch::tensor({ 0.2, 0.3 });
        QVERIFY(std::isnan(Metrics::rocAuc(scores, torch::tensor({ 1, 1 }, torch::kLong))));
        QVERIFY(std::isnan(Metrics::averagePrecision(scores, torch::tensor({ 0, 0 }, torch::kLong))));
    }

    void binaryMetricsFromLogits()
    {
        // softmax column 1 ranks rows 1 > 0 > 2.
        auto logits = torch::tensor({ 0.0f, 0.5f, 0.0f, 2.0f, 1.0f, 0.0f }).view({ 3, 2 });
        auto labels = torch::tensor({ 0, 1, 0 }, torch::kLong);
        QCOMPARE(Metrics::compute("roc_auc", logits, labels, 2), 1.0);
        QVERIFY_EXCEPTION_THROWN(Metrics::compute("roc_auc", torch::zeros({ 3, 3 }), labels, 3), std::invalid_argument);
        QVERIFY_EXCEPTION_THROWN(Metrics::compute("top5", logits, labels, 2), std::invalid_argument);
    }
};

QTEST_GUILESS_MAIN(MetricsTest)
#include "MetricsTest.moc"
