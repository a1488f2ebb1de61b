#pragma once

#include "core/pruning/Targets.h"

#include <ATen/core/Tensor.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace gsq::core::pruning {

/// Sparsity of one weight tensor.
struct LayerSparsity {
    std::string name;
    int64_t numel = 0, nnz = 0;
    double sparsity() const { return numel ? 1.0 - static_cast<double>(nnz) / static_cast<double>(numel) : 0.0; }
};

/// Binary masks (1 = kept) for a model's prunable weights. Masks live through fine-tuning:
/// gradients of pruned weights are zeroed before each optimiser step and the masks are
/// re-applied after it, so pruned weights stay exactly zero.
class MaskSet {
public:
    /// Names of the weights `targets` selects in `module`, in registration order. Throws
    /// std::invalid_argument listing the model's weight names when a pattern matches nothing.
    static std::vector<std::string> select(torch::nn::Module& module, const Targets& targets);

    /// How much each element of a weight matters (higher = kept): a tensor of the weight's shape,
    /// from the weight's name and its values (detached). Selection keeps the most important.
    using Importance = std::function<at::Tensor(const std::string& name, const at::Tensor& weight)>;
    /// |w|, magnitude pruning's importance.
    static at::Tensor magnitude(const std::string& name, const at::Tensor& weight);

    /// Per-layer selection: every selected tensor loses its round(s * numel) least important
    /// elements (overrides change s per tensor).
    static MaskSet perLayer(
        torch::nn::Module& module, const Targets& targets, double sparsity, const Importance& importance);
    /// Global selection: one ranking of importance across all selected tensors, so per-layer
    /// sparsity varies (and can reach 100 %).
    static MaskSet global(
        torch::nn::Module& module, const Targets& targets, double sparsity, const Importance& importance);
    /// Per-layer magnitude pruning (the paper's "fine-grained"): perLayer by |w|.
    static MaskSet perLayerMagnitude(torch::nn::Module& module, const Targets& targets, double sparsity);
    /// Global magnitude pruning: global by |w|.
    static MaskSet globalMagnitude(torch::nn::Module& module, const Targets& targets, double sparsity);

    /// w *= mask for every masked parameter (no autograd).
    void apply(torch::nn::Module& module) const;
    /// grad *= mask for every masked parameter that has a gradient.
    void maskGradients(torch::nn::Module& module) const;
    /// Current sparsity of every masked tensor (counted on the weights, not the masks).
    std::vector<LayerSparsity> measure(torch::nn::Module& module) const;
    /// Names of masked tensors that are 100 % pruned.
    std::vector<std::string> fullyPruned(torch::nn::Module& module) const;

    /// Keeps what `earlier` pruned pruned too: each mask becomes the product of both; tensors
    /// only `earlier` masks join the set. Does not touch the weights (apply() does).
    void merge(const MaskSet& earlier);

    bool empty() const { return m_masks.empty(); }
    const std::map<std::string, at::Tensor>& masks() const { return m_masks; }

private:
    std::map<std::string, at::Tensor> m_masks;
    std::vector<std::string> m_order;
};

/// Automated gradual pruning (Zhu & Gupta 2017): sparsity rises from `initial` to `final` on a
/// cubic curve between `startEpoch` and `endEpoch`, updated every `frequency` epochs and at
/// `endEpoch` (so `final` is always reached):
///   s_t = s_f + (s_i - s_f) (1 - (t - t0) / (t1 - t0))^3
struct AgpSchedule {
    double initial = 0.0, final = 0.5;
    int startEpoch = 1, endEpoch = 10, frequency = 1;
    /// Target sparsity at `epoch`; -1 when the schedule does not prune at that epoch.
    double sparsityAt(int epoch) const;
};

/// Sum over selected tensors of the (non-squared) L2 norm ||W||_2 — the paper's L2 penalty.
at::Tensor l2Penalty(torch::nn::Module& module, const std::vector<std::string>& names);

/// Fraction of selected weights with |w| < eps.
double nearZeroFraction(torch::nn::Module& module, const std::vector<std::string>& names, double eps);

/// True when `name` matches the glob `pattern` ('*' = any run of characters).
bool globMatch(const std::string& pattern, const std::string& name);

} // namespace gsq::core::pruning
