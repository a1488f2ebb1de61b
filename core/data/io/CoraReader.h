#pragma once

#include "core/data/GraphDataset.h"

#include <string>

namespace gsq::core::data::io {

/// Reads the LINQS Cora release from a directory:
///  - `cora.content`: `<paper_id> <F binary features> <class_name>` (tab separated), one paper a line;
///  - `cora.cites`: `<cited_id> <citing_id>`, one citation a line;
///  - optional `cora.planetoid.tsv`: Planetoid index -> content row, label and public split.
/// With the Planetoid file, node i is Planetoid index i and classes use Planetoid's label order
/// (the order PyG's `Planetoid('Cora')` uses), and the public 140/500/1000 split is filled in.
/// Without it, nodes follow `cora.content` and classes are sorted by name.
/// Citations become undirected edges (both directions, duplicates removed, no self loops).
/// Features are returned dense and unnormalised; see data/Transforms.h.
class CoraReader {
public:
    static GraphDataset read(const std::string& directory);
};

} // namespace gsq::core::data::io
