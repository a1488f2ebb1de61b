#pragma once

#include "core/models/Models.h"
#include "core/nn/GcnConv.h"
#include "core/nn/HgpslPool.h"

#include <torch/nn/modules/linear.h>

#include <vector>

namespace gsq::core::models {

struct HgpslOptions {
    int64_t inChannels = 0;
    int64_t hidden = 128;
    int64_t numClasses = 2;
    int levels = 3; ///< GCN layers; a pooling layer follows each but the last
    double ratio = 0.5;
    double lambda = 1.0;
    bool sparse = true;
    double dropout = 0.0; ///< in the head, after its first two linears
};

/// HGP-SL (Zhang et al. 2019) as cszhangzhen/HGP-SL's models.py builds it:
///   conv0 = GCN(in -> C) (self loops, symmetric normalisation), ReLU, pool0, readout r0;
///   conv_l = GCN(C -> C) over the learned weighted edges (no self loops added, normalised by
///   the weights leaving each node), ReLU, pool_l (but the last level), readout r_l;
///   readout r = max-pool || mean-pool per graph; h = sum_l ReLU(r_l);
///   head lin0(2C -> C) - ReLU - dropout - lin1(C -> C/2) - ReLU - dropout - lin2(C/2 -> classes).
/// Children: conv0..conv{L-1}, pool0..pool{L-2} (each an `att` [1, 2C]), lin0..lin2.
/// With C = 128, 4 input features and 2 classes: 75,458 parameters.
class HgpslClassifier : public GraphModel {
public:
    explicit HgpslClassifier(const HgpslOptions& options);
    at::Tensor forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& batch, int64_t numGraphs,
        const at::Tensor& edgeAttr = {}) override;
    const HgpslOptions& options() const { return m_options; }

    std::vector<nn::GcnConv> convs;
    std::vector<nn::HgpslPool> pools;
    torch::nn::Linear lin0 { nullptr }, lin1 { nullptr }, lin2 { nullptr };

private:
    HgpslOptions m_options;
};

} // namespace gsq::core::models
