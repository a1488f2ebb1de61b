#include "core/quantization/Int8Linear.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/torch.h>

#include <map>
#include <mutex>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace gsq::core::quantization {
namespace {

thread_local bool t_int8 = false;

std::mutex& registryMutex()
{
    static std::mutex m;
    return m;
}

std::map<const void*, std::shared_ptr<const PackedLinear>>& registry()
{
    static std::map<const void*, std::shared_ptr<const PackedLinear>> r;
    return r;
}

c10::IValue callOp(const char* name, std::vector<c10::IValue> args)
{
    auto op = c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
    torch::jit::Stack stack(std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
    op.callBoxed(&stack);
    return stack.at(0);
}

} // namespace

struct PackedLinear::Impl {
    c10::IValue packed;
};

PackedLinear::PackedLinear(const at::Tensor& values, const at::Tensor& scales)
    : m_impl(std::make_unique<Impl>())
{
    TORCH_CHECK(
        values.dim() == 2 && values.scalar_type() == torch::kChar, "PackedLinear: values must be int8 [out, in]");
    TORCH_CHECK(scales.numel() == values.size(0), "PackedLinear: one scale per output row expected");
    // oneDNN is the engine that computes correctly here (QNNPACK was wrong for one seed in the
    // platform check) and is the fast one.
    at::globalContext().setQEngine(at::QEngine::ONEDNN);
    m_out = values.size(0);
    auto q = at::_make_per_channel_quantized_tensor(
        values.contiguous(), scales.to(torch::kDouble).contiguous(), torch::zeros({ m_out }, torch::kLong), 0);
    m_impl->packed = callOp("quantized::linear_prepack", { q, c10::optional<at::Tensor>() });
}

PackedLinear::~PackedLinear() = default;

at::Tensor PackedLinear::forward(const at::Tensor& x, const at::Tensor& bias) const
{
    auto y
        = callOp("quantized::linear_dynamic", { x.contiguous(), m_impl->packed, activationsReducedRange() }).toTensor();
    return bias.defined() ? y + bias : y;
}

bool activationsReducedRange()
{
#if defined(__x86_64__) || defined(__i386__)
    // CPUID leaf 7: AVX512-VNNI is subleaf 0 ECX bit 11, AVX-VNNI subleaf 1 EAX bit 4 (read
    // directly: not every compiler's __builtin_cpu_supports knows "avxvnni").
    static const bool reduced = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (__get_cpuid_max(0, nullptr) < 7)
            return true;
        __cpuid_count(7, 0, a, b, c, d);
        const bool avx512vnni = (c >> 11) & 1U;
        __cpuid_count(7, 1, a, b, c, d);
        const bool avxvnni = (a >> 4) & 1U;
        return !(avx512vnni || avxvnni);
    }();
    return reduced;
#else
    return false;
#endif
}

at::Tensor referenceInt8Linear(
    const at::Tensor& x, const at::Tensor& values, const at::Tensor& scales, const at::Tensor& bias, bool reducedRange)
{
    const int64_t qmax = reducedRange ? 127 : 255;
    const double lo = std::min(0.0, x.min().item<double>()), hi = std::max(0.0, x.max().item<double>());
    const double scale = hi > lo ? (hi - lo) / static_cast<double>(qmax) : 1.0;
    const int64_t zero = std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(-lo / scale)), 0, qmax);
    auto qx = (x / scale).round().add(zero).clamp(0, qmax).to(torch::kLong) - zero;
    auto acc = torch::matmul(qx, values.to(torch::kLong).t()); // exact integer products
    auto y = acc.to(torch::kDouble) * scale * scales.to(torch::kDouble).unsqueeze(0);
    y = y.to(torch::kFloat);
    return bias.defined() ? y + bias : y;
}

Int8Scope::Int8Scope()
    : m_previous(t_int8)
{
    t_int8 = true;
}

Int8Scope::~Int8Scope()
{
    t_int8 = m_previous;
}

bool Int8Scope::active()
{
    return t_int8;
}

void registerPacked(const at::Tensor& weight, std::shared_ptr<const PackedLinear> packed)
{
    std::lock_guard<std::mutex> lock(registryMutex());
    registry()[weight.unsafeGetTensorImpl()] = std::move(packed);
}

void unregisterPacked(const at::Tensor& weight)
{
    std::lock_guard<std::mutex> lock(registryMutex());
    registry().erase(weight.unsafeGetTensorImpl());
}

std::shared_ptr<const PackedLinear> findPacked(const at::Tensor& weight)
{
    std::lock_guard<std::mutex> lock(registryMutex());
    auto it = registry().find(weight.unsafeGetTensorImpl());
    return it == registry().end() ? nullptr : it->second;
}

} // namespace gsq::core::quantization
