#include "core/measure/ModelFile.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gsq::core::measure {
namespace {

constexpr char kMagic[4] = { 'G', 'S', 'Q', 'M' };

std::vector<std::pair<std::string, at::Tensor>> stateOf(torch::nn::Module& module)
{
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& p : module.named_parameters(true))
        out.emplace_back(p.key(), p.value().detach());
    for (const auto& b : module.named_buffers(true))
        out.emplace_back(b.key(), b.value().detach());
    return out;
}

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

/// A BatchNorm layer in its evaluation form y = scale * x + shift, as quantized model files store
/// it (two vectors instead of weight, bias, running mean, running variance and a counter).
struct FoldedNorm {
    std::string prefix; ///< "stack.conv0.norm."
    torch::nn::BatchNorm1dImpl* module = nullptr;
};

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

uint64_t cols(const at::Tensor& t)
{
    return t.dim() >= 1 && t.size(0) > 0 ? static_cast<uint64_t>(t.numel() / t.size(0)) : 1;
}

class Cursor {
public:
    Cursor(const std::string& bytes, size_t end, std::string source)
        : m_b(bytes)
        , m_end(end)
        , m_src(std::move(source))
    {
    }
    template <class T> T get()
    {
        need(sizeof(T));
        T v;
        std::memcpy(&v, m_b.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    const char* take(size_t n)
    {
        need(n);
        const char* p = m_b.data() + m_pos;
        m_pos += n;
        return p;
    }
    size_t pos() const { return m_pos; }

private:
    void need(size_t n) const
    {
        if (m_pos + n > m_end)
            throw InputError(m_src, 0,
                "truncated model file: needs " + std::to_string(m_pos + n) + " bytes before the checksum, has "
                    + std::to_string(m_end));
    }
    const std::string& m_b;
    size_t m_end, m_pos = 0;
    std::string m_src;
};

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

std::string ModelFile::encode(torch::nn::Module& module, const QuantizedWeights* quantized)
{
    std::string out(kMagic, 4);
    put<uint32_t>(out, kVersion);
    auto state = stateOf(module);
    if (quantized) {
        // Quantized files are deployment artefacts: BatchNorm is stored folded (scale, shift).
        std::vector<std::pair<std::string, at::Tensor>> folded;
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
        state = std::move(folded);
    }
    put<uint32_t>(out, static_cast<uint32_t>(state.size()));
    for (auto& [name, tensor] : state) {
        auto t = tensor.to(torch::kFloat).contiguous();
        if (denseBytes(t) > 0xFFFFFFFFull)
            throw std::runtime_error("tensor '" + name + "' exceeds the 4 GiB a .gsqm record can hold");
        put<uint16_t>(out, static_cast<uint16_t>(name.size()));
        out += name;
        if (quantized) {
            if (auto qit = quantized->find(name); qit != quantized->end()) {
                const auto& q = qit->second;
                const int64_t rows = static_cast<int64_t>(q.bits.size());
                if (rows != (t.dim() ? t.size(0) : 1) || q.values.numel() != t.numel() || q.scales.numel() != rows)
                    throw std::logic_error("quantized form of '" + name + "' does not match the tensor's shape");
                put<uint8_t>(out, static_cast<uint8_t>(Encoding::Packed));
                put<uint8_t>(out, static_cast<uint8_t>(t.dim()));
                for (int64_t d = 0; d < t.dim(); ++d)
                    put<uint32_t>(out, static_cast<uint32_t>(t.size(d)));
                put<uint32_t>(out, static_cast<uint32_t>(packedBytes(q)));
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
                continue;
            }
        }
        Encoding enc = Encoding::Dense;
        uint64_t best = denseBytes(t);
        if (t.dim() > 1) {
            if (auto c = csrBytes(t); c < best) {
                best = c;
                enc = Encoding::Csr;
            }
            if (auto b = bitmaskBytes(t); b < best) {
                best = b;
                enc = Encoding::Bitmask;
            }
        }
        put<uint8_t>(out, static_cast<uint8_t>(enc));
        put<uint8_t>(out, static_cast<uint8_t>(t.dim()));
        for (int64_t d = 0; d < t.dim(); ++d)
            put<uint32_t>(out, static_cast<uint32_t>(t.size(d)));
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
    put<uint32_t>(out, crc32(out.data(), out.size()));
    return out;
}

uint64_t ModelFile::save(torch::nn::Module& module, const std::string& path, const QuantizedWeights* quantized)
{
    const std::string bytes = encode(module, quantized);
    writeFileAtomically(path, bytes);
    return bytes.size();
}

std::vector<StoredTensor> ModelFile::decode(const std::string& bytes, const std::string& source)
{
    if (bytes.size() < 4 || std::memcmp(bytes.data(), kMagic, 4) != 0)
        throw InputError(source, 0, "not a GraphSqueeze model file (expected magic 'GSQM')");
    if (bytes.size() < 8)
        throw InputError(source, 0, "truncated model file: " + std::to_string(bytes.size()) + " bytes");
    uint32_t version = 0;
    std::memcpy(&version, bytes.data() + 4, 4);
    if (version < 1 || version > kVersion)
        throw InputError(source, 0,
            "unsupported model file version " + std::to_string(version) + " (this build reads versions 1 to "
                + std::to_string(kVersion) + ")");
    if (bytes.size() < 16)
        throw InputError(source, 0, "truncated model file: " + std::to_string(bytes.size()) + " bytes");
    const size_t end = bytes.size() - 4;
    uint32_t stored = 0;
    std::memcpy(&stored, bytes.data() + end, 4);
    if (crc32(bytes.data(), end) != stored)
        throw InputError(source, 0, "checksum mismatch: the model file is corrupt or truncated");
    Cursor c(bytes, end, source);
    c.take(8);
    const uint32_t count = c.get<uint32_t>();
    std::vector<StoredTensor> out;
    for (uint32_t i = 0; i < count; ++i) {
        StoredTensor s;
        const uint16_t nameLen = c.get<uint16_t>();
        s.name.assign(c.take(nameLen), nameLen);
        const auto enc = c.get<uint8_t>();
        if (enc > 3 || (enc == 3 && version < 2))
            throw InputError(source, 0, "tensor '" + s.name + "': unknown encoding " + std::to_string(enc));
        s.encoding = static_cast<Encoding>(enc);
        const uint8_t ndim = c.get<uint8_t>();
        std::vector<int64_t> dims;
        int64_t numel = 1;
        for (uint8_t d = 0; d < ndim; ++d) {
            dims.push_back(
                version >= 2 ? static_cast<int64_t>(c.get<uint32_t>()) : static_cast<int64_t>(c.get<uint64_t>()));
            numel *= dims.back();
        }
        s.bytes = version >= 2 ? c.get<uint32_t>() : c.get<uint64_t>();
        const size_t payloadStart = c.pos();
        auto t = torch::zeros({ numel }, torch::kFloat);
        float* v = t.data_ptr<float>();
        if (s.encoding == Encoding::Dense) {
            std::memcpy(v, c.take(static_cast<size_t>(numel) * 4), static_cast<size_t>(numel) * 4);
        } else if (s.encoding == Encoding::Csr) {
            const int64_t rows = ndim ? dims[0] : 1, colsN = rows ? numel / rows : 1;
            const uint64_t nnz = c.get<uint64_t>();
            std::vector<uint32_t> crow(static_cast<size_t>(rows + 1));
            std::memcpy(crow.data(), c.take(crow.size() * 4), crow.size() * 4);
            if (crow.back() != nnz)
                throw InputError(source, 0, "tensor '" + s.name + "': CSR row pointers do not end at nnz");
            const bool narrow = colsN <= 65535;
            std::vector<uint32_t> idx(static_cast<size_t>(nnz));
            for (auto& j : idx)
                j = narrow ? c.get<uint16_t>() : c.get<uint32_t>();
            for (int64_t r = 0; r < rows; ++r)
                for (uint32_t k = crow[static_cast<size_t>(r)]; k < crow[static_cast<size_t>(r + 1)]; ++k) {
                    if (idx[k] >= colsN)
                        throw InputError(source, 0, "tensor '" + s.name + "': column index out of range");
                    v[r * colsN + idx[k]] = c.get<float>();
                }
        } else if (s.encoding == Encoding::Packed) {
            const int64_t rows = ndim ? dims[0] : 1, colsN = rows ? numel / rows : 0;
            std::vector<int> rowBits(static_cast<size_t>(rows));
            std::vector<float> scales(static_cast<size_t>(rows));
            uint64_t totalBits = 0;
            const uint8_t layout = c.get<uint8_t>();
            if (layout > 1)
                throw InputError(source, 0, "tensor '" + s.name + "': unknown packed layout " + std::to_string(layout));
            for (int64_t r = 0; r < rows; ++r) {
                if (layout == 0 || r == 0) {
                    rowBits[static_cast<size_t>(r)] = c.get<uint8_t>();
                    scales[static_cast<size_t>(r)] = c.get<float>();
                } else {
                    rowBits[static_cast<size_t>(r)] = rowBits[0];
                    scales[static_cast<size_t>(r)] = scales[0];
                }
                if (rowBits[static_cast<size_t>(r)] < 2 || rowBits[static_cast<size_t>(r)] > 8)
                    throw InputError(source, 0,
                        "tensor '" + s.name + "': row " + std::to_string(r) + " has "
                            + std::to_string(rowBits[static_cast<size_t>(r)]) + " bits; packed rows hold 2 to 8");
                totalBits += static_cast<uint64_t>(colsN) * static_cast<uint64_t>(rowBits[static_cast<size_t>(r)]);
            }
            const auto* p = reinterpret_cast<const uint8_t*>(c.take(static_cast<size_t>((totalBits + 7) / 8)));
            uint64_t bitPos = 0;
            for (int64_t r = 0; r < rows; ++r) {
                const int b = rowBits[static_cast<size_t>(r)];
                const int qmax = (1 << (b - 1)) - 1;
                for (int64_t j = 0; j < colsN; ++j) {
                    int u = 0;
                    for (int k = 0; k < b; ++k, ++bitPos)
                        u |= ((p[bitPos / 8] >> (bitPos % 8)) & 1) << k;
                    if (u > 2 * qmax)
                        throw InputError(source, 0,
                            "tensor '" + s.name + "': packed value out of range in row " + std::to_string(r));
                    v[r * colsN + j] = static_cast<float>(u - qmax) * scales[static_cast<size_t>(r)];
                }
            }
            s.bits = rows ? static_cast<double>(totalBits) / static_cast<double>(rows * colsN) : 0;
        } else {
            const uint64_t nnz = c.get<uint64_t>();
            const char* bits = c.take(static_cast<size_t>((numel + 7) / 8));
            uint64_t seen = 0;
            for (int64_t k = 0; k < numel; ++k)
                if (bits[k / 8] & (1 << (k % 8))) {
                    if (++seen > nnz)
                        throw InputError(source, 0, "tensor '" + s.name + "': bitmask has more bits than values");
                    v[k] = c.get<float>();
                }
        }
        if (c.pos() - payloadStart != s.bytes)
            throw InputError(source, 0, "tensor '" + s.name + "': payload size differs from its header");
        s.value = t.view(dims);
        out.push_back(std::move(s));
    }
    if (c.pos() != end)
        throw InputError(source, 0, "trailing bytes after the last tensor");
    return out;
}

std::vector<StoredTensor> ModelFile::read(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, 0, "file not found or not readable");
    std::stringstream buf;
    buf << in.rdbuf();
    return decode(buf.str(), path);
}

void ModelFile::load(torch::nn::Module& module, const std::string& path)
{
    auto stored = read(path);
    torch::NoGradGuard guard;
    auto find = [&](const std::string& name) {
        return std::find_if(stored.begin(), stored.end(), [&](const StoredTensor& s) { return s.name == name; });
    };
    // Folded BatchNorm (quantized files): y = scale * x + shift, i.e. weight = scale, bias = shift,
    // running mean 0 and running variance 1 - eps (so sqrt(var + eps) = 1).
    std::vector<std::string> covered;
    for (const auto& norm : batchNorms(module)) {
        auto scale = find(norm.prefix + "bn_scale"), shift = find(norm.prefix + "bn_shift");
        if (scale == stored.end() || shift == stored.end())
            continue;
        auto* bn = norm.module;
        if (scale->value.sizes() != bn->weight.sizes() || shift->value.sizes() != bn->bias.sizes())
            throw InputError(path, 0,
                "folded BatchNorm '" + norm.prefix + "' has " + std::to_string(scale->value.numel())
                    + " channels, the model expects " + std::to_string(bn->weight.numel()));
        bn->weight.copy_(scale->value);
        bn->bias.copy_(shift->value);
        bn->running_mean.zero_();
        bn->running_var.fill_(1.0 - bn->options.eps());
        for (const auto& t : normTensors())
            covered.push_back(norm.prefix + t);
    }
    for (auto& [name, tensor] : stateOf(module)) {
        if (std::find(covered.begin(), covered.end(), name) != covered.end())
            continue;
        auto it = std::find_if(stored.begin(), stored.end(), [&](const StoredTensor& s) { return s.name == name; });
        if (it == stored.end())
            throw InputError(path, 0, "missing tensor '" + name + "' for this model");
        if (it->value.sizes() != tensor.sizes())
            throw InputError(path, 0,
                "tensor '" + name + "' has shape " + c10::str(it->value.sizes()) + ", the model expects "
                    + c10::str(tensor.sizes()));
        tensor.copy_(it->value);
    }
}

void ModelFile::exportPickle(torch::nn::Module& module, const std::string& path)
{
    c10::Dict<std::string, at::Tensor> dict;
    for (auto& [name, tensor] : stateOf(module))
        dict.insert(name, tensor.clone());
    auto bytes = torch::pickle_save(dict);
    writeFileAtomically(path, std::string(bytes.begin(), bytes.end()));
}

} // namespace gsq::core::measure
