#include "core/data/Split.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace gsq::core::data {
namespace {

at::Tensor toTensor(std::vector<int64_t> v)
{
    std::sort(v.begin(), v.end());
    return torch::tensor(v, torch::kLong).view({ -1 });
}

std::vector<int64_t> permutation(int64_t n, std::mt19937_64& rng)
{
    std::vector<int64_t> p(static_cast<size_t>(n));
    std::iota(p.begin(), p.end(), 0);
    std::shuffle(p.begin(), p.end(), rng);
    return p;
}

void checkFractions(double val, double test)
{
    if (val < 0 || test < 0 || val + test >= 1.0)
        throw std::invalid_argument("validation and test fractions must be >= 0 and sum to less than 1 (got "
            + std::to_string(val) + " + " + std::to_string(test) + ")");
}

} // namespace

Split fixedSplit(const std::vector<int64_t>& train, const std::vector<int64_t>& val, const std::vector<int64_t>& test)
{
    return { toTensor(train), toTensor(val), toTensor(test) };
}

Split randomNodeSplit(int64_t numNodes, int64_t numTrain, int64_t numVal, int64_t numTest, uint64_t seed)
{
    if (numVal < 0 || numTest < 0 || numTrain < 0)
        throw std::invalid_argument("split sizes must be >= 0");
    const int64_t rest = numNodes - numVal - numTest;
    if (rest < 1 || numTrain > rest)
        throw std::invalid_argument("split sizes (train " + std::to_string(numTrain) + ", val " + std::to_string(numVal)
            + ", test " + std::to_string(numTest) + ") do not fit the dataset's " + std::to_string(numNodes)
            + " nodes");
    std::mt19937_64 rng(seed);
    auto p = permutation(numNodes, rng);
    auto begin = p.begin();
    std::vector<int64_t> val(begin, begin + numVal);
    std::vector<int64_t> test(begin + numVal, begin + numVal + numTest);
    std::vector<int64_t> train(begin + numVal + numTest, numTrain > 0 ? begin + numVal + numTest + numTrain : p.end());
    return { toTensor(train), toTensor(val), toTensor(test) };
}

Split randomFractionSplit(int64_t numItems, double valFraction, double testFraction, uint64_t seed)
{
    checkFractions(valFraction, testFraction);
    const auto numVal = static_cast<int64_t>(std::llround(valFraction * static_cast<double>(numItems)));
    const auto numTest = static_cast<int64_t>(std::llround(testFraction * static_cast<double>(numItems)));
    return randomNodeSplit(numItems, 0, numVal, numTest, seed);
}

std::vector<Split> stratifiedKFold(const std::vector<int64_t>& labels, int k, uint64_t seed)
{
    if (k < 3)
        throw std::invalid_argument(
            "k-fold needs at least 3 folds (test, validation and train), got " + std::to_string(k));
    if (static_cast<int64_t>(labels.size()) < k)
        throw std::invalid_argument(
            std::to_string(k) + " folds do not fit " + std::to_string(labels.size()) + " items");
    std::map<int64_t, std::vector<int64_t>> byClass;
    for (size_t i = 0; i < labels.size(); ++i)
        byClass[labels[i]].push_back(static_cast<int64_t>(i));
    std::mt19937_64 rng(seed);
    std::vector<std::vector<int64_t>> folds(static_cast<size_t>(k));
    // Deal each class's shuffled members round-robin, continuing where the last class stopped,
    // so folds are balanced in size and in class ratio.
    size_t next = 0;
    for (auto& [cls, members] : byClass) {
        std::shuffle(members.begin(), members.end(), rng);
        for (int64_t idx : members) {
            folds[next].push_back(idx);
            next = (next + 1) % static_cast<size_t>(k);
        }
    }
    std::vector<Split> out;
    for (int f = 0; f < k; ++f) {
        const int v = (f + 1) % k;
        std::vector<int64_t> train;
        for (int g = 0; g < k; ++g)
            if (g != f && g != v)
                train.insert(train.end(), folds[static_cast<size_t>(g)].begin(), folds[static_cast<size_t>(g)].end());
        out.push_back(
            { toTensor(train), toTensor(folds[static_cast<size_t>(v)]), toTensor(folds[static_cast<size_t>(f)]) });
    }
    return out;
}

