#include "core/models/Architecture.h"

#include "core/experiment/EntryRegistry.h"

#include <stdexcept>

namespace gsq::core::models {
namespace {

experiment::EntryRegistry<ArchitectureEntry>& registry()
{
    static experiment::EntryRegistry<ArchitectureEntry> r(builtinArchitectures());
    return r;
}

} // namespace

/// The catalog's built-in entries (experiment/Architecture.cpp reads them).
std::vector<experiment::ArchitectureInfo> builtinArchitectureInfos()
{
    return experiment::infosOf(builtinArchitectures());
}

void registerArchitecture(const ArchitectureEntry& entry)
{
    if (!entry.layers && !entry.graphModel)
        throw std::invalid_argument("architecture '" + entry.info.name + "' has no maker (layers or graphModel)");
    experiment::registerArchitectureInfo(entry.info); // checks the entry first; throws before anything is kept
    registry().add(entry);
}

void unregisterArchitecture(const std::string& name)
{
    experiment::unregisterArchitectureInfo(name); // throws for a built-in one
    registry().remove(name);
}

std::optional<ArchitectureEntry> findArchitecture(const std::string& name)
{
    return registry().find(name);
}

} // namespace gsq::core::models
