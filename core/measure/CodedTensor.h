#pragma once

#include "core/measure/ModelFile.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

/// Coded tensors (encoding 4 of .gsqm version 3, docs/model-format.md): the integer codes of a
/// quantized weight with its zeros skipped by relative indices — Deep Compression's form (Han et
/// al., ICLR 2016): each stored entry says how many zeros precede it in a few bits, and a gap
/// wider than those bits hold is bridged by a stored zero — and optionally Huffman-coded, with
/// the code tables in the file. No LibTorch beyond the tensor type; ModelFile.cpp writes and
/// ModelFileRead.cpp reads through these functions.
namespace gsq::core::measure::coded {

/// The longest Huffman code written or accepted.
constexpr int kMaxCodeLength = 24;

/// Code lengths (0 = symbol absent) of a Huffman code for `counts`, none longer than
/// `maxLength` bits: while the optimal code is longer, every non-zero count is halved (rounding
/// up), which flattens the tree. One present symbol gets length 1.
std::vector<uint8_t> codeLengths(const std::vector<uint64_t>& counts, int maxLength = kMaxCodeLength);

/// Bits appended least significant first, as the packed encoding stores them.
class BitWriter {
public:
    void put(uint32_t value, int bits);
    /// The bytes, the last one padded with zero bits.
    std::string finish();
    uint64_t bitCount() const { return m_bits; }

private:
    std::string m_out;
    uint64_t m_acc = 0;
    int m_filled = 0;
    uint64_t m_bits = 0;
};

/// Reads what BitWriter wrote; throws std::invalid_argument past the end.
class BitReader {
public:
    BitReader(const uint8_t* data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }
    uint32_t get(int bits);
    uint64_t position() const { return m_pos; }

private:
    const uint8_t* m_data;
    size_t m_size;
    uint64_t m_pos = 0;
};

/// A canonical Huffman code given its code lengths: shorter codes first, within one length in
/// symbol order (as DEFLATE). Throws std::invalid_argument when no symbol is present, a length
/// exceeds kMaxCodeLength, or the lengths are not a prefix code (Kraft sum above 1).
class HuffmanCode {
public:
    explicit HuffmanCode(std::vector<uint8_t> lengths);
    void put(BitWriter& w, int symbol) const;
    /// Throws std::invalid_argument for a bit pattern that is no symbol's code.
    int get(BitReader& r) const;
    const std::vector<uint8_t>& lengths() const { return m_lengths; }

private:
    std::vector<uint8_t> m_lengths;
    std::vector<uint32_t> m_codes; ///< per symbol, most significant bit first
    /// Canonical decoding: per length, the first code, how many codes, where their symbols start.
    std::vector<uint32_t> m_first, m_count, m_offset;
    std::vector<int> m_sorted; ///< symbols by (length, symbol)
};

/// The smallest payload of `q` that `storage` allows: Sparse tries the relative-index widths 1-8
/// and no index (every value in order), fixed-width; Huffman also tries each of them
/// Huffman-coded. Packed is not a coded form (ModelFile.cpp writes it as encoding 3).
std::string encodePayload(const QuantizedWeight& q, CodeStorage storage);

/// A coded payload read back.
struct Decoded {
    QuantizedWeight q; ///< codes [rows, cols], scales, bits per row
    std::vector<std::pair<std::string, uint64_t>> parts; ///< bytes of header, tables, indices, codes
    double bitsPerValue = 0; ///< payload bits over the tensor's values
};

/// Decodes the `size` bytes of a coded payload of a tensor of `rows` x `cols` values; throws
/// std::invalid_argument saying what is wrong (unknown layout or form, bit-width outside 2-8,
/// a bad Huffman table, an index past the tensor, a code out of range, a stream that ends early
/// or has bytes left over).
Decoded decodePayload(const uint8_t* data, size_t size, int64_t rows, int64_t cols);

} // namespace gsq::core::measure::coded
