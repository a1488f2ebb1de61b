#pragma once

#include "core/data/GraphDataset.h"
#include "core/experiment/Catalog.h"
#include "core/experiment/Reader.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

/// A dataset reader as its file declares it (core/data/readers/, one file each, or a
/// registerReader call from outside core/): its torch-free entry (what the path holds, its own
/// keys; experiment/Reader.h) and its read function. DatasetRegistry::load reads nothing else.
namespace gsq::core::data {

/// Reads one dataset: `path` is dataset.path, or the bundled copy's path (empty when neither).
/// Throws InputError naming the file (and line) for missing or malformed input.
using ReadFunction = std::function<GraphDataset(
    const experiment::DatasetConfig& config, const experiment::DatasetInfo& kind, const std::string& path)>;

struct ReaderEntry {
    experiment::ReaderInfo info;
    ReadFunction read;
};

/// The built-in readers (generated from the files of core/data/readers/).
std::vector<ReaderEntry> builtinReaders();

/// Adds (or replaces) a registered reader: its read function here, its entry for the loader and
/// the form. Throws std::invalid_argument when it has no read function or its entry is refused
/// (experiment::registerReaderInfo); then nothing is added.
void registerReader(const ReaderEntry& entry);
/// Removes a registered reader (tests); built-in ones stay (std::invalid_argument).
void unregisterReader(const std::string& name);
/// The entry of `name`; nullopt when there is none.
std::optional<ReaderEntry> findReader(const std::string& name);

} // namespace gsq::core::data
