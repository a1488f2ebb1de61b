// A quantize method added from outside core/, in this one file: pseudo-quantization noise. While
// training, each weight gets uniform noise of one grid step, U(-s/2, s/2) (the smooth stand-in
// for rounding DiffQ trains with; Défossez et al., 2021); in evaluation and in the model file it
// is the plain fixed-width grid of qat. Registered here, it runs from YAML through the real
// command line (in-process), its file is refused with a line when it uses a key it does not take,
// and the app's form offers it with its own keys only.
#include "core/experiment/Catalog.h"
#include "core/measure/ModelFile.h"
#include "core/quantization/UniformQuant.h"
#include "ui/panels/ExperimentPanel.h"

#include "CliInProcess.h"

#include <torch/torch.h>

#include <QComboBox>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace gsq::core;
using experiment::StepKind;
using gsq::test::cli;
using gsq::test::write;

namespace {

class NoiseQuant : public quantization::UniformQuant {
public:
    using UniformQuant::UniformQuant;
    static inline int noisyPasses = 0; ///< training forward passes through a weight
    static inline double largestNoise = 0; ///< max |noise| / s seen

    at::Tensor weight(quantization::WeightPoint& p, const at::Tensor& w) override
    {
        if (!m_state.training() || m_state.calibrating())
            return UniformQuant::weight(p, w);
        auto w2 = w.reshape({ p.rows, p.cols });
        auto s = weightScales(p, w).unsqueeze(1);
        auto noise = (torch::rand_like(w2) - 0.5) * s;
        ++noisyPasses;
        largestNoise = std::max(largestNoise, (noise.abs() / s).max().item<double>());
        return (w2 + noise).reshape(w.sizes());
    }
};

void registerNoise()
{
    experiment::MethodInfo info;
    info.kind = StepKind::Quantize;
    info.name = "noise";
    info.label = "Pseudo-quantization noise";
    info.help = "uniform noise of one grid step on the weights while training; the grid in evaluation";
    info.keys = { "bits", "epochs", "lr", "targets", "activations" };
    info.collapseAdvice = "use more bits";
    quantization::registerQuantMethod(
        info, [](const experiment::QuantSpec& spec, quantization::QuantState& state, uint64_t) {
            return std::make_unique<NoiseQuant>(spec, state);
        });
}

const char* kExperiment = R"(name: noise-test
dataset: {name: cora, task: node_classification, split: public}
model: {arch: gcn, hidden: 16, layers: 2}
train: {epochs: 5, seeds: [0], threads: 1}
compression:
  - quantize:
      method: noise
      bits: 4
      epochs: 3
)";

} // namespace

class NoiseQuantizerTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { registerNoise(); }
    void cleanupTestCase() { quantization::unregisterQuantMethod("noise"); }

    void runsFromYamlInTheCli()
    {
        QTemporaryDir dir;
        const std::string file = write(dir, "noise.yaml", kExperiment);
        const std::string out = dir.filePath("run").toStdString();
        std::string err;
        QCOMPARE(cli({ "run", file, "--out", out, "--quiet" }, &err), 0);
        // 3 epochs of one full-graph batch through the GCN's 2 weights; none while evaluating.
        QCOMPARE(NoiseQuant::noisyPasses, 3 * 2);
        QVERIFY(NoiseQuant::largestNoise > 0.25 && NoiseQuant::largestNoise <= 0.5);

        QFile results(QString::fromStdString(out + "/results.csv"));
        QVERIFY(results.open(QIODevice::ReadOnly));
        const QStringList header = QString(results.readLine()).trimmed().split(',');
        const int method = header.indexOf("method"), setting = header.indexOf("setting"),
                  stage = header.indexOf("stage"), bits = header.indexOf("bits");
        QVERIFY(method >= 0 && setting >= 0 && stage >= 0 && bits >= 0);
        int rows = 0;
        while (!results.atEnd()) {
            const QStringList cells = QString(results.readLine()).trimmed().split(',');
            if (cells.value(method) != "noise")
                continue;
            ++rows;
            QCOMPARE(cells.value(setting), QString("bits=4"));
            QCOMPARE(cells.value(stage), QString("quantized"));
            QCOMPARE(cells.value(bits).toDouble(), 4.0);
        }
        QCOMPARE(rows, 1);

        // Its model file holds both GCN weights as 4-bit integer codes.
        int packed = 0;
        for (const auto& t : measure::ModelFile::read(out + "/models/noise-bits_4-quantized.gsqm"))
            if (t.encoding == measure::Encoding::Packed) {
                ++packed;
                QCOMPARE(t.bits, 4.0);
            }
        QCOMPARE(packed, 2);
    }

    void refusesAKeyItDoesNotTake()
    {
        QTemporaryDir dir;
        const std::string file = write(dir, "bad.yaml", std::string(kExperiment) + "      penalty: 0.5\n");
        std::string err;
        QCOMPARE(cli({ "validate", file }, &err), 2);
        QCOMPARE(QString::fromStdString(err),
            QString::fromStdString("error: " + file
                + ":10: key 'compression[0].quantize.penalty': does not apply to method noise; it applies to method "
                  "a2q only\n"));
        // A key no method takes is listed against the noise method's own keys.
        const std::string unknown = write(dir, "unknown.yaml", std::string(kExperiment) + "      sparkle: 1\n");
        QCOMPARE(cli({ "validate", unknown }, &err), 2);
        QVERIFY2(err.find("valid keys for quantize method noise are: method, bits, epochs, lr, targets, activations, "
                          "name, from")
                != std::string::npos,
            err.c_str());
    }

    void showsItsKeysInTheForm()
    {
        gsq::ui::ExperimentPanel panel;
        panel.addStep(StepKind::Quantize, "qat");
        auto* combo = panel.stepEditor()->methodCombo();
        const int i = combo->findText("noise");
        QVERIFY(i >= 0);
        QCOMPARE(combo->itemData(i, Qt::ToolTipRole).toString(),
            QString("Pseudo-quantization noise: uniform noise of one grid step on the weights while training; the "
                    "grid in evaluation"));
        combo->setCurrentIndex(i);
        QVERIFY(panel.isValid());
        for (const char* key : { "bits", "epochs", "lr", "targets", "activations" })
            QVERIFY2(panel.stepEditor()->field(key), key);
        for (const char* key : { "penalty", "observer", "granularity", "protect_low" })
            QVERIFY2(!panel.stepEditor()->field(key), key);
        QCOMPARE(std::get<experiment::QuantSpec>(panel.config().steps.at(0)).method, std::string("noise"));
    }
};

QTEST_MAIN(NoiseQuantizerTest)
#include "NoiseQuantizerTest.moc"
