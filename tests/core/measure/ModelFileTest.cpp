// Tests core/measure: the .gsqm model file (encodings, exact round trip, every corruption
// path), counted sizes, and the pickle export.
#include "core/measure/ModelFile.h"
#include "core/common/Error.h"
#include "core/measure/ModelStats.h"

#include "TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

using namespace gsq::core;
using namespace gsq::core::measure;
using gsq::test::messageOf;

namespace {
std::shared_ptr<torch::nn::Sequential> model(double keep)
{
    torch::manual_seed(4);
    auto m = std::make_shared<torch::nn::Sequential>(
        torch::nn::Linear(64, 32), torch::nn::ReLU(), torch::nn::BatchNorm1d(32), torch::nn::Linear(32, 3));
    torch::NoGradGuard g;
    for (auto& p : (*m)->parameters())
        if (p.dim() > 1)
            p.mul_((torch::rand(p.sizes()) < keep).to(torch::kFloat));
    return m;
}
} // namespace

class ModelFileTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void crc32MatchesZlib() { QCOMPARE(crc32("123456789", 9), 0xCBF43926u); }

    void encodingSizes()
    {
        auto t = torch::zeros({ 10, 100 });
        t[0][0] = 1;
        t[9][99] = 2;
        QCOMPARE(ModelFile::denseBytes(t), uint64_t(4000));
        QCOMPARE(ModelFile::csrBytes(t), uint64_t(8 + 11 * 4 + 2 * 6));
        QCOMPARE(ModelFile::bitmaskBytes(t), uint64_t(8 + 125 + 2 * 4));
    }

    void prunedModelRoundTripsExactly()
    {
        QTemporaryDir d;
        for (double keep : { 1.0, 0.5, 0.02 }) {
            auto m = model(keep);
            (*m)->eval();
            auto x = torch::randn({ 8, 64 });
            auto before = (*m)->forward(x);
            const std::string path = d.filePath("m.gsqm").toStdString();
            const auto bytes = ModelFile::save(**m, path);
            QCOMPARE(static_cast<int64_t>(bytes), QFileInfo(QString::fromStdString(path)).size());
            auto fresh = model(1.0); // different weights
            torch::NoGradGuard g;
            for (auto& p : (*fresh)->parameters())
                p.add_(1.0);
            ModelFile::load(**fresh, path);
            (*fresh)->eval();
            QVERIFY(torch::equal(before, (*fresh)->forward(x)));
            auto stored = ModelFile::read(path);
            QCOMPARE(stored.size(), size_t(9)); // 6 parameters + 3 BatchNorm buffers
            QCOMPARE(stored[0].name, std::string("0.weight"));
            const Encoding expected = keep == 1.0 ? Encoding::Dense : (keep == 0.5 ? Encoding::Bitmask : Encoding::Csr);
            QCOMPARE(static_cast<int>(stored[0].encoding), static_cast<int>(expected));
        }
    }

    void sizesExplainThemselves()
    {
        auto m = model(0.1);
        auto s = measureSizes(**m);
        const int64_t total = 64 * 32 + 32 + 32 + 32 + 32 * 3 + 3;
        QCOMPARE(s.totalParams, total);
        QCOMPARE(s.denseBytes, (total + 32 + 32 + 1) * 4); // + running mean, var, num_batches_tracked
        QVERIFY(s.theoreticalBytes < s.denseBytes);
        QVERIFY(s.diskBytes > s.theoreticalBytes); // indices and headers cost something
        QVERIFY(s.diskBytes < s.denseBytes / 3);
        QCOMPARE(s.diskBytes, static_cast<int64_t>(ModelFile::encode(**m).size()));
    }

    void corruptFilesAreRejected()
    {
        auto m = model(0.5);
        const std::string good = ModelFile::encode(**m);
        auto err = [](const std::string& bytes) {
            return messageOf<InputError>([&] { ModelFile::decode(bytes, "m.gsqm"); });
        };
        std::string magic = good;
        magic[0] = 'X';
        QCOMPARE(err(magic), std::string("m.gsqm: not a GraphSqueeze model file (expected magic 'GSQM')"));
        std::string version = good;
        version[4] = 9;
        QCOMPARE(
            err(version), std::string("m.gsqm: unsupported model file version 9 (this build reads versions 1 to 3)"));
        std::string flipped = good;
        flipped[good.size() / 2] ^= 0x40;
        QCOMPARE(err(flipped), std::string("m.gsqm: checksum mismatch: the model file is corrupt or truncated"));
        QCOMPARE(err(good.substr(0, good.size() - 100)),
            std::string("m.gsqm: checksum mismatch: the model file is corrupt or truncated"));
        QCOMPARE(err(good.substr(0, 10)), std::string("m.gsqm: truncated model file: 10 bytes"));
        // A truncated body with a recomputed checksum still fails cleanly.
        std::string cut = good.substr(0, 40);
        const uint32_t crc = crc32(cut.data(), cut.size());
        cut.append(reinterpret_cast<const char*>(&crc), 4);
        QVERIFY(err(cut).rfind("m.gsqm: truncated model file: needs ", 0) == 0);
        // Hand-made version-2 files of one tensor 'w' [rows, cols] with `encoding`, the payload
        // written by `payload`, and a correct checksum.
        auto oneTensor = [](uint8_t encoding, uint32_t rows, uint32_t cols, const auto& payload) {
            std::string f("GSQM", 4);
            auto put = [&](auto v) { f.append(reinterpret_cast<const char*>(&v), sizeof v); };
            put(uint32_t(2));
            put(uint32_t(1)); // one tensor
            put(uint16_t(1));
            f += "w";
            put(encoding);
            put(uint8_t(2));
            put(rows);
            put(cols);
            put(uint32_t(0)); // payload bytes
            payload(put);
            put(crc32(f.data(), f.size()));
            return f;
        };
        // A header declaring more values than a tensor may hold is refused before allocating
        // (fuzzing found LibTorch's allocation error escaping).
        QCOMPARE(err(oneTensor(0, 65536, 65536, [](auto&) {})),
            std::string("m.gsqm: tensor 'w': shape too large (more than 268435456 values in one tensor)"));
        // CSR row pointers that decrease (one past nnz in the middle) are refused: fuzzing found
        // them reading beyond the column indices.
        const std::string csr = oneTensor(1, 2, 3, [](auto& put) {
            put(uint64_t(1)); // nnz
            for (uint32_t p : { 0u, 5u, 1u })
                put(p);
            put(uint16_t(0)); // the one column index
            put(1.0f);
        });
        QCOMPARE(err(csr), std::string("m.gsqm: tensor 'w': CSR row pointers must start at 0 and never decrease"));
        QCOMPARE(messageOf<InputError>([] { ModelFile::read("/nonexistent.gsqm"); }),
            std::string("/nonexistent.gsqm: file not found or not readable"));
    }

    void loadChecksShapes()
    {
        QTemporaryDir d;
        const std::string path = d.filePath("m.gsqm").toStdString();
        auto m = model(1.0);
        ModelFile::save(**m, path);
        auto other = std::make_shared<torch::nn::Sequential>(torch::nn::Linear(64, 16));
        QCOMPARE(messageOf<InputError>([&] { ModelFile::load(**other, path); }),
            path + ": tensor '0.weight' has shape [32, 64], the model expects [16, 64]");
    }

    void pygNamesPerLayerType()
    {
        const std::vector<std::string> names { "stack.conv0.weight", "stack.conv0.bias",
            "stack.conv1.weight_neighbours", "stack.conv1.weight_root", "stack.conv1.bias", "stack.conv2.eps",
            "stack.conv2.lin1.weight", "stack.conv2.lin2.bias", "stack.conv2.norm.running_var",
            "stack.conv2.norm.bn_scale", "stack.conv3.weight", "stack.conv3.lin.weight", "stack.conv4.weight",
            "stack.conv4.att_src", "head1.weight", "conv0.weight" };
        std::vector<std::string> mapped;
        for (const auto& n : names)
            mapped.push_back(ModelFile::pygName(n, names));
        QCOMPARE(mapped,
            (std::vector<std::string> { "convs.0.lin.weight", "convs.0.bias", "convs.1.lin_l.weight",
                "convs.1.lin_r.weight", "convs.1.lin_l.bias", "convs.2.eps", "convs.2.nn.0.weight", "convs.2.nn.2.bias",
                "convs.2.nn.4.running_var", "stack.conv2.norm.bn_scale", "convs.3.weight", "convs.3.lin.weight",
                "convs.4.lin.weight", "convs.4.att_src", "head1.weight", "conv0.weight" }));
    }

    void torchExportCarriesCodesOfQuantizedWeights()
    {
        QTemporaryDir d;
        auto m = model(0.5);
        // Quantize the first weight at 4 bits, one scale per row.
        auto w = (*m)->named_parameters()["0.weight"].detach();
        QuantizedWeights q;
        QuantizedWeight qw;
        qw.scales = (w.abs().amax(1) / 7).clamp_min(1e-8).contiguous();
        qw.values = (w / qw.scales.unsqueeze(1)).round().clamp(-7, 7).to(torch::kChar).contiguous();
        qw.bits.assign(static_cast<size_t>(w.size(0)), 4);
        q.emplace("0.weight", qw);
        const std::string file = d.filePath("q.gsqm").toStdString(), out = d.filePath("q.pt").toStdString();
        ModelFile::save(**m, file, &q);
        const auto stored = ModelFile::read(file);
        ModelFile::exportTorch(stored, out, true);
        QFile f(QString::fromStdString(out));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray raw = f.readAll();
        auto dict = torch::pickle_load(std::vector<char>(raw.begin(), raw.end())).toGenericDict();
        QCOMPARE(dict.size(), stored.size() + 3); // every tensor, and codes/scales/bits of the quantized one
        auto codes = dict.at("0.weight.int_codes").toTensor();
        QVERIFY(torch::equal(codes, qw.values));
        QCOMPARE(dict.at("0.weight.bits").toTensor().sum().item<int64_t>(), int64_t(4 * w.size(0)));
        auto value = dict.at("0.weight").toTensor();
        QVERIFY(torch::allclose(value, codes.to(torch::kFloat) * dict.at("0.weight.scales").toTensor().unsqueeze(1)));
        // Pruned zeros are kept in the dense export.
        auto pruned = dict.at("3.weight").toTensor();
        QVERIFY(pruned.eq(0).sum().item<int64_t>() > 0);
        QVERIFY(torch::equal(pruned, (*m)->named_parameters()["3.weight"]));
    }
};

QTEST_GUILESS_MAIN(ModelFileTest)
#include "ModelFileTest.moc"
