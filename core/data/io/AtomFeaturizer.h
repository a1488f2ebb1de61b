#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace RDKit {
class ROMol;
}

namespace gsq::core::data::io {

/// OGB-style atom featurisation: 9 categorical features per atom, each encoded one-hot and
/// concatenated (GraphSqueeze uses one-hot input, not learned embeddings, so any GNN's first
/// layer can consume it). Categories, with a final "other" slot each, as in OGB's
/// `allowable_features`: atomic number 1..118 (119), chirality tag (5), degree 0..10 (12),
/// formal charge -5..5 (12), total H 0..8 (10), radical electrons 0..4 (6),
/// hybridisation SP..SP3D2 (6), aromatic (2), in ring (2) -> 174 features.
class AtomFeaturizer {
public:
    static constexpr std::array<int, 9> kCategorySizes = { 119, 5, 12, 12, 10, 6, 6, 2, 2 };
    static constexpr int kNumFeatures = 174;

    /// The 9 category indices of every atom, [numAtoms][9].
    static std::vector<std::array<int, 9>> atomCategories(const RDKit::ROMol& mol);
    /// PyG's MoleculeNet features (torch_geometric.utils.from_smiles, `x_map`): the same 9
    /// properties as list indices, used as numbers: atomic number 0..118, chirality tag (RDKit
    /// enum), degree 0..10, formal charge + 5 (-5..6), total H 0..8, radical electrons 0..4,
    /// hybridisation (RDKit enum: UNSPECIFIED 0, S 1, SP 2, SP2 3, ...), aromatic, in ring.
    /// Values outside PyG's lists (which PyG rejects) are clamped to the list's ends.
    static std::vector<std::array<int, 9>> rawFeatures(const RDKit::ROMol& mol);
    /// Undirected bonds as directed pairs (both directions), sources then targets.
    static void bonds(const RDKit::ROMol& mol, std::vector<int64_t>& src, std::vector<int64_t>& dst);
    /// Canonical SMILES of the Bemis-Murcko scaffold without stereo ("" for acyclic molecules).
    static std::string murckoScaffold(const RDKit::ROMol& mol);
};

} // namespace gsq::core::data::io
