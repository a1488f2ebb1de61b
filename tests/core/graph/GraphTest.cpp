// Tests core/graph: edge-index utilities and block-diagonal batching.
#include "core/graph/Graph.h"
#include "core/graph/EdgeIndex.h"

#include <QtTest>
#include <torch/torch.h>

using namespace gsq::core::graph;

namespace {
/// A 4-node star: centre 0 linked to 1, 2, 3 (one direction only).
at::Tensor starEdges()
{
    return torch::tensor({ 0, 0, 0, 1, 2, 3 }, torch::kLong).view({ 2, 3 });
}

std::vector<int64_t> flat(const at::Tensor& t)
{
    auto c = t.contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}
} // namespace

class GraphTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void toUndirectedAddsReversesAndSorts()
    {
        auto u = toUndirected(starEdges(), 4);
        QCOMPARE(u.size(1), 6);
        QCOMPARE(flat(u[0]), (std::vector<int64_t> { 0, 0, 0, 1, 2, 3 }));
        QCOMPARE(flat(u[1]), (std::vector<int64_t> { 1, 2, 3, 0, 0, 0 }));
        QVERIFY(isUndirected(u, 4));
        QVERIFY(!isUndirected(starEdges(), 4));
    }

    void coalesceRemovesDuplicates()
    {
        auto e = torch::tensor({ 2, 0, 2, 1, 3, 1 }, torch::kLong).view({ 2, 3 });
        auto c = coalesce(e, 4);
        QCOMPARE(c.size(1), 2);
        QCOMPARE(flat(c[0]), (std::vector<int64_t> { 0, 2 }));
        QCOMPARE(flat(c[1]), (std::vector<int64_t> { 3, 1 }));
    }

    void selfLoopsAreAddedOncePerNode()
    {
        auto withLoop = torch::tensor({ 0, 1, 1, 1 }, torch::kLong).view({ 2, 2 }); // edges 0->1 and 1->1
        auto e = addSelfLoops(withLoop, 3);
        QCOMPARE(e.size(1), 4); // 0->1 plus loops on 0, 1, 2
        QCOMPARE(removeSelfLoops(e).size(1), 1);
    }

    void inDegreeCountsTargets()
    {
        auto d = inDegree(toUndirected(starEdges(), 4), 4);
        QCOMPARE(d[0].item<float>(), 3.0f);
        QCOMPARE(d[3].item<float>(), 1.0f);
    }

    void collateOffsetsEdgesAndBuildsBatchVector()
    {
        Graph a { torch::ones({ 2, 3 }), torch::tensor({ 0, 1 }, torch::kLong).view({ 2, 1 }),
            torch::tensor({ 1 }, torch::kLong), 2, {} };
        Graph b { torch::zeros({ 3, 3 }), torch::tensor({ 0, 2, 2, 1 }, torch::kLong).view({ 2, 2 }),
            torch::tensor({ 0 }, torch::kLong), 3, {} };
        auto batch = GraphBatch::collate({ a, b }, { 1, 0 });
        QCOMPARE(batch.numGraphs, 2);
        QCOMPARE(batch.graph.numNodes, 5);
        QCOMPARE(flat(batch.batch), (std::vector<int64_t> { 0, 0, 0, 1, 1 }));
        QCOMPARE(flat(batch.graph.edgeIndex[0]), (std::vector<int64_t> { 0, 2, 3 }));
        QCOMPARE(flat(batch.graph.edgeIndex[1]), (std::vector<int64_t> { 2, 1, 4 }));
        QCOMPARE(flat(batch.graph.y), (std::vector<int64_t> { 0, 1 }));
        QCOMPARE(batch.graph.x.sum().item<float>(), 6.0f);
        QVERIFY_EXCEPTION_THROWN(GraphBatch::collate({ a }, {}), std::invalid_argument);
    }

    void collateCopiesFeaturesAttributesAndChecksLayout()
    {
        // Features copied row for row in batch order (not shared with the graphs), edge
        // attributes stacked in edge order, an edgeless graph in the middle.
        Graph a { torch::arange(6, torch::kFloat).view({ 2, 3 }), torch::tensor({ 0, 1 }, torch::kLong).view({ 2, 1 }),
            torch::tensor({ 1 }, torch::kLong), 2, torch::tensor({ 0.5f }).view({ 1, 1 }) };
        Graph lone { torch::full({ 1, 3 }, 7.0f), torch::empty({ 2, 0 }, torch::kLong),
            torch::tensor({ 0 }, torch::kLong), 1, torch::empty({ 0, 1 }) };
        Graph b { torch::full({ 2, 3 }, -1.0f), torch::tensor({ 1, 0 }, torch::kLong).view({ 2, 1 }),
            torch::tensor({ 1 }, torch::kLong), 2, torch::tensor({ 2.5f }).view({ 1, 1 }) };
        auto batch = GraphBatch::collate({ a, lone, b }, { 2, 1, 0 });
        QVERIFY(torch::equal(batch.graph.x, torch::cat({ b.x, lone.x, a.x })));
        QVERIFY(batch.graph.x.data_ptr() != b.x.data_ptr());
        QCOMPARE(flat(batch.graph.edgeIndex[0]), (std::vector<int64_t> { 1, 3 }));
        QCOMPARE(flat(batch.graph.edgeIndex[1]), (std::vector<int64_t> { 0, 4 }));
        QCOMPARE(flat(batch.batch), (std::vector<int64_t> { 0, 0, 1, 2, 2 }));
        QVERIFY(torch::equal(batch.graph.edgeAttr, torch::tensor({ 2.5f, 0.5f }).view({ 2, 1 })));
        // Mixed feature widths and mixed edge attributes are refused, not mis-stacked.
        Graph wide { torch::ones({ 1, 4 }), torch::empty({ 2, 0 }, torch::kLong), torch::tensor({ 0 }, torch::kLong), 1,
            {} };
        Graph plain { torch::ones({ 1, 3 }), torch::empty({ 2, 0 }, torch::kLong), torch::tensor({ 0 }, torch::kLong),
            1, {} };
        QVERIFY_EXCEPTION_THROWN(GraphBatch::collate({ a, wide }, { 0, 1 }), std::invalid_argument);
        QVERIFY_EXCEPTION_THROWN(GraphBatch::collate({ a, plain }, { 0, 1 }), std::invalid_argument);
    }
};

QTEST_GUILESS_MAIN(GraphTest)
#include "GraphTest.moc"
