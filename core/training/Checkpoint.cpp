#include "core/training/Checkpoint.h"

#include <torch/torch.h>

#include <stdexcept>

namespace gsq::core::training {

Checkpoint Checkpoint::capture(torch::nn::Module& module)
{
    Checkpoint c;
    for (auto& p : module.parameters())
        c.m_tensors.push_back(p.detach().clone());
    for (auto& b : module.buffers())
        c.m_tensors.push_back(b.detach().clone());
    return c;
}

void Checkpoint::restore(torch::nn::Module& module) const
{
    torch::NoGradGuard guard;
    size_t i = 0;
    auto next = [&]() -> const at::Tensor& {
        if (i >= m_tensors.size())
            throw std::logic_error("Checkpoint::restore: module has more tensors than the checkpoint");
        return m_tensors[i++];
    };
    // A structurally pruned module has smaller tensors than its checkpoint: give them back their
    // saved shape (set_data keeps each parameter's identity, so optimizers and hooks stay valid).
    auto put = [](at::Tensor t, const at::Tensor& saved) {
        if (t.sizes() == saved.sizes())
            t.copy_(saved);
        else {
            t.set_data(saved.clone());
            t.mutable_grad() = at::Tensor();
        }
    };
    for (auto& p : module.parameters())
        put(p, next());
    for (auto& b : module.buffers())
        put(b, next());
}

void Checkpoint::captureRandomState()
{
    m_randomState = at::detail::getDefaultCPUGenerator().get_state();
}

void Checkpoint::restoreRandomState() const
{
    if (!m_randomState.defined())
        throw std::logic_error("Checkpoint::restoreRandomState: no random state was captured");
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(m_randomState);
}

} // namespace gsq::core::training
