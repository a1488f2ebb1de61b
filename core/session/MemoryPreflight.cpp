#include "core/session/MemoryPreflight.h"

#include "core/common/Error.h"
#include "core/experiment/Architecture.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace gsq::core::session {

MemoryEstimate estimateMemory(const experiment::ExperimentConfig& c, const data::DatasetStats& s)
{
    const auto& m = c.model;
    // Every architecture declares its count (registration refuses one without); an unknown name
    // here is a programming error, not a guess.
    const experiment::ArchitectureInfo* arch = experiment::architecture(m.arch);
    if (!arch)
        throw std::logic_error("the memory pre-flight got architecture '" + m.arch + "', which is not registered");
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
        const auto layer = arch->layerCount(m, in, out, last);
        const double width = layer.width >= 0 ? layer.width : out;
        params += layer.parameters;
        nodeWidths += width;
        edgeWidths += layer.edgeWidth >= 0 ? layer.edgeWidth : width;
        in = width;
    }
    if (arch->modelParameters) // a whole model: its own pools and head
        params += arch->modelParameters(m, hidden, classes);
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
