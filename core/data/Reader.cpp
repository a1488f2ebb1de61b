#include "core/data/Reader.h"

#include "core/experiment/EntryRegistry.h"

#include <stdexcept>

namespace gsq::core::data {
namespace {

experiment::EntryRegistry<ReaderEntry>& registry()
{
    static experiment::EntryRegistry<ReaderEntry> r(builtinReaders());
    return r;
}

} // namespace

/// The built-in entries (experiment/Reader.cpp reads them).
std::vector<experiment::ReaderInfo> builtinReaderInfos()
{
    return experiment::infosOf(builtinReaders());
}

void registerReader(const ReaderEntry& entry)
{
    if (!entry.read)
        throw std::invalid_argument("dataset reader '" + entry.info.name + "' has no read function");
    experiment::registerReaderInfo(entry.info); // checks the entry first; throws before anything is kept
    registry().add(entry);
}

void unregisterReader(const std::string& name)
{
    experiment::unregisterReaderInfo(name); // throws for a built-in one or one in use
    registry().remove(name);
}

std::optional<ReaderEntry> findReader(const std::string& name)
{
    return registry().find(name);
}

} // namespace gsq::core::data
