#include "core/compression/PruningHooks.h"

#include <torch/torch.h>

namespace gsq::core::compression {

PruningHooks::PruningHooks(torch::nn::Module& module, const PruneSpec& spec, double targetSparsity,
    pruning::MaskSet masks, bool l2Only, std::function<void(int, double)> onPrune)
    : m_module(module)
    , m_spec(spec)
    , m_target(targetSparsity)
    , m_masks(std::move(masks))
    , m_l2Only(l2Only)
    , m_onPrune(std::move(onPrune))
{
    if (m_l2Only && spec.runsAs() == experiment::Method::L2Only) {
        for (const auto& p : module.named_parameters(true)) // the paper: every parameter tensor
            m_l2Names.push_back(p.key());
    } else if (m_l2Only) {
        m_l2Names = pruning::MaskSet::select(module, spec.targets);
    }
}

pruning::MaskSet PruningHooks::prune(torch::nn::Module& module, const PruneSpec& spec, double sparsity)
{
    if (spec.runsAs() == experiment::Method::Global)
        return pruning::MaskSet::globalMagnitude(module, spec.targets, sparsity);
    return pruning::MaskSet::perLayerMagnitude(module, spec.targets, sparsity);
}

void PruningHooks::onEpochBegin(int epoch)
{
    if (m_l2Only || m_spec.schedule != "agp")
        return;
    pruning::AgpSchedule agp { 0.0, m_target, m_spec.agpStart, m_spec.agpEnd, m_spec.agpFrequency };
    const double s = agp.sparsityAt(epoch);
    if (s < 0)
        return;
    m_masks = prune(m_module, m_spec, s);
    if (!m_kept.empty()) {
        m_masks.merge(m_kept);
        m_masks.apply(m_module);
    }
    if (m_onPrune)
        m_onPrune(epoch, s);
}

void PruningHooks::keep(const pruning::MaskSet& earlier)
{
    m_kept = earlier;
    m_masks.merge(m_kept);
    m_masks.apply(m_module);
}

at::Tensor PruningHooks::extraLoss()
{
    if (!m_l2Only || m_spec.lambda <= 0)
        return {};
    return m_spec.lambda * pruning::l2Penalty(m_module, m_l2Names);
}

void PruningHooks::beforeOptimizerStep()
{
    m_masks.maskGradients(m_module);
}

void PruningHooks::afterOptimizerStep()
{
    m_masks.apply(m_module);
}

bool PruningHooks::acceptCheckpoint(int epoch)
{
    return m_l2Only || m_spec.schedule != "agp" || epoch >= m_spec.agpEnd;
}

} // namespace gsq::core::compression
