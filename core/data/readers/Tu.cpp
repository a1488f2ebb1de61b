#include "core/common/Error.h"
#include "core/data/Reader.h"
#include "core/data/io/TuReader.h"

#include <sys/stat.h>

/// tu: a TU Dortmund dataset, NAME_A.txt, NAME_graph_indicator.txt, ... in one directory; NAME is
/// dataset.tu_name, else the dataset kind's prefix, else the directory's name.
namespace gsq::core::data {
namespace {

bool isDirectory(const std::string& p)
{
    struct stat st { };
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string lastComponent(std::string p)
{
    while (p.size() > 1 && p.back() == '/')
        p.pop_back();
    return p.substr(p.find_last_of('/') + 1);
}

} // namespace

ReaderEntry reader_Tu()
{
    ReaderEntry e;
    e.info.name = "tu";
    e.info.order = 1;
    e.info.directory = true;
    e.info.pathHelp = "directory holding NAME_A.txt, NAME_graph_indicator.txt, NAME_graph_labels.txt, ...";
    e.read = [](const experiment::DatasetConfig& c, const experiment::DatasetInfo& kind, const std::string& path) {
        if (!isDirectory(path))
            throw InputError(path, 0, "expected a directory holding NAME_A.txt, NAME_graph_indicator.txt, ...");
        io::TuReadOptions tu;
        tu.useNodeAttributes = c.useNodeAttributes;
        const std::string prefix = !c.tuName.empty() ? c.tuName
            : !kind.tuPrefix.empty()                 ? kind.tuPrefix
                                                     : lastComponent(path);
        return io::TuReader::read(path, prefix, tu);
    };
    return e;
}

} // namespace gsq::core::data
