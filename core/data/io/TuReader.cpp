#include "core/data/io/TuReader.h"

#include "core/common/Error.h"
#include "core/data/io/TextFile.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <sys/stat.h>

namespace gsq::core::data::io {
namespace {

bool fileExists(const std::string& p)
{
    struct stat st { };
    return ::stat(p.c_str(), &st) == 0;
}

/// Non-empty lines of a file; a trailing blank line is tolerated, any other blank line is not.
std::vector<size_t> dataLines(const TextFile& f)
{
    std::vector<size_t> out;
    out.reserve(f.lineCount());
    for (size_t i = 0; i < f.lineCount(); ++i) {
        if (trim(f.line(i)).empty()) {
            if (i + 1 == f.lineCount())
                break;
            f.fail(i, "empty line; expected a value");
        }
        out.push_back(i);
    }
    return out;
}

std::vector<int64_t> readIntColumn(const TextFile& f, const char* what)
{
    std::vector<int64_t> v;
    for (size_t i : dataLines(f)) {
        auto fields = f.fields(i, ',');
        if (fields.size() != 1)
            f.fail(i,
                std::string("expected one ") + what + " per line, found " + std::to_string(fields.size()) + " fields");
        v.push_back(f.toInt(fields[0], i, what));
    }
    return v;
}

void requireCount(const TextFile& f, size_t found, size_t expected, const char* what)
{
    if (found != expected)
        throw InputError(f.path(), 0,
            "expected " + std::to_string(expected) + " lines (" + what + "), found " + std::to_string(found));
}

/// The graph id of every node: 1-based, contiguous, at least one node.
std::vector<int64_t> readGraphIndicator(const TextFile& indicatorFile)
{
    std::vector<int64_t> graphOf = readIntColumn(indicatorFile, "graph id");
    if (graphOf.empty()) // a lone newline (fuzzing found graphOf.back() on an empty vector)
        throw InputError(indicatorFile.path(), 0, "no nodes: expected one graph id per node, one per line");
    auto lines = dataLines(indicatorFile);
    int64_t prev = 0;
    for (size_t k = 0; k < graphOf.size(); ++k) {
        int64_t gid = graphOf[k];
        if (gid < 1)
            indicatorFile.fail(lines[k], "graph ids are 1-based; found " + std::to_string(gid));
        if (gid != prev && gid != prev + 1)
            indicatorFile.fail(lines[k],
                "graph indicator not contiguous: expected graph id " + std::to_string(prev) + " or "
                    + std::to_string(prev + 1) + ", found " + std::to_string(gid));
        prev = gid;
    }
    return graphOf;
}

/// Each graph's edges with node ids local to the graph (`start`: each graph's first node).
struct GraphEdges {
    std::vector<std::vector<int64_t>> src, dst;
};

GraphEdges readEdges(const TextFile& adjacency, const std::vector<int64_t>& graphOf, const std::vector<int64_t>& start)
{
    const auto numNodes = static_cast<int64_t>(graphOf.size());
    GraphEdges e { std::vector<std::vector<int64_t>>(start.size()), std::vector<std::vector<int64_t>>(start.size()) };
    for (size_t i : dataLines(adjacency)) {
        auto f = adjacency.fields(i, ',');
        if (f.size() != 2)
            adjacency.fail(
                i, "expected 'row, col' (2 comma-separated node ids), found " + std::to_string(f.size()) + " fields");
        int64_t a = adjacency.toInt(f[0], i, "node id");
        int64_t b = adjacency.toInt(f[1], i, "node id");
        for (int64_t v : { a, b })
            if (v < 1 || v > numNodes)
                adjacency.fail(
                    i, "node id " + std::to_string(v) + " out of range [1, " + std::to_string(numNodes) + "]");
        int64_t ga = graphOf[static_cast<size_t>(a - 1)], gb = graphOf[static_cast<size_t>(b - 1)];
        if (ga != gb)
            adjacency.fail(i,
                "edge joins node " + std::to_string(a) + " (graph " + std::to_string(ga) + ") and node "
                    + std::to_string(b) + " (graph " + std::to_string(gb) + ")");
        int64_t off = start[static_cast<size_t>(ga - 1)];
        e.src[static_cast<size_t>(ga - 1)].push_back(a - 1 - off);
        e.dst[static_cast<size_t>(ga - 1)].push_back(b - 1 - off);
    }
    return e;
}

/// Node features: one-hot node labels, then attributes; a column of ones without either.
at::Tensor readNodeFeatures(const std::string& prefix, int64_t numNodes, const TuReadOptions& options)
{
    std::vector<at::Tensor> featureBlocks;
    if (options.useNodeLabels && fileExists(prefix + "node_labels.txt")) {
        TextFile nodeLabelFile(prefix + "node_labels.txt");
        std::vector<int64_t> nl = readIntColumn(nodeLabelFile, "node label");
        requireCount(
            nodeLabelFile, nl.size(), static_cast<size_t>(numNodes), "one label per node in the graph indicator");
        int64_t lo = *std::min_element(nl.begin(), nl.end());
        int64_t hi = *std::max_element(nl.begin(), nl.end());
        if (lo < 0)
            throw InputError(nodeLabelFile.path(), 0, "node labels must be >= 0, found " + std::to_string(lo));
        auto t = torch::tensor(nl, torch::kLong);
        featureBlocks.push_back(torch::one_hot(t, hi + 1).to(torch::kFloat));
    }
    if (options.useNodeAttributes && fileExists(prefix + "node_attributes.txt")) {
        TextFile attrFile(prefix + "node_attributes.txt");
        auto lines = dataLines(attrFile);
        requireCount(attrFile, lines.size(), static_cast<size_t>(numNodes), "one row per node in the graph indicator");
        size_t width = 0;
        std::vector<float> values;
        for (size_t i : lines) {
            auto f = attrFile.fields(i, ',');
            if (width == 0)
                width = f.size();
            else if (f.size() != width)
                attrFile.fail(i,
                    "expected " + std::to_string(width) + " comma-separated attributes (as on line 1), found "
                        + std::to_string(f.size()));
            for (auto v : f)
                values.push_back(static_cast<float>(attrFile.toDouble(v, i, "node attribute")));
        }
        featureBlocks.push_back(torch::tensor(values, torch::kFloat).view({ numNodes, static_cast<int64_t>(width) }));
    }
    return featureBlocks.empty() ? torch::ones({ numNodes, 1 }, torch::kFloat) : torch::cat(featureBlocks, 1);
}

} // namespace

GraphDataset TuReader::read(const std::string& directory, const std::string& name, const TuReadOptions& options)
{
    const std::string prefix = directory + "/" + name + "_";

    // Graph indicator: defines nodes and their graphs.
    TextFile indicatorFile(prefix + "graph_indicator.txt");
    const std::vector<int64_t> graphOf = readGraphIndicator(indicatorFile);
    const int64_t numNodes = static_cast<int64_t>(graphOf.size());
    const int64_t numGraphs = graphOf.back();

    // Graph labels.
    TextFile labelFile(prefix + "graph_labels.txt");
    std::vector<int64_t> rawLabels = readIntColumn(labelFile, "graph label");
    requireCount(
        labelFile, rawLabels.size(), static_cast<size_t>(numGraphs), "one label per graph in the graph indicator");
    std::vector<int64_t> classes = rawLabels;
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());

