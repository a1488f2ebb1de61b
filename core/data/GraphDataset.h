#pragma once

#include "core/graph/Graph.h"

#include <string>
#include <vector>

namespace gsq::core::data {

/// Summary counts of a dataset, as printed by `graphsqueeze-cli datasets`.
struct DatasetStats {
    int64_t numGraphs = 0;
    int64_t numNodes = 0;
    int64_t numUndirectedEdges = 0; ///< distinct {i, j} pairs, i != j
    int64_t numFeatures = 0;
    int64_t numClasses = 0;
    std::vector<int64_t> classCounts; ///< nodes per class (node datasets) or graphs per class
};

/// What a reader produces: graphs plus the metadata splits and metrics need.
/// Node-level datasets hold exactly one graph.
struct GraphDataset {
    std::string name;
    std::string source; ///< file or directory it was read from
    std::vector<graph::Graph> graphs;
    int64_t numFeatures = 0;
    int64_t numClasses = 0;
    std::vector<std::string> classNames; ///< index -> name, when the file names classes

    /// The Planetoid "public" split (Cora only); empty when the dataset has none.
    std::vector<int64_t> publicTrain, publicVal, publicTest;
    /// Bemis-Murcko scaffold SMILES per graph (molecule datasets only).
    std::vector<std::string> scaffolds;
    /// Non-fatal notes from the reader (e.g. skipped rows), one line each.
    std::vector<std::string> warnings;

    bool isNodeLevel() const { return graphs.size() == 1; }
    /// Label of every graph (graph-level datasets) as a vector.
    std::vector<int64_t> graphLabels() const;
    DatasetStats stats() const;
};

} // namespace gsq::core::data
