#include "core/quantization/QuantMethod.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

/// weight_sharing: Deep Compression's trained quantization (Han et al., ICLR 2016, section 3).
/// The weights of each matrix share a codebook of 2^b - 1 values: code 0 is the exact zero, so
/// pruned weights stay pruned and sparse storage skips them; the 2^b - 2 other values are found
/// by k-means over the non-zero weights from a linear initialisation (evenly spaced over [min w,
/// max w], the initialisation the paper finds best). Each weight keeps its cluster; training
/// fine-tunes the shared values by the summed gradients of their members (the gradient of an
/// index lookup), as the paper's centroid fine-tuning does; the shared values train in their own
/// optimizer group without weight decay. Activations stay in full precision (the method takes no
/// `activations` key). The model file stores each matrix's codes with its codebook (coded
/// layout 3, docs/model-format.md).
namespace gsq::core::quantization {
namespace {

constexpr int kLloydIterations = 30;

std::string keyOf(const std::string& name)
{
    return measure::ModelFile::quantizerKey(name);
}

struct SharedWeight : WeightPoint {
    at::Tensor centroids; ///< learnable [2 qmax]: the values of codes -qmax..-1, 1..qmax
    at::Tensor table; ///< [2 qmax + 1] index = code + qmax, built from centroids each forward
    at::Tensor index; ///< buffer [rows * cols] long: code + qmax of each element, fixed
};

class WeightSharing : public QuantMethod {
public:
    using QuantMethod::QuantMethod;

    std::unique_ptr<WeightPoint> makeWeight(const std::string& name, const at::Tensor& w) override
    {
        auto p = std::make_unique<SharedWeight>();
        p->name = name;
        p->source = w;
        p->rows = w.size(0);
        p->cols = w.numel() / std::max<int64_t>(1, w.size(0));
        torch::NoGradGuard guard;
        const int64_t qmax = (int64_t { 1 } << (m_spec.bits - 1)) - 1;
        auto flat = w.detach().reshape({ -1 }).to(torch::kFloat);
        auto centroids = cluster(flat, 2 * qmax);
        // Codes in centroid order: the lowest value gets -qmax, the highest qmax; 0 stays zero.
        auto nonZero = flat != 0;
        auto nearest = nearestCentroid(flat, centroids); // 0 .. 2 qmax - 1
        auto code = torch::where(nearest < qmax, nearest - qmax, nearest - qmax + 1);
        // The codes are a buffer, so checkpoints keep them and a model file gives them back
        // (ModelFileRead's learnedFromPacked), as it gives back the codebook.
        p->index = m_state.module().register_buffer(
            keyOf(name) + "__codes", torch::where(nonZero, code, torch::zeros_like(code)) + qmax);
        p->centroids = m_state.module().register_parameter(keyOf(name) + "__codebook", centroids);
        return p;
    }

    at::Tensor weight(WeightPoint& point, const at::Tensor& w) override
    {
        auto& p = static_cast<SharedWeight&>(point);
        return tableOf(p).index_select(0, p.index).reshape(w.sizes());
    }

    measure::QuantizedWeight integerWeight(WeightPoint& point) override
    {
        auto& p = static_cast<SharedWeight&>(point);
        const int64_t qmax = (int64_t { 1 } << (m_spec.bits - 1)) - 1;
        measure::QuantizedWeight q;
        q.values = (p.index - qmax).to(torch::kChar).reshape({ p.rows, p.cols }).contiguous();
        q.scales = torch::ones({ p.rows }, torch::kFloat);
        q.bits.assign(static_cast<size_t>(p.rows), m_spec.bits);
        q.codebook = tableOf(p).detach().to(torch::kFloat).contiguous();
        q.derived = { "quant." + keyOf(p.name) + "__codebook", "quant." + keyOf(p.name) + "__codes" };
        q.storage = storage();
        return q;
    }

    at::Tensor act(ActPoint&, const at::Tensor& x, bool) override { return x; }

    std::vector<ParameterGroup> parameterGroups() override
    {
        ParameterGroup shared;
        for (const auto& p : m_state.module().named_parameters(/*recurse=*/false))
            shared.parameters.push_back(p.value());
        return { shared };
    }

private:
    /// The values of codes -qmax..qmax: the centroids with the exact zero in the middle.
    static at::Tensor tableOf(const SharedWeight& p)
    {
        const int64_t half = p.centroids.size(0) / 2;
        return torch::cat(
            { p.centroids.slice(0, 0, half), torch::zeros({ 1 }, p.centroids.options()), p.centroids.slice(0, half) });
    }

    /// Index of the nearest of the ascending `centroids` for each value.
    static at::Tensor nearestCentroid(const at::Tensor& values, const at::Tensor& centroids)
    {
        auto mid = (centroids.slice(0, 1) + centroids.slice(0, 0, -1)) / 2;
        return torch::bucketize(values, mid);
    }

    /// k-means (Lloyd) of the non-zero values into `k` ascending centroids, linearly initialised
    /// over [min, max]; a cluster that empties keeps its value.
    static at::Tensor cluster(const at::Tensor& flat, int64_t k)
    {
        auto values = flat.index({ flat != 0 });
        if (values.numel() == 0)
            return torch::linspace(-1, 1, k);
        const double lo = values.min().item<double>(), hi = values.max().item<double>();
        auto centroids = torch::linspace(lo, hi, k);
        if (hi <= lo)
            return centroids;
        at::Tensor previous;
        for (int it = 0; it < kLloydIterations; ++it) {
            auto assign = nearestCentroid(values, centroids);
            if (previous.defined() && torch::equal(assign, previous))
                break;
            auto sums = torch::zeros({ k }).index_add(0, assign, values);
            auto counts = torch::bincount(assign, {}, k).to(torch::kFloat);
            centroids = torch::where(counts > 0, sums / counts.clamp_min(1), centroids);
            centroids = std::get<0>(centroids.sort());
            previous = assign;
        }
        return centroids;
    }
};

} // namespace

QuantMethodEntry quantMethod_WeightSharing()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Quantize;
    info.name = "weight_sharing";
    info.label = "Weight sharing (k-means codebook)";
    info.help = "the weights of each matrix share 2^bits - 1 values (zero included) found by k-means; training "
                "tunes the shared values (Han et al. 2016)";
    info.keys = { "bits", "epochs", "start", "lr", "weight_decay", "lr_step_size", "lr_gamma", "targets", "storage" };
    info.collapseAdvice = "use more bits";
    info.order = 50;
    info.quantDefaults = [](QuantSpec& q) {
        q.bits = 4;
        q.activations = false;
    };
    return { info, [](const QuantSpec& spec, QuantState& state, uint64_t) {
                return std::make_unique<WeightSharing>(spec, state);
            } };
}

} // namespace gsq::core::quantization
