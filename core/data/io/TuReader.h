#pragma once

#include "core/data/GraphDataset.h"

#include <string>

namespace gsq::core::data::io {

/// Options for reading a TU-format dataset.
struct TuReadOptions {
    bool useNodeLabels = true; ///< one-hot `_node_labels` as features (PyG's default)
    bool useNodeAttributes = false; ///< append `_node_attributes` columns (PyG's use_node_attr)
};

/// Reads a dataset in the TU Dortmund text format from `directory` with prefix `name`:
/// `NAME_A.txt` (1-based `row, col` per directed edge), `NAME_graph_indicator.txt` (graph id of
/// node i, contiguous and non-decreasing), `NAME_graph_labels.txt`, and optionally
/// `NAME_node_labels.txt`, `NAME_node_attributes.txt`, `NAME_edge_labels.txt` (validated for
/// length, not used as features). Graph labels are mapped to 0..C-1 in ascending order of their
/// value (PROTEINS: {1,2} -> {0,1}). Nodes without features get a constant feature 1.
class TuReader {
public:
    static GraphDataset read(const std::string& directory, const std::string& name, const TuReadOptions& options = {});
};

} // namespace gsq::core::data::io
