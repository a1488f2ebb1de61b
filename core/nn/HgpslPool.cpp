#include "core/nn/HgpslPool.h"

#include "core/nn/functional/MessagePassing.h"
#include "core/nn/functional/Sparsemax.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace gsq::core::nn {

namespace F = functional;

namespace hgpsl {

at::Tensor informationScore(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeWeight)
{
    const int64_t n = x.size(0);
    auto w = edgeWeight.defined() ? edgeWeight.reshape({ -1 }).to(torch::kFloat) : at::Tensor();
    auto norm = F::gcnNorm(edgeIndex, n, /*addSelfLoops=*/false, w, /*sourceDegree=*/true).second;
    return (x - F::propagateSum(edgeIndex, norm, x, n)).abs().sum(1);
}

at::Tensor topkPerGraph(const at::Tensor& score, double ratio, const at::Tensor& batch, int64_t numGraphs)
{
    if (!(ratio > 0.0 && ratio <= 1.0))
        throw std::invalid_argument("HGP-SL pooling: ratio must be in (0, 1], got " + std::to_string(ratio));
    const int64_t n = score.size(0);
    auto s = score.detach().to(torch::kFloat).contiguous();
    auto b = batch.defined() ? batch.contiguous() : torch::zeros({ n }, torch::kLong);
    const float* sp = s.data_ptr<float>();
    const int64_t* bp = b.data_ptr<int64_t>();
    std::vector<std::vector<int64_t>> members(static_cast<size_t>(std::max<int64_t>(numGraphs, 1)));
    for (int64_t i = 0; i < n; ++i) {
        if (bp[i] < 0 || bp[i] >= static_cast<int64_t>(members.size()))
            throw std::invalid_argument("HGP-SL pooling: batch entry " + std::to_string(bp[i]) + " outside [0, "
                + std::to_string(numGraphs) + ")");
        members[static_cast<size_t>(bp[i])].push_back(i);
    }
    std::vector<int64_t> perm;
    perm.reserve(static_cast<size_t>(n));
    for (auto& m : members) {
        std::stable_sort(m.begin(), m.end(), [sp](int64_t a, int64_t c) { return sp[a] > sp[c]; });
        // float arithmetic as PyG's (ratio * num_nodes.float()).ceil()
        const auto k = static_cast<size_t>(std::ceil(static_cast<float>(ratio) * static_cast<float>(m.size())));
        perm.insert(perm.end(), m.begin(), m.begin() + static_cast<std::ptrdiff_t>(std::min(k, m.size())));
    }
    return torch::tensor(perm, torch::kLong);
}

std::pair<at::Tensor, at::Tensor> candidateEdges(
    const at::Tensor& edgeIndex, int64_t numNodes, const at::Tensor& perm, int maxWalk)
{
    auto ei = edgeIndex.contiguous();
    const int64_t e = ei.size(1);
    const int64_t* src = ei.data_ptr<int64_t>();
    const int64_t* dst = src + e;
    // Out-edges by source (CSR), each with its edge id.
    std::vector<int64_t> start(static_cast<size_t>(numNodes) + 1, 0), edgeOf(static_cast<size_t>(e));
    for (int64_t i = 0; i < e; ++i)
        ++start[static_cast<size_t>(src[i]) + 1];
    for (size_t i = 1; i < start.size(); ++i)
        start[i] += start[i - 1];
    {
        std::vector<int64_t> fill(start.begin(), start.end() - 1);
        for (int64_t i = 0; i < e; ++i)
            edgeOf[static_cast<size_t>(fill[static_cast<size_t>(src[i])]++)] = i;
    }
    auto p = perm.contiguous();
    const int64_t k = p.numel();
    const int64_t* pp = p.data_ptr<int64_t>();
    std::vector<int64_t> position(static_cast<size_t>(numNodes), -1);
    for (int64_t i = 0; i < k; ++i)
        position[static_cast<size_t>(pp[i])] = i;

    std::vector<int64_t> rows, cols, original;
    std::vector<int64_t> seenAt(static_cast<size_t>(numNodes), -1), directEdge(static_cast<size_t>(numNodes), -1);
    std::vector<int64_t> frontier, next;
    std::vector<std::pair<int64_t, int64_t>> reached; // (position, original edge)
    for (int64_t i = 0; i < k; ++i) {
        const int64_t s = pp[i];
        for (int64_t j = start[static_cast<size_t>(s)]; j < start[static_cast<size_t>(s) + 1]; ++j)
            directEdge[static_cast<size_t>(dst[edgeOf[static_cast<size_t>(j)]])] = edgeOf[static_cast<size_t>(j)];
        // Breadth-first up to maxWalk steps: t != s is reachable by a walk of length <= maxWalk
        // exactly when its distance is <= maxWalk.
        reached.clear();
        reached.emplace_back(i, directEdge[static_cast<size_t>(s)]); // the self loop, always
        seenAt[static_cast<size_t>(s)] = s;
        frontier.assign(1, s);
        for (int step = 0; step < maxWalk && !frontier.empty(); ++step) {
            next.clear();
            for (int64_t u : frontier)
                for (int64_t j = start[static_cast<size_t>(u)]; j < start[static_cast<size_t>(u) + 1]; ++j) {
                    const int64_t t = dst[edgeOf[static_cast<size_t>(j)]];
                    if (seenAt[static_cast<size_t>(t)] == s)
                        continue;
                    seenAt[static_cast<size_t>(t)] = s;
                    next.push_back(t);
                    if (position[static_cast<size_t>(t)] >= 0)
                        reached.emplace_back(position[static_cast<size_t>(t)], directEdge[static_cast<size_t>(t)]);
                }
            frontier.swap(next);
        }
        std::sort(reached.begin(), reached.end());
        for (const auto& [t, orig] : reached) {
            rows.push_back(i);
            cols.push_back(t);
            original.push_back(orig);
        }
        for (int64_t j = start[static_cast<size_t>(s)]; j < start[static_cast<size_t>(s) + 1]; ++j)
            directEdge[static_cast<size_t>(dst[edgeOf[static_cast<size_t>(j)]])] = -1;
    }
    auto out = torch::stack({ torch::tensor(rows, torch::kLong), torch::tensor(cols, torch::kLong) });
    return { out, torch::tensor(original, torch::kLong) };
}

} // namespace hgpsl

