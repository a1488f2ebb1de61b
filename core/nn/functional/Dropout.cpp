#include "core/nn/functional/Dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <mutex>
#include <stdexcept>
#include <vector>

namespace gsq::core::nn::functional {
namespace {

/// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
class Xoshiro {
public:
    explicit Xoshiro(uint64_t seed)
    {
        for (auto& s : m_s) {
            seed += 0x9E3779B97F4A7C15ULL;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            s = z ^ (z >> 31);
        }
    }
    uint64_t next()
    {
        const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t m_s[4];
};

uint64_t seedFromTorch()
{
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
}

} // namespace

at::Tensor dropoutMask(int64_t numel, double p)
{
    if (p < 0.0 || p >= 1.0)
        throw std::invalid_argument("dropout probability must be in [0, 1), got " + std::to_string(p));
    auto mask = torch::empty({ numel }, torch::kFloat);
    float* m = mask.data_ptr<float>();
    const auto threshold = static_cast<uint32_t>(p * 65536.0 + 0.5); // keep when u16 >= threshold
    const float scale = static_cast<float>(1.0 / (1.0 - p));
    Xoshiro rng(seedFromTorch());
    std::vector<uint64_t> bits(static_cast<size_t>((numel + 3) / 4));
    for (auto& b : bits)
        b = rng.next();
    // Four 16-bit uniforms per draw; a branch-free loop the compiler vectorises.
    const auto* u = reinterpret_cast<const uint16_t*>(bits.data());
    for (int64_t i = 0; i < numel; ++i)
        m[i] = u[i] >= threshold ? scale : 0.0f;
    return mask;
}

at::Tensor dropout(const at::Tensor& x, double p, bool training)
{
    if (!training || p <= 0.0)
        return x;
    if (x.layout() == torch::kSparseCsr) {
        // Same pattern tensors, new values: spmm's cached transpose stays valid.
        auto values = x.values();
        return at::_sparse_csr_tensor_unsafe(x.crow_indices(), x.col_indices(),
            values * dropoutMask(values.numel(), p).to(values.scalar_type()), x.sizes(),
            values.options().layout(torch::kSparseCsr));
    }
    if (x.is_sparse()) {
        auto xc = x.coalesce();
        auto values = xc.values();
        return torch::sparse_coo_tensor(
            xc.indices(), values * dropoutMask(values.numel(), p).view(values.sizes()), xc.sizes())
            ._coalesced_(true);
    }
    return x * dropoutMask(x.numel(), p).view(x.sizes()).to(x.scalar_type());
}

} // namespace gsq::core::nn::functional
