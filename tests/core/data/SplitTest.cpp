// Tests core/data/Split: sizes, disjointness, determinism, stratification and error messages.
#include "core/data/Split.h"

#include <QtTest>
#include <torch/torch.h>

#include <set>

using namespace gsq::core::data;

namespace {
std::set<int64_t> toSet(const at::Tensor& t)
{
    auto c = t.contiguous();
    return std::set<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

bool disjoint(const Split& s)
{
    auto a = toSet(s.train), b = toSet(s.val), c = toSet(s.test);
    for (auto x : b)
        if (a.count(x))
            return false;
    for (auto x : c)
        if (a.count(x) || b.count(x))
            return false;
    return true;
}
} // namespace

class SplitTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void randomNodeSplitHasRequestedSizes()
    {
        auto s = randomNodeSplit(2708, 0, 500, 500, 7);
        QCOMPARE(s.val.numel(), 500);
        QCOMPARE(s.test.numel(), 500);
        QCOMPARE(s.train.numel(), 1708);
        QVERIFY(disjoint(s));
        auto again = randomNodeSplit(2708, 0, 500, 500, 7);
        QVERIFY(torch::equal(s.test, again.test));
        auto other = randomNodeSplit(2708, 0, 500, 500, 8);
        QVERIFY(!torch::equal(s.test, other.test));
        QCOMPARE(randomNodeSplit(100, 10, 20, 30, 1).train.numel(), 10);
    }

    void randomNodeSplitRejectsOversizedSplits()
    {
        try {
            randomNodeSplit(100, 0, 60, 50, 1);
            QFAIL("expected an exception");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()),
                std::string("split sizes (train 0, val 60, test 50) do not fit the dataset's 100 nodes"));
        }
    }

    void stratifiedKFoldPartitionsAndBalances()
    {
        std::vector<int64_t> labels;
        for (int i = 0; i < 663; ++i)
            labels.push_back(0);
        for (int i = 0; i < 450; ++i)
            labels.push_back(1);
        auto folds = stratifiedKFold(labels, 10, 0);
        QCOMPARE(folds.size(), size_t(10));
        std::set<int64_t> allTest;
        for (size_t f = 0; f < folds.size(); ++f) {
            const auto& s = folds[f];
            QVERIFY(disjoint(s));
            QCOMPARE(s.train.numel() + s.val.numel() + s.test.numel(), 1113);
            QVERIFY(s.test.numel() == 111 || s.test.numel() == 112);
            // validation fold = next fold's test set
            QVERIFY(torch::equal(s.val, folds[(f + 1) % 10].test));
            auto t = toSet(s.test);
            allTest.insert(t.begin(), t.end());
            int64_t positives = 0;
            for (auto i : t)
                positives += labels[static_cast<size_t>(i)];
            QVERIFY2(positives == 45 || positives == 44 || positives == 46, qPrintable(QString::number(positives)));
        }
        QCOMPARE(allTest.size(), size_t(1113));
        QVERIFY_EXCEPTION_THROWN(stratifiedKFold(labels, 2, 0), std::invalid_argument);
    }

    void scaffoldSplitKeepsGroupsTogetherLargestFirst()
    {
        // 10 molecules: scaffold A x5, B x3, C x1, D x1.
        std::vector<std::string> sc { "A", "B", "A", "C", "A", "B", "D", "A", "B", "A" };
        auto s = scaffoldSplit(sc, 0.1, 0.1);
        QCOMPARE(toSet(s.train), (std::set<int64_t> { 0, 1, 2, 4, 5, 7, 8, 9 })); // A + B = 8 <= 8
        // C and D are both singletons; the later first index (D, 6) comes first, as in OGB.
        QCOMPARE(toSet(s.val), (std::set<int64_t> { 6 })); // D
        QCOMPARE(toSet(s.test), (std::set<int64_t> { 3 })); // C
    }

    void linkSplitSeparatesEdgesAndSamplesTrueNegatives()
    {
        // A ring of 40 nodes, both directions.
        std::vector<int64_t> src, dst;
        for (int i = 0; i < 40; ++i) {
            src.push_back(i);
            dst.push_back((i + 1) % 40);
            src.push_back((i + 1) % 40);
            dst.push_back(i);
        }
        auto ei = torch::stack({ torch::tensor(src), torch::tensor(dst) });
        auto ls = randomLinkSplit(ei, 40, 0.05, 0.15, 3);
        QCOMPARE(ls.valPos.size(1), 2); // floor(0.05 * 40)
        QCOMPARE(ls.testPos.size(1), 6); // floor(0.15 * 40)
        QCOMPARE(ls.trainPos.size(1), 32);
        QCOMPARE(ls.trainEdges.size(1), 64);
        QCOMPARE(ls.valNeg.size(1), 2);
        QCOMPARE(ls.testNeg.size(1), 6);
        std::set<std::pair<int64_t, int64_t>> edges;
        for (int i = 0; i < 40; ++i)
            edges.insert({ std::min(i, (i + 1) % 40), std::max(i, (i + 1) % 40) });
        for (const auto* neg : { &ls.valNeg, &ls.testNeg })
            for (int64_t k = 0; k < neg->size(1); ++k) {
                int64_t a = (*neg)[0][k].item<int64_t>(), b = (*neg)[1][k].item<int64_t>();
                QVERIFY(a != b);
                QVERIFY(!edges.count({ std::min(a, b), std::max(a, b) }));
            }
        // Held-out positives never appear among the message-passing edges.
        auto train = toSet(ls.trainEdges[0] * 40 + ls.trainEdges[1]);
        for (int64_t k = 0; k < ls.testPos.size(1); ++k)
            QVERIFY(!train.count(ls.testPos[0][k].item<int64_t>() * 40 + ls.testPos[1][k].item<int64_t>()));
    }

    void fractionSplitRejectsFullFractions()
    {
        QVERIFY_EXCEPTION_THROWN(randomFractionSplit(100, 0.5, 0.5, 0), std::invalid_argument);
        auto s = randomFractionSplit(1113, 0.1, 0.1, 0);
        QCOMPARE(s.val.numel(), 111);
        QCOMPARE(s.test.numel(), 111);
        QCOMPARE(s.train.numel(), 891);
    }
};

QTEST_GUILESS_MAIN(SplitTest)
#include "SplitTest.moc"
