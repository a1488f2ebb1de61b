#include "core/data/DatasetRegistry.h"

#include "core/common/Error.h"
#include "core/data/io/CoraReader.h"
#include "core/data/io/MoleculeCsvReader.h"
#include "core/data/io/TuReader.h"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace gsq::core::data {
namespace {

bool isDirectory(const std::string& p)
{
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string executableDir()
{
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return {};
    std::string p(buf, static_cast<size_t>(n));
    return p.substr(0, p.find_last_of('/'));
}

std::string lastComponent(std::string p)
{
    while (p.size() > 1 && p.back() == '/')
        p.pop_back();
    return p.substr(p.find_last_of('/') + 1);
}

} // namespace

const std::vector<BuiltinDataset>& DatasetRegistry::builtins()
{
    static const std::vector<BuiltinDataset> list{
        {"cora", "Cora citation graph (LINQS), Planetoid public split", "node_classification, link_prediction",
         "McCallum et al. 2000; Sen et al. 2008; split: Yang et al. 2016, Kipf & Welling 2017"},
        {"proteins", "PROTEINS (TU Dortmund): enzymes vs non-enzymes", "graph_classification",
         "Borgwardt et al. 2005; Dobson & Doig 2003; Morris et al. 2020 (TUDataset)"},
        {"bbbp", "BBBP (MoleculeNet): blood-brain barrier penetration, SMILES via RDKit", "graph_classification",
         "Martins et al. 2012; Wu et al. 2018 (MoleculeNet)"},
    };
    return list;
}

std::string DatasetRegistry::dataRoot()
{
    if (const char* env = std::getenv("GRAPHSQUEEZE_DATA_DIR"); env && *env)
        return env;
    if (isDirectory(GSQ_SOURCE_DATA_DIR))
        return GSQ_SOURCE_DATA_DIR;
    if (isDirectory(GSQ_INSTALL_DATA_DIR))
        return GSQ_INSTALL_DATA_DIR;
    return executableDir() + "/../share/graphsqueeze/datasets";
}

GraphDataset DatasetRegistry::load(const experiment::DatasetConfig& c)
{
    const std::string root = dataRoot();
    if (c.name == "cora")
        return io::CoraReader::read(c.path.empty() ? root + "/cora" : c.path);
    io::TuReadOptions tu;
    tu.useNodeAttributes = c.useNodeAttributes;
    if (c.name == "proteins")
        return io::TuReader::read(c.path.empty() ? root + "/proteins" : c.path, "PROTEINS", tu);
    if (c.name == "tu") {
        if (!isDirectory(c.path))
            throw InputError(c.path, 0, "expected a directory holding NAME_A.txt, NAME_graph_indicator.txt, ...");
        return io::TuReader::read(c.path, c.tuName.empty() ? lastComponent(c.path) : c.tuName, tu);
    }
    io::MoleculeCsvOptions mol;
    mol.smilesColumn = c.smilesColumn;
    mol.labelColumn = c.labelColumn;
    if (c.name == "bbbp") {
        auto ds = io::MoleculeCsvReader::read(c.path.empty() ? root + "/bbbp/BBBP.csv" : c.path, mol);
        ds.name = "bbbp";
        return ds;
    }
    if (c.name == "csv")
        return io::MoleculeCsvReader::read(c.path, mol);
    throw InputError("dataset.name", 0, "unknown dataset '" + c.name + "'");
}

} // namespace gsq::core::data
