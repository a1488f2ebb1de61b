#include "core/compression/PruningHooks.h"

#include <torch/torch.h>

namespace gsq::core::compression {

PruningHooks::PruningHooks(torch::nn::Module& module, const pruning::PruneMethod& method, double targetSparsity,
    pruning::MaskSet masks, Mode mode, std::function<void(int, double)> onPrune)
    : m_module(module)
    , m_method(method)
    , m_spec(method.spec())
    , m_target(targetSparsity)
    , m_masks(std::move(masks))
    , m_regularize(mode == Mode::Regularize)
    , m_onPrune(std::move(onPrune))
{
    if (m_regularize)
        m_regularized = method.regularized(module);
}

void PruningHooks::onEpochBegin(int epoch)
{
    if (m_regularize || m_spec.schedule != "agp")
        return;
    pruning::AgpSchedule agp { 0.0, m_target, m_spec.agpStart, m_spec.agpEnd, m_spec.agpFrequency };
    const double s = agp.sparsityAt(epoch);
    if (s < 0)
        return;
    m_masks = m_method.select(m_module, s);
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
    if (!m_regularize)
        return {};
    return m_method.penalty(m_module, m_regularized);
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
    return m_regularize || m_spec.schedule != "agp" || epoch >= m_spec.agpEnd;
}

} // namespace gsq::core::compression
