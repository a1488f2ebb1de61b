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
    struct stat st { };
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

std::vector<experiment::DatasetInfo> DatasetRegistry::builtins()
{
    std::vector<experiment::DatasetInfo> out;
    for (const auto& d : experiment::Catalog::datasets())
        if (!d.bundled.empty())
            out.push_back(d);
    return out;
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
    const experiment::DatasetInfo* info = experiment::Catalog::dataset(c.name);
    if (!info)
        throw InputError("dataset.name", 0, "unknown dataset '" + c.name + "'");
    const std::string path = !c.path.empty() ? c.path
        : info->bundled.empty()              ? std::string()
                                             : dataRoot() + "/" + info->bundled;
    if (info->reader == "cora")
        return io::CoraReader::read(path);
    if (info->reader == "tu") {
        if (!isDirectory(path))
            throw InputError(path, 0, "expected a directory holding NAME_A.txt, NAME_graph_indicator.txt, ...");
        io::TuReadOptions tu;
        tu.useNodeAttributes = c.useNodeAttributes;
        const std::string prefix = !c.tuName.empty() ? c.tuName
            : !info->tuPrefix.empty()                ? info->tuPrefix
                                                     : lastComponent(path);
        return io::TuReader::read(path, prefix, tu);
    }
    io::MoleculeCsvOptions mol;
    mol.smilesColumn = c.smilesColumn;
    mol.labelColumn = c.labelColumn;
    mol.rawFeatures = c.atomFeatures == "raw";
    auto ds = io::MoleculeCsvReader::read(path, mol);
    if (!info->bundled.empty())
        ds.name = info->name;
    return ds;
}

} // namespace gsq::core::data
