#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

namespace torch::nn {
class Module;
}

namespace gsq::core::training {

/// In-memory copy of a module's parameters and buffers (in registration order), used for
/// best-by-validation weights and to restart each compression setting from the trained base.
class Checkpoint {
public:
    static Checkpoint capture(torch::nn::Module& module);
    /// Copies the saved values back into the same module (or an identical one); tensors whose
    /// shape changed since (structured pruning) get their saved shape back.
    void restore(torch::nn::Module& module) const;
    bool empty() const { return m_tensors.empty(); }

    /// Also keeps (and gives back) the state of LibTorch's default CPU generator, which draws
    /// the dropout masks: training again from a checkpoint taken with it repeats every draw.
    void captureRandomState();
    void restoreRandomState() const;

private:
    std::vector<at::Tensor> m_tensors;
    at::Tensor m_randomState;
};

} // namespace gsq::core::training
