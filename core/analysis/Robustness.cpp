#include "core/analysis/Robustness.h"

#include "core/training/Task.h"
#include "core/training/Trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <stdexcept>
#include <utility>

namespace gsq::core::analysis {

namespace {

using Pair = std::pair<int64_t, int64_t>;

/// The undirected pair of every directed edge, (min, max).
std::vector<Pair> pairsOf(const at::Tensor& edgeIndex)
{
    auto ei = edgeIndex.to(torch::kLong).contiguous();
    const int64_t m = ei.size(1);
    const int64_t* s = ei.data_ptr<int64_t>();
    const int64_t* t = s + m;
    std::vector<Pair> out(static_cast<size_t>(m));
    for (int64_t k = 0; k < m; ++k)
        out[static_cast<size_t>(k)] = { std::min(s[k], t[k]), std::max(s[k], t[k]) };
    return out;
}

/// `k` distinct indices of [0, n), drawn from `rng` (a partial Fisher-Yates shuffle).
std::vector<int64_t> choose(int64_t n, int64_t k, std::mt19937_64& rng)
{
    std::vector<int64_t> all(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        all[static_cast<size_t>(i)] = i;
    for (int64_t i = 0; i < k; ++i) {
        std::uniform_int_distribution<int64_t> pick(i, n - 1);
        std::swap(all[static_cast<size_t>(i)], all[static_cast<size_t>(pick(rng))]);
    }
    all.resize(static_cast<size_t>(k));
    return all;
}

/// The distinct undirected pairs of `pairs`, sorted.
std::vector<Pair> uniquePairs(std::vector<Pair> pairs)
{
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    return pairs;
}

/// The node range [first, last) of each graph of a batch (nodes of one graph are contiguous).
std::vector<Pair> graphRanges(const graph::GraphBatch& b)
{
    const int64_t n = b.graph.x.size(0);
    if (!b.batch.defined() || b.numGraphs <= 1)
        return { { 0, n } };
    auto batch = b.batch.contiguous();
    const int64_t* g = batch.data_ptr<int64_t>();
    std::vector<Pair> out(static_cast<size_t>(b.numGraphs), { 0, 0 });
    for (int64_t i = n - 1; i >= 0; --i)
        out[static_cast<size_t>(g[i])].first = i;
    for (int64_t i = 0; i < n; ++i)
        out[static_cast<size_t>(g[i])].second = i + 1;
    return out;
}

/// Target in-degree attributes (PyG's TargetIndegree, norm=True) per graph of the batch, as
/// the readers computed them before batching: in-degree of each edge's target over the largest
/// in-degree of its graph.
at::Tensor indegreeAttr(const graph::GraphBatch& b, const at::Tensor& edgeIndex)
{
    const int64_t n = b.graph.x.size(0);
    auto ei = edgeIndex.contiguous();
    std::vector<float> deg(static_cast<size_t>(n), 0.0F);
    const int64_t m = ei.size(1);
    const int64_t* t = ei.data_ptr<int64_t>() + m;
    for (int64_t k = 0; k < m; ++k)
        deg[static_cast<size_t>(t[k])] += 1.0F;
    std::vector<float> maxOf(static_cast<size_t>(n), 1.0F);
    for (const auto& [first, last] : graphRanges(b)) {
        float mx = 0.0F;
        for (int64_t i = first; i < last; ++i)
            mx = std::max(mx, deg[static_cast<size_t>(i)]);
        for (int64_t i = first; i < last; ++i)
            maxOf[static_cast<size_t>(i)] = mx > 0.0F ? mx : 1.0F;
    }
    auto attr = torch::empty({ m, 1 }, torch::kFloat);
    float* a = attr.data_ptr<float>();
    for (int64_t k = 0; k < m; ++k)
        a[k] = deg[static_cast<size_t>(t[k])] / maxOf[static_cast<size_t>(t[k])];
    return attr;
}

/// `b` with `edgeIndex` in place of its edges (attributes recomputed when it has them).
graph::GraphBatch withEdges(const graph::GraphBatch& b, const at::Tensor& edgeIndex)
{
    graph::GraphBatch out = b;
    out.graph.edgeIndex = edgeIndex;
    if (b.graph.edgeAttr.defined()) {
        if (b.graph.edgeAttr.dim() != 2 || b.graph.edgeAttr.size(1) != 1)
            throw std::invalid_argument("edge perturbations recompute target in-degree edge attributes only; these "
                                        "edges carry "
                + std::to_string(b.graph.edgeAttr.dim() == 2 ? b.graph.edgeAttr.size(1) : 0) + " attributes each");
        out.graph.edgeAttr = indegreeAttr(b, edgeIndex);
    }
    return out;
}

/// Each feature's standard deviation over the nodes of every batch (population form).
at::Tensor featureStd(const std::vector<graph::GraphBatch>& batches)
{
    std::vector<at::Tensor> xs;
    for (const auto& b : batches)
        xs.push_back(b.graph.x);
    return torch::cat(xs, 0).to(torch::kDouble).std(0, /*unbiased=*/false).to(torch::kFloat);
}

/// A tensor like `like` of draws from `dist` (float), made with `rng`.
template <class Dist> at::Tensor draws(const at::Tensor& like, Dist dist, std::mt19937_64& rng)
{
    auto out = torch::empty(like.sizes(), torch::kFloat);
    float* p = out.data_ptr<float>();
    for (int64_t i = 0; i < out.numel(); ++i)
        p[i] = static_cast<float>(dist(rng));
    return out;
}

/// The test metric over every batch, without gradients.
double metricOf(const training::TestBatches& t, const std::vector<graph::GraphBatch>& batches)
{
    torch::NoGradGuard guard;
    std::vector<at::Tensor> logits;
    for (const auto& b : batches)
        logits.push_back(t.logits(b));
    return t.metric(torch::cat(logits, 0), torch::cat(t.labels, 0));
}

/// The gradient of the test cross-entropy of batch `i` with respect to its features `x`
/// (torch::autograd::grad: no parameter's .grad is touched).
at::Tensor featureGradient(const training::TestBatches& t, size_t i, const at::Tensor& x)
{
    torch::AutoGradMode enabled(true);
    auto input = x.detach().requires_grad_(true);
    graph::GraphBatch b = t.batches[i];
    b.graph.x = input;
    auto loss = torch::nn::functional::cross_entropy(t.logits(b), t.labels[i]);
    return torch::autograd::grad({ loss }, { input })[0];
}

/// FGSM (steps = 0) or PGD on every batch's features within |delta_j| <= budget x sigma_j; the
/// perturbed batches and the largest |delta_j| / sigma_j realised (`scale`: 1 / sigma_j, 0 where
/// sigma_j is 0).
std::pair<std::vector<graph::GraphBatch>, double> gradientAttack(const training::TestBatches& t,
    const at::Tensor& sigma, const at::Tensor& scale, double budget, int steps, std::mt19937_64& rng)
{
    const auto box = sigma * static_cast<float>(budget); // [F]
    std::vector<graph::GraphBatch> out;
    double realized = 0;
    for (size_t i = 0; i < t.batches.size(); ++i) {
        const auto& x = t.batches[i].graph.x;
        at::Tensor delta;
        if (steps == 0) {
            delta = box * featureGradient(t, i, x).sign();
        } else {
            delta = draws(x, std::uniform_real_distribution<double>(-1.0, 1.0), rng) * box;
            const auto alpha = box * static_cast<float>(2.5 / steps);
            for (int s = 0; s < steps; ++s) {
                delta = delta + alpha * featureGradient(t, i, x + delta).sign();
                delta = torch::max(torch::min(delta, box), -box);
            }
        }
        graph::GraphBatch b = t.batches[i];
        b.graph.x = (x + delta).detach();
        out.push_back(b);
        if (delta.numel() > 0)
            realized = std::max(realized, (delta.abs() * scale).max().item<double>());
    }
    return { out, realized };
}

/// The generator of one perturbation at one strength for one (seed, fold): seeded by their
/// values (all 64 bits of each, the strength's value not its place in the list), so every stage
/// of a job and every experiment listing that strength meet the same draws.
std::mt19937_64 generatorFor(int64_t seed, int fold, const std::string& perturbation, double strength)
{
    uint64_t bits = 0;
    std::memcpy(&bits, &strength, sizeof bits);
    const auto s = static_cast<uint64_t>(seed);
    std::vector<uint32_t> words { static_cast<uint32_t>(s), static_cast<uint32_t>(s >> 32), static_cast<uint32_t>(fold),
        static_cast<uint32_t>(bits), static_cast<uint32_t>(bits >> 32) };
    for (char c : perturbation)
        words.push_back(static_cast<unsigned char>(c));
    std::seed_seq seq(words.begin(), words.end());
    return std::mt19937_64(seq);
}

std::string unitOf(const std::string& perturbation)
{
    if (perturbation == "edge_removal")
        return "fraction of edges";
    if (perturbation == "edge_addition")
        return "edges per edge";
    if (perturbation == "feature_mask")
        return "fraction of entries";
    return "feature std";
}

} // namespace

int64_t undirectedEdges(const at::Tensor& edgeIndex)
{
    return static_cast<int64_t>(uniquePairs(pairsOf(edgeIndex)).size());
}

Perturbed removeEdges(const graph::GraphBatch& b, double fraction, std::mt19937_64& rng)
{
    const auto pairs = pairsOf(b.graph.edgeIndex);
    const auto unique = uniquePairs(pairs);
    const auto n = static_cast<int64_t>(unique.size());
    const auto k = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
    std::set<Pair> removed;
    for (int64_t i : choose(n, k, rng))
        removed.insert(unique[static_cast<size_t>(i)]);
    std::vector<int64_t> keep;
    for (size_t e = 0; e < pairs.size(); ++e)
        if (!removed.count(pairs[e]))
            keep.push_back(static_cast<int64_t>(e));
    auto index = torch::tensor(keep, torch::kLong);
    return { withEdges(b, b.graph.edgeIndex.to(torch::kLong).index_select(1, index)), k, n };
}

Perturbed addEdges(const graph::GraphBatch& b, double perEdge, std::mt19937_64& rng)
{
    const auto pairs = pairsOf(b.graph.edgeIndex);
    std::set<Pair> present(pairs.begin(), pairs.end());
    const auto n = static_cast<int64_t>(present.size());
    const auto k = static_cast<int64_t>(std::llround(perEdge * static_cast<double>(n)));
    const auto ranges = graphRanges(b);
    const int64_t nodes = b.graph.x.size(0);
    auto batch = b.batch.defined() && b.numGraphs > 1 ? b.batch.contiguous() : at::Tensor();
    std::vector<int64_t> src, dst;
    std::uniform_int_distribution<int64_t> anyNode(0, std::max<int64_t>(0, nodes - 1));
    int64_t added = 0;
    // Rejection sampling; a batch of small, nearly complete graphs may not hold k new edges, so
    // it gives up after 100 k tries and `changed` says how many were added.
    for (int64_t tries = 0; added < k && tries < 100 * k + 100 && nodes > 1; ++tries) {
        const int64_t u = anyNode(rng);
        const auto& [first, last] = ranges[batch.defined() ? static_cast<size_t>(batch.data_ptr<int64_t>()[u]) : 0];
        std::uniform_int_distribution<int64_t> sameGraph(first, last - 1);
        const int64_t v = sameGraph(rng);
        const Pair p { std::min(u, v), std::max(u, v) };
        if (u == v || !present.insert(p).second)
            continue;
        src.insert(src.end(), { u, v });
        dst.insert(dst.end(), { v, u });
        ++added;
    }
    auto extra = torch::stack({ torch::tensor(src, torch::kLong), torch::tensor(dst, torch::kLong) });
    return { withEdges(b, torch::cat({ b.graph.edgeIndex.to(torch::kLong), extra }, 1)), added, n };
}

Perturbed maskFeatures(const graph::GraphBatch& b, double fraction, std::mt19937_64& rng)
{
    Perturbed out { b, 0, b.graph.x.numel() };
    auto x = b.graph.x.to(torch::kFloat).contiguous().clone();
    out.changed = static_cast<int64_t>(std::llround(fraction * static_cast<double>(out.of)));
    float* p = x.data_ptr<float>();
    for (int64_t i : choose(out.of, out.changed, rng))
        p[i] = 0.0F;
    out.batch.graph.x = x;
    return out;
}

graph::GraphBatch addNoise(const graph::GraphBatch& b, const at::Tensor& featureStd, double sigma, std::mt19937_64& rng)
{
    graph::GraphBatch out = b;
    const auto noise = draws(b.graph.x, std::normal_distribution<double>(0.0, 1.0), rng);
    out.graph.x = b.graph.x.to(torch::kFloat) + noise * (featureStd * static_cast<float>(sigma));
    return out;
}

std::vector<results::RobustnessRow> robustness(training::Task& task, const experiment::AnalyzeSpec& spec,
    const results::ResultRow& stage, bool fakeQuant, const results::CancelToken& cancel)
{
    task.module()->eval();
    const training::TestBatches t = task.testBatches();
    if (t.batches.empty())
        return {};
    const at::Tensor sigma = featureStd(t.batches);
    const at::Tensor scale = torch::where(sigma > 0, 1.0 / sigma, torch::zeros_like(sigma)); // 1 / sigma_j
    results::RobustnessRow base;
    base.seed = stage.seed;
    base.fold = stage.fold;
    base.method = stage.method;
    base.setting = stage.setting;
    base.lineage = stage.lineage;
    base.stage = stage.stage;
    base.evaluated = fakeQuant ? "fake-quant" : "fp32";
    base.metric = stage.metric;
    const double clean = metricOf(t, t.batches);
    std::vector<results::RobustnessRow> rows;
    const auto& names = experiment::robustnessPerturbations();
    for (size_t pi = 0; pi < names.size(); ++pi) {
        const auto it = spec.perturbations.find(names[pi]);
        if (it == spec.perturbations.end() || it->second.empty())
            continue;
        results::RobustnessRow row = base;
        row.perturbation = names[pi];
        row.unit = unitOf(names[pi]);
        row.strength = 0;
        row.value = clean;
        rows.push_back(row);
        for (size_t si = 0; si < it->second.size(); ++si) {
            if (cancel.cancelled())
                throw training::Cancelled {};
            const double s = it->second[si];
            std::mt19937_64 rng = generatorFor(stage.seed, stage.fold, names[pi], s);
            std::vector<graph::GraphBatch> perturbed;
            int64_t changed = 0, of = 0;
            double realized = 0;
            const std::string& kind = names[pi];
            if (kind == "fgsm" || kind == "pgd") {
                std::tie(perturbed, realized)
                    = gradientAttack(t, sigma, scale, s, kind == "pgd" ? spec.pgdSteps : 0, rng);
            } else if (kind == "feature_noise") {
                double ss = 0;
                int64_t counted = 0;
                for (const auto& b : t.batches) {
                    perturbed.push_back(addNoise(b, sigma, s, rng));
                    const auto z = (perturbed.back().graph.x - b.graph.x) * scale;
                    ss += z.pow(2).sum().item<double>();
                    counted += (sigma > 0).sum().item<int64_t>() * b.graph.x.size(0);
                }
                realized = counted ? std::sqrt(ss / static_cast<double>(counted)) : 0.0;
            } else {
                for (const auto& b : t.batches) {
                    Perturbed p = kind == "edge_removal" ? removeEdges(b, s, rng)
                        : kind == "edge_addition"        ? addEdges(b, s, rng)
                                                         : maskFeatures(b, s, rng);
                    perturbed.push_back(std::move(p.batch));
                    changed += p.changed;
                    of += p.of;
                }
                realized = of ? static_cast<double>(changed) / static_cast<double>(of) : 0.0;
            }
            row.strength = s;
            row.realized = realized;
            row.value = metricOf(t, perturbed);
            rows.push_back(row);
        }
    }
    return rows;
}

} // namespace gsq::core::analysis
