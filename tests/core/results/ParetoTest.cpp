// Tests core/results/Pareto: the front per dataset x task x metric, ties, rows without a size,
// and pareto.csv.
#include "core/results/Pareto.h"

#include <QtTest>

using namespace gsq::core::results;

namespace {
SummaryRow point(const std::string& dataset, const std::string& method, const std::string& setting, double mean,
    double bytes, const std::string& lineage = "")
{
    SummaryRow s;
    s.experiment = "e";
    s.dataset = dataset;
    s.task = dataset == "cora" ? "node_classification" : "graph_classification";
    s.metric = "accuracy";
    s.model = "m";
    s.method = method;
    s.setting = setting;
    s.stage = method == "none" ? Stage::Base : Stage::Finetuned;
    s.testMean = mean;
    s.n = 10;
    s.sizeDiskBytesMean = bytes;
    s.lineage = lineage;
    return s;
}
} // namespace

class ParetoTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void frontPerDatasetTaskAndMetric()
    {
        const std::vector<SummaryRow> rows {
            point("cora", "none", "", 0.81, 90000),
            point("cora", "global", "sparsity=0.5", 0.82, 50000, "global sparsity=0.5"),
            point("cora", "global", "sparsity=0.9", 0.79, 12000, "global sparsity=0.9"),
            point("cora", "qat", "global sparsity=0.9 → bits=8", 0.79, 4000, "global sparsity=0.9 → qat bits=8"),
            point("cora", "qat", "bits=8", 0.78, 30000, "qat bits=8"), // dominated by sparsity=0.5? no: by 0.9 → qat
            point("cora", "ptq", "bits=8", 0.79, 4000, "ptq bits=8"), // a tie: neither dominates the other
            point("cora", "finegrained", "sparsity=0.1", 0.5, 0), // no size: left out
            // Another dataset: its 95 % at 200 kB must not push Cora's points off the front.
            point("proteins", "none", "", 0.95, 200000),
            point("proteins", "qat", "bits=8", 0.70, 1000, "qat bits=8"),
        };
        const auto points = paretoPoints(rows);
        QCOMPARE(points.size(), size_t(8));
        std::vector<std::string> front, behind;
        for (const auto& p : points)
            (p.onFront ? front : behind).push_back(p.row.dataset + ":" + lineageLabel(p.row));
        // Sorted by group, then bytes (ties: higher mean first, then input order).
        QCOMPARE(front,
            (std::vector<std::string> { "cora:global sparsity=0.9 → qat bits=8", "cora:ptq bits=8",
                "cora:global sparsity=0.5", "proteins:qat bits=8", "proteins:base" }));
        QCOMPARE(behind, (std::vector<std::string> { "cora:global sparsity=0.9", "cora:qat bits=8", "cora:base" }));
    }

    void lineageLabelsOlderRows()
    {
        QCOMPARE(lineageLabel(point("cora", "none", "", 0.8, 1)), std::string("base"));
        QCOMPARE(lineageLabel(point("cora", "global", "sparsity=0.5", 0.8, 1)), std::string("global sparsity=0.5"));
        QCOMPARE(lineageLabel(point("cora", "qat", "x", 0.8, 1, "global sparsity=0.5 → qat bits=8")),
            std::string("global sparsity=0.5 → qat bits=8"));
    }

    void csvQuotesAndMarksTheFront()
    {
        auto a = point("cora", "global", "sparsity=0.5", 0.8125, 5000, "global sparsity=0.5");
        a.experiment = "a,b"; // a comma in a name is quoted
        a.testStd = 0.0125;
        const auto csv = paretoCsv(paretoPoints({ a, point("cora", "none", "", 0.8, 9000) }));
        QCOMPARE(csv,
            std::string("dataset,task,metric,experiment,model,method,setting,stage,lineage,n,mean,std,size_disk_bytes,"
                        "on_front\n"
                        "cora,node_classification,accuracy,\"a,b\",m,global,sparsity=0.5,finetuned,global "
                        "sparsity=0.5,10,0.8125,0.0125,5000,1\n"
                        "cora,node_classification,accuracy,e,m,none,,base,base,10,0.8,0,9000,0\n"));
    }
};

QTEST_GUILESS_MAIN(ParetoTest)
#include "ParetoTest.moc"
