// Tests core/data/io: the Cora, TU and molecule CSV readers pin the published counts and
// reject malformed files with messages naming file, line and expectation.
#include "core/common/Error.h"
#include "core/data/GraphDataset.h"
#include "core/data/io/CoraReader.h"
#include "core/data/io/MoleculeCsvReader.h"
#include "core/data/io/TuReader.h"
#include "core/graph/EdgeIndex.h"

#include "TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

using namespace gsq::core;
using namespace gsq::core::data;
using gsq::test::messageOf;
using gsq::test::writeFile;

namespace {
/// A valid 3-paper Cora-format directory with 2 features.
void writeTinyCora(const QTemporaryDir& d, const std::string& content, const std::string& cites)
{
    writeFile(d, "cora.content", content);
    writeFile(d, "cora.cites", cites);
}

/// Two TU graphs: nodes 1-2 (graph 1), nodes 3-5 (graph 2).
void writeTinyTu(const QTemporaryDir& d, const std::string& a, const std::string& indicator, const std::string& labels)
{
    writeFile(d, "T_A.txt", a);
    writeFile(d, "T_graph_indicator.txt", indicator);
    writeFile(d, "T_graph_labels.txt", labels);
}
} // namespace

class DataReadersTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void coraMatchesPublishedCounts()
    {
        auto ds = io::CoraReader::read(gsq::test::dataDir() + "/cora");
        QCOMPARE(ds.graphs.size(), size_t(1));
        const auto& g = ds.graphs.front();
        QCOMPARE(g.numNodes, 2708);
        QCOMPARE(ds.numFeatures, 1433);
        QCOMPARE(ds.numClasses, 7);
        QCOMPARE(g.numEdges(), 10556);
        QCOMPARE(graph::removeSelfLoops(g.edgeIndex).size(1), 10556);
        QVERIFY(graph::isUndirected(g.edgeIndex, g.numNodes));
        auto s = ds.stats();
        QCOMPARE(s.numUndirectedEdges, 5278);
        QCOMPARE(s.classCounts, (std::vector<int64_t> { 351, 217, 418, 818, 426, 298, 180 }));
        QCOMPARE(ds.classNames.front(), std::string("Theory"));
        QCOMPARE(ds.classNames.back(), std::string("Rule_Learning"));
        QCOMPARE(g.x.sum().item<double>(), 49216.0);
        QCOMPARE(ds.publicTrain.size(), size_t(140));
        QCOMPARE(ds.publicVal.size(), size_t(500));
        QCOMPARE(ds.publicTest.size(), size_t(1000));
        auto trainLabels = g.y.index_select(0, torch::tensor(ds.publicTrain, torch::kLong));
        for (int c = 0; c < 7; ++c)
            QCOMPARE(trainLabels.eq(c).sum().item<int64_t>(), 20);
    }

    void coraWithoutPlanetoidFileUsesContentOrder()
    {
        QTemporaryDir d;
        writeTinyCora(d, "10\t1\t0\tB\n20\t0\t1\tA\n30\t1\t1\tB\n", "10\t20\n20\t30\n30\t20\n");
        auto ds = io::CoraReader::read(d.path().toStdString());
        QCOMPARE(ds.graphs.front().numNodes, 3);
        QCOMPARE(ds.numFeatures, 2);
        QCOMPARE(ds.classNames, (std::vector<std::string> { "A", "B" }));
        QCOMPARE(ds.graphs.front().y[0].item<int64_t>(), 1);
        QCOMPARE(ds.stats().numUndirectedEdges, 2); // 20-30 listed twice
        QVERIFY(ds.publicTrain.empty());
    }

    void coraRejectsMalformedFiles_data()
    {
        QTest::addColumn<QString>("content");
        QTest::addColumn<QString>("cites");
        QTest::addColumn<QString>("expected");
        QTest::newRow("non-binary feature") << "10\t1\t0\tB\n20\t0\tx\tA\n"
                                            << "10\t20\n"
                                            << "cora.content:2: feature 2: expected 0 or 1, found 'x'";
        QTest::newRow("wrong column count")
            << "10\t1\t0\tB\n20\t0\tA\n"
            << "10\t20\n"
            << "cora.content:2: expected 4 tab-separated fields (as on line 1), found 3";
        QTest::newRow("non-numeric id") << "10\t1\t0\tB\nabc\t0\t1\tA\n"
                                        << "10\t20\n"
                                        << "cora.content:2: expected an integer paper id, found 'abc'";
        QTest::newRow("duplicate id") << "10\t1\t0\tB\n10\t0\t1\tA\n"
                                      << "10\t20\n"
                                      << "cora.content:2: duplicate paper id 10 (first on line 1)";
        QTest::newRow("unknown cited paper") << "10\t1\t0\tB\n20\t0\t1\tA\n"
                                             << "10\t20\n10\t99\n"
                                             << "cora.cites:2: paper id 99 is not in cora.content";
        QTest::newRow("truncated cites line") << "10\t1\t0\tB\n20\t0\t1\tA\n"
                                              << "10\t20\n10\n"
                                              << "cora.cites:2: expected 2 tab-separated paper ids, found 1 fields";
        QTest::newRow("empty content") << ""
                                       << "10\t20\n"
                                       << "cora.content: file is empty";
    }

    void coraRejectsMalformedFiles()
    {
        QFETCH(QString, content);
        QFETCH(QString, cites);
        QFETCH(QString, expected);
        QTemporaryDir d;
        writeTinyCora(d, content.toStdString(), cites.toStdString());
        const std::string msg = messageOf<InputError>([&] { io::CoraReader::read(d.path().toStdString()); });
        QCOMPARE(QString::fromStdString(msg), d.path() + "/" + expected);
    }

    void coraMissingDirectoryNamesTheFile()
    {
        const std::string msg = messageOf<InputError>([] { io::CoraReader::read("/nonexistent/cora"); });
        QCOMPARE(msg, std::string("/nonexistent/cora/cora.content: file not found"));
    }

    void proteinsMatchesPublishedCounts()
    {
        auto ds = io::TuReader::read(gsq::test::dataDir() + "/proteins", "PROTEINS");
        auto s = ds.stats();
        QCOMPARE(s.numGraphs, 1113);
        QCOMPARE(s.numNodes, 43471);
        QCOMPARE(s.numUndirectedEdges, 81044);
        QCOMPARE(ds.numFeatures, 3);
        QCOMPARE(ds.numClasses, 2);
        QCOMPARE(s.classCounts, (std::vector<int64_t> { 663, 450 }));
        int64_t directed = 0;
        for (const auto& g : ds.graphs)
            directed += g.numEdges();
        QCOMPARE(directed, 162088);
        // One-hot node labels: every row sums to 1.
        QCOMPARE(ds.graphs[0].x.sum(1).eq(1).all().item<bool>(), true);
        auto withAttr = io::TuReader::read(gsq::test::dataDir() + "/proteins", "PROTEINS", { true, true });
        QCOMPARE(withAttr.numFeatures, 4);
    }

    void tuRejectsMalformedFiles_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("indicator");
        QTest::addColumn<QString>("labels");
        QTest::addColumn<QString>("expected");
        const QString ind = "1\n1\n2\n2\n2\n";
        QTest::newRow("indicator not contiguous")
            << "1, 2\n"
            << "1\n1\n3\n3\n3\n"
            << "1\n2\n"
            << "T_graph_indicator.txt:3: graph indicator not contiguous: expected graph id 1 or 2, found 3";
        QTest::newRow("indicator decreasing")
            << "1, 2\n"
            << "1\n2\n1\n2\n2\n"
            << "1\n2\n"
            << "T_graph_indicator.txt:3: graph indicator not contiguous: expected graph id 2 or 3, found 1";
        QTest::newRow("node id out of range") << "1, 2\n3, 6\n"
                                              << ind << "1\n2\n"
                                              << "T_A.txt:2: node id 6 out of range [1, 5]";
        QTest::newRow("non-numeric edge") << "1, 2\n3, x\n"
                                          << ind << "1\n2\n"
                                          << "T_A.txt:2: expected an integer node id, found 'x'";
        QTest::newRow("edge across graphs") << "2, 3\n"
                                            << ind << "1\n2\n"
                                            << "T_A.txt:1: edge joins node 2 (graph 1) and node 3 (graph 2)";
        QTest::newRow("wrong column count")
            << "1, 2, 3\n"
            << ind << "1\n2\n"
            << "T_A.txt:1: expected 'row, col' (2 comma-separated node ids), found 3 fields";
        QTest::newRow("too few labels")
            << "1, 2\n"
            << ind << "1\n"
            << "T_graph_labels.txt: expected 2 lines (one label per graph in the graph indicator), found 1";
        QTest::newRow("empty adjacency") << "" << ind << "1\n2\n"
                                         << "T_A.txt: file is empty";
        QTest::newRow("indicator of one newline")
            << "1, 2\n"
            << "\n"
            << "1\n"
            << "T_graph_indicator.txt: no nodes: expected one graph id per node, one per line";
    }

    void tuRejectsMalformedFiles()
    {
        QFETCH(QString, a);
        QFETCH(QString, indicator);
        QFETCH(QString, labels);
        QFETCH(QString, expected);
        QTemporaryDir d;
        writeTinyTu(d, a.toStdString(), indicator.toStdString(), labels.toStdString());
        const std::string msg = messageOf<InputError>([&] { io::TuReader::read(d.path().toStdString(), "T"); });
        QCOMPARE(QString::fromStdString(msg), d.path() + "/" + expected);
    }

    void tuReadsTinyDatasetWithoutNodeLabels()
    {
        QTemporaryDir d;
        writeTinyTu(d, "1, 2\n2, 1\n3, 4\n4, 5\n", "1\n1\n2\n2\n2\n", "7\n3\n");
        auto ds = io::TuReader::read(d.path().toStdString(), "T");
        QCOMPARE(ds.graphs.size(), size_t(2));
        QCOMPARE(ds.numFeatures, 1); // constant feature
        QCOMPARE(ds.graphs[0].y.item<int64_t>(), 1); // label 7 -> class 1 (sorted 3, 7)
        QCOMPARE(ds.graphs[1].y.item<int64_t>(), 0);
        QCOMPARE(ds.graphs[1].edgeIndex[0][1].item<int64_t>(), 1); // node 4 is local node 1
    }

    void bbbpParsesWithRdkitAndSkipsInvalidSmiles()
    {
        auto ds = io::MoleculeCsvReader::read(gsq::test::dataDir() + "/bbbp/BBBP.csv");
        QCOMPARE(ds.graphs.size(), size_t(2039));
        QCOMPARE(ds.numFeatures, 174);
        QCOMPARE(ds.numClasses, 2);
        QCOMPARE(ds.stats().classCounts, (std::vector<int64_t> { 479, 1560 }));
        QCOMPARE(ds.warnings.size(), size_t(1));
        const std::string& w = ds.warnings.front();
        QVERIFY2(w.find("skipped 11 row(s)") != std::string::npos, w.c_str());
        for (const char* row : { "(num 60)", "(num 62)", "(num 393)", "(num 616)", "(num 644)", "(num 647)",
                 "(num 648)", "(num 649)", "(num 650)", "(num 651)", "(num 687)" })
            QVERIFY2(w.find(row) != std::string::npos, row);
        QCOMPARE(ds.scaffolds.size(), size_t(2039));
        // Propranolol (row 1): [Cl].CC(C)NCC(O)COc1cccc2ccccc12 has 20 atoms, scaffold naphthalene.
        QCOMPARE(ds.graphs[0].numNodes, 20);
        QCOMPARE(ds.scaffolds[0], std::string("c1ccc2ccccc2c1"));
        // Every atom has exactly 9 active one-hot features.
        QCOMPARE(ds.graphs[0].x.sum(1).eq(9).all().item<bool>(), true);
    }

    void csvSplitsQuotedFields()
    {
        std::vector<std::string> f;
        QVERIFY(io::MoleculeCsvReader::splitCsvLine("96,\"\"\"1,1,1-Trifluro\"\"\",1,CC", f));
        QCOMPARE(f, (std::vector<std::string> { "96", "\"1,1,1-Trifluro\"", "1", "CC" }));
        QVERIFY(!io::MoleculeCsvReader::splitCsvLine("1,\"open,1,CC", f));
    }

    void csvRejectsMalformedRows_data()
    {
        QTest::addColumn<QString>("csv");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing column") << "num,name,smiles\n1,a,CC\n"
                                        << "m.csv:1: missing column 'p_np' in the header (found: num,name,smiles)";
        QTest::newRow("wrong field count") << "num,name,p_np,smiles\n1,a,1\n"
                                           << "m.csv:2: expected 4 comma-separated fields (as in the header), found 3";
        QTest::newRow("non-integer label") << "num,name,p_np,smiles\n1,a,yes,CC\n"
                                           << "m.csv:2: expected an integer label 'p_np', found 'yes'";
        QTest::newRow("all invalid")
            << "num,name,p_np,smiles\n1,a,1,C1CC\n"
            << "m.csv: no valid molecule: every SMILES was rejected by RDKit or the file has no data rows";
        QTest::newRow("empty") << ""
                               << "m.csv: file is empty";
    }

    void csvRejectsMalformedRows()
    {
        QFETCH(QString, csv);
        QFETCH(QString, expected);
        QTemporaryDir d;
        const std::string path = writeFile(d, "m.csv", csv.toStdString());
        const std::string msg = messageOf<InputError>([&] { io::MoleculeCsvReader::read(path); });
        QCOMPARE(QString::fromStdString(msg), d.path() + "/" + expected);
    }

    void csvWarnsAboutInvalidSmilesWithRow()
    {
        QTemporaryDir d;
        const std::string path
            = writeFile(d, "m.csv", "num,name,p_np,smiles\r\n1,ok,1,CCO\r\n2,bad,0,C1CC\r\n3,ok2,0,c1ccccc1\r\n");
        auto ds = io::MoleculeCsvReader::read(path);
        QCOMPARE(ds.graphs.size(), size_t(2));
        QCOMPARE(ds.warnings.size(), size_t(1));
        QCOMPARE(ds.warnings[0], path + ": skipped 1 row(s) whose SMILES RDKit rejects: line 3 (num 2)");
        QCOMPARE(ds.graphs[0].numEdges(), 4); // CCO: 2 bonds, both directions
        QCOMPARE(ds.scaffolds[0], std::string(""));
        QCOMPARE(ds.scaffolds[1], std::string("c1ccccc1"));
    }

    // PyG MoleculeNet's 9 features (from_smiles x_map indices), worked out by hand: atomic
    // number, chirality, degree, charge + 5, total H, radicals, hybridisation (SP2 3, SP3 4),
    // aromatic, in ring.
    void rawAtomFeaturesAsPygMoleculeNet()
    {
        QTemporaryDir d;
        const std::string path
            = writeFile(d, "m.csv", "num,name,p_np,smiles\n1,a,1,CCO\n2,b,0,c1ccccc1\n3,c,1,C[N+](C)(C)C\n");
        io::MoleculeCsvOptions raw;
        raw.rawFeatures = true;
        auto ds = io::MoleculeCsvReader::read(path, raw);
        QCOMPARE(ds.numFeatures, 9);
        auto row = [&](size_t g, int64_t atom) {
            auto t = ds.graphs[g].x[atom].to(torch::kLong).contiguous();
            return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
        };
        QCOMPARE(ds.graphs[0].x.sizes().vec(), (std::vector<int64_t> { 3, 9 }));
        QCOMPARE(row(0, 0), (std::vector<int64_t> { 6, 0, 1, 5, 3, 0, 4, 0, 0 }));
        QCOMPARE(row(0, 1), (std::vector<int64_t> { 6, 0, 2, 5, 2, 0, 4, 0, 0 }));
        QCOMPARE(row(0, 2), (std::vector<int64_t> { 8, 0, 1, 5, 1, 0, 4, 0, 0 }));
        QCOMPARE(row(1, 0), (std::vector<int64_t> { 6, 0, 2, 5, 1, 0, 3, 1, 1 }));
        QCOMPARE(row(2, 1), (std::vector<int64_t> { 7, 0, 4, 6, 0, 0, 4, 0, 0 }));
    }
};

QTEST_GUILESS_MAIN(DataReadersTest)
#include "DataReadersTest.moc"