    // Node offsets per graph.
    std::vector<int64_t> start(static_cast<size_t>(numGraphs), 0), count(static_cast<size_t>(numGraphs), 0);
    for (int64_t i = 0; i < numNodes; ++i)
        ++count[static_cast<size_t>(graphOf[static_cast<size_t>(i)] - 1)];
    for (int64_t g = 1; g < numGraphs; ++g)
        start[static_cast<size_t>(g)] = start[static_cast<size_t>(g - 1)] + count[static_cast<size_t>(g - 1)];
    for (int64_t g = 0; g < numGraphs; ++g)
        if (count[static_cast<size_t>(g)] == 0)
            throw InputError(indicatorFile.path(), 0, "graph " + std::to_string(g + 1) + " has no nodes");

    TextFile adjacency(prefix + "A.txt");
    const GraphEdges edges = readEdges(adjacency, graphOf, start);
    if (const std::string p = prefix + "edge_labels.txt"; fileExists(p)) {
        TextFile edgeLabels(p);
        requireCount(
            edgeLabels, dataLines(edgeLabels).size(), dataLines(adjacency).size(), "one label per line of _A.txt");
    }
    const at::Tensor x = readNodeFeatures(prefix, numNodes, options);

    GraphDataset ds;
    ds.name = name;
    ds.source = directory;
    ds.numFeatures = x.size(1);
    ds.numClasses = static_cast<int64_t>(classes.size());
    for (int64_t c : classes)
        ds.classNames.push_back(std::to_string(c));
    ds.graphs.reserve(static_cast<size_t>(numGraphs));
    for (int64_t g = 0; g < numGraphs; ++g) {
        graph::Graph gr;
        int64_t s = start[static_cast<size_t>(g)], n = count[static_cast<size_t>(g)];
        gr.numNodes = n;
        gr.x = x.narrow(0, s, n).clone();
        gr.edgeIndex = torch::stack({ torch::tensor(edges.src[static_cast<size_t>(g)], torch::kLong),
                                        torch::tensor(edges.dst[static_cast<size_t>(g)], torch::kLong) })
                           .view({ 2, -1 });
        int64_t label
            = std::lower_bound(classes.begin(), classes.end(), rawLabels[static_cast<size_t>(g)]) - classes.begin();
        gr.y = torch::tensor({ label }, torch::kLong);
        ds.graphs.push_back(std::move(gr));
    }
    return ds;
}

} // namespace gsq::core::data::io
