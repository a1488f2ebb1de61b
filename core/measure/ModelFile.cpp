#include "core/measure/ModelFile.h"

#include "core/measure/CodedTensor.h"
#include "core/measure/ModelFileParts.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gsq::core::measure {
namespace detail {

const char kMagic[4] = { 'G', 'S', 'Q', 'M' };

std::vector<std::pair<std::string, at::Tensor>> stateOf(torch::nn::Module& module)
{
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& p : module.named_parameters(true))
        out.emplace_back(p.key(), p.value().detach());
    for (const auto& b : module.named_buffers(true))
        out.emplace_back(b.key(), b.value().detach());
    return out;
}

std::vector<FoldedNorm> batchNorms(torch::nn::Module& module)
{
    std::vector<FoldedNorm> out;
    for (const auto& item : module.named_modules("", false))
        if (auto* bn = dynamic_cast<torch::nn::BatchNorm1dImpl*>(item.value().get());
            bn && bn->options.affine() && bn->options.track_running_stats())
            out.push_back({ item.key() + ".", bn });
    return out;
}

bool startsWith(const std::string& s, const std::string& prefix)
{
    return s.rfind(prefix, 0) == 0;
}

const std::vector<std::string>& normTensors()
{
    static const std::vector<std::string> names { "weight", "bias", "running_mean", "running_var",
        "num_batches_tracked" };
    return names;
}

} // namespace detail

using namespace detail;

