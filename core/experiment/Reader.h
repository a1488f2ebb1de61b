#pragma once

#include "core/experiment/ConfigKey.h"
#include "core/experiment/ExperimentConfig.h"

#include <string>
#include <vector>

/// What the torch-free code knows of a dataset reader: its name (a DatasetInfo's `reader`),
/// what `dataset.path` must name, and the `dataset:` keys of its own. Each reader declares this in
/// its own file beside its read function (core/data/readers/), or registers it at run time
/// (data::registerReader); the loader, the form and the messages read it from here.
namespace gsq::core::experiment {

/// One `dataset:` key of a reader (experiment/ConfigKey.h). The built-in readers' keys (TU prefix,
/// SMILES and label columns) are text fields of DatasetConfig with rows of their own in the form;
/// a registered reader's keys are numbers or switches held in DatasetConfig::options.
using ReaderKey = ConfigKey<DatasetConfig>;

struct ReaderInfo {
    std::string name;
    int order = 0; ///< position among the built-in readers (registered ones follow)
    bool directory = false; ///< dataset.path names a directory (else a file)
    std::string pathHelp; ///< what the path holds, e.g. "CSV file with a SMILES column and a label column"
    std::vector<ReaderKey> keys; ///< its own `dataset:` keys, in the order the form shows them

    const ReaderKey* key(const std::string& name) const;
};

/// The readers, built-in ones first (in their order), then registered ones.
std::vector<ReaderInfo> readers();
/// nullptr when there is none of that name (valid until it is registered again or removed).
const ReaderInfo* reader(const std::string& name);
/// Adds (or replaces) a reader's entry; throws std::invalid_argument for an empty name, an empty
/// pathHelp or a key that is not an Int, Real or Bool field.
void registerReaderInfo(const ReaderInfo& info);
/// Removes a registered reader (tests); throws for a built-in one or one a dataset kind uses.
void unregisterReaderInfo(const std::string& name);

} // namespace gsq::core::experiment
