// A dataset reader added from outside core/, in this one file: a node list in one text file
// ("node ID LABEL F1 F2 ...", "edge U V"; '#' starts a comment) with a key of its own,
// `feature_scale`, that multiplies every feature. Registered here with a dataset kind that uses
// it, it runs from YAML through the real command line (in-process); a malformed line is refused
// with the file and line and no results are written; its key is refused where it
// does not fit; and the app's form offers the dataset, says what the path must hold and shows
// the key.
#include "core/common/Error.h"
#include "core/data/DatasetRegistry.h"
#include "core/data/Reader.h"
#include "core/experiment/ConfigYaml.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/panels/KeyFields.h"

#include "../TestSupport.h"
#include "CliInProcess.h"

#include <torch/torch.h>

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sstream>

using namespace gsq::core;
using gsq::test::cli;
using gsq::test::write;

namespace {

int reads = 0; ///< files read through the registered reader

data::GraphDataset readNodeList(
    const experiment::DatasetConfig& c, const experiment::DatasetInfo& kind, const std::string& path)
{
    ++reads;
    std::ifstream in(path);
    if (!in)
        throw InputError(path, 0, "cannot open the node list");
    const double scale = c.options.at("feature_scale");
    std::vector<std::vector<float>> features;
    std::vector<int64_t> labels, src, dst;
    std::string line;
    for (int lineNo = 1; std::getline(in, line); ++lineNo) {
        std::istringstream words(line.substr(0, line.find('#')));
        std::string what;
        if (!(words >> what))
            continue;
        if (what == "node") {
            int64_t id = -1, label = -1;
            std::vector<float> f;
            float v = 0;
            words >> id >> label;
            while (words >> v)
                f.push_back(static_cast<float>(v * scale));
            if (id != static_cast<int64_t>(features.size()) || label < 0 || f.empty()
                || (!features.empty() && f.size() != features.front().size()))
                throw InputError(path, lineNo, "expected 'node ID LABEL F1 F2 ...' with IDs 0, 1, 2 ... in order");
            features.push_back(f);
            labels.push_back(label);
        } else if (what == "edge") {
            int64_t u = -1, v = -1;
            words >> u >> v;
            if (u < 0 || v < 0 || u >= static_cast<int64_t>(features.size())
                || v >= static_cast<int64_t>(features.size()))
                throw InputError(path, lineNo, "expected 'edge U V' between listed nodes");
            src.insert(src.end(), { u, v });
            dst.insert(dst.end(), { v, u });
        } else
            throw InputError(path, lineNo, "expected a line starting with 'node' or 'edge', found '" + what + "'");
    }
    const int64_t n = static_cast<int64_t>(features.size()), f = static_cast<int64_t>(features.front().size());
    graph::Graph g;
    g.numNodes = n;
    g.x = torch::empty({ n, f });
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < f; ++j)
            g.x[i][j] = features[static_cast<size_t>(i)][static_cast<size_t>(j)];
    g.y = torch::tensor(labels, torch::kLong);
    g.edgeIndex = torch::stack({ torch::tensor(src, torch::kLong), torch::tensor(dst, torch::kLong) });
    data::GraphDataset ds;
    ds.name = kind.name;
    ds.source = path;
    ds.numFeatures = f;
    ds.numClasses = *std::max_element(labels.begin(), labels.end()) + 1;
    ds.graphs.push_back(std::move(g));
    return ds;
}

void registerNodeList()
{
    data::ReaderEntry reader;
    reader.info.name = "nodelist";
    reader.info.pathHelp = "text file of 'node ID LABEL F1 F2 ...' and 'edge U V' lines";
    reader.info.keys = { experiment::optionKey<experiment::DatasetConfig>("feature_scale", "Feature scale",
        "every feature is multiplied by this", experiment::FieldType::Real, 0, 100, 1.0, false, true) };
    reader.read = readNodeList;
    data::registerReader(reader);
    experiment::DatasetInfo kind;
    kind.name = "nodes";
    kind.label = "Node list";
    kind.help = "one graph from a node-list text file";
    kind.reader = "nodelist";
    kind.nodeLevel = true;
    kind.tasks = { "node_classification" };
    experiment::Catalog::registerDataset(kind);
}

