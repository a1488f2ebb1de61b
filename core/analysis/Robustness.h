#pragma once

#include "core/experiment/Steps.h"
#include "core/graph/Graph.h"
#include "core/results/RunResult.h"
#include "core/results/SessionEvents.h"

#include <random>
#include <vector>

namespace gsq::core::training {
class Task;
}

/// Robustness analysis (`analyze: {method: robustness}`): the model of one stage evaluated on
/// perturbed test data, each perturbation at each strength, plus the clean data at strength 0.
///
/// Node classification perturbs the whole graph (transductive evasion: the model is not
/// retrained) and scores the test nodes; graph classification perturbs each test graph and
/// scores the graphs. Strengths:
/// - edge_removal: a fraction of the undirected edges (a pair stored in both directions counts
///   once) removed at random, exactly round(fraction x edges);
/// - edge_addition: round(strength x edges) new undirected edges between random nodes of one
///   graph (no self loops, none that exists);
/// - feature_noise: Gaussian noise of standard deviation strength x sigma_j on feature j, where
///   sigma_j is that feature's standard deviation over the test data's nodes (node tasks: every
///   node of the graph);
/// - feature_mask: exactly round(strength x entries) feature entries set to 0 at random;
/// - fgsm: x + strength x sigma_j x sign(grad of the test cross-entropy), one step (Goodfellow
///   et al. 2015);
/// - pgd: from a uniform random start in the box |delta_j| <= strength x sigma_j, `pgd_steps`
///   steps of 2.5 x strength / pgd_steps x sigma_j along the gradient's sign, projected onto the
///   box after each (Madry et al. 2018); the metric after the last step.
/// Edges carrying target-in-degree attributes (SplineCNN) get them recomputed per graph.
/// Random draws come from their own generator, seeded by (seed, fold, perturbation, strength)
/// only: every stage of a job meets the same perturbed data, so stages pair up, and LibTorch's
/// generator (dropout of later trainings) is left untouched. Gradients are taken with respect
/// to the features only; no parameter's gradient or buffer changes.
namespace gsq::core::analysis {

/// The rows of the model `task` holds now: `stage` names its keys (method, setting, stage, seed,
/// fold, lineage, metric); `fakeQuant`: a quantized stage, evaluated through its fake
/// quantization (the simulated model). Throws training::Cancelled when `cancel` is raised.
std::vector<results::RobustnessRow> robustness(training::Task& task, const experiment::AnalyzeSpec& spec,
    const results::ResultRow& stage, bool fakeQuant, const results::CancelToken& cancel);

/// One perturbation of a batch and what it did (RobustnessRow::realized, before dividing by the
/// edges or entries there were: `changed` of `of`).
struct Perturbed {
    graph::GraphBatch batch;
    int64_t changed = 0, of = 0;
};

/// The perturbations of the random kinds, on one batch (tests call them directly).
Perturbed removeEdges(const graph::GraphBatch& b, double fraction, std::mt19937_64& rng);
Perturbed addEdges(const graph::GraphBatch& b, double perEdge, std::mt19937_64& rng);
Perturbed maskFeatures(const graph::GraphBatch& b, double fraction, std::mt19937_64& rng);
/// Noise of standard deviation sigma x featureStd[j] on feature j.
graph::GraphBatch addNoise(
    const graph::GraphBatch& b, const at::Tensor& featureStd, double sigma, std::mt19937_64& rng);
/// The number of undirected edges of a batch (a pair stored in both directions once).
int64_t undirectedEdges(const at::Tensor& edgeIndex);

} // namespace gsq::core::analysis
