#pragma once

#include <ATen/core/Tensor.h>

#include <memory>

namespace gsq::core::quantization {

/// A linear layer's int8 weights packed for oneDNN (LibTorch's `quantized::linear_prepack`).
/// Weights are symmetric (zero point 0) int8 values with one scale per output row; values of
/// lower bit-widths (2-7 bits) are stored in the same int8 lanes.
class PackedLinear {
public:
    /// `values` int8 [out, in], `scales` float [out].
    PackedLinear(const at::Tensor& values, const at::Tensor& scales);
    ~PackedLinear();
    /// x [N, in] fp32 (dense) -> x @ W^T + bias, [N, out] fp32. Activations are quantized to
    /// uint8 per call from their min/max (dynamic quantization; 7 bits where
    /// activationsReducedRange()), products accumulate in int32.
    at::Tensor forward(const at::Tensor& x, const at::Tensor& bias) const;
    int64_t outFeatures() const { return m_out; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    int64_t m_out = 0;
};

/// True on CPUs without VNNI (AVX2-only x86). There oneDNN's u8 x s8 kernels add pairs of
/// products in int16 (vpmaddubsw) and saturate: 255 * 127 * 2 > 32767, so full-range 8-bit
/// activations give wrong sums. As PyTorch's `reduce_range` for x86, activations are then
/// quantized to 7 bits (127 steps) and every pair fits. With VNNI (vpdpbusd) products
/// accumulate in int32 and all 8 bits are used.
bool activationsReducedRange();

/// The same product computed plainly (the reference the oneDNN kernel is tested against):
/// x is quantized to uint8 with the kernel's scheme (range [min(x,0), max(x,0)], 255 steps, or
/// 127 with `reducedRange`), multiplied with the int8 weights in int64 and rescaled.
at::Tensor referenceInt8Linear(const at::Tensor& x, const at::Tensor& values, const at::Tensor& scales,
    const at::Tensor& bias, bool reducedRange = activationsReducedRange());

/// While alive (on this thread), functional::linear() runs weights registered with
/// registerPacked() through their PackedLinear when the input is dense.
class Int8Scope {
public:
    Int8Scope();
    ~Int8Scope();
    Int8Scope(const Int8Scope&) = delete;
    Int8Scope& operator=(const Int8Scope&) = delete;
    static bool active();

private:
    bool m_previous;
};

/// Associates a weight tensor (by identity) with its packed int8 form; unregister before the
/// tensor dies.
void registerPacked(const at::Tensor& weight, std::shared_ptr<const PackedLinear> packed);
void unregisterPacked(const at::Tensor& weight);
/// The packed form of `weight`, or nullptr.
std::shared_ptr<const PackedLinear> findPacked(const at::Tensor& weight);

} // namespace gsq::core::quantization
