#include "core/session/MemoryPreflight.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace gsq::core::session {
namespace {

/// Parameters of one message-passing layer `in -> out` of `arch` (heads: GAT heads of the layer).
double layerParameters(const experiment::ModelConfig& m, double in, double out, double heads)
{
    if (m.arch == "sage")
        return 2 * in * out + out;
    if (m.arch == "gat")
        return heads * (in * out + 2 * out) + heads * out;
    if (m.arch == "gin") // Linear(in, out), Linear(out, out), BatchNorm, epsilon
        return in * out + out + out * out + out + (m.batchNorm ? 2 * out : 0) + 1;
    if (m.arch == "spline") // kernel [K, in, out], root weight, bias
        return static_cast<double>(m.kernelSize) * in * out + in * out + out;
    if (m.arch == "gcn" || m.arch == "gnae" || m.arch == "hgpsl") // hgpsl: its GCN layers
        return in * out + out;
    // An architecture added without its count here would get a wrong estimate silently: refuse.
    throw std::logic_error("the memory pre-flight has no parameter count for architecture '" + m.arch
        + "'; add it to layerParameters in core/session/MemoryPreflight.cpp");
}

} // namespace

MemoryEstimate estimateMemory(const experiment::ExperimentConfig& c, const data::DatasetStats& s)
{
    const auto& m = c.model;
    const bool nodeTask = c.dataset.task == "node_classification";
    const bool linkTask = c.dataset.task == "link_prediction";
    const double hidden = static_cast<double>(m.hidden);
    const double classes = static_cast<double>(std::max<int64_t>(2, s.numClasses));
    // Layer widths through the stack (GAT concatenates the heads of hidden layers).
    double in = static_cast<double>(s.numFeatures), params = 0, nodeWidths = 0, edgeWidths = 0;
    for (int i = 0; i < m.layers; ++i) {
        const bool last = i + 1 == m.layers;
        double out = hidden;
        if (last && nodeTask)
            out = classes;
        else if (last && linkTask && m.embeddingDim > 0)
            out = static_cast<double>(m.embeddingDim);
        const double heads = m.arch == "gat" ? (last ? m.outputHeads : m.heads) : 1;
        params += layerParameters(m, in, out, heads);
        const double width = m.arch == "gat" && !last ? out * heads : out;
        nodeWidths += width;
        edgeWidths += width + (m.arch == "gat" ? heads : 0); // GAT: one attention score per head too
        in = width;
    }
    if (m.arch == "hgpsl") // pools' attention [1, 2C]; head 2C -> C -> C/2 -> classes
        params += (m.layers - 1) * 2 * hidden + 2 * hidden * hidden + hidden + hidden * std::floor(hidden / 2)
            + std::floor(hidden / 2) + std::floor(hidden / 2) * classes + classes;
    else if (!nodeTask && !linkTask) { // graph head
        const double headHidden = m.headHidden > 0 ? static_cast<double>(m.headHidden) : hidden;
        params += m.headLayers == 1 ? in * classes + classes
                                    : in * headHidden + headHidden + headHidden * classes + classes;
    }
    // Nodes and (directed) edges of one forward pass: the whole graph, a link task's subgraphs,
    // or one mini-batch of average graphs.
    const double graphs = static_cast<double>(std::max<int64_t>(1, s.numGraphs));
    double nodes = static_cast<double>(s.numNodes), edges = 2.0 * static_cast<double>(s.numUndirectedEdges) + nodes;
    if (!nodeTask && !linkTask) {
        const double batch = std::min(graphs, static_cast<double>(c.train.batchSize));
        nodes *= batch / graphs;
        edges *= batch / graphs;
    }
    const double passes = linkTask ? std::max(1, c.train.subgraphs) : 1;
    MemoryEstimate e;
    e.parameters = static_cast<int64_t>(params);
    e.parameterBytes = 4.0 * params * (1 + 1 + 3); // weights, gradients, three checkpoints
    const bool adam = c.train.optimizer == "adam" || c.train.optimizer == "adamw";
    e.optimizerBytes = 4.0 * params * (adam ? 2 : (c.train.momentum > 0 ? 1 : 0));
    // Per layer: its output before and after the activation and the dropout mask over nodes, and
    // one message per edge of the layer's width.
    e.activationBytes = 4.0 * passes * (3 * nodes * nodeWidths + edges * edgeWidths);
    return e;
}

std::string checkMemory(
    const experiment::ExperimentConfig& config, const data::DatasetStats& stats, const std::string& file)
{
    const auto need = estimateMemory(config, stats);
    const double have = availableMemoryBytes();
    const std::string what = "the run needs about " + formatBytes(need.total()) + " per job ("
        + std::to_string(need.parameters) + " parameters: " + formatBytes(need.parameterBytes)
        + " with gradients and checkpoints, optimizer " + formatBytes(need.optimizerBytes) + ", activations "
        + formatBytes(need.activationBytes) + ")";
    if (have > 0 && need.total() > have) {
        const auto line = config.keyLines.find("model.hidden");
        throw InputError::atKey(file, line == config.keyLines.end() ? 0 : line->second, "model.hidden",
            what + " but this machine has " + formatBytes(have)
                + " available; reduce model.hidden, model.layers or train.batch_size");
    }
    if (have > 0 && need.total() > have / 2)
        return "memory: " + what + ", more than half of the " + formatBytes(have) + " available";
    return {};
}

double availableMemoryBytes()
{
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("MemAvailable:", 0) == 0) {
            std::istringstream fields(line.substr(13));
            double kib = 0;
            fields >> kib;
            return kib * 1024.0;
        }
    return 0;
}

std::string formatBytes(double bytes)
{
    const char* units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    int u = 0;
    while (bytes >= 1024 && u < 5) {
        bytes /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return buf;
}

} // namespace gsq::core::session
