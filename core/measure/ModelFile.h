#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace torch::nn {
class Module;
}

namespace gsq::core::measure {

/// How a tensor is stored in a GraphSqueeze model file.
enum class Encoding : uint8_t { Dense = 0, Csr = 1, Bitmask = 2 };

/// One stored tensor as the file describes it.
struct StoredTensor {
    std::string name;
    at::Tensor value; ///< dense fp32, reconstructed
    Encoding encoding = Encoding::Dense;
    uint64_t bytes = 0; ///< payload bytes in the file
};

/// The GraphSqueeze model file (`.gsqm`, format version 1; see docs/model-format.md):
/// a model's parameters and buffers, each pruned tensor stored sparsely — CSR or bitmask,
/// whichever is smaller for that tensor, dense when neither wins — followed by a CRC-32.
/// Its size on disk is the honest "size_disk_bytes" of a compressed model.
class ModelFile {
public:
    static constexpr uint32_t kVersion = 1;

    /// Serialises parameters and buffers of `module` (names as in named_parameters/buffers).
    static std::string encode(torch::nn::Module& module);
    /// Writes encode(module) to `path` atomically; returns the bytes written.
    static uint64_t save(torch::nn::Module& module, const std::string& path);

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

    /// Exports the dense fp32 state dict with torch::pickle_save (readable by Python torch.load).
    static void exportPickle(torch::nn::Module& module, const std::string& path);
};

/// CRC-32 (IEEE 802.3, as zlib).
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

} // namespace gsq::core::measure
