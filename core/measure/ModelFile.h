#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace torch::nn {
class Module;
}

namespace gsq::core::measure {

/// How a tensor is stored in a GraphSqueeze model file.
enum class Encoding : uint8_t { Dense = 0, Csr = 1, Bitmask = 2, Packed = 3, Coded = 4 };

/// How a quantized weight's integer codes may be stored (a quantize step's `storage:`):
/// Packed, every code at its bit-width (version 2's form); Sparse, the non-zero codes with
/// relative indices (zeros skipped, as after pruning); Huffman, as Sparse and Huffman-coded.
/// The writer stores the smallest form the choice allows (CodedTensor.h).
enum class CodeStorage : uint8_t { Packed, Sparse, Huffman };

/// A quantized weight as the file stores it: symmetric integers (zero point 0) viewed as
/// [rows = shape[0], cols = numel / rows], one scale and one bit-width (2-8) per row.
struct QuantizedWeight {
    at::Tensor values; ///< int8 [rows, cols]
    at::Tensor scales; ///< float [rows]
    std::vector<int> bits; ///< per row
    /// Model tensors this record makes redundant (A²Q's learned step sizes and bit-widths of this
    /// weight): left out of the file, whose packed record already holds them.
    std::vector<std::string> derived;
    CodeStorage storage = CodeStorage::Packed;
    /// Weight sharing: the value of each code -qmax..qmax of the (one) bit-width, [2 qmax + 1]
    /// float with 0 for code 0; the scales are then 1. Undefined: a code stands for code × its
    /// row's scale. Such a weight is always written coded (layout 3; `packed` as its sparse form).
    at::Tensor codebook;
    /// The fp32 values the codes stand for, [rows, cols].
    at::Tensor dequantized() const;
};
using QuantizedWeights = std::map<std::string, QuantizedWeight>;

/// One stored tensor as the file describes it.
struct StoredTensor {
    std::string name;
    at::Tensor value; ///< dense fp32, reconstructed
    Encoding encoding = Encoding::Dense;
    uint64_t bytes = 0; ///< payload bytes in the file
    double bits = 32; ///< stored bits per value (packed: average over rows)
    QuantizedWeight quantized; ///< packed and coded tensors: the integer codes, scales and bits (else empty)
    /// Coded tensors: bytes of each part of the payload (header, tables, indices, codes).
    std::vector<std::pair<std::string, uint64_t>> parts;
};

/// The GraphSqueeze model file (`.gsqm`, format version 3; see docs/model-format.md):
/// a model's parameters and buffers, each pruned tensor stored sparsely — CSR or bitmask,
/// whichever is smaller for that tensor, dense when neither wins — and each quantized weight
/// packed at its bit-width with one scale per row, or coded (its non-zero integer codes with
/// relative indices, optionally Huffman-coded), followed by a CRC-32. A file is written as
/// version 2 unless it holds a coded tensor; versions 1 (no packed tensors) and 2 are read too.
/// Its size on disk is the honest "size_disk_bytes" of a compressed model.
class ModelFile {
public:
    static constexpr uint32_t kVersion = 3;
    /// The most values one stored tensor may hold (2^28: a 16384 x 16384 weight, 1 GiB as fp32);
    /// the reader refuses larger shapes before allocating anything.
    static constexpr int64_t kMaxElements = int64_t(1) << 28;

    /// Serialises parameters and buffers of `module` (names as in named_parameters/buffers);
    /// tensors named in `quantized` are stored packed from their integer form, and the tensors
    /// their records make redundant (QuantizedWeight::derived) are left out. BatchNorm is stored
    /// folded (scale, shift) when `foldBatchNorm` or whenever `quantized` is given.
    static std::string encode(
        torch::nn::Module& module, const QuantizedWeights* quantized = nullptr, bool foldBatchNorm = false);
    /// The name part a quantizer's tensors for `weightName` carry ("stack.conv0.weight" ->
    /// "stack_conv0_weight"; its step sizes are "quant.<key>__step"), so a file that leaves them
    /// out can give them back from the packed record on load.
    static std::string quantizerKey(const std::string& weightName);
    /// Writes encode(module, quantized) to `path` atomically; returns the bytes written.
    static uint64_t save(
        torch::nn::Module& module, const std::string& path, const QuantizedWeights* quantized = nullptr);

    /// Decodes a file's bytes; `source` names it in messages. Throws InputError for a wrong
    /// magic, an unsupported version, truncation or a checksum mismatch.
    static std::vector<StoredTensor> decode(const std::string& bytes, const std::string& source);
    static std::vector<StoredTensor> read(const std::string& path);

    /// Copies a file's tensors into `module`; every parameter and buffer must be present with the
    /// same shape (InputError otherwise).
    static void load(torch::nn::Module& module, const std::string& path);

    /// Bytes the payload of `t` takes in each encoding (for reports and tests).
    static uint64_t denseBytes(const at::Tensor& t);
    static uint64_t csrBytes(const at::Tensor& t);
    static uint64_t bitmaskBytes(const at::Tensor& t);
    static uint64_t packedBytes(const QuantizedWeight& q);

    /// The name PyTorch Geometric's module gives a stored tensor, where one exists (layer stacks
    /// of GCN, GraphSAGE, GAT, GIN and SplineCNN as BasicGNN's `convs.<k>.`; GIN's MLP as the
    /// kernel benchmark's Sequential(Linear, ReLU, Linear, ReLU, BatchNorm)); other tensors
    /// (heads, decoders, HGP-SL, folded BatchNorm) keep their GraphSqueeze name. `layerNames`:
    /// every stored name, to tell the layer types apart. docs/interop.md lists the mapping.
    static std::string pygName(const std::string& name, const std::vector<std::string>& layerNames);
    /// Writes a model file's tensors as a `torch.load`-able dict under pygName: pruned zeros kept,
    /// quantized weights dequantized; with `codes`, each quantized weight also as
    /// `<name>.int_codes` (int8 [rows, cols]), `<name>.scales` (float [rows]) and `<name>.bits`
    /// (int32 [rows]), value = int_codes * scales per row. Atomic write.
    static void exportTorch(const std::vector<StoredTensor>& tensors, const std::string& path, bool codes);
};

/// CRC-32 (IEEE 802.3, as zlib).
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

} // namespace gsq::core::measure