HgpslPoolImpl::HgpslPoolImpl(const HgpslPoolOptions& options_)
    : options(options_)
{
    reset();
}

void HgpslPoolImpl::reset()
{
    att = register_parameter("att", torch::empty({ 1, 2 * options.in_channels() }));
    torch::NoGradGuard guard;
    torch::nn::init::xavier_uniform_(att);
}

void HgpslPoolImpl::pretty_print(std::ostream& stream) const
{
    stream << "HgpslPool(" << options.in_channels() << ", ratio=" << options.ratio() << ", lambda=" << options.lambda()
           << (options.sparse() ? ", sparsemax" : ", softmax") << ")";
}

PooledGraph HgpslPoolImpl::forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& edgeWeight,
    const at::Tensor& batch, int64_t numGraphs)
{
    F::checkInputs("HgpslPool", x, edgeIndex, options.in_channels());
    const int64_t n = x.size(0);
    at::Tensor perm;
    {
        // The score only chooses nodes; no gradient flows through it (as in the reference).
        torch::NoGradGuard guard;
        perm
            = hgpsl::topkPerGraph(hgpsl::informationScore(x, edgeIndex, edgeWeight), options.ratio(), batch, numGraphs);
    }
    PooledGraph out;
    out.perm = perm;
    out.x = x.index_select(0, perm);
    out.batch = batch.defined() ? batch.index_select(0, perm) : torch::zeros({ perm.size(0) }, torch::kLong);
    const int64_t k = perm.size(0);

    auto [candidates, original] = hgpsl::candidateEdges(edgeIndex, n, perm);
    // Weight of each candidate in the input graph: its edge's weight (ones for an unweighted
    // graph), 0 for augmented ones; differentiable in the previous level's learned weights.
    at::Tensor prior;
    auto isEdge = original >= 0;
    if (edgeWeight.defined())
        prior = torch::where(isEdge, edgeWeight.reshape({ -1 }).index_select(0, original.clamp_min(0)),
            torch::zeros({}, edgeWeight.options()));
    else
        prior = isEdge.to(torch::kFloat);

    const int64_t c = options.in_channels();
    auto a = att.view({ -1 });
    auto left = torch::mv(out.x, a.slice(0, 0, c)), right = torch::mv(out.x, a.slice(0, c, 2 * c));
    auto scores = torch::leaky_relu(left.index_select(0, candidates[0]) + right.index_select(0, candidates[1]),
                      options.negative_slope())
        + prior * options.lambda();
    // The reference round-trips through a dense matrix, which drops exact zeros; so do we.
    auto nonzero = torch::nonzero(scores.detach() != 0).view({ -1 });
    if (nonzero.size(0) != scores.size(0)) {
        candidates = candidates.index_select(1, nonzero);
        scores = scores.index_select(0, nonzero);
    }
    auto weights = options.sparse() ? F::sparsemax(scores, candidates[0], k)
                                    : F::segmentSoftmax(scores.view({ -1, 1 }), candidates[0], k).view({ -1 });
    auto keep = torch::nonzero(weights.detach() > 0).view({ -1 });
    out.edgeIndex = candidates.index_select(1, keep);
    out.edgeWeight = weights.index_select(0, keep);
    return out;
}

} // namespace gsq::core::nn
