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

/// One `dataset:` key of a registered reader (experiment/ConfigKey.h): a number or a switch held
/// in DatasetConfig::options. The built-in readers' keys (TU prefix and node attributes, SMILES and
/// label columns, atom features) are text and switch fields of DatasetConfig with rows of their
/// own in the form, so their entries list none.
using ReaderKey = ConfigKey<DatasetConfig>;

struct ReaderInfo {
    std::string name;
    int order = 0; ///< position among the built-in readers (registered ones follow)
    bool directory = false; ///< dataset.path names a directory (else a file)
    std::string pathHelp; ///< what the path holds, e.g. "CSV file with a SMILES column and a label column"
    std::vector<ReaderKey> keys; ///< its own `dataset:` keys, in the order the form shows them

    const ReaderKey* key(const std::string& name) const;
};

/// The `dataset:` keys of DatasetConfig's own fields.
const std::vector<std::string>& builtinDatasetKeys();

/// The readers, built-in ones first (in their order), then registered ones.
std::vector<ReaderInfo> readers();
/// nullptr when there is none of that name. The entry lives as long as the process (a removed
/// one is hidden, not freed); registering its name again rewrites it (experiment/NamedTable.h).
const ReaderInfo* reader(const std::string& name);
/// The catalog side of data::registerReader, which also keeps the read function: call that one.
/// Adds or replaces a registered entry; throws std::invalid_argument for a built-in name, an empty
/// name or pathHelp, a key that is not an option (optionKey) of type Int, Real or Bool whose
/// default fits its range, or a key name a dataset key or another reader already uses.
void registerReaderInfo(const ReaderInfo& info);
/// Removes a registered reader (tests); throws for a built-in one or one a dataset kind uses.
void unregisterReaderInfo(const std::string& name);

} // namespace gsq::core::experiment
