#include "core/nn/functional/Sparsemax.h"

#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gsq::core::nn::functional {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// The group's threshold tau: sort descending, find the largest k with 1 + k z_(k) > sum of
/// the k largest, tau = (that sum - 1) / k. Scores are shifted by the group maximum first, as
/// the reference does (tau shifts with them; the output does not change).
struct SparsemaxFunction : public torch::autograd::Function<SparsemaxFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& scores, const at::Tensor& group, int64_t groups)
    {
        auto z = scores.detach().to(torch::kFloat).contiguous();
        auto g = group.contiguous();
        const int64_t n = z.numel();
        const float* zp = z.data_ptr<float>();
        const int64_t* gp = g.data_ptr<int64_t>();
        // Bucket the entries by group (counting sort keeps each group's entries in input order).
        std::vector<int64_t> start(static_cast<size_t>(groups) + 1, 0);
        for (int64_t e = 0; e < n; ++e) {
            if (gp[e] < 0 || gp[e] >= groups)
                throw std::invalid_argument(
                    "sparsemax: group " + std::to_string(gp[e]) + " outside [0, " + std::to_string(groups) + ")");
            ++start[static_cast<size_t>(gp[e]) + 1];
        }
        for (size_t i = 1; i < start.size(); ++i)
            start[i] += start[i - 1];
        std::vector<int64_t> order(static_cast<size_t>(n));
        std::vector<int64_t> fill(start.begin(), start.end() - 1);
        for (int64_t e = 0; e < n; ++e)
            order[static_cast<size_t>(fill[static_cast<size_t>(gp[e])]++)] = e;

        auto top = torch::zeros({ groups }, torch::kFloat);
        auto tau = torch::zeros({ groups }, torch::kFloat);
        auto support = torch::zeros({ groups }, torch::kFloat);
        float* mp = top.data_ptr<float>();
        float* tp = tau.data_ptr<float>();
        float* sp = support.data_ptr<float>();
        std::vector<float> sorted;
        for (int64_t gi = 0; gi < groups; ++gi) {
            const auto b = static_cast<size_t>(start[static_cast<size_t>(gi)]);
            const auto e = static_cast<size_t>(start[static_cast<size_t>(gi) + 1]);
            if (b == e)
                continue;
            sorted.clear();
            for (size_t i = b; i < e; ++i)
                sorted.push_back(zp[order[i]]);
            std::sort(sorted.begin(), sorted.end(), std::greater<float>());
            const float largest = sorted.front();
            float cumsum = 0, chosenSum = 0;
            int64_t k = 0;
            for (size_t i = 0; i < sorted.size(); ++i) {
                const float v = sorted[i] - largest;
                cumsum += v;
                if (static_cast<float>(i + 1) * v > cumsum - 1.0f) {
                    k = static_cast<int64_t>(i + 1);
                    chosenSum = cumsum;
                }
            }
            mp[gi] = largest;
            tp[gi] = (chosenSum - 1.0f) / static_cast<float>(k);
            sp[gi] = static_cast<float>(k);
        }
        auto out = torch::clamp_min((z - top.index_select(0, g)) - tau.index_select(0, g), 0.0);
        ctx->save_for_backward({ out, g, support });
        return out;
    }

    static variable_list backward(AutogradContext* ctx, variable_list gradOutputs)
    {
        auto saved = ctx->get_saved_variables();
        const auto& out = saved[0];
        const auto& g = saved[1];
        const auto& support = saved[2];
        auto onSupport = out > 0;
        auto grad = gradOutputs[0].masked_fill(onSupport.logical_not(), 0.0);
        auto mean = torch::zeros_like(support).index_add(0, g, grad) / support.clamp_min(1.0);
        auto gradIn = torch::where(onSupport, grad - mean.index_select(0, g), grad);
        return { gradIn, at::Tensor(), at::Tensor() };
    }
};

} // namespace

at::Tensor sparsemax(const at::Tensor& scores, const at::Tensor& group, int64_t numGroups)
{
    if (scores.dim() != 1 || group.dim() != 1 || scores.size(0) != group.size(0))
        throw std::invalid_argument("sparsemax: scores and group must be vectors of the same length");
    if (group.scalar_type() != torch::kLong)
        throw std::invalid_argument("sparsemax: group must be int64");
    return SparsemaxFunction::apply(scores, group, numGroups);
}

} // namespace gsq::core::nn::functional
