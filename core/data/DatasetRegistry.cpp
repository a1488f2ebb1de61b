#include "core/data/DatasetRegistry.h"

#include "core/common/Error.h"
#include "core/data/Reader.h"

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
    const experiment::DatasetInfo kind = *info;
    const std::string path = !c.path.empty() ? c.path
        : kind.bundled.empty()               ? std::string()
                                             : dataRoot() + "/" + kind.bundled;
    const auto reader = findReader(kind.reader);
    if (!reader)
        throw InputError("dataset.name", 0,
            "dataset '" + c.name + "' names the reader '" + kind.reader + "', which is not registered");
    return reader->read(c, kind, path);
}

} // namespace gsq::core::data
