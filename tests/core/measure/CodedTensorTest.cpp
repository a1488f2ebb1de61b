// Tests core/measure/CodedTensor: length-limited canonical Huffman codes on random and
// adversarial streams, coded payloads (relative indices, fillers, per-row widths) bit for bit,
// every corruption the reader refuses, and coded tensors inside a .gsqm file.
#include "core/measure/CodedTensor.h"
#include "core/common/Error.h"

#include "TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <random>

using namespace gsq::core::measure;
using gsq::test::messageOf;

namespace {

/// Codes of a [rows, cols] weight with `zeros` of them 0, each row at bits[r].
QuantizedWeight weight(
    int64_t rows, int64_t cols, double zeros, std::vector<int> bits, uint64_t seed, CodeStorage storage)
{
    std::mt19937_64 rng(seed);
    QuantizedWeight q;
    q.values = torch::zeros({ rows, cols }, torch::kChar);
    auto* v = q.values.data_ptr<int8_t>();
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int64_t r = 0; r < rows; ++r) {
        const int qmax = (1 << (bits[static_cast<size_t>(r)] - 1)) - 1;
        for (int64_t j = 0; j < cols; ++j)
            if (unit(rng) >= zeros)
                v[r * cols + j]
                    = static_cast<int8_t>(std::clamp<long>(std::lround(normal(rng) * qmax / 3.0), -qmax, qmax));
    }
    q.scales = torch::rand({ rows }) + 0.01;
    q.bits = std::move(bits);
    q.storage = storage;
    return q;
}

coded::Decoded roundTrip(const QuantizedWeight& q)
{
    const std::string p = coded::encodePayload(q, q.storage);
    return coded::decodePayload(
        reinterpret_cast<const uint8_t*>(p.data()), p.size(), q.values.size(0), q.values.size(1));
}

std::string decodeError(const std::string& p, int64_t rows, int64_t cols)
{
    return messageOf<std::invalid_argument>(
        [&] { coded::decodePayload(reinterpret_cast<const uint8_t*>(p.data()), p.size(), rows, cols); });
}

template <class T> void put(std::string& out, T v)
{
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

/// A uniform 8-bit header (scale 1), then index bits, entropy flag and entry count.
std::string header(int indexBits, int huffman, uint32_t entries)
{
    std::string p;
    put<uint8_t>(p, 1);
    put<uint8_t>(p, 8);
    put<float>(p, 1.0f);
    put<uint8_t>(p, static_cast<uint8_t>(indexBits));
    put<uint8_t>(p, static_cast<uint8_t>(huffman));
    put<uint32_t>(p, entries);
    return p;
}

} // namespace

class CodedTensorTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void huffmanRoundTripsRandomStreams()
    {
        std::mt19937_64 rng(7);
        for (int trial = 0; trial < 20; ++trial) {
            const size_t alphabet = 1 + rng() % 256;
            std::vector<uint64_t> counts(alphabet);
            for (auto& c : counts)
                c = rng() % 3 == 0 ? 0 : rng() % 1000;
            counts[rng() % alphabet] += 1; // at least one symbol
            const auto lengths = coded::codeLengths(counts);
            uint64_t kraft = 0;
            for (size_t s = 0; s < alphabet; ++s) {
                QCOMPARE(lengths[s] != 0, counts[s] != 0);
                QVERIFY(lengths[s] <= coded::kMaxCodeLength);
                if (lengths[s])
                    kraft += uint64_t(1) << (coded::kMaxCodeLength - lengths[s]);
            }
            QVERIFY(kraft <= uint64_t(1) << coded::kMaxCodeLength);
            const coded::HuffmanCode code(lengths);
            std::vector<int> symbols;
            for (int k = 0; k < 500; ++k) {
                int s = static_cast<int>(rng() % alphabet);
                while (!counts[static_cast<size_t>(s)])
                    s = (s + 1) % static_cast<int>(alphabet);
                symbols.push_back(s);
            }
            coded::BitWriter w;
            for (int s : symbols)
                code.put(w, s);
            const std::string bytes = w.finish();
            coded::BitReader r(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
            for (int s : symbols)
                QCOMPARE(code.get(r), s);
        }
    }

    void huffmanLengthsAreLimitedOnAdversarialCounts()
    {
        // Fibonacci counts make the optimal code one level deeper per symbol: 40 symbols would
        // need 39 bits.
        std::vector<uint64_t> counts { 1, 1 };
        while (counts.size() < 40)
            counts.push_back(counts[counts.size() - 1] + counts[counts.size() - 2]);
        const auto optimal = coded::codeLengths(counts, 64);
        QCOMPARE(int(*std::max_element(optimal.begin(), optimal.end())), 39);
        const auto lengths = coded::codeLengths(counts);
        const int longest = *std::max_element(lengths.begin(), lengths.end());
        QVERIFY2(longest <= coded::kMaxCodeLength && longest > 8, qPrintable(QString::number(longest))); // not flat
        const coded::HuffmanCode code(lengths);
        coded::BitWriter w;
        for (int s = 0; s < 40; ++s)
            code.put(w, s);
        const std::string bytes = w.finish();
        coded::BitReader r(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        for (int s = 0; s < 40; ++s)
            QCOMPARE(code.get(r), s);
        // One symbol: one bit per occurrence.
        QCOMPARE(coded::codeLengths({ 0, 5, 0 }), (std::vector<uint8_t> { 0, 1, 0 }));
    }

    void huffmanRefusesBadTables()
    {
        QCOMPARE(messageOf<std::invalid_argument>([] {
            coded::HuffmanCode({ 1, 1, 1 });
        }),
            std::string("the Huffman code lengths are not a prefix code"));
        QCOMPARE(messageOf<std::invalid_argument>([] {
            coded::HuffmanCode({ 0, 0 });
        }),
            std::string("a Huffman table without symbols"));
        QCOMPARE(messageOf<std::invalid_argument>([] { coded::HuffmanCode({ 25 }); }),
            std::string("a Huffman code of 25 bits; at most 24 allowed"));
        // An incomplete code: "1..." is no symbol's code.
        const coded::HuffmanCode code({ 1 });
        const std::string ones(4, '\xff');
        coded::BitReader r(reinterpret_cast<const uint8_t*>(ones.data()), ones.size());
        QCOMPARE(messageOf<std::invalid_argument>([&] { code.get(r); }),
            std::string("the coded stream holds a bit pattern that is no Huffman code"));
        coded::BitReader empty(nullptr, 0);
        QCOMPARE(messageOf<std::invalid_argument>([&] { code.get(empty); }),
            std::string("the coded stream ends before its last value"));
    }

    void payloadsRoundTripBitForBit_data()
    {
        QTest::addColumn<double>("zeros");
        QTest::addColumn<bool>("mixedWidths");
        QTest::addColumn<bool>("huffman");
        for (double z : { 0.0, 0.5, 0.9, 0.995, 1.0 })
            for (bool mixed : { false, true })
                for (bool h : { false, true })
                    QTest::newRow(
                        qPrintable(QString("zeros %1%2%3").arg(z).arg(mixed ? " mixed" : "").arg(h ? " huffman" : "")))
                        << z << mixed << h;
    }

    void payloadsRoundTripBitForBit()
    {
        QFETCH(double, zeros);
        QFETCH(bool, mixedWidths);
        QFETCH(bool, huffman);
        const int64_t rows = 33, cols = 301;
        std::vector<int> bits(rows, 8);
        if (mixedWidths)
            for (int64_t r = 0; r < rows; ++r)
                bits[static_cast<size_t>(r)] = 2 + static_cast<int>(r % 7);
        const auto q = weight(rows, cols, zeros, bits, 11, huffman ? CodeStorage::Huffman : CodeStorage::Sparse);
        const auto d = roundTrip(q);
        QVERIFY(torch::equal(d.q.values, q.values));
        QVERIFY(torch::equal(d.q.scales, q.scales.to(torch::kFloat)));
        QCOMPARE(d.q.bits, bits);
        // One width with a scale per row (per-channel quantization) stores the width once.
        const std::string p = coded::encodePayload(q, q.storage);
        QCOMPARE(int(p[0]), mixedWidths ? 0 : 2);
        QCOMPARE(d.parts.front(),
            std::make_pair(std::string("header"), uint64_t(mixedWidths ? 1 + rows * 5 + 6 : 2 + rows * 4 + 6)));
        uint64_t total = 0;
        for (const auto& [name, bytes] : d.parts)
            total += bytes;
        QCOMPARE(total, static_cast<uint64_t>(std::llround(d.bitsPerValue * rows * cols / 8.0)));
    }

    void codebooksRoundTripBitForBit_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<double>("zeros");
        QTest::addColumn<bool>("extreme");
        QTest::addColumn<bool>("huffman");
        for (int b : { 2, 4, 8 })
            for (double z : { 0.0, 0.5, 0.95, 1.0 })
                for (bool extreme : { false, true })
                    for (bool h : { false, true })
                        QTest::newRow(qPrintable(QString("%1 bits zeros %2%3%4")
                                                     .arg(b)
                                                     .arg(z)
                                                     .arg(extreme ? " extreme" : "")
                                                     .arg(h ? " huffman" : "")))
                            << b << z << extreme << h;
    }

    /// Weight sharing's codes with their codebook (layout 3): random codes, and the adversarial
    /// stream of every non-zero code at the grid's ends (-qmax, +qmax alternating).
    void codebooksRoundTripBitForBit()
    {
        QFETCH(int, bits);
        QFETCH(double, zeros);
        QFETCH(bool, extreme);
        QFETCH(bool, huffman);
        const int64_t rows = 17, cols = 129;
        const int qmax = (1 << (bits - 1)) - 1;
        auto q = weight(
            rows, cols, zeros, std::vector<int>(rows, bits), 5, huffman ? CodeStorage::Huffman : CodeStorage::Sparse);
        if (extreme) {
            auto* v = q.values.data_ptr<int8_t>();
            for (int64_t i = 0; i < q.values.numel(); ++i)
                if (v[i] != 0)
                    v[i] = static_cast<int8_t>(i % 2 ? qmax : -qmax);
        }
        q.scales = torch::ones({ rows });
        q.codebook = torch::randn({ 2 * qmax + 1 });
        q.codebook[qmax] = 0;
        const auto d = roundTrip(q);
        QVERIFY(torch::equal(d.q.values, q.values));
        QVERIFY(torch::equal(d.q.codebook, q.codebook));
        QVERIFY(torch::equal(d.q.dequantized(), q.dequantized()));
        QCOMPARE(d.q.bits, std::vector<int>(rows, bits));
        const std::string p = coded::encodePayload(q, q.storage);
        QCOMPARE(int(p[0]), 3);
        QCOMPARE(d.parts.front(),
            std::make_pair(
                "header with a codebook of " + std::to_string(2 * qmax) + " values", uint64_t(2 + 2 * qmax * 4 + 6)));
    }

    void sparseCodesAreSmallerThanPacked()
    {
        // 8-bit codes of a 256 x 1433 weight (GCN-256's first layer), 90 % zeros: packed takes a
        // byte per value; relative indices take the non-zeros and a few bits each.
        const auto packed = uint64_t(256) * 1433;
        const auto sparse = weight(256, 1433, 0.9, std::vector<int>(256, 8), 3, CodeStorage::Sparse);
        const auto huffman = weight(256, 1433, 0.9, std::vector<int>(256, 8), 3, CodeStorage::Huffman);
        const auto s = coded::encodePayload(sparse, sparse.storage).size();
        const auto h = coded::encodePayload(huffman, huffman.storage).size();
        QVERIFY2(s * 4 < packed, qPrintable(QString::number(s)));
        QVERIFY2(h < s, qPrintable(QString("%1 vs %2").arg(h).arg(s)));
        // Dense codes: Sparse never loses more than its few header bytes against packed (it falls
        // back to every value in order), and Huffman, which tries the fixed forms too, never more
        // than Sparse.
        const auto dense = weight(64, 64, 0.0, std::vector<int>(64, 8), 5, CodeStorage::Sparse);
        QVERIFY(coded::encodePayload(dense, CodeStorage::Sparse).size() <= ModelFile::packedBytes(dense) + 6);
        QVERIFY(coded::encodePayload(dense, CodeStorage::Huffman).size()
            <= coded::encodePayload(dense, CodeStorage::Sparse).size());
    }

    void longGapsAreBridgedByZeros()
    {
        // One non-zero code at the end of 100000: with 8-bit indices, 390 stored zeros bridge the gap.
        QuantizedWeight q;
        q.values = torch::zeros({ 1, 100000 }, torch::kChar);
        q.values[0][99999] = 5;
        q.scales = torch::ones({ 1 });
        q.bits = { 8 };
        q.storage = CodeStorage::Sparse;
        const auto d = roundTrip(q);
        QVERIFY(torch::equal(d.q.values, q.values));
        QVERIFY(d.bitsPerValue < 0.5);
    }

    void corruptPayloadsAreRefused()
    {
        QCOMPARE(decodeError(std::string(3, '\0'), 1, 4), std::string("the coded payload ends inside its header"));
        QCOMPARE(decodeError(header(9, 0, 0), 1, 4), std::string("relative indices of 9 bits; 0 to 8 allowed"));
        QCOMPARE(decodeError(header(0, 2, 4), 1, 4), std::string("unknown entropy coding 2"));
        QCOMPARE(decodeError(header(0, 0, 3), 1, 4), std::string("stores 3 entries for a tensor of 4 values"));
        QCOMPARE(decodeError(header(2, 0, 5), 1, 4), std::string("stores 5 entries for a tensor of 4 values"));
        std::string layout = header(0, 0, 4);
        layout[0] = 4;
        QCOMPARE(decodeError(layout, 1, 4), std::string("unknown coded layout 4"));
        // Layout 3 (a codebook): its width first, then 2^b - 2 values.
        std::string book;
        put<uint8_t>(book, 3);
        put<uint8_t>(book, 9);
        QCOMPARE(decodeError(book, 1, 4), std::string("a codebook of 9-bit codes; 2 to 8 allowed"));
        book[1] = 2; // 2 values follow; one is missing
        put<float>(book, 0.5f);
        QCOMPARE(decodeError(book, 1, 4), std::string("the coded payload ends inside its header"));
        std::string width = header(0, 0, 4);
        width[1] = 9;
        QCOMPARE(decodeError(width, 1, 4), std::string("row 0 has 9 bits; coded rows hold 2 to 8"));
        // 2-bit gaps: gap 3, then gap 3 again points past a 4-value tensor.
        std::string past = header(2, 0, 2);
        coded::BitWriter w;
        w.put(3, 2);
        w.put(127 + 1, 8);
        w.put(3, 2);
        w.put(127 + 1, 8);
        past += w.finish();
        QCOMPARE(decodeError(past, 1, 4), std::string("an index points past the tensor's 4 values (entry 1)"));
        // 8-bit code 255 is beyond 2 * 127.
        std::string range = header(0, 0, 1);
        range += std::string(1, '\xff');
        QCOMPARE(decodeError(range, 1, 1), std::string("a code out of range in row 0"));
        std::string tail = header(0, 0, 1) + std::string(2, '\x7f');
        QCOMPARE(decodeError(tail, 1, 1), std::string("1 bytes left after the last coded value"));
        QCOMPARE(decodeError(header(0, 0, 1), 1, 1), std::string("the coded stream ends before its last value"));
        std::string table = header(0, 1, 1);
        put<uint16_t>(table, 1);
        put<uint8_t>(table, 7);
        put<uint8_t>(table, 30);
        QCOMPARE(decodeError(table, 1, 1), std::string("the code Huffman table has a bad entry (symbol 7, length 30)"));
        std::string none = header(0, 1, 1);
        put<uint16_t>(none, 0);
        QCOMPARE(decodeError(none, 1, 1), std::string("the code Huffman table lists 0 symbols; 1 to 256 expected"));
    }

    void codedTensorsInAModelFile()
    {
        torch::manual_seed(1);
        torch::nn::Linear lin(40, 30);
        torch::NoGradGuard guard;
        lin->weight.mul_((torch::rand(lin->weight.sizes()) < 0.2).to(torch::kFloat));
        auto scales = lin->weight.abs().amax(1).clamp_min(1e-6) / 127.0;
        QuantizedWeights qw;
        QuantizedWeight q;
        q.values = (lin->weight / scales.unsqueeze(1)).round().clamp(-127, 127).to(torch::kChar);
        q.scales = scales;
        q.bits.assign(30, 8);
        q.storage = CodeStorage::Huffman;
        qw.emplace("weight", q);
        const std::string bytes = ModelFile::encode(*lin, &qw);
        uint32_t version = 0;
        std::memcpy(&version, bytes.data() + 4, 4);
        QCOMPARE(version, 3u);
        auto stored = ModelFile::decode(bytes, "m.gsqm");
        QCOMPARE(stored[0].name, std::string("weight"));
        QCOMPARE(stored[0].encoding, Encoding::Coded);
        QVERIFY(torch::equal(stored[0].quantized.values, q.values));
        QVERIFY(torch::equal(stored[0].value, q.values.to(torch::kFloat) * q.scales.unsqueeze(1)));
        QCOMPARE(stored[0].parts.front().first, std::string("header"));
        // The same weights packed: a version 2 file, as before coded tensors existed.
        qw.at("weight").storage = CodeStorage::Packed;
        const std::string packed = ModelFile::encode(*lin, &qw);
        std::memcpy(&version, packed.data() + 4, 4);
        QCOMPARE(version, 2u);
        QVERIFY(bytes.size() < packed.size());
        // A coded tensor in a version 2 file, and a corrupt stream, are refused with the file's name.
        std::string older = bytes;
        older[4] = 2;
        const uint32_t crc = crc32(older.data(), older.size() - 4);
        std::memcpy(&older[older.size() - 4], &crc, 4);
        QCOMPARE(messageOf<gsq::core::InputError>([&] { ModelFile::decode(older, "m.gsqm"); }),
            std::string("m.gsqm: tensor 'weight': unknown encoding 4"));
        std::string corrupt = bytes;
        const size_t at = 4 + 4 + 4 + 2 + 6 + 1 + 1 + 8 + 4; // the first byte of weight's payload: its layout
        corrupt[at] = 7;
        const uint32_t crc2 = crc32(corrupt.data(), corrupt.size() - 4);
        std::memcpy(&corrupt[corrupt.size() - 4], &crc2, 4);
        QCOMPARE(messageOf<gsq::core::InputError>([&] { ModelFile::decode(corrupt, "m.gsqm"); }),
            std::string("m.gsqm: tensor 'weight': unknown coded layout 7"));
    }
};

QTEST_GUILESS_MAIN(CodedTensorTest)
#include "CodedTensorTest.moc"
