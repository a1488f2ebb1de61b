#include "core/quantization/DegreeQuant.h"
#include "core/quantization/UniformQuant.h"

#include <torch/torch.h>

#include <cstdio>
#include <random>

/// degree_quant: Degree-Quant (Tailor et al., ICLR 2021; camlsys/degree-quant). As qat, but
/// while training each node stays in full precision with a probability that grows with its
/// in-degree rank in its graph; one mask per forward pass is shared by every point, and only
/// unprotected rows feed the ranges. Evaluation quantizes every node.
namespace gsq::core::quantization {
namespace {

class DegreeQuantMethod : public UniformQuant {
public:
    DegreeQuantMethod(const QuantSpec& spec, QuantState& state, uint64_t seed)
        : UniformQuant(spec, state)
        , m_rng(seed * 0x2545F4914F6CDD1DULL + 7)
    {
    }

    void beginGraph(const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& batch) override
    {
        m_mask = at::Tensor();
        auto deg = torch::bincount(edgeIndex[1], {}, numNodes);
        auto protect = protectionProbability(deg, m_spec.protectLow, m_spec.protectChange, batch);
        // One Bernoulli draw per node for this forward pass, shared by every layer and
        // quantization point (reddit_binary/gin.py draws `mask` once in forward and hands it to
        // every conv); none while calibrating or evaluating, where every node is quantized.
        if (!m_state.training() || m_state.calibrating())
            return;
        std::uniform_real_distribution<float> uniform(0.f, 1.f);
        auto prob = protect.contiguous();
        const float* pp = prob.data_ptr<float>();
        m_mask = torch::empty({ numNodes }, torch::kBool);
        bool* kp = m_mask.data_ptr<bool>();
        for (int64_t i = 0; i < numNodes; ++i)
            kp[i] = uniform(m_rng) < pp[i];
    }

    at::Tensor act(ActPoint& p, const at::Tensor& x, bool nodes) override
    {
        // While training, protected rows stay fp32 and only the unprotected rows feed the
        // low-precision ranges (dq/multi_quant.py: the *_low quantizers see x[~mask] only).
        const bool masked = nodes && m_mask.defined() && m_state.training() && !m_state.calibrating();
        return quantizeAct(p, x, masked ? m_mask : at::Tensor());
    }

private:
    std::mt19937_64 m_rng;
    at::Tensor m_mask; ///< [N] bool: nodes kept fp32 in this forward (training only)
};

std::string number(const char* key, double v)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, " %s=%g", key, v);
    return buf;
}

} // namespace

QuantMethodEntry quantMethod_DegreeQuant()
{
    experiment::MethodInfo info;
    info.kind = experiment::StepKind::Quantize;
    info.name = "degree_quant";
    info.label = "Degree-Quant";
    info.help = "QAT that keeps high in-degree nodes in full precision more often (Tailor et al. 2021)";
    info.keys = uniformTrainingKeys();
    info.keys.insert(info.keys.end(), { "protect_low", "protect_change" });
    info.collapseAdvice = "use more bits or a higher protection probability";
    info.order = 20;
    info.quantDefaults = [](QuantSpec& q) { q.observer = "percentile"; }; // the reference's ranges
    info.quantLabel = [](const QuantSpec& q) {
        std::string label;
        if (q.protectLow != 0.0)
            label += number("protect_low", q.protectLow);
        if (q.protectChange != 0.1)
            label += number("protect_change", q.protectChange);
        return label;
    };
    return { info, [](const QuantSpec& spec, QuantState& state, uint64_t seed) {
                return std::make_unique<DegreeQuantMethod>(spec, state, seed);
            } };
}

} // namespace gsq::core::quantization
