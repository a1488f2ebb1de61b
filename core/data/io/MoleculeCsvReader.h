#pragma once

#include "core/data/GraphDataset.h"

#include <string>
#include <vector>

namespace gsq::core::data::io {

/// Options for a MoleculeNet-style CSV file.
struct MoleculeCsvOptions {
    std::string smilesColumn = "smiles";
    std::string labelColumn = "p_np";
    bool rawFeatures = false; ///< PyG MoleculeNet's 9 integer features as floats instead of 174 one-hot
};

/// Reads a CSV of molecules (header row; RFC-4180 quoting; LF or CRLF) and parses each SMILES
/// with RDKit into a graph: atoms -> nodes with AtomFeaturizer's 174 one-hot features (or its 9
/// raw features, `rawFeatures`), bonds ->
/// undirected edges. Labels must be integers 0..C-1. Rows whose SMILES RDKit rejects are skipped
/// and listed (by 1-based file line and `num`/first field) in the dataset's warnings; BBBP has 11
/// such rows, leaving 2039 molecules. The Bemis-Murcko scaffold of each molecule is recorded
/// for scaffold splits.
class MoleculeCsvReader {
public:
    static GraphDataset read(const std::string& path, const MoleculeCsvOptions& options = {});

    /// Splits one CSV record (RFC 4180: quotes, doubled quotes, commas inside quotes).
    /// Returns false when a quote is left open.
    static bool splitCsvLine(std::string_view line, std::vector<std::string>& fields);
};

} // namespace gsq::core::data::io
