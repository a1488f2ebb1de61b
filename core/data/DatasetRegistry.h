#pragma once

#include "core/data/GraphDataset.h"
#include "core/experiment/ExperimentConfig.h"

#include <string>
#include <vector>

namespace gsq::core::data {

/// A dataset GraphSqueeze ships with.
struct BuiltinDataset {
    std::string name;        ///< the `dataset.name` value
    std::string description; ///< one line
    std::string tasks;       ///< tasks it supports
    std::string citation;    ///< short citation
};

/// Maps `dataset:` configurations to readers. Adding a dataset = one reader + one entry here.
class DatasetRegistry {
public:
    static const std::vector<BuiltinDataset>& builtins();

    /// Directory holding the bundled datasets: $GRAPHSQUEEZE_DATA_DIR, else the source tree's
    /// datasets/ (when running from a build tree), else the installed share/graphsqueeze/datasets.
    static std::string dataRoot();

    /// Reads the dataset a config names. Throws InputError for missing or malformed files.
    static GraphDataset load(const experiment::DatasetConfig& config);
};

} // namespace gsq::core::data
