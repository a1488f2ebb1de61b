#include "core/experiment/Reader.h"

#include "core/experiment/Catalog.h"
#include "core/experiment/NamedTable.h"

#include <algorithm>
#include <stdexcept>

// The built-in readers' entries (core/data/readers/, where LibTorch is).
namespace gsq::core::data {
std::vector<experiment::ReaderInfo> builtinReaderInfos();
}

namespace gsq::core::experiment {
namespace {

void checkInfo(const ReaderInfo& r)
{
    if (r.name.empty())
        throw std::invalid_argument("a dataset reader needs a name");
    if (r.pathHelp.empty())
        throw std::invalid_argument("dataset reader '" + r.name + "' does not say what its path holds (pathHelp)");
    for (const auto& k : r.keys)
        if (const auto problem = keyProblem(k); !problem.empty())
            throw std::invalid_argument("dataset reader '" + r.name + "': " + problem);
}

NamedTable<ReaderInfo>& table()
{
    static NamedTable<ReaderInfo> t("dataset reader", inOrder(data::builtinReaderInfos(), checkInfo));
    return t;
}

} // namespace

const std::vector<std::string>& builtinDatasetKeys()
{
    static const std::vector<std::string> keys { "name", "path", "tu_name", "task", "split", "train_size", "val_size",
        "test_size", "val_fraction", "test_fraction", "folds", "run_folds", "split_seed", "normalize_features",
        "edge_attr", "features", "use_node_attributes", "smiles_column", "label_column", "atom_features" };
    return keys;
}

const ReaderKey* ReaderInfo::key(const std::string& name) const
{
    for (const auto& k : keys)
        if (k.field.key == name)
            return &k;
    return nullptr;
}

std::vector<ReaderInfo> readers()
{
    return table().all();
}

const ReaderInfo* reader(const std::string& name)
{
    return table().find(name);
}

void registerReaderInfo(const ReaderInfo& info)
{
    checkInfo(info);
    // Its own keys need names no `dataset:` key and no other reader uses: one mapping holds them.
    for (const auto& k : info.keys)
        if (k.get)
            throw std::invalid_argument("dataset reader '" + info.name + "': key '" + k.field.key
                + "' must be an option of its own (optionKey), not a DatasetConfig field");
    if (const auto problem
        = collisionProblem(info.name, info.keys, builtinDatasetKeys(), "already a dataset key", readers(), "reader");
        !problem.empty())
        throw std::invalid_argument("dataset reader '" + info.name + "': " + problem);
    table().add(info);
}

void unregisterReaderInfo(const std::string& name)
{
    for (const auto& d : Catalog::datasets())
        if (d.reader == name)
            throw std::invalid_argument(
                "dataset reader '" + name + "' is used by dataset '" + d.name + "'; remove that dataset first");
    table().remove(name);
}

} // namespace gsq::core::experiment
