#include "core/models/Hgpsl.h"

#include "core/nn/functional/MessagePassing.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace gsq::core::models {

HgpslClassifier::HgpslClassifier(const HgpslOptions& options)
    : m_options(options)
{
    if (options.levels < 1)
        throw std::invalid_argument("HGP-SL: needs at least one GCN layer");
    for (int l = 0; l < options.levels; ++l) {
        const int64_t in = l == 0 ? options.inChannels : options.hidden;
        auto conv = nn::GcnConvOptions(in, options.hidden).add_self_loops(l == 0).source_degree(l > 0);
        convs.push_back(register_module("conv" + std::to_string(l), nn::GcnConv(conv)));
    }
    for (int l = 0; l + 1 < options.levels; ++l)
        pools.push_back(register_module("pool" + std::to_string(l),
            nn::HgpslPool(nn::HgpslPoolOptions(options.hidden)
                              .ratio(options.ratio)
                              .lambda(options.lambda)
                              .sparse(options.sparse))));
    lin0 = register_module("lin0", torch::nn::Linear(2 * options.hidden, options.hidden));
    lin1 = register_module("lin1", torch::nn::Linear(options.hidden, options.hidden / 2));
    lin2 = register_module("lin2", torch::nn::Linear(options.hidden / 2, options.numClasses));
}

at::Tensor HgpslClassifier::forward(const at::Tensor& x, const at::Tensor& edgeIndex, const at::Tensor& batch,
    int64_t numGraphs, const at::Tensor& /*edgeAttr: the first level is unweighted, as the reference*/)
{
    namespace F = nn::functional;
    using quantization::Rows;
    const auto& q = m_quantHook;
    at::Tensor h = x, ei = edgeIndex, w, b = batch.defined() ? batch : torch::zeros({ x.size(0) }, torch::kLong);
    at::Tensor readout;
    for (size_t l = 0; l < convs.size(); ++l) {
        // Each level is a new graph for the quantizer (degrees, Degree-Quant's protection mask).
        q.beginGraph(ei, h.size(0), b);
        h = torch::relu(convs[l]->forward(h, ei, w));
        if (l < pools.size()) {
            auto pooled = pools[l]->forward(h, ei, w, b, numGraphs);
            h = pooled.x;
            ei = pooled.edgeIndex;
            w = pooled.edgeWeight;
            b = pooled.batch;
        }
        auto r = torch::relu(
            torch::cat({ F::globalPool(h, b, numGraphs, "max"), F::globalPool(h, b, numGraphs, "mean") }, 1));
        readout = readout.defined() ? readout + r : r;
    }
    auto g = q.act("readout", readout, Rows::Other);
    g = torch::relu(F::linear(g, q.weight("lin0.weight", lin0->weight), lin0->bias));
    g = F::dropout(q.act("head_hidden0", g, Rows::Other), m_options.dropout, is_training());
    g = torch::relu(F::linear(g, q.weight("lin1.weight", lin1->weight), lin1->bias));
    g = F::dropout(q.act("head_hidden1", g, Rows::Other), m_options.dropout, is_training());
    return F::linear(g, q.weight("lin2.weight", lin2->weight), lin2->bias);
}

} // namespace gsq::core::models
