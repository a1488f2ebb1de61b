#include "core/pruning/Pruner.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace gsq::core::pruning {
namespace {

at::Tensor parameter(torch::nn::Module& module, const std::string& name)
{
    auto params = module.named_parameters(/*recurse=*/true);
    auto* p = params.find(name);
    if (!p)
        throw std::invalid_argument("no parameter named '" + name + "'");
    return *p;
}

/// Mask with the k smallest scores set to 0.
at::Tensor smallestOff(const at::Tensor& score, int64_t k)
{
    auto mask = torch::ones({ score.numel() }, torch::kFloat);
    if (k > 0) {
        auto idx = std::get<1>(score.flatten().topk(k, /*dim=*/0, /*largest=*/false, /*sorted=*/false));
        mask.index_fill_(0, idx, 0.0);
    }
    return mask.view(score.sizes());
}

/// The importance of `w` as `importance` gives it, checked for shape.
at::Tensor scoreOf(const MaskSet::Importance& importance, const std::string& name, const at::Tensor& w)
{
    auto score = importance(name, w.detach());
    if (!score.defined() || score.sizes() != w.sizes())
        throw std::logic_error("the importance of '" + name + "' does not have the weight's shape");
    return score.detach();
}

int64_t countFor(double sparsity, int64_t numel)
{
    if (!(sparsity >= 0.0 && sparsity < 1.0))
        throw std::invalid_argument("sparsity must be in [0, 1), got " + std::to_string(sparsity));
    return static_cast<int64_t>(std::llround(sparsity * static_cast<double>(numel)));
}

} // namespace

