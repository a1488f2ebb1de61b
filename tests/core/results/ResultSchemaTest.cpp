// The declared result columns (core/results/ResultSchema): exact file headers, unique names, and
// every cell written and read back without loss, which is what merging result files relies on.
#include "core/results/ResultSchema.h"

#include <QtTest>

#include <cmath>
#include <set>

using namespace gsq::core::results;

namespace {
template <class Row> QStringList splitLine(const std::vector<Column<Row>>& cols, const Row& row)
{
    QStringList out;
    for (const auto& c : cols)
        out << QString::fromStdString(formatCell(c.get(row)));
    return out;
}
} // namespace

class ResultSchemaTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void headersAreTheDocumentedOnes()
    {
        QCOMPARE(QString::fromStdString(csvHeader(resultColumns())),
            QString(
                "experiment,dataset,task,model,method,setting,seed,fold,stage,metric,test_value,val_value,"
                "nonzero_params,total_params,train_seconds,size_theoretical_bytes,size_dense_bytes,size_disk_bytes,"
                "size_folded_bytes,latency_ms,latency_kind,latency_masked_ms,target_sparsity,bits,feature_bits,"
                "best_epoch,"
                "stopped_early,note,deployed_value,lineage,quant_bits,target_bits,observer,granularity,storage,start,"
                "method_options,chain"));
        QCOMPARE(QString::fromStdString(csvHeader(summaryColumns())),
            QString("experiment,dataset,task,model,method,setting,stage,metric,mean,std,n,val_mean,val_std,"
                    "nonzero_params,total_params,train_seconds,target_sparsity,size_theoretical_bytes,"
                    "size_dense_bytes,size_disk_bytes,size_folded_bytes,latency_ms,latency_kind,latency_masked_ms,bits,"
                    "feature_bits,"
                    "deployed_mean,deployed_std,lineage,quant_bits,target_bits,observer,granularity,storage,start,"
                    "method_options,chain"));
        QCOMPARE(QString::fromStdString(csvHeader(layerColumns())),
            QString("method,setting,stage,seed,fold,kind,layer,shape,params,nnz,sparsity,bits,disk_bytes,macs,"
                    "bit_widths,bits_by_degree"));
    }

    void namesAreUniqueAndTimingIsDeclared()
    {
        std::set<std::string> names;
        int timing = 0;
        for (const auto& c : resultColumns()) {
            QVERIFY2(names.insert(c.name).second, c.name);
            QVERIFY2(*c.help, c.name);
            timing += c.provenance == Provenance::Timing;
        }
        QCOMPARE(timing, 3); // train_seconds, latency_ms, latency_masked_ms
        QCOMPARE(findColumn(summaryColumns(), "bits")->legacyDefault, "32");
        QVERIFY(findColumn(summaryColumns(), "no_such") == nullptr);
    }

    void resultRowsRoundTripThroughTheirCells()
    {
        ResultRow r;
        r.experiment = "e, with comma";
        r.dataset = "cora";
        r.task = "node_classification";
        r.model = "gcn-2x16";
        r.method = "global";
        r.setting = "sparsity=0.9";
        r.seed = 7;
        r.fold = 3;
        r.stage = Stage::Finetuned;
        r.metric = "accuracy";
        r.testValue = 0.8125;
        r.valValue = 0.75;
        r.nonzeroParams = 2306;
        r.totalParams = 23063;
        r.trainSeconds = 1.5;
        r.sizeDiskBytes = 12345;
        r.latencyKind = "sparse-csr";
        r.bits = 4.25;
        r.bestEpoch = 42;
        r.stoppedEarly = true;
        r.note = "layer \"x\" fully pruned";
        r.deployedValue = std::nan("");
        ResultRow back;
        for (const auto& c : resultColumns())
            c.set(back, parseCell(c.type, formatCell(c.get(r))));
        QCOMPARE(splitLine(resultColumns(), back), splitLine(resultColumns(), r));
        QVERIFY(back.stoppedEarly);
        QVERIFY(std::isnan(back.deployedValue));
        QCOMPARE(QString::fromStdString(csvLine(resultColumns(), r)).count('"'),
            8); // two quoted fields, one with doubled quotes
        QCOMPARE(QString::fromStdString(jsonCell(r.deployedValue)), QString("null"));
    }

    void badCellsAreNamed()
    {
        try {
            parseCell(ColumnType::Integer, "12x");
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(QString(e.what()), QString("'12x' is not a whole number"));
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseCell(ColumnType::Real, ""));
        QCOMPARE(std::get<int64_t>(parseCell(ColumnType::Integer, "-3")), int64_t(-3));
    }

    void bitWidthsAreAListOfBitsAndRows()
    {
        // Stored as "3:4 4:60", held as a map: readers never split the text.
        const auto* c = findColumn(layerColumns(), "bit_widths");
        QVERIFY(c);
        LayerRow l;
        l.bitWidths = { { 4, 60 }, { 3, 4 } };
        QCOMPARE(std::get<std::string>(c->get(l)), std::string("3:4 4:60"));
        LayerRow back;
        c->set(back, std::string("3:4 4:60"));
        QCOMPARE(back.bitWidths, l.bitWidths);
        c->set(back, std::string(""));
        QVERIFY(back.bitWidths.empty());
        for (const char* bad : { "3:4 3:5", "3-4", "0:4", "4:x", "4:-1" }) {
            try {
                c->set(back, std::string(bad));
                QFAIL(bad);
            } catch (const std::invalid_argument& e) {
                QVERIFY2(QString(e.what()).contains("is not bits:rows"), e.what());
            }
        }
    }
};

QTEST_GUILESS_MAIN(ResultSchemaTest)
#include "ResultSchemaTest.moc"