Split scaffoldSplit(const std::vector<std::string>& scaffolds, double valFraction, double testFraction)
{
    checkFractions(valFraction, testFraction);
    std::vector<std::string> order;
    std::unordered_map<std::string, std::vector<int64_t>> groups;
    for (size_t i = 0; i < scaffolds.size(); ++i) {
        auto [it, inserted] = groups.try_emplace(scaffolds[i]);
        if (inserted)
            order.push_back(scaffolds[i]);
        it->second.push_back(static_cast<int64_t>(i));
    }
    // As MoleculeNet/OGB: sort by (group size, first member index), both descending.
    std::sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
        const auto& ga = groups[a];
        const auto& gb = groups[b];
        if (ga.size() != gb.size())
            return ga.size() > gb.size();
        return ga.front() > gb.front();
    });
    const double n = static_cast<double>(scaffolds.size());
    const double trainCut = (1.0 - valFraction - testFraction) * n;
    const double valCut = (1.0 - testFraction) * n;
    std::vector<int64_t> train, val, test;
    for (const auto& s : order) {
        const auto& g = groups[s];
        if (static_cast<double>(train.size() + g.size()) <= trainCut)
            train.insert(train.end(), g.begin(), g.end());
        else if (static_cast<double>(train.size() + val.size() + g.size()) <= valCut)
            val.insert(val.end(), g.begin(), g.end());
        else
            test.insert(test.end(), g.begin(), g.end());
    }
    if (train.empty() || val.empty() || test.empty())
        throw std::invalid_argument("scaffold split left an empty train, validation or test set");
    return { toTensor(train), toTensor(val), toTensor(test) };
}

at::Tensor sampleNegativeEdges(const at::Tensor& edgeIndex, int64_t numNodes, int64_t count, uint64_t seed)
{
    std::unordered_set<int64_t> taken;
    auto ei = edgeIndex.contiguous();
    const int64_t* s = ei.data_ptr<int64_t>();
    const int64_t* d = s + ei.size(1);
    for (int64_t e = 0; e < ei.size(1); ++e)
        taken.insert(std::min(s[e], d[e]) * numNodes + std::max(s[e], d[e]));
    const int64_t possible = numNodes * (numNodes - 1) / 2 - static_cast<int64_t>(taken.size());
    if (count > possible)
        throw std::invalid_argument("cannot sample " + std::to_string(count) + " negative pairs: only "
            + std::to_string(possible) + " non-edges exist");
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> node(0, numNodes - 1);
    std::vector<int64_t> a, b;
    while (static_cast<int64_t>(a.size()) < count) {
        int64_t i = node(rng), j = node(rng);
        if (i == j)
            continue;
        if (i > j)
            std::swap(i, j);
        if (!taken.insert(i * numNodes + j).second)
            continue;
        a.push_back(i);
        b.push_back(j);
    }
    return torch::stack({ torch::tensor(a, torch::kLong), torch::tensor(b, torch::kLong) }).view({ 2, -1 });
}

LinkSplit randomLinkSplit(
    const at::Tensor& edgeIndex, int64_t numNodes, double valFraction, double testFraction, uint64_t seed)
{
    checkFractions(valFraction, testFraction);
    auto ei = edgeIndex.contiguous();
    const int64_t* s = ei.data_ptr<int64_t>();
    const int64_t* d = s + ei.size(1);
    std::vector<int64_t> us, vs;
    for (int64_t e = 0; e < ei.size(1); ++e)
        if (s[e] < d[e]) {
            us.push_back(s[e]);
            vs.push_back(d[e]);
        }
    const int64_t m = static_cast<int64_t>(us.size());
    const auto numVal = static_cast<int64_t>(std::floor(valFraction * static_cast<double>(m)));
    const auto numTest = static_cast<int64_t>(std::floor(testFraction * static_cast<double>(m)));
    if (m - numVal - numTest < 1 || (valFraction > 0 && numVal == 0) || (testFraction > 0 && numTest == 0))
        throw std::invalid_argument(
            "edge split fractions do not fit the graph's " + std::to_string(m) + " undirected edges");
    std::mt19937_64 rng(seed);
    auto p = permutation(m, rng);
    auto pick = [&](int64_t from, int64_t to) {
        std::vector<int64_t> a, b;
        for (int64_t k = from; k < to; ++k) {
            a.push_back(us[static_cast<size_t>(p[static_cast<size_t>(k)])]);
            b.push_back(vs[static_cast<size_t>(p[static_cast<size_t>(k)])]);
        }
        return torch::stack({ torch::tensor(a, torch::kLong), torch::tensor(b, torch::kLong) }).view({ 2, -1 });
    };
    LinkSplit out;
    out.valPos = pick(0, numVal);
    out.testPos = pick(numVal, numVal + numTest);
    out.trainPos = pick(numVal + numTest, m);
    out.trainEdges = torch::cat({ out.trainPos, out.trainPos.flip({ 0 }) }, 1);
    // Negatives must avoid every true edge, so sample against the full graph; draw val and
    // test together so they are disjoint.
    auto neg = sampleNegativeEdges(edgeIndex, numNodes, numVal + numTest, seed ^ 0x9E3779B97F4A7C15ULL);
    out.valNeg = neg.narrow(1, 0, numVal);
    out.testNeg = neg.narrow(1, numVal, numTest);
    return out;
}

} // namespace gsq::core::data