/// Two classes of 6 nodes on a ring; features say the class with some noise.
std::string nodeList()
{
    std::string s = "# two classes on a ring\n";
    for (int i = 0; i < 12; ++i)
        s += "node " + std::to_string(i) + " " + std::to_string(i / 6) + " " + (i / 6 ? "0.2 0.9" : "0.8 0.1") + "\n";
    for (int i = 0; i < 12; ++i)
        s += "edge " + std::to_string(i) + " " + std::to_string((i + 1) % 12) + "\n";
    return s;
}

std::string experimentText(const std::string& path)
{
    return "name: nodes-test\n"
           "dataset:\n"
           "  name: nodes\n"
           "  path: "
        + path
        + "\n"
          "  split: random\n"
          "  val_size: 3\n"
          "  test_size: 3\n"
          "  normalize_features: false\n"
          "  feature_scale: 2\n"
          "model: {arch: gcn, hidden: 4, layers: 2}\n"
          "train: {epochs: 3, seeds: [0], threads: 1}\n";
}

} // namespace

class ToyReaderTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { registerNodeList(); }
    void cleanupTestCase()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, data::unregisterReader("nodelist")); // a dataset uses it
        experiment::Catalog::unregisterDataset("nodes");
        data::unregisterReader("nodelist");
        QVERIFY(!experiment::reader("nodelist"));
        QVERIFY(!experiment::Catalog::dataset("nodes"));
    }

    void readsWithItsKey()
    {
        QTemporaryDir dir;
        const std::string file = write(dir, "ring.txt", nodeList());
        auto c = experiment::parseExperiment(experimentText(file), "nodes.yaml");
        QCOMPARE(c.dataset.options.at("feature_scale"), 2.0);
        const auto ds = data::DatasetRegistry::load(c.dataset);
        QCOMPARE(ds.graphs.size(), size_t(1));
        QCOMPARE(ds.graphs[0].numNodes, int64_t(12));
        QCOMPARE(ds.stats().numUndirectedEdges, int64_t(12));
        QCOMPARE(ds.numClasses, int64_t(2));
        QCOMPARE(ds.graphs[0].x[0][0].item<float>(), 1.6f); // 0.8 x 2
        // Written out and loaded back the same.
        QVERIFY(experiment::toYaml(c).find("feature_scale: 2") != std::string::npos);
        const auto back = experiment::parseExperiment(experiment::toYaml(c), "back");
        QCOMPARE(back.dataset.options, c.dataset.options);
        QCOMPARE(experiment::toYaml(back), experiment::toYaml(c));
    }

    void refusesKeysThatCollide()
    {
        auto refusal = [](const std::string& key) {
            data::ReaderEntry other;
            other.info.name = "other";
            other.info.pathHelp = "a file";
            other.info.keys = { experiment::optionKey<experiment::DatasetConfig>(
                key, key, key, experiment::FieldType::Int, 0, 10, 1) };
            other.read = readNodeList;
            return QString::fromStdString(
                gsq::test::messageOf<std::invalid_argument>([&] { data::registerReader(other); }));
        };
        QCOMPARE(refusal("feature_scale"),
            QString("dataset reader 'other': key 'feature_scale' is already a key of reader nodelist"));
        QCOMPARE(refusal("folds"), QString("dataset reader 'other': key 'folds' is already a dataset key"));
        QVERIFY(!experiment::reader("other"));
    }

    void runsFromYamlInTheCli()
    {
        QTemporaryDir dir;
        const std::string file = write(dir, "ring.txt", nodeList());
        const std::string yaml = write(dir, "nodes.yaml", experimentText(file));
        const std::string out = dir.filePath("run").toStdString();
        const int before = reads;
        std::string err;
        QCOMPARE(cli({ "run", yaml, "--out", out, "--quiet" }, &err), 0);
        QVERIFY2(reads > before, err.c_str());
        QFile results(QString::fromStdString(out + "/results.csv"));
        QVERIFY(results.open(QIODevice::ReadOnly));
        const QStringList header = QString(results.readLine()).trimmed().split(',');
        const int dataset = header.indexOf("dataset"), stage = header.indexOf("stage");
        QVERIFY(dataset >= 0 && stage >= 0);
        const QStringList row = QString(results.readLine()).trimmed().split(',');
        QCOMPARE(row.value(dataset), QString("nodes"));
        QCOMPARE(row.value(stage), QString("base"));
        QVERIFY(results.atEnd());
    }

    void refusesABadLineWithItsNumber()
    {
        QTemporaryDir dir;
        const std::string file = write(dir, "bad.txt", nodeList() + "edge 3\n");
        const std::string yaml = write(dir, "nodes.yaml", experimentText(file));
        const std::string out = dir.filePath("run").toStdString();
        std::string err;
        QCOMPARE(cli({ "run", yaml, "--out", out, "--quiet" }, &err), 2);
        QCOMPARE(QString::fromStdString(err),
            QString::fromStdString("error: " + file + ":26: expected 'edge U V' between listed nodes\n"));
        for (const char* written : { "/results.csv", "/summary.csv", "/run.json", "/models" })
            QVERIFY2(!QFileInfo::exists(QString::fromStdString(out + written)), written);
    }

    void refusesItsKeyWhereItDoesNotFit()
    {
        QTemporaryDir dir;
        const std::string file = write(dir, "ring.txt", nodeList());
        std::string text = experimentText(file);
        const std::string zero
            = write(dir, "zero.yaml", std::string(text).replace(text.find("feature_scale: 2"), 16, "feature_scale: 0"));
        std::string err;
        QCOMPARE(cli({ "validate", zero }, &err), 2);
        QCOMPARE(QString::fromStdString(err),
            QString::fromStdString(
                "error: " + zero + ":9: key 'dataset.feature_scale': expected a number in (0, 100], found 0\n"));
        const std::string cora = write(
            dir, "cora.yaml", "dataset:\n  name: cora\n  feature_scale: 2\nmodel: {arch: gcn}\ntrain: {epochs: 1}\n");
        QCOMPARE(cli({ "validate", cora }, &err), 2);
        QCOMPARE(QString::fromStdString(err),
            QString::fromStdString("error: " + cora
                + ":3: key 'dataset.feature_scale': applies to datasets read by nodelist only; dataset cora is "
                  "not\n"));
    }

    void showsItsDatasetAndKeyInTheForm()
    {
        QTemporaryDir dir;
        const std::string file = write(dir, "ring.txt", nodeList());
        gsq::ui::ExperimentPanel panel;
        auto* combo = panel.datasetCombo();
        const int i = combo->findText("nodes");
        QVERIFY(i >= 0);
        QCOMPARE(
            combo->itemData(i, Qt::ToolTipRole).toString(), QString("Node list: one graph from a node-list text file"));
        QVERIFY(!panel.readerFields()->field("feature_scale"));
        combo->setCurrentIndex(i);
        QVERIFY(!panel.isValid()); // no bundled copy: the path is required
        QCOMPARE(panel.validationMessage(),
            QString("Path: dataset 'nodes' needs a path (text file of 'node ID LABEL F1 F2 ...' and 'edge U V' "
                    "lines)"));
        QCOMPARE(panel.pathEdit()->toolTip(), QString("Text file of 'node ID LABEL F1 F2 ...' and 'edge U V' lines"));
        auto* scale = qobject_cast<QDoubleSpinBox*>(panel.readerFields()->field("feature_scale"));
        QVERIFY(scale);
        QCOMPARE(scale->value(), 1.0);
        panel.pathEdit()->setText(QString::fromStdString(file));
        scale->setValue(3);
        QVERIFY2(panel.isValid(), qPrintable(panel.validationMessage()));
        QCOMPARE(panel.config().dataset.name, std::string("nodes"));
        QCOMPARE(panel.config().dataset.options.at("feature_scale"), 3.0);
        // Back to Cora: the key goes, and so does its value.
        combo->setCurrentIndex(combo->findText("cora"));
        QVERIFY(!panel.readerFields()->field("feature_scale"));
        panel.pathEdit()->clear();
        QVERIFY2(panel.isValid(), qPrintable(panel.validationMessage()));
        QVERIFY(panel.config().dataset.options.empty());
    }
};

QTEST_MAIN(ToyReaderTest)
#include "ToyReaderTest.moc"
