#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gsq::core::data {

/// Train/validation/test index sets (int64 tensors of node or graph indices).
struct Split {
    at::Tensor train, val, test;
};

/// Edge split for link prediction. `trainEdges` is the message-passing graph (both directions);
/// the positive/negative sets hold each undirected pair once, [2, K].
struct LinkSplit {
    at::Tensor trainEdges; ///< [2, 2*Ktrain] directed, used for message passing
    at::Tensor trainPos; ///< [2, Ktrain] undirected positives (supervision)
    at::Tensor valPos, valNeg; ///< [2, Kval] each
    at::Tensor testPos, testNeg; ///< [2, Ktest] each
};

/// Split functions throw std::invalid_argument with a plain-language message when sizes do not
/// fit; callers attach the configuration key. All randomness comes from `seed` (std::mt19937_64),
/// so a split is identical across runs and platforms.

/// Fixed index lists (e.g. the Planetoid public split).
Split fixedSplit(const std::vector<int64_t>& train, const std::vector<int64_t>& val, const std::vector<int64_t>& test);

/// Random node split: `numVal` and `numTest` nodes drawn at random, the rest train
/// (or `numTrain` when > 0).
Split randomNodeSplit(int64_t numNodes, int64_t numTrain, int64_t numVal, int64_t numTest, uint64_t seed);

/// Random split of items by fractions (train = 1 - val - test).
Split randomFractionSplit(int64_t numItems, double valFraction, double testFraction, uint64_t seed);

/// Stratified k-fold (as scikit-learn's StratifiedKFold with shuffling): fold f is the test set,
/// fold (f+1) mod k the validation set, the rest train (the PyG kernel-benchmark protocol).
std::vector<Split> stratifiedKFold(const std::vector<int64_t>& labels, int k, uint64_t seed);

/// Deterministic scaffold split (MoleculeNet/OGB): molecules grouped by scaffold, groups sorted
/// by (size, index of their first molecule) in descending order, filled into train until it
/// would exceed trainFraction, then validation, then test.
Split scaffoldSplit(const std::vector<std::string>& scaffolds, double valFraction, double testFraction);

/// Random link split of an undirected graph: each undirected edge goes to val/test/train;
/// as many negatives as positives are drawn uniformly among node pairs that are not edges
/// (and not self loops), disjoint across val and test.
LinkSplit randomLinkSplit(
    const at::Tensor& edgeIndex, int64_t numNodes, double valFraction, double testFraction, uint64_t seed);

/// Uniform negative sampling: `count` pairs (i < j) that are not in `edgeIndex`, [2, count].
at::Tensor sampleNegativeEdges(const at::Tensor& edgeIndex, int64_t numNodes, int64_t count, uint64_t seed);

} // namespace gsq::core::data
