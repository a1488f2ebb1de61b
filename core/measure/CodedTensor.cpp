#include "core/measure/CodedTensor.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <queue>
#include <stdexcept>

namespace gsq::core::measure::coded {
namespace {

constexpr int kCodeAlphabet = 256; ///< Huffman symbol of a code v: v + 128

template <class T> void put(std::string& out, T v)
{
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

int qmaxOf(int bits)
{
    return (1 << (bits - 1)) - 1;
}

/// The stored entries of a tensor's codes (row-major): with `indexBits` 0 every value; else the
/// non-zero ones, each with the count of zeros before it, a gap wider than 2^indexBits - 1
/// bridged by a stored zero.
struct Entries {
    std::vector<uint32_t> gaps;
    std::vector<int> values;
    std::vector<int64_t> rows;
};

Entries entriesOf(const int8_t* v, int64_t rows, int64_t cols, int indexBits)
{
    Entries e;
    const int64_t n = rows * cols;
    if (indexBits == 0) {
        for (int64_t i = 0; i < n; ++i) {
            e.gaps.push_back(0);
            e.values.push_back(v[i]);
            e.rows.push_back(i / cols);
        }
        return e;
    }
    const int64_t maxGap = (int64_t(1) << indexBits) - 1;
    int64_t last = -1;
    for (int64_t i = 0; i < n; ++i) {
        if (v[i] == 0)
            continue;
        while (i - last - 1 > maxGap) {
            last += maxGap + 1;
            e.gaps.push_back(static_cast<uint32_t>(maxGap));
            e.values.push_back(0);
            e.rows.push_back(last / cols);
        }
        e.gaps.push_back(static_cast<uint32_t>(i - last - 1));
        e.values.push_back(v[i]);
        e.rows.push_back(i / cols);
        last = i;
    }
    return e;
}

void putTable(std::string& out, const std::vector<uint8_t>& lengths)
{
    uint16_t n = 0;
    for (auto l : lengths)
        n += l ? 1 : 0;
    put<uint16_t>(out, n);
    for (size_t s = 0; s < lengths.size(); ++s)
        if (lengths[s]) {
            put<uint8_t>(out, static_cast<uint8_t>(s));
            put<uint8_t>(out, lengths[s]);
        }
}

/// One candidate payload: the common header, then the form's own fields and stream.
std::string payloadFor(
    const QuantizedWeight& q, const std::string& header, const Entries& e, int indexBits, bool huffman)
{
    std::string out = header;
    put<uint8_t>(out, static_cast<uint8_t>(indexBits));
    put<uint8_t>(out, huffman ? 1 : 0);
    put<uint32_t>(out, static_cast<uint32_t>(e.values.size()));
    BitWriter w;
    if (!huffman) {
        for (size_t k = 0; k < e.values.size(); ++k) {
            if (indexBits)
                w.put(e.gaps[k], indexBits);
            const int b = q.bits[static_cast<size_t>(e.rows[k])];
            w.put(static_cast<uint32_t>(e.values[k] + qmaxOf(b)), b);
        }
        return out + w.finish();
    }
    std::vector<uint64_t> gapCounts(size_t(1) << indexBits, 0), codeCounts(kCodeAlphabet, 0);
    for (size_t k = 0; k < e.values.size(); ++k) {
        ++gapCounts[e.gaps[k]];
        ++codeCounts[static_cast<size_t>(e.values[k] + 128)];
    }
    if (e.values.empty()) // no entry: empty tables would be no code at all; one symbol keeps them valid
        codeCounts[128] = gapCounts[0] = 1;
    const HuffmanCode gapCode(codeLengths(gapCounts)), valueCode(codeLengths(codeCounts));
    if (indexBits)
        putTable(out, gapCode.lengths());
    putTable(out, valueCode.lengths());
    for (size_t k = 0; k < e.values.size(); ++k) {
        if (indexBits)
            gapCode.put(w, static_cast<int>(e.gaps[k]));
        valueCode.put(w, e.values[k] + 128);
    }
    return out + w.finish();
}

/// Reads the fields of a payload with bounds checks.
class Reader {
public:
    Reader(const uint8_t* data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }
    template <class T> T get()
    {
        if (m_pos + sizeof(T) > m_size)
            throw std::invalid_argument("the coded payload ends inside its header");
        T v;
        std::memcpy(&v, m_data + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    size_t pos() const { return m_pos; }

private:
    const uint8_t* m_data;
    size_t m_size, m_pos = 0;
};

std::vector<uint8_t> readTable(Reader& r, size_t alphabet, const char* what)
{
    std::vector<uint8_t> lengths(alphabet, 0);
    const uint16_t n = r.get<uint16_t>();
    if (n == 0 || n > alphabet)
        throw std::invalid_argument(std::string("the ") + what + " Huffman table lists " + std::to_string(n)
            + " symbols; 1 to " + std::to_string(alphabet) + " expected");
    for (uint16_t k = 0; k < n; ++k) {
        const uint8_t symbol = r.get<uint8_t>(), length = r.get<uint8_t>();
        if (symbol >= alphabet || lengths[symbol] != 0 || length == 0 || length > kMaxCodeLength)
            throw std::invalid_argument(std::string("the ") + what + " Huffman table has a bad entry (symbol "
                + std::to_string(symbol) + ", length " + std::to_string(length) + ")");
        lengths[symbol] = length;
    }
    return lengths;
}

} // namespace

std::vector<uint8_t> codeLengths(const std::vector<uint64_t>& counts, int maxLength)
{
    std::vector<uint8_t> lengths(counts.size(), 0);
    std::vector<size_t> present;
    for (size_t i = 0; i < counts.size(); ++i)
        if (counts[i])
            present.push_back(i);
    if (present.size() == 1)
        lengths[present[0]] = 1;
    if (present.size() <= 1)
        return lengths;
    std::vector<uint64_t> weight;
    for (size_t i : present)
        weight.push_back(counts[i]);
    for (;;) {
        // Leaves 0 .. m-1, inner nodes after them; ties go to the lower node, so the code is the
        // same on every machine.
        using Item = std::pair<uint64_t, size_t>;
        std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
        std::vector<size_t> parent(2 * present.size() - 1, 0);
        for (size_t k = 0; k < present.size(); ++k)
            heap.push({ weight[k], k });
        size_t next = present.size();
        while (heap.size() > 1) {
            const auto a = heap.top();
            heap.pop();
            const auto b = heap.top();
            heap.pop();
            parent[a.second] = parent[b.second] = next;
            heap.push({ a.first + b.first, next++ });
        }
        int longest = 0;
        for (size_t k = 0; k < present.size(); ++k) {
            int depth = 0;
            for (size_t x = k; x != next - 1; x = parent[x])
                ++depth;
            lengths[present[k]] = static_cast<uint8_t>(std::min(depth, 255));
            longest = std::max(longest, depth);
        }
        if (longest <= maxLength)
            return lengths;
        for (auto& w : weight)
            w = (w + 1) / 2;
    }
}

void BitWriter::put(uint32_t value, int bits)
{
    m_acc |= static_cast<uint64_t>(value) << m_filled;
    m_filled += bits;
    m_bits += static_cast<uint64_t>(bits);
    while (m_filled >= 8) {
        m_out.push_back(static_cast<char>(m_acc & 0xFF));
        m_acc >>= 8;
        m_filled -= 8;
    }
}

std::string BitWriter::finish()
{
    if (m_filled > 0)
        m_out.push_back(static_cast<char>(m_acc & 0xFF));
    m_acc = 0;
    m_filled = 0;
    return std::move(m_out);
}

uint32_t BitReader::get(int bits)
{
    uint32_t v = 0;
    for (int k = 0; k < bits; ++k, ++m_pos) {
        if (m_pos >= static_cast<uint64_t>(m_size) * 8)
            throw std::invalid_argument("the coded stream ends before its last value");
        v |= static_cast<uint32_t>((m_data[m_pos / 8] >> (m_pos % 8)) & 1) << k;
    }
    return v;
}

HuffmanCode::HuffmanCode(std::vector<uint8_t> lengths)
    : m_lengths(std::move(lengths))
    , m_codes(m_lengths.size(), 0)
    , m_first(kMaxCodeLength + 1, 0)
    , m_count(kMaxCodeLength + 1, 0)
    , m_offset(kMaxCodeLength + 1, 0)
{
    uint64_t kraft = 0;
    for (auto l : m_lengths) {
        if (l > kMaxCodeLength)
            throw std::invalid_argument("a Huffman code of " + std::to_string(l) + " bits; at most "
                + std::to_string(kMaxCodeLength) + " allowed");
        if (l) {
            ++m_count[l];
            kraft += uint64_t(1) << (kMaxCodeLength - l);
        }
    }
    if (kraft == 0)
        throw std::invalid_argument("a Huffman table without symbols");
    if (kraft > (uint64_t(1) << kMaxCodeLength))
        throw std::invalid_argument("the Huffman code lengths are not a prefix code");
    uint32_t code = 0;
    uint32_t offset = 0;
    std::vector<uint32_t> next(kMaxCodeLength + 1, 0);
    for (int l = 1; l <= kMaxCodeLength; ++l) {
        code = (code + m_count[l - 1]) << 1;
        m_first[l] = next[l] = code;
        m_offset[l] = offset;
        offset += m_count[l];
    }
    for (int l = 1; l <= kMaxCodeLength; ++l)
        for (size_t s = 0; s < m_lengths.size(); ++s)
            if (m_lengths[s] == l) {
                m_sorted.push_back(static_cast<int>(s));
                m_codes[s] = next[l]++;
            }
}

void HuffmanCode::put(BitWriter& w, int symbol) const
{
    const int length = m_lengths.at(static_cast<size_t>(symbol));
    if (length == 0)
        throw std::logic_error("symbol " + std::to_string(symbol) + " has no Huffman code");
    const uint32_t code = m_codes[static_cast<size_t>(symbol)];
    for (int i = length - 1; i >= 0; --i) // most significant bit first: prefixes decide
        w.put((code >> i) & 1u, 1);
}

int HuffmanCode::get(BitReader& r) const
{
    uint32_t code = 0;
    for (int l = 1; l <= kMaxCodeLength; ++l) {
        code = (code << 1) | r.get(1);
        if (code >= m_first[static_cast<size_t>(l)] && code - m_first[static_cast<size_t>(l)] < m_count[l])
            return m_sorted[m_offset[static_cast<size_t>(l)] + (code - m_first[static_cast<size_t>(l)])];
    }
    throw std::invalid_argument("the coded stream holds a bit pattern that is no Huffman code");
}

std::string encodePayload(const QuantizedWeight& q, CodeStorage storage)
{
    if (storage == CodeStorage::Packed)
        throw std::logic_error("packed weights are not a coded form");
    const int64_t rows = static_cast<int64_t>(q.bits.size());
    const int64_t cols = rows ? q.values.numel() / rows : 0;
    auto values = q.values.to(torch::kChar).contiguous();
    auto scales = q.scales.to(torch::kFloat).contiguous();
    // Codes clamped to their row's grid, as the packed writer does.
    std::vector<int8_t> codes(static_cast<size_t>(rows * cols));
    const int8_t* iv = values.data_ptr<int8_t>();
    for (int64_t r = 0; r < rows; ++r) {
        const int m = qmaxOf(q.bits[static_cast<size_t>(r)]);
        for (int64_t j = 0; j < cols; ++j)
            codes[static_cast<size_t>(r * cols + j)] = static_cast<int8_t>(std::clamp<int>(iv[r * cols + j], -m, m));
    }
    const float* sv = scales.data_ptr<float>();
    bool sameBits = true, sameScale = true;
    for (int64_t r = 1; r < rows; ++r) {
        sameBits = sameBits && q.bits[static_cast<size_t>(r)] == q.bits[0];
        sameScale = sameScale && sv[r] == sv[0];
    }
    // Layout 1: one width and scale (per tensor); 2: one width, a scale per row (per channel);
    // 0: a width and a scale per row (A²Q); 3: one width and a codebook (weight sharing).
    std::string header;
    if (q.codebook.defined()) {
        const int b = rows ? q.bits[0] : 2;
        const int m = qmaxOf(b);
        if (!sameBits || q.codebook.numel() != 2 * m + 1)
            throw std::logic_error("a codebook needs one bit-width and 2^bits - 1 values");
        auto book = q.codebook.to(torch::kFloat).contiguous();
        const float* bv = book.data_ptr<float>();
        if (bv[m] != 0.f) // code 0 is not stored: it must mean the exact zero
            throw std::logic_error("a codebook's value of code 0 must be 0");
        put<uint8_t>(header, 3);
        put<uint8_t>(header, static_cast<uint8_t>(b));
        for (int k = 0; k <= 2 * m; ++k)
            if (k != m) // code 0 is the exact zero, not stored
                put<float>(header, bv[k]);
    } else {
        const uint8_t layout = sameBits && sameScale ? 1 : sameBits ? 2 : 0;
        put<uint8_t>(header, layout);
        if (layout == 2 && rows > 0)
            put<uint8_t>(header, static_cast<uint8_t>(q.bits[0]));
        for (int64_t r = 0; r < (layout == 1 ? std::min<int64_t>(rows, 1) : rows); ++r) {
            if (layout != 2)
                put<uint8_t>(header, static_cast<uint8_t>(q.bits[static_cast<size_t>(r)]));
            put<float>(header, sv[r]);
        }
    }
    std::string best;
    for (int indexBits = 0; indexBits <= 8; ++indexBits) {
        const Entries e = entriesOf(codes.data(), rows, cols, indexBits);
        for (bool huffman : { false, true }) {
            if (huffman && storage != CodeStorage::Huffman)
                continue;
            std::string p = payloadFor(q, header, e, indexBits, huffman);
            if (best.empty() || p.size() < best.size())
                best = std::move(p);
        }
    }
    return best;
}

Decoded decodePayload(const uint8_t* data, size_t size, int64_t rows, int64_t cols)
{
    Decoded d;
    Reader r(data, size);
    const uint8_t layout = r.get<uint8_t>();
    if (layout > 3)
        throw std::invalid_argument("unknown coded layout " + std::to_string(layout));
    std::vector<int> bits(static_cast<size_t>(rows));
    std::vector<float> scales(static_cast<size_t>(rows));
    const int sharedBits = (layout == 2 && rows > 0) || layout == 3 ? r.get<uint8_t>() : 0;
    if (layout == 3) {
        if (sharedBits < 2 || sharedBits > 8)
            throw std::invalid_argument("a codebook of " + std::to_string(sharedBits) + "-bit codes; 2 to 8 allowed");
        const int m = qmaxOf(sharedBits);
        std::vector<float> book(static_cast<size_t>(2 * m + 1), 0.f);
        for (int k = 0; k <= 2 * m; ++k)
            if (k != m)
                book[static_cast<size_t>(k)] = r.get<float>();
        d.q.codebook = torch::tensor(book, torch::kFloat);
    }
    for (int64_t row = 0; row < rows; ++row) {
        if (layout == 3) {
            bits[static_cast<size_t>(row)] = sharedBits;
            scales[static_cast<size_t>(row)] = 1.f;
        } else if (layout == 1 && row > 0) {
            bits[static_cast<size_t>(row)] = bits[0];
            scales[static_cast<size_t>(row)] = scales[0];
        } else {
            bits[static_cast<size_t>(row)] = layout == 2 ? sharedBits : r.get<uint8_t>();
            scales[static_cast<size_t>(row)] = r.get<float>();
        }
        if (bits[static_cast<size_t>(row)] < 2 || bits[static_cast<size_t>(row)] > 8)
            throw std::invalid_argument("row " + std::to_string(row) + " has "
                + std::to_string(bits[static_cast<size_t>(row)]) + " bits; coded rows hold 2 to 8");
    }
    const int indexBits = r.get<uint8_t>();
    const int huffman = r.get<uint8_t>();
    const uint32_t entries = r.get<uint32_t>();
    const int64_t numel = rows * cols;
    if (indexBits > 8)
        throw std::invalid_argument("relative indices of " + std::to_string(indexBits) + " bits; 0 to 8 allowed");
    if (huffman > 1)
        throw std::invalid_argument("unknown entropy coding " + std::to_string(huffman));
    if (static_cast<int64_t>(entries) > numel || (indexBits == 0 && static_cast<int64_t>(entries) != numel))
        throw std::invalid_argument(
            "stores " + std::to_string(entries) + " entries for a tensor of " + std::to_string(numel) + " values");
    const size_t headerEnd = r.pos();
    std::unique_ptr<HuffmanCode> gapCode, valueCode;
    if (huffman) {
        if (indexBits)
            gapCode = std::make_unique<HuffmanCode>(readTable(r, size_t(1) << indexBits, "index"));
        valueCode = std::make_unique<HuffmanCode>(readTable(r, kCodeAlphabet, "code"));
    }
    const size_t tablesEnd = r.pos();
    BitReader stream(data + tablesEnd, size - tablesEnd);
    d.q.values = torch::zeros({ rows, cols }, torch::kChar);
    d.q.scales = torch::tensor(scales, torch::kFloat);
    d.q.bits = bits;
    int8_t* codes = d.q.values.data_ptr<int8_t>();
    uint64_t indexStreamBits = 0;
    int64_t pos = -1;
    for (uint32_t k = 0; k < entries; ++k) {
        const uint64_t before = stream.position();
        if (indexBits)
            pos += 1 + (huffman ? gapCode->get(stream) : static_cast<int64_t>(stream.get(indexBits)));
        else
            pos += 1;
        indexStreamBits += stream.position() - before;
        if (pos >= numel)
            throw std::invalid_argument("an index points past the tensor's " + std::to_string(numel) + " values (entry "
                + std::to_string(k) + ")");
        const int64_t row = pos / cols;
        const int b = bits[static_cast<size_t>(row)];
        const int m = qmaxOf(b);
        const int v = huffman ? valueCode->get(stream) - 128 : static_cast<int>(stream.get(b)) - m;
        if (v < -m || v > m)
            throw std::invalid_argument("a code out of range in row " + std::to_string(row));
        codes[pos] = static_cast<int8_t>(v);
    }
    const uint64_t streamBytes = size - tablesEnd;
    if ((stream.position() + 7) / 8 != streamBytes)
        throw std::invalid_argument(
            std::to_string(streamBytes - (stream.position() + 7) / 8) + " bytes left after the last coded value");
    const uint64_t indexBytes = (indexStreamBits + 7) / 8;
    d.parts = { { layout == 3 ? "header with a codebook of " + std::to_string(d.q.codebook.numel() - 1) + " values"
                              : std::string("header"),
        headerEnd } };
    if (huffman)
        d.parts.emplace_back("huffman tables", tablesEnd - headerEnd);
    if (indexBits)
        d.parts.emplace_back(
            std::to_string(indexBits) + "-bit relative indices" + (huffman ? ", huffman-coded" : ""), indexBytes);
    d.parts.emplace_back(huffman ? "codes, huffman-coded" : "codes", streamBytes - indexBytes);
    d.bitsPerValue = numel ? 8.0 * static_cast<double>(size) / static_cast<double>(numel) : 0;
    return d;
}

} // namespace gsq::core::measure::coded
