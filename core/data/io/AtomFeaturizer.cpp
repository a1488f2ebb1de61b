#include "core/data/io/AtomFeaturizer.h"

#include <GraphMol/ChemTransforms/ChemTransforms.h>
#include <GraphMol/GraphMol.h>
#include <GraphMol/SmilesParse/SmilesWrite.h>

#include <algorithm>
#include <memory>

namespace gsq::core::data::io {
namespace {

int clampIndex(int value, int lo, int size)
{
    int i = value - lo;
    return (i < 0 || i >= size - 1) ? size - 1 : i; // last slot = "other"
}

int chiralityIndex(RDKit::Atom::ChiralType t)
{
    switch (t) {
    case RDKit::Atom::CHI_UNSPECIFIED:
        return 0;
    case RDKit::Atom::CHI_TETRAHEDRAL_CW:
        return 1;
    case RDKit::Atom::CHI_TETRAHEDRAL_CCW:
        return 2;
    case RDKit::Atom::CHI_OTHER:
        return 3;
    default:
        return 4;
    }
}

int hybridisationIndex(RDKit::Atom::HybridizationType h)
{
    switch (h) {
    case RDKit::Atom::SP:
        return 0;
    case RDKit::Atom::SP2:
        return 1;
    case RDKit::Atom::SP3:
        return 2;
    case RDKit::Atom::SP3D:
        return 3;
    case RDKit::Atom::SP3D2:
        return 4;
    default:
        return 5;
    }
}

} // namespace

std::vector<std::array<int, 9>> AtomFeaturizer::atomCategories(const RDKit::ROMol& mol)
{
    std::vector<std::array<int, 9>> out;
    out.reserve(mol.getNumAtoms());
    const RDKit::RingInfo* rings = mol.getRingInfo();
    for (const RDKit::Atom* a : mol.atoms()) {
        std::array<int, 9> c {};
        c[0] = clampIndex(static_cast<int>(a->getAtomicNum()), 1, kCategorySizes[0]);
        c[1] = chiralityIndex(a->getChiralTag());
        c[2] = clampIndex(static_cast<int>(a->getDegree()), 0, kCategorySizes[2]);
        c[3] = clampIndex(a->getFormalCharge(), -5, kCategorySizes[3]);
        c[4] = clampIndex(static_cast<int>(a->getTotalNumHs()), 0, kCategorySizes[4]);
        c[5] = clampIndex(static_cast<int>(a->getNumRadicalElectrons()), 0, kCategorySizes[5]);
        c[6] = hybridisationIndex(a->getHybridization());
        c[7] = a->getIsAromatic() ? 1 : 0;
        c[8] = rings->numAtomRings(a->getIdx()) > 0 ? 1 : 0;
        out.push_back(c);
    }
    return out;
}

std::vector<std::array<int, 9>> AtomFeaturizer::rawFeatures(const RDKit::ROMol& mol)
{
    auto clamp = [](int v, int lo, int hi) { return std::min(std::max(v, lo), hi); };
    std::vector<std::array<int, 9>> out;
    out.reserve(mol.getNumAtoms());
    const RDKit::RingInfo* rings = mol.getRingInfo();
    for (const RDKit::Atom* a : mol.atoms()) {
        std::array<int, 9> f {};
        f[0] = clamp(static_cast<int>(a->getAtomicNum()), 0, 118);
        f[1] = clamp(static_cast<int>(a->getChiralTag()), 0, 8);
        f[2] = clamp(static_cast<int>(a->getDegree()), 0, 10);
        f[3] = clamp(a->getFormalCharge(), -5, 6) + 5;
        f[4] = clamp(static_cast<int>(a->getTotalNumHs()), 0, 8);
        f[5] = clamp(static_cast<int>(a->getNumRadicalElectrons()), 0, 4);
        f[6] = clamp(static_cast<int>(a->getHybridization()), 0, 7);
        f[7] = a->getIsAromatic() ? 1 : 0;
        f[8] = rings->numAtomRings(a->getIdx()) > 0 ? 1 : 0;
        out.push_back(f);
    }
    return out;
}

void AtomFeaturizer::bonds(const RDKit::ROMol& mol, std::vector<int64_t>& src, std::vector<int64_t>& dst)
{
    for (const RDKit::Bond* b : mol.bonds()) {
        int64_t i = b->getBeginAtomIdx(), j = b->getEndAtomIdx();
        src.push_back(i);
        dst.push_back(j);
        src.push_back(j);
        dst.push_back(i);
    }
}

std::string AtomFeaturizer::murckoScaffold(const RDKit::ROMol& mol)
{
    std::unique_ptr<RDKit::ROMol> scaffold(RDKit::MurckoDecompose(mol));
    if (!scaffold || scaffold->getNumAtoms() == 0)
        return {};
    return RDKit::MolToSmiles(*scaffold, /*doIsomericSmiles=*/false);
}

} // namespace gsq::core::data::io
