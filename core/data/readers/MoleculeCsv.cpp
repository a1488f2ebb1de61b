#include "core/data/Reader.h"
#include "core/data/io/MoleculeCsvReader.h"

/// csv: molecules as SMILES in a CSV file with an integer label column, featurised with RDKit.
namespace gsq::core::data {

ReaderEntry reader_MoleculeCsv()
{
    ReaderEntry e;
    e.info.name = "csv";
    e.info.order = 2;
    e.info.directory = false;
    e.info.pathHelp = "CSV file with a SMILES column and a label column";
    e.read = [](const experiment::DatasetConfig& c, const experiment::DatasetInfo& kind, const std::string& path) {
        io::MoleculeCsvOptions mol;
        mol.smilesColumn = c.smilesColumn;
        mol.labelColumn = c.labelColumn;
        mol.rawFeatures = c.atomFeatures == "raw";
        auto ds = io::MoleculeCsvReader::read(path, mol);
        if (!kind.bundled.empty())
            ds.name = kind.name;
        return ds;
    };
    return e;
}

} // namespace gsq::core::data
