// An architecture added from outside core/, in this one file: a layer that mixes each node's own
// transformed features with the mean of its neighbours', x'_i = (1 - mix) W x_i + mix mean_j W x_j
// + b, with `mix` a model key of its own. Registered here, it runs from YAML through the real
// command line (in-process), pruned and quantized like any built-in one; the memory pre-flight
// counts it from its entry; its key is refused with a line when out of range or given to another
// architecture; and the app's form shows the key when the architecture is chosen.
#include "core/common/Error.h"
#include "core/experiment/Architecture.h"
#include "core/experiment/ConfigYaml.h"
#include "core/measure/ModelFile.h"
#include "core/models/Architecture.h"
#include "core/models/ModelFactory.h"
#include "core/models/Models.h"
#include "core/nn/functional/MessagePassing.h"
#include "core/session/MemoryPreflight.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/panels/KeyFields.h"

#include "../TestSupport.h"
#include "CliInProcess.h"

#include <torch/torch.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace gsq::core;
using gsq::test::cli;
using gsq::test::write;

namespace {

class MixConvImpl : public torch::nn::Cloneable<MixConvImpl>, public nn::MessagePassingLayer {
public:
    static inline int built = 0; ///< layers made (every model the run builds)
    static inline double lastMix = -1;

    MixConvImpl(int64_t in, int64_t out, double mix)
        : m_in(in)
        , m_out(out)
        , m_mix(mix)
    {
        ++built;
        lastMix = mix;
        reset();
    }
    void reset() override
    {
        const double bound = 1.0 / std::sqrt(static_cast<double>(m_in));
        weight = register_parameter("weight", torch::empty({ m_out, m_in }).uniform_(-bound, bound));
        gate = register_parameter("gate", torch::ones({ m_out }));
        bias = register_parameter("bias", torch::zeros({ m_out }));
    }
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor&) override
    {
        nn::functional::checkInputs("MixConv", x, edgeIndex, m_in);
        const auto& q = m_quantHook;
        auto h = nn::functional::linear(q.act("input", x), q.weight("weight", weight), {});
        auto mean = nn::functional::propagateMean(edgeIndex, h, x.size(0));
        return q.act("output", ((1 - m_mix) * h + m_mix * mean) * gate + bias);
    }
    int64_t outChannels() const override { return m_out; }

    at::Tensor weight, gate, bias; ///< [out, in]; a learned scale per output channel; [out]

private:
    int64_t m_in, m_out;
    double m_mix;
};

void registerMix()
{
    models::ArchitectureEntry e;
    e.info.name = "mix";
    e.info.label = "Mix";
    e.info.help = "own features mixed with the neighbours' mean by a fixed share";
    e.info.keys = { experiment::optionKey<experiment::ModelConfig>("mix", "Neighbour share",
        "share of the neighbours' mean in each node's new features", experiment::FieldType::Real, 0, 1, 0.5) };
    e.info.layerCount = [](const experiment::ModelConfig&, double in, double out, bool) {
        return experiment::LayerCount { in * out + 2 * out }; // weight, gate, bias
    };
    e.layers = [](const experiment::ModelConfig& m, bool) -> models::LayerFactory {
        const double share = m.options.at("mix");
        return [share](int, int64_t in, int64_t out, bool) -> std::shared_ptr<torch::nn::Module> {
            return std::make_shared<MixConvImpl>(in, out, share);
        };
    };
    models::registerArchitecture(e);
}

const char* kExperiment = R"(name: mix-test
dataset: {name: cora, task: node_classification, split: public}
model:
  arch: mix
  hidden: 16
  mix: 0.25
train: {epochs: 5, seeds: [0], threads: 1}
compression:
  - prune:
      method: finegrained
      sparsity: 0.5
      finetune_epochs: 2
  - quantize:
      method: qat
      bits: 8
      epochs: 2
)";