namespace {

template <class T> void put(std::string& out, T v)
{
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

/// Every row has the same bit-width and scale (per-tensor quantization): stored once.
bool uniformRows(const QuantizedWeight& q)
{
    if (q.bits.empty())
        return true;
    auto s = q.scales.to(torch::kFloat).contiguous();
    const float* sv = s.data_ptr<float>();
    for (size_t r = 1; r < q.bits.size(); ++r)
        if (q.bits[r] != q.bits[0] || sv[r] != sv[0])
            return false;
    return true;
}

uint64_t cols(const at::Tensor& t)
{
    return t.dim() >= 1 && t.size(0) > 0 ? static_cast<uint64_t>(t.numel() / t.size(0)) : 1;
}

} // namespace

uint32_t crc32(const void* data, size_t size, uint32_t crc)
{
    static const auto table = [] {
        std::array<uint32_t, 256> t {};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < size; ++i)
        crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

uint64_t ModelFile::denseBytes(const at::Tensor& t)
{
    return static_cast<uint64_t>(t.numel()) * 4;
}

uint64_t ModelFile::csrBytes(const at::Tensor& t)
{
    const uint64_t rows = t.dim() >= 1 ? static_cast<uint64_t>(t.size(0)) : 1;
    const uint64_t nnz = static_cast<uint64_t>(t.ne(0).sum().item<int64_t>());
    const uint64_t indexBytes = cols(t) <= 65535 ? 2 : 4;
    return 8 + (rows + 1) * 4 + nnz * (indexBytes + 4);
}

at::Tensor QuantizedWeight::dequantized() const
{
    if (codebook.defined()) {
        const int64_t qmax = (codebook.numel() - 1) / 2;
        return codebook.to(torch::kFloat)
            .index_select(0, (values.to(torch::kLong) + qmax).reshape({ -1 }))
            .reshape(values.sizes());
    }
    return values.to(torch::kFloat) * scales.to(torch::kFloat).unsqueeze(1);
}

uint64_t ModelFile::packedBytes(const QuantizedWeight& q)
{
    const uint64_t rows = q.bits.size(), cols = rows ? static_cast<uint64_t>(q.values.numel()) / rows : 0;
    uint64_t bits = 0;
    for (int b : q.bits)
        bits += cols * static_cast<uint64_t>(b);
    return 1 + (uniformRows(q) ? 1 : rows) * 5 + (bits + 7) / 8;
}

uint64_t ModelFile::bitmaskBytes(const at::Tensor& t)
{
    const uint64_t nnz = static_cast<uint64_t>(t.ne(0).sum().item<int64_t>());
    return 8 + (static_cast<uint64_t>(t.numel()) + 7) / 8 + nnz * 4;
}

std::string ModelFile::quantizerKey(const std::string& weightName)
{
    std::string k = weightName;
    std::replace(k.begin(), k.end(), '.', '_');
    return k;
}

namespace {

using State = std::vector<std::pair<std::string, at::Tensor>>;

/// The tensors a file stores: parameters and buffers, without what a packed record already
/// holds, BatchNorm folded (scale, shift) when asked or whenever the file is quantized.
State storedState(torch::nn::Module& module, const QuantizedWeights* quantized, bool foldBatchNorm)
{
    auto state = stateOf(module);
    if (quantized) {
        std::vector<std::string> derived;
        for (const auto& [name, q] : *quantized)
            derived.insert(derived.end(), q.derived.begin(), q.derived.end());
        state.erase(std::remove_if(state.begin(), state.end(),
                        [&](const auto& entry) {
                            return std::find(derived.begin(), derived.end(), entry.first) != derived.end();
                        }),
            state.end());
    }
    if (!quantized && !foldBatchNorm)
        return state;
    // Quantized files are deployment artefacts: BatchNorm is stored folded (scale, shift).
    State folded;
    const auto norms = batchNorms(module);
    for (auto& [name, tensor] : state) {
        const FoldedNorm* norm = nullptr;
        for (const auto& n : norms)
            if (startsWith(name, n.prefix)
                && std::find(normTensors().begin(), normTensors().end(), name.substr(n.prefix.size()))
                    != normTensors().end())
                norm = &n;
        if (!norm) {
            folded.emplace_back(name, tensor);
            continue;
        }
        if (name != norm->prefix + "weight")
            continue;
        torch::NoGradGuard guard;
        auto* bn = norm->module;
        auto scale = bn->weight.detach() / (bn->running_var.detach() + bn->options.eps()).sqrt();
        folded.emplace_back(norm->prefix + "bn_scale", scale);
        folded.emplace_back(norm->prefix + "bn_shift", bn->bias.detach() - scale * bn->running_mean.detach());
    }
    return folded;
}

void putShape(std::string& out, Encoding enc, const at::Tensor& t)
{
    put<uint8_t>(out, static_cast<uint8_t>(enc));
    put<uint8_t>(out, static_cast<uint8_t>(t.dim()));
    for (int64_t d = 0; d < t.dim(); ++d)
        put<uint32_t>(out, static_cast<uint32_t>(t.size(d)));
}

/// A quantized tensor's record: packed codes with their row widths and scales, or coded (its
/// non-zero codes with relative indices, or codebook indices). True when it is coded (version 3).
bool putQuantized(std::string& out, const std::string& name, const at::Tensor& t, const QuantizedWeight& q)
{
    const int64_t rows = static_cast<int64_t>(q.bits.size());
    if (rows != (t.dim() ? t.size(0) : 1) || q.values.numel() != t.numel() || q.scales.numel() != rows)
        throw std::logic_error("quantized form of '" + name + "' does not match the tensor's shape");
    const bool coded = q.storage != CodeStorage::Packed || q.codebook.defined();
    putShape(out, coded ? Encoding::Coded : Encoding::Packed, t);
    if (coded) {
        const std::string payload
            = coded::encodePayload(q, q.storage == CodeStorage::Packed ? CodeStorage::Sparse : q.storage);
        put<uint32_t>(out, static_cast<uint32_t>(payload.size()));
        out += payload;
        return true;
    }
    put<uint32_t>(out, static_cast<uint32_t>(ModelFile::packedBytes(q)));
    auto values = q.values.contiguous();
    auto scales = q.scales.to(torch::kFloat).contiguous();
    const int8_t* iv = values.data_ptr<int8_t>();
    const float* sv = scales.data_ptr<float>();
    const int64_t c = rows ? t.numel() / rows : 0;
    const bool uniform = uniformRows(q);
    put<uint8_t>(out, uniform ? 1 : 0);
    for (int64_t r = 0; r < (uniform ? std::min<int64_t>(rows, 1) : rows); ++r) {
        put<uint8_t>(out, static_cast<uint8_t>(q.bits[static_cast<size_t>(r)]));
        put<float>(out, sv[r]);
    }
    // Row by row, each value as (v + qmax) in `bits` bits, least significant bit first.
    uint64_t acc = 0;
    int filled = 0;
    for (int64_t r = 0; r < rows; ++r) {
        const int b = q.bits[static_cast<size_t>(r)];
        const int qmax = (1 << (b - 1)) - 1;
        for (int64_t j = 0; j < c; ++j) {
            const int v = std::clamp<int>(iv[r * c + j], -qmax, qmax) + qmax;
            acc |= static_cast<uint64_t>(v) << filled;
            filled += b;
            while (filled >= 8) {
                out.push_back(static_cast<char>(acc & 0xFF));
                acc >>= 8;
                filled -= 8;
            }
        }
    }
    if (filled > 0)
        out.push_back(static_cast<char>(acc & 0xFF));
    return false;
}

/// An fp32 tensor's record: dense, CSR or bitmask, whichever is smallest (matrices only).
void putFloat(std::string& out, const at::Tensor& t)
{
    Encoding enc = Encoding::Dense;
    uint64_t best = ModelFile::denseBytes(t);
    if (t.dim() > 1) {
        if (auto c = ModelFile::csrBytes(t); c < best) {
            best = c;
            enc = Encoding::Csr;
        }
        if (auto b = ModelFile::bitmaskBytes(t); b < best) {
            best = b;
            enc = Encoding::Bitmask;
        }
    }
    putShape(out, enc, t);
    put<uint32_t>(out, static_cast<uint32_t>(best));
    const float* v = t.data_ptr<float>();
    const int64_t n = t.numel();
    if (enc == Encoding::Dense) {
        out.append(reinterpret_cast<const char*>(v), static_cast<size_t>(n) * 4);
    } else if (enc == Encoding::Csr) {
        const int64_t rows = t.size(0), c = static_cast<int64_t>(cols(t));
        const bool narrow = c <= 65535;
        std::string idx, vals;
        std::vector<uint32_t> crow { 0 };
        for (int64_t r = 0; r < rows; ++r) {
            for (int64_t j = 0; j < c; ++j)
                if (float x = v[r * c + j]; x != 0.0f) {
                    if (narrow)
                        put<uint16_t>(idx, static_cast<uint16_t>(j));
                    else
                        put<uint32_t>(idx, static_cast<uint32_t>(j));
                    put<float>(vals, x);
                }
            crow.push_back(static_cast<uint32_t>(vals.size() / 4));
        }
        put<uint64_t>(out, crow.back());
        out.append(reinterpret_cast<const char*>(crow.data()), crow.size() * 4);
        out += idx;
        out += vals;
    } else {
        std::string bits(static_cast<size_t>((n + 7) / 8), '\0'), vals;
        for (int64_t i = 0; i < n; ++i)
            if (v[i] != 0.0f) {
                bits[static_cast<size_t>(i / 8)] |= static_cast<char>(1 << (i % 8));
                put<float>(vals, v[i]);
            }
        put<uint64_t>(out, vals.size() / 4);
        out += bits;
        out += vals;
    }
}

} // namespace

std::string ModelFile::encode(torch::nn::Module& module, const QuantizedWeights* quantized, bool foldBatchNorm)
{
    std::string out(kMagic, 4);
    uint32_t version = 2;
    put<uint32_t>(out, version);
    const State state = storedState(module, quantized, foldBatchNorm);
    put<uint32_t>(out, static_cast<uint32_t>(state.size()));
    for (const auto& [name, tensor] : state) {
        auto t = tensor.to(torch::kFloat).contiguous();
        if (t.numel() > kMaxElements)
            throw std::runtime_error("tensor '" + name + "' has " + std::to_string(t.numel())
                + " values, more than the " + std::to_string(kMaxElements) + " a .gsqm record holds");
        put<uint16_t>(out, static_cast<uint16_t>(name.size()));
        out += name;
        const auto qit = quantized ? quantized->find(name) : QuantizedWeights::const_iterator {};
        if (quantized && qit != quantized->end()) {
            if (putQuantized(out, name, t, qit->second))
                version = 3;
        } else
            putFloat(out, t);
    }
    // Version 3 only when a coded tensor needs it: every other file stays as version 2 wrote it.
    std::memcpy(&out[4], &version, sizeof version);
    put<uint32_t>(out, crc32(out.data(), out.size()));
    return out;
}

uint64_t ModelFile::save(torch::nn::Module& module, const std::string& path, const QuantizedWeights* quantized)
{
    const std::string bytes = encode(module, quantized);
    writeFileAtomically(path, bytes);
    return bytes.size();
}

} // namespace gsq::core::measure
