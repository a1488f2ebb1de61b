#include "core/quantization/UniformQuant.h"

#include "core/measure/ModelFile.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace gsq::core::quantization {
namespace {

double symmetricMax(int bits)
{
    return std::ldexp(1.0, bits - 1) - 1.0;
}

/// An activation point's observed range: buffer [3] = lo, hi, batches seen.
struct RangePoint : ActPoint {
    at::Tensor range, lo, hi, count;
};

} // namespace

std::vector<std::string> uniformTrainingKeys()
{
    return { "bits", "epochs", "start", "lr", "weight_decay", "lr_step_size", "lr_gamma", "observer", "momentum",
        "percentile", "granularity", "backward", "activations", "targets", "storage" };
}

at::Tensor UniformQuant::weightScales(const WeightPoint& p, const at::Tensor& w) const
{
    const double qmax = symmetricMax(m_spec.bits);
    auto flat = w.detach().reshape({ p.rows, p.cols }).abs();
    if (m_spec.granularity == "per_channel")
        return (flat.amax(1) / qmax).clamp_min(1e-12);
    return (flat.max() / qmax).clamp_min(1e-12).expand({ p.rows }).contiguous();
}

at::Tensor UniformQuant::weight(WeightPoint& p, const at::Tensor& w)
{
    auto w2 = w.reshape({ p.rows, p.cols });
    const double qmax = symmetricMax(m_spec.bits);
    auto s = weightScales(p, w).unsqueeze(1);
    auto fq = (w2.detach() / s).round().clamp(-qmax, qmax) * s;
    // Weights take the straight-through gradient under either `backward`: their range is their own
    // max |w| (per tensor or channel), so the clipped estimator would clip nothing.
    return (w2 + (fq - w2).detach()).reshape(w.sizes());
}

measure::QuantizedWeight UniformQuant::integerWeight(WeightPoint& p)
{
    auto w2 = p.source.detach().reshape({ p.rows, p.cols }).to(torch::kFloat);
    measure::QuantizedWeight q;
    q.scales = weightScales(p, w2).to(torch::kFloat).contiguous();
    q.bits.assign(static_cast<size_t>(p.rows), m_spec.bits);
    const double qmax = symmetricMax(m_spec.bits);
    q.values = (w2 / q.scales.unsqueeze(1)).round().clamp(-qmax, qmax).to(torch::kChar).contiguous();
    q.storage = storage();
    return q;
}

std::unique_ptr<ActPoint> UniformQuant::makeAct(const std::string& name, const at::Tensor& x, Rows rows, bool nodes)
{
    auto p = std::make_unique<RangePoint>();
    p->name = name;
    p->rows = rows;
    p->range
        = m_state.module().register_buffer(measure::ModelFile::quantizerKey(name) + "__range", torch::zeros({ 3 }));
    p->lo = p->range.narrow(0, 0, 1);
    p->hi = p->range.narrow(0, 1, 1);
    p->count = p->range.narrow(0, 2, 1);
    return p;
}

at::Tensor UniformQuant::quantizeAct(ActPoint& point, const at::Tensor& x, const at::Tensor& keepFp32)
{
    auto& p = static_cast<RangePoint&>(point);
    const bool masked = keepFp32.defined();
    if (observing() && (!masked || !keepFp32.all().item<bool>())) {
        torch::NoGradGuard guard;
        auto flat = (masked ? x.detach().index({ keepFp32.logical_not() }) : x.detach()).reshape({ -1 });
        double bmin = 0, bmax = 0;
        if (m_spec.observer == "percentile") {
            const int64_t n = flat.numel(), cap = 1 << 16;
            auto sample = n > cap ? flat.slice(0, 0, n, (n + cap - 1) / cap) : flat;
            const int64_t m = sample.numel();
            const int64_t k = std::clamp<int64_t>(static_cast<int64_t>(std::llround(m_spec.percentile * m)), 1, m);
            bmin = std::get<0>(sample.kthvalue(k)).item<double>();
            bmax = std::get<0>(sample.kthvalue(m - k + 1)).item<double>();
        } else {
            auto [mn, mx] = torch::aminmax(flat);
            bmin = mn.item<double>();
            bmax = mx.item<double>();
        }
        if (p.count.item<double>() == 0) {
            p.lo.fill_(bmin);
            p.hi.fill_(bmax);
        } else if (m_spec.observer == "minmax") {
            p.lo.fill_(std::min(p.lo.item<double>(), bmin));
            p.hi.fill_(std::max(p.hi.item<double>(), bmax));
        } else {
            // Calibration averages its batches; training follows them with the set momentum.
            const double m = m_state.calibrating() ? std::max(m_spec.momentum, 1.0 / (p.count.item<double>() + 1.0))
                                                   : m_spec.momentum;
            p.lo.fill_(p.lo.item<double>() * (1 - m) + bmin * m);
            p.hi.fill_(p.hi.item<double>() * (1 - m) + bmax * m);
        }
        p.count.add_(1);
    }
    if (p.count.item<double>() == 0)
        return x; // never observed: nothing to quantize with yet
    const double lo = std::min(0.0, p.lo.item<double>()), hi = std::max(0.0, p.hi.item<double>());
    const int64_t levels = (int64_t { 1 } << m_spec.bits) - 1;
    const double scale = std::max((hi - lo) / static_cast<double>(levels), 1e-8);
    const int64_t zero = std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(-lo / scale)), 0, levels);
    if (!torch::GradMode::is_enabled() && !masked) {
        // Inference (evaluation, the deployed int8 model): the grid alone, without the autograd
        // bookkeeping of the straight-through estimator.
        const double s = scale;
        return (x / s + static_cast<double>(zero)).round_().clamp_(0, static_cast<double>(levels)).sub_(zero).mul_(s);
    }
    auto y = torch::fake_quantize_per_tensor_affine(x, scale, zero, 0, levels);
    if (m_spec.backward == "ste")
        y = x + (y - x).detach();
    if (masked)
        y = torch::where(keepFp32.unsqueeze(1), x, y);
    return y;
}

} // namespace gsq::core::quantization
