#include "core/measure/ModelFile.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/measure/CodedTensor.h"
#include "core/measure/ModelFileParts.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

// Reading .gsqm files (strict: every byte checked, file:0 messages) and the PyTorch export.
namespace gsq::core::measure {

using namespace detail;

namespace {

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
    size_t remaining() const { return m_end - m_pos; }

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

/// What one record's payload reader needs: its cursor, where messages go, its shape.
struct Record {
    Cursor& c;
    const std::string& source;
    StoredTensor& s;
    int64_t rows, cols, numel;
    float* v; ///< the dense fp32 values, zero-filled

    [[noreturn]] void fail(const std::string& what) const
    {
        throw InputError(source, 0, "tensor '" + s.name + "': " + what);
    }
};

void readCsr(const Record& r)
{
    auto& c = r.c;
    const uint64_t nnz = c.get<uint64_t>();
    // Sizes checked against the bytes there are before anything is allocated; row pointers must
    // start at 0, never decrease and end at nnz (fuzzing found a pointer past nnz reading beyond
    // the column indices).
    if (static_cast<uint64_t>(r.rows) + 1 > c.remaining() / 4 || nnz > static_cast<uint64_t>(r.numel)
        || nnz > c.remaining())
        r.fail("CSR sizes exceed the record");
    std::vector<uint32_t> crow(static_cast<size_t>(r.rows + 1));
    std::memcpy(crow.data(), c.take(crow.size() * 4), crow.size() * 4);
    if (crow.back() != nnz)
        r.fail("CSR row pointers do not end at nnz");
    for (size_t i = 0; i + 1 < crow.size(); ++i)
        if (crow[i] > crow[i + 1] || (i == 0 && crow[0] != 0))
            r.fail("CSR row pointers must start at 0 and never decrease");
    const bool narrow = r.cols <= 65535;
    std::vector<uint32_t> idx(static_cast<size_t>(nnz));
    for (auto& j : idx)
        j = narrow ? c.get<uint16_t>() : c.get<uint32_t>();
    for (int64_t row = 0; row < r.rows; ++row)
        for (uint32_t k = crow[static_cast<size_t>(row)]; k < crow[static_cast<size_t>(row + 1)]; ++k) {
            if (idx[k] >= r.cols)
                r.fail("column index out of range");
            r.v[row * r.cols + idx[k]] = c.get<float>();
        }
}

void readCoded(const Record& r)
{
    const auto* p = reinterpret_cast<const uint8_t*>(r.c.take(r.s.bytes));
    try {
        auto d = coded::decodePayload(p, r.s.bytes, r.rows, r.cols);
        r.s.quantized = std::move(d.q);
        r.s.parts = std::move(d.parts);
        r.s.bits = d.bitsPerValue;
    } catch (const std::invalid_argument& e) {
        r.fail(e.what());
    }
    if (r.numel > 0)
        torch::from_blob(r.v, { r.numel }, torch::kFloat).copy_(r.s.quantized.dequantized().reshape({ r.numel }));
}

void readPacked(const Record& r)
{
    auto& c = r.c;
    const int64_t rows = r.rows, colsN = r.cols;
    std::vector<int> rowBits(static_cast<size_t>(rows));
    std::vector<float> scales(static_cast<size_t>(rows));
    uint64_t totalBits = 0;
    const uint8_t layout = c.get<uint8_t>();
    if (layout > 1)
        r.fail("unknown packed layout " + std::to_string(layout));
    for (int64_t row = 0; row < rows; ++row) {
        if (layout == 0 || row == 0) {
            rowBits[static_cast<size_t>(row)] = c.get<uint8_t>();
            scales[static_cast<size_t>(row)] = c.get<float>();
        } else {
            rowBits[static_cast<size_t>(row)] = rowBits[0];
            scales[static_cast<size_t>(row)] = scales[0];
        }
        if (rowBits[static_cast<size_t>(row)] < 2 || rowBits[static_cast<size_t>(row)] > 8)
            r.fail("row " + std::to_string(row) + " has " + std::to_string(rowBits[static_cast<size_t>(row)])
                + " bits; packed rows hold 2 to 8");
        totalBits += static_cast<uint64_t>(colsN) * static_cast<uint64_t>(rowBits[static_cast<size_t>(row)]);
    }
    const auto* p = reinterpret_cast<const uint8_t*>(c.take(static_cast<size_t>((totalBits + 7) / 8)));
    auto& q = r.s.quantized;
    q.values = torch::zeros({ rows, colsN }, torch::kChar);
    q.scales = torch::tensor(scales, torch::kFloat);
    q.bits = rowBits;
    int8_t* codes = q.values.data_ptr<int8_t>();
    uint64_t bitPos = 0;
    for (int64_t row = 0; row < rows; ++row) {
        const int b = rowBits[static_cast<size_t>(row)];
        const int qmax = (1 << (b - 1)) - 1;
        for (int64_t j = 0; j < colsN; ++j) {
            int u = 0;
            for (int k = 0; k < b; ++k, ++bitPos)
                u |= ((p[bitPos / 8] >> (bitPos % 8)) & 1) << k;
            if (u > 2 * qmax)
                r.fail("packed value out of range in row " + std::to_string(row));
            codes[row * colsN + j] = static_cast<int8_t>(u - qmax);
            r.v[row * colsN + j] = static_cast<float>(u - qmax) * scales[static_cast<size_t>(row)];
        }
    }
    r.s.bits = rows ? static_cast<double>(totalBits) / static_cast<double>(rows * colsN) : 0;
}

void readBitmask(const Record& r)
{
    const uint64_t nnz = r.c.get<uint64_t>();
    const char* bits = r.c.take(static_cast<size_t>((r.numel + 7) / 8));
    uint64_t seen = 0;
    for (int64_t k = 0; k < r.numel; ++k)
        if (bits[k / 8] & (1 << (k % 8))) {
            if (++seen > nnz)
                r.fail("bitmask has more bits than values");
            r.v[k] = r.c.get<float>();
        }
}

/// Checks magic, version and checksum; the file's version.
uint32_t checkFile(const std::string& bytes, const std::string& source)
{
    if (bytes.size() < 4 || std::memcmp(bytes.data(), kMagic, 4) != 0)
        throw InputError(source, 0, "not a GraphSqueeze model file (expected magic 'GSQM')");
    if (bytes.size() < 8)
        throw InputError(source, 0, "truncated model file: " + std::to_string(bytes.size()) + " bytes");
    uint32_t version = 0;
    std::memcpy(&version, bytes.data() + 4, 4);
    if (version < 1 || version > ModelFile::kVersion)
        throw InputError(source, 0,
            "unsupported model file version " + std::to_string(version) + " (this build reads versions 1 to "
                + std::to_string(ModelFile::kVersion) + ")");
    if (bytes.size() < 16)
        throw InputError(source, 0, "truncated model file: " + std::to_string(bytes.size()) + " bytes");
    const size_t end = bytes.size() - 4;
    uint32_t stored = 0;
    std::memcpy(&stored, bytes.data() + end, 4);
    if (crc32(bytes.data(), end) != stored)
        throw InputError(source, 0, "checksum mismatch: the model file is corrupt or truncated");
    return version;
}

} // namespace

std::vector<StoredTensor> ModelFile::decode(const std::string& bytes, const std::string& source)
{
    const uint32_t version = checkFile(bytes, source);
    const size_t end = bytes.size() - 4;
    Cursor c(bytes, end, source);
    c.take(8);
    const uint32_t count = c.get<uint32_t>();
    std::vector<StoredTensor> out;
    for (uint32_t i = 0; i < count; ++i) {
        StoredTensor s;
        const uint16_t nameLen = c.get<uint16_t>();
        s.name.assign(c.take(nameLen), nameLen);
        const auto enc = c.get<uint8_t>();
        if (enc > 4 || (enc == 3 && version < 2) || (enc == 4 && version < 3))
            throw InputError(source, 0, "tensor '" + s.name + "': unknown encoding " + std::to_string(enc));
        s.encoding = static_cast<Encoding>(enc);
        const uint8_t ndim = c.get<uint8_t>();
        std::vector<int64_t> dims;
        int64_t numel = 1;
        for (uint8_t d = 0; d < ndim; ++d) {
            const uint64_t dim = version >= 2 ? c.get<uint32_t>() : c.get<uint64_t>();
            // Checked before anything is allocated (fuzzing found a header asking LibTorch for
            // 3.5e18 floats, whose c10::Error escaped).
            if (dim > static_cast<uint64_t>(kMaxElements)
                || (dim > 0 && numel > kMaxElements / static_cast<int64_t>(dim)))
                throw InputError(source, 0,
                    "tensor '" + s.name + "': shape too large (more than " + std::to_string(kMaxElements)
                        + " values in one tensor)");
            dims.push_back(static_cast<int64_t>(dim));
            numel *= dims.back();
        }
        s.bytes = version >= 2 ? c.get<uint32_t>() : c.get<uint64_t>();
        const size_t payloadStart = c.pos();
        auto t = torch::zeros({ numel }, torch::kFloat);
        float* v = t.data_ptr<float>();
        const int64_t rows = ndim ? dims[0] : 1;
        if (s.encoding == Encoding::Dense) {
            const char* payload = c.take(static_cast<size_t>(numel) * 4);
            if (numel > 0) // an empty tensor has no storage to copy into (UBSan, found by fuzzing)
                std::memcpy(v, payload, static_cast<size_t>(numel) * 4);
        } else if (s.encoding == Encoding::Csr)
            readCsr({ c, source, s, rows, rows ? numel / rows : 1, numel, v });
        else if (s.encoding == Encoding::Coded)
            readCoded({ c, source, s, rows, rows ? numel / rows : 0, numel, v });
        else if (s.encoding == Encoding::Packed)
            readPacked({ c, source, s, rows, rows ? numel / rows : 0, numel, v });
        else
            readBitmask({ c, source, s, rows, 0, numel, v });
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

namespace {

/// A quantizer's learned step sizes or bit-widths of a weight ("quant.<key>__step" / "__bits"),
/// or weight sharing's codebook and codes ("__codebook" / "__codes"),
/// which files leave out because the weight's packed or coded record holds them: copied from that record
/// into `tensor`. False when `name` is not such a tensor or no packed record matches.
bool learnedFromPacked(const std::vector<StoredTensor>& stored, const std::string& name, at::Tensor& tensor)
{
    const std::string prefix = "quant.";
    for (const char* suffix : { "__step", "__bits", "__codebook", "__codes" }) {
        const std::string tail(suffix);
        if (name.size() <= prefix.size() + tail.size() || name.rfind(prefix, 0) != 0
            || name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
            continue;
        const std::string key = name.substr(prefix.size(), name.size() - prefix.size() - tail.size());
        for (const auto& s : stored) {
            if ((s.encoding != Encoding::Packed && s.encoding != Encoding::Coded)
                || ModelFile::quantizerKey(s.name) != key)
                continue;
            const auto& q = s.quantized;
            if (tail == "__codes") {
                // Weight sharing's codes as indices into its codebook (code + qmax).
                if (!q.codebook.defined() || q.values.numel() != tensor.numel())
                    return false;
                const int64_t qmax = (q.codebook.numel() - 1) / 2;
                tensor.copy_((q.values.to(torch::kLong) + qmax).reshape(tensor.sizes()));
                return true;
            }
            if (tail == "__codebook") {
                // Weight sharing's learned values: the codebook without its fixed zero.
                if (!q.codebook.defined() || q.codebook.numel() != tensor.numel() + 1)
                    return false;
                const int64_t half = tensor.numel() / 2;
                tensor.copy_(torch::cat({ q.codebook.slice(0, 0, half), q.codebook.slice(0, half + 1) }));
                return true;
            }
            if (static_cast<int64_t>(q.bits.size()) != tensor.numel())
                return false;
            if (tail == "__step") {
                tensor.copy_(q.scales.reshape(tensor.sizes()));
            } else {
                auto bits = torch::tensor(std::vector<int64_t>(q.bits.begin(), q.bits.end()));
                tensor.copy_(bits.reshape(tensor.sizes()));
            }
            return true;
        }
    }
    return false;
}

} // namespace

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
        auto it = find(name);
        if (it == stored.end() && learnedFromPacked(stored, name, tensor))
            continue;
        if (it == stored.end())
            throw InputError(path, 0, "missing tensor '" + name + "' for this model");
        if (it->value.sizes() != tensor.sizes())
            throw InputError(path, 0,
                "tensor '" + name + "' has shape " + c10::str(it->value.sizes()) + ", the model expects "
                    + c10::str(tensor.sizes()));
        tensor.copy_(it->value);
    }
}

std::string ModelFile::pygName(const std::string& name, const std::vector<std::string>& layerNames)
{
    // stack.conv<k>.<local> -> convs.<k>.<PyG local>; anything else keeps its name.
    const std::string stack = "stack.conv";
    if (name.rfind(stack, 0) != 0)
        return name;
    const size_t dot = name.find('.', stack.size());
    if (dot == std::string::npos)
        return name;
    const std::string layer = name.substr(0, dot + 1), local = name.substr(dot + 1);
    const std::string out = "convs." + name.substr(stack.size(), dot - stack.size()) + ".";
    auto has = [&](const std::string& l) {
        return std::find(layerNames.begin(), layerNames.end(), layer + l) != layerNames.end();
    };
    if (has("weight_neighbours")) { // SAGEConv: lin_l (neighbours, with the bias), lin_r (root)
        if (local == "weight_neighbours")
            return out + "lin_l.weight";
        if (local == "bias")
            return out + "lin_l.bias";
        if (local == "weight_root")
            return out + "lin_r.weight";
    } else if (has("lin1.weight")) { // GINConv(nn = Sequential(Linear, ReLU, Linear, ReLU, BatchNorm1d))
        for (const auto& [ours, theirs] : std::vector<std::pair<std::string, std::string>> {
                 { "lin1.", "nn.0." }, { "lin2.", "nn.2." }, { "norm.", "nn.4." } })
            if (local.rfind(ours, 0) == 0 && local.find("bn_") == std::string::npos)
                return out + theirs + local.substr(ours.size());
        if (local == "eps")
            return out + "eps";
    } else if (has("lin.weight")) { // SplineConv: the same names
        return out + local;
    } else { // GCNConv and GATConv: lin (no bias), then bias; GAT's att_src/att_dst as they are
        if (local == "weight")
            return out + "lin.weight";
        return out + local;
    }
    return name;
}

void ModelFile::exportTorch(const std::vector<StoredTensor>& tensors, const std::string& path, bool codes)
{
    std::vector<std::string> names;
    for (const auto& t : tensors)
        names.push_back(t.name);
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& t : tensors) {
        const std::string key = pygName(t.name, names);
        if (dict.contains(key))
            throw InputError(path, 0, "two tensors map to '" + key + "'");
        dict.insert(key, t.value.clone());
        if (codes && t.quantized.values.defined()) {
            dict.insert(key + ".int_codes", t.quantized.values.clone());
            dict.insert(key + ".scales", t.quantized.scales.clone());
            dict.insert(key + ".bits", torch::tensor(t.quantized.bits, torch::kInt));
            if (t.quantized.codebook.defined())
                dict.insert(key + ".codebook", t.quantized.codebook.clone());
        }
    }
    auto bytes = torch::pickle_save(dict);
    writeFileAtomically(path, std::string(bytes.begin(), bytes.end()));
}

} // namespace gsq::core::measure
