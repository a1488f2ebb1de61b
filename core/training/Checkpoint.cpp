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
    for (auto& p : module.parameters())
        p.copy_(next());
    for (auto& b : module.buffers())
        b.copy_(next());
}

} // namespace gsq::core::training