std::string readAll(const std::string& path)
{
    QFile f(QString::fromStdString(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll().toStdString() : std::string();
}

} // namespace

class ToyArchitectureTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { registerMix(); }
    void cleanupTestCase()
    {
        models::unregisterArchitecture("mix");
        QVERIFY(!experiment::architecture("mix"));
        QVERIFY(!models::findArchitecture("mix"));
    }

    void runsFromYamlInTheCli()
    {
        QTemporaryDir dir;
        const std::string file = write(dir, "mix.yaml", kExperiment);
        const std::string out = dir.filePath("run").toStdString();
        std::string err;
        QCOMPARE(cli({ "run", file, "--out", out, "--quiet" }, &err), 0);
        QVERIFY2(MixConvImpl::built >= 2, err.c_str());
        QCOMPARE(MixConvImpl::lastMix, 0.25);
        // The run's record says what ran, its own key included.
        QVERIFY(readAll(out + "/run.json").find("mix: 0.25") != std::string::npos);

        QFile results(QString::fromStdString(out + "/results.csv"));
        QVERIFY(results.open(QIODevice::ReadOnly));
        const QStringList header = QString(results.readLine()).trimmed().split(',');
        const int method = header.indexOf("method"), stage = header.indexOf("stage");
        QVERIFY(method >= 0 && stage >= 0);
        QStringList stages;
        while (!results.atEnd()) {
            const QStringList cells = QString(results.readLine()).trimmed().split(',');
            stages << cells.value(method) + "/" + cells.value(stage);
        }
        QCOMPARE(stages.count("finegrained/finetuned"), 1);
        QCOMPARE(stages.count("qat/quantized"), 1);

        // Pruned and quantized like a built-in layer: both weights as 8-bit codes, half of each zero.
        int packed = 0;
        for (const auto& t : measure::ModelFile::read(out + "/models/qat-bits_8-quantized.gsqm"))
            if (t.encoding == measure::Encoding::Packed) {
                ++packed;
                QCOMPARE(t.bits, 8.0);
            }
        QCOMPARE(packed, 2);
        auto pruned = measure::ModelFile::read(out + "/models/finegrained-sparsity_0.5-finetuned.gsqm");
        int halfZero = 0;
        for (const auto& t : pruned)
            if (t.name.find("weight") != std::string::npos) {
                const auto& values = t.value;
                QCOMPARE(values.eq(0).sum().item<int64_t>(), values.numel() / 2);
                ++halfZero;
            }
        QCOMPARE(halfZero, 2);
    }

    void preflightCountsItFromItsEntry()
    {
        auto c = experiment::parseExperiment("model: {arch: mix, hidden: 16, layers: 2}\n", "mix");
        data::DatasetStats cora;
        cora.numNodes = 2708;
        cora.numUndirectedEdges = 5278;
        cora.numFeatures = 1433;
        cora.numClasses = 7;
        auto model = models::ModelFactory::nodeClassifier(c.model, 1433, 7);
        int64_t params = 0;
        for (const auto& p : model->parameters())
            params += p.numel();
        QCOMPARE(params, int64_t(1433 * 16 + 2 * 16 + 16 * 7 + 2 * 7)); // not GCN's count
        QCOMPARE(session::estimateMemory(c, cora).parameters, params);
        // Its default is written out (the file says what runs), and what is written loads back.
        const std::string yaml = experiment::toYaml(c);
        QVERIFY(yaml.find("mix: 0.5") != std::string::npos);
        c.model.options["mix"] = 0.375;
        const auto back = experiment::parseExperiment(experiment::toYaml(c), "back");
        QCOMPARE(back.model.options, c.model.options);
        QCOMPARE(experiment::toYaml(back), experiment::toYaml(c));
        // A value set in code is checked as a file's would be.
        c.model.options["mix"] = 1.5;
        QCOMPARE(QString::fromStdString(gsq::test::messageOf<InputError>([&] { experiment::resolveDefaults(c); })),
            QString("mix: key 'model.mix': expected a number in [0, 1]"));
    }

    void refusesKeysThatCollide()
    {
        auto entry = [](const std::string& name, const std::string& key, double lo, double hi, double def) {
            models::ArchitectureEntry e;
            e.info.name = name;
            e.info.keys = { experiment::optionKey<experiment::ModelConfig>(
                key, key, key, experiment::FieldType::Real, lo, hi, def) };
            e.info.layerCount = [](const experiment::ModelConfig&, double in, double out, bool) {
                return experiment::LayerCount { in * out + out };
            };
            e.layers = [](const experiment::ModelConfig&, bool) -> models::LayerFactory { return {}; };
            return e;
        };
        auto refusal = [](const models::ArchitectureEntry& e) {
            return QString::fromStdString(
                gsq::test::messageOf<std::invalid_argument>([&] { models::registerArchitecture(e); }));
        };
        QCOMPARE(refusal(entry("other", "mix", 0, 1, 0.5)),
            QString("architecture 'other': key 'mix' is already a key of architecture mix"));
        QCOMPARE(refusal(entry("other", "heads", 1, 64, 8)),
            QString("architecture 'other': key 'heads' is already a key of architecture gat"));
        QCOMPARE(refusal(entry("other", "hidden", 1, 64, 8)),
            QString("architecture 'other': key 'hidden' is a model key every architecture shares"));
        QCOMPARE(refusal(entry("other", "share", 0, 1, 2)),
            QString("architecture 'other': key 'share': its default does not fit its own range (expected a number "
                    "in [0, 1])"));
        QCOMPARE(refusal(entry("gcn", "share", 0, 1, 0.5)), QString("the architecture 'gcn' is built in"));
        QVERIFY(!experiment::architecture("other"));
        QCOMPARE(experiment::architecture("gcn")->label, std::string("GCN"));
    }

    void refusesItsKeyWhereItDoesNotFit()
    {
        QTemporaryDir dir;
        std::string text = kExperiment;
        std::string err;
        const std::string high
            = write(dir, "high.yaml", std::string(text).replace(text.find("mix: 0.25"), 9, "mix: 2"));
        QCOMPARE(cli({ "validate", high }, &err), 2);
        QCOMPARE(QString::fromStdString(err),
            QString::fromStdString("error: " + high + ":6: key 'model.mix': expected a number in [0, 1], found 2\n"));
        const std::string other
            = write(dir, "other.yaml", std::string(text).replace(text.find("arch: mix"), 9, "arch: gcn"));
        QCOMPARE(cli({ "validate", other }, &err), 2);
        QCOMPARE(QString::fromStdString(err),
            QString::fromStdString(
                "error: " + other + ":6: key 'model.mix': applies to architecture mix only; this model is gcn\n"));
        // Without a maker nothing is registered.
        models::ArchitectureEntry makerless;
        makerless.info.name = "makerless";
        makerless.info.layerCount
            = [](const experiment::ModelConfig&, double, double, bool) { return experiment::LayerCount {}; };
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, models::registerArchitecture(makerless));
        QVERIFY(!experiment::architecture("makerless"));
    }

    void showsItsKeyInTheForm()
    {
        gsq::ui::ExperimentPanel panel;
        auto* combo = panel.archCombo();
        const int i = combo->findText("mix");
        QVERIFY(i >= 0);
        QVERIFY(!panel.architectureFields()->field("mix"));
        combo->setCurrentIndex(i);
        auto* spin = qobject_cast<QDoubleSpinBox*>(panel.architectureFields()->field("mix"));
        QVERIFY(spin);
        QCOMPARE(spin->value(), 0.5);
        QCOMPARE(spin->toolTip(), QString("share of the neighbours' mean in each node's new features (model.mix)"));
        spin->setValue(0.75);
        QVERIFY2(panel.isValid(), qPrintable(panel.validationMessage()));
        QCOMPARE(panel.config().model.arch, std::string("mix"));
        QCOMPARE(panel.config().model.options.at("mix"), 0.75);
        // Another architecture: the key goes, and so does its value.
        combo->setCurrentIndex(combo->findText("gcn"));
        QVERIFY(!panel.architectureFields()->field("mix"));
        QVERIFY(panel.isValid());
        QVERIFY(panel.config().model.options.empty());
        // Back again: the edit is still there.
        combo->setCurrentIndex(i);
        spin = qobject_cast<QDoubleSpinBox*>(panel.architectureFields()->field("mix"));
        QVERIFY(spin);
        QCOMPARE(spin->value(), 0.75);
        QVERIFY(panel.isValid());
        QCOMPARE(panel.config().model.options.at("mix"), 0.75);
    }
};

QTEST_MAIN(ToyArchitectureTest)
#include "ToyArchitectureTest.moc"
