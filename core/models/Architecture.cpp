#include "core/models/Architecture.h"

#include <map>
#include <mutex>
#include <stdexcept>

namespace gsq::core::models {
namespace {

struct Registry {
    std::mutex mutex;
    std::map<std::string, ArchitectureEntry> entries;
    std::vector<std::string> builtins;
    Registry()
    {
        for (auto& e : builtinArchitectures()) {
            builtins.push_back(e.info.name);
            entries[e.info.name] = std::move(e);
        }
    }
};

Registry& registry()
{
    static Registry r;
    return r;
}

} // namespace

/// The catalog's built-in entries (experiment/Architecture.cpp reads them).
std::vector<experiment::ArchitectureInfo> builtinArchitectureInfos()
{
    std::vector<experiment::ArchitectureInfo> out;
    for (const auto& e : builtinArchitectures())
        out.push_back(e.info);
    return out;
}

void registerArchitecture(const ArchitectureEntry& entry)
{
    if (!entry.layers && !entry.graphModel)
        throw std::invalid_argument("architecture '" + entry.info.name + "' has no maker (layers or graphModel)");
    experiment::registerArchitectureInfo(entry.info); // checks the entry first; throws before anything is kept
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.entries[entry.info.name] = entry;
}

void unregisterArchitecture(const std::string& name)
{
    experiment::unregisterArchitectureInfo(name); // throws for a built-in one
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.entries.erase(name);
}

std::optional<ArchitectureEntry> findArchitecture(const std::string& name)
{
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.entries.find(name);
    if (it == r.entries.end())
        return std::nullopt;
    return it->second;
}

} // namespace gsq::core::models
