#include "core/quantization/QuantHook.h"

#include "core/quantization/Quantizer.h"

namespace gsq::core::quantization {

at::Tensor Hook::weight(const std::string& local, const at::Tensor& w) const
{
    return m_quantizer ? m_quantizer->weight(m_prefix + local, w) : w;
}

at::Tensor Hook::act(const std::string& local, const at::Tensor& x, Rows rows) const
{
    return m_quantizer ? m_quantizer->act(m_prefix + local, x, rows) : x;
}

void Hook::beginGraph(const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& batch) const
{
    if (m_quantizer)
        m_quantizer->beginGraph(edgeIndex, numNodes, batch);
}

void Hook::attach(Quantizer* quantizer, std::string prefix)
{
    m_quantizer = quantizer;
    m_prefix = std::move(prefix);
}

void Hook::detach()
{
    m_quantizer = nullptr;
    m_prefix.clear();
}

} // namespace gsq::core::quantization
