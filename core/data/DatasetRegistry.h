#pragma once

#include "core/data/GraphDataset.h"
#include "core/experiment/Catalog.h"
#include "core/experiment/ExperimentConfig.h"

#include <string>
#include <vector>

namespace gsq::core::data {

/// Maps `dataset:` configurations to readers by the dataset's catalog entry (experiment/Catalog:
/// traits, bundled copy, which reader). A dataset read by an existing reader is one catalog entry
/// (Catalog::registerDataset at run time); a new file format is one reader (data/Reader.h).
class DatasetRegistry {
public:
    /// The catalog's datasets that ship with GraphSqueeze (a bundled copy).
    static std::vector<experiment::DatasetInfo> builtins();

    /// Directory holding the bundled datasets: $GRAPHSQUEEZE_DATA_DIR, else the source tree's
    /// datasets/ (when running from a build tree), else the installed share/graphsqueeze/datasets.
    static std::string dataRoot();

    /// Reads the dataset a config names. Throws InputError for missing or malformed files.
    static GraphDataset load(const experiment::DatasetConfig& config);
};

} // namespace gsq::core::data
