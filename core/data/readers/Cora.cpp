#include "core/data/Reader.h"
#include "core/data/io/CoraReader.h"

/// cora: the LINQS Cora files (cora.content, cora.cites) in one directory.
namespace gsq::core::data {

ReaderEntry reader_Cora()
{
    ReaderEntry e;
    e.info.name = "cora";
    e.info.order = 0;
    e.info.directory = true;
    e.info.pathHelp = "directory holding cora.content and cora.cites";
    e.read = [](const experiment::DatasetConfig&, const experiment::DatasetInfo&, const std::string& path) {
        return io::CoraReader::read(path);
    };
    return e;
}

} // namespace gsq::core::data
