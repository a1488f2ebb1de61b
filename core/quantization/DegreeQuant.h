#pragma once

#include <ATen/core/Tensor.h>

/// Per-node helpers of the degree-aware quantizers: Degree-Quant's protection probabilities
/// (Tailor et al. 2021) and A2Q's degree groups (Zhu et al. 2023).
namespace gsq::core::quantization {

/// The log2 in-degree bucket of each node, floor(log2(d + 1)): 0 for degree 0, 1 for 1-2, 2 for 3-6, 3 for 7-14, ...,
/// capped at groups - 1 (A²Q's degree groups).
at::Tensor degreeGroups(const at::Tensor& inDegree, int groups);
/// Degree-Quant's protection probability, per graph of `batch` (undefined = one graph), as the
/// reference (camlsys/degree-quant, dq/transforms.py): low + (min(low + change, 1) - low) *
/// (nodes of the graph with in-degree <= d) / (nodes of the graph). Nodes of equal in-degree
/// share the value; the highest-degree node gets min(low + change, 1).
at::Tensor protectionProbability(const at::Tensor& inDegree, double low, double change, const at::Tensor& batch = {});

} // namespace gsq::core::quantization