bool globMatch(const std::string& pattern, const std::string& name)
{
    // Iterative wildcard match with backtracking on the last '*'.
    size_t p = 0, n = 0, star = std::string::npos, mark = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == name[n]) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = n;
        } else if (star != std::string::npos) {
            p = star + 1;
            n = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::vector<std::string> MaskSet::select(torch::nn::Module& module, const Targets& targets)
{
    std::vector<std::string> weights, chosen;
    for (const auto& item : module.named_parameters(true))
        if (item.value().dim() > 1)
            weights.push_back(item.key());
    for (const auto& pattern : targets.patterns) {
        bool any = false;
        for (const auto& w : weights)
            if (globMatch(pattern, w)) {
                any = true;
                if (std::find(chosen.begin(), chosen.end(), w) == chosen.end())
                    chosen.push_back(w);
            }
        if (!any) {
            std::string list;
            for (const auto& w : weights)
                list += (list.empty() ? "" : ", ") + w;
            throw std::invalid_argument(
                "layer pattern '" + pattern + "' matches no weight; the model's weights are: " + list);
        }
    }
    for (const auto& [name, s] : targets.overrides)
        if (std::find(weights.begin(), weights.end(), name) == weights.end()) {
            std::string list;
            for (const auto& w : weights)
                list += (list.empty() ? "" : ", ") + w;
            throw std::invalid_argument(
                "override names unknown weight '" + name + "'; the model's weights are: " + list);
        }
    // Keep the model's order, not the patterns' order.
    std::vector<std::string> ordered;
    for (const auto& w : weights)
        if (std::find(chosen.begin(), chosen.end(), w) != chosen.end())
            ordered.push_back(w);
    return ordered;
}

at::Tensor MaskSet::magnitude(const std::string&, const at::Tensor& weight)
{
    return weight.abs();
}

MaskSet MaskSet::perLayerMagnitude(torch::nn::Module& module, const Targets& targets, double sparsity)
{
    return perLayer(module, targets, sparsity, magnitude);
}

MaskSet MaskSet::globalMagnitude(torch::nn::Module& module, const Targets& targets, double sparsity)
{
    return global(module, targets, sparsity, magnitude);
}

MaskSet MaskSet::perLayer(
    torch::nn::Module& module, const Targets& targets, double sparsity, const Importance& importance)
{
    MaskSet set;
    for (const auto& name : select(module, targets)) {
        auto w = parameter(module, name);
        auto it = targets.overrides.find(name);
        const double s = it != targets.overrides.end() ? it->second : sparsity;
        set.m_masks[name] = smallestOff(scoreOf(importance, name, w), countFor(s, w.numel()));
        set.m_order.push_back(name);
    }
    set.apply(module);
    return set;
}

MaskSet MaskSet::global(
    torch::nn::Module& module, const Targets& targets, double sparsity, const Importance& importance)
{
    MaskSet set;
    auto names = select(module, targets);
    std::vector<at::Tensor> flat;
    std::vector<int64_t> offsets { 0 };
    for (const auto& name : names) {
        auto w = parameter(module, name);
        flat.push_back(scoreOf(importance, name, w).flatten());
        offsets.push_back(offsets.back() + w.numel());
    }
    auto all = torch::cat(flat);
    auto mask = smallestOff(all, countFor(sparsity, all.numel()));
    for (size_t i = 0; i < names.size(); ++i) {
        auto w = parameter(module, names[i]);
        set.m_masks[names[i]] = mask.narrow(0, offsets[i], w.numel()).view(w.sizes()).clone();
        set.m_order.push_back(names[i]);
    }
    set.apply(module);
    return set;
}

void MaskSet::merge(const MaskSet& earlier)
{
    for (const auto& name : earlier.m_order) {
        const auto& mask = earlier.m_masks.at(name);
        if (auto it = m_masks.find(name); it != m_masks.end()) {
            it->second = it->second * mask;
        } else {
            m_masks[name] = mask.clone();
            m_order.push_back(name);
        }
    }
}

void MaskSet::apply(torch::nn::Module& module) const
{
    torch::NoGradGuard guard;
    for (const auto& [name, mask] : m_masks)
        parameter(module, name).mul_(mask);
}

void MaskSet::maskGradients(torch::nn::Module& module) const
{
    for (const auto& [name, mask] : m_masks) {
        auto p = parameter(module, name);
        if (p.grad().defined())
            p.mutable_grad().mul_(mask);
    }
}

std::vector<LayerSparsity> MaskSet::measure(torch::nn::Module& module) const
{
    std::vector<LayerSparsity> out;
    for (const auto& name : m_order) {
        auto w = parameter(module, name);
        out.push_back({ name, w.numel(), w.ne(0).sum().item<int64_t>() });
    }
    return out;
}

std::vector<std::string> MaskSet::fullyPruned(torch::nn::Module& module) const
{
    std::vector<std::string> out;
    for (const auto& l : measure(module))
        if (l.nnz == 0)
            out.push_back(l.name);
    return out;
}

double AgpSchedule::sparsityAt(int epoch) const
{
    // Every `frequency` epochs from the start, and always at the end: the final sparsity is reached
    // at endEpoch even when (end - start) is not a multiple of the frequency.
    if (epoch < startEpoch || epoch > endEpoch
        || ((epoch - startEpoch) % std::max(1, frequency) != 0 && epoch != endEpoch))
        return -1.0;
    if (endEpoch == startEpoch)
        return final;
    const double t = static_cast<double>(epoch - startEpoch) / static_cast<double>(endEpoch - startEpoch);
    return final + (initial - final) * std::pow(1.0 - t, 3.0);
}

at::Tensor l2Penalty(torch::nn::Module& module, const std::vector<std::string>& names)
{
    at::Tensor sum = torch::zeros({});
    for (const auto& name : names)
        sum = sum + parameter(module, name).norm();
    return sum;
}

double nearZeroFraction(torch::nn::Module& module, const std::vector<std::string>& names, double eps)
{
    int64_t small = 0, total = 0;
    for (const auto& name : names) {
        auto w = parameter(module, name);
        small += w.detach().abs().lt(eps).sum().item<int64_t>();
        total += w.numel();
    }
    return total ? static_cast<double>(small) / static_cast<double>(total) : 0.0;
}

} // namespace gsq::core::pruning
