#include "core/data/Reader.h"

#include <map>
#include <mutex>
#include <stdexcept>

namespace gsq::core::data {
namespace {

struct Registry {
    std::mutex mutex;
    std::map<std::string, ReaderEntry> entries;
    Registry()
    {
        for (auto& e : builtinReaders())
            entries[e.info.name] = std::move(e);
    }
};

Registry& registry()
{
    static Registry r;
    return r;
}

} // namespace

/// The built-in entries (experiment/Reader.cpp reads them).
std::vector<experiment::ReaderInfo> builtinReaderInfos()
{
    std::vector<experiment::ReaderInfo> out;
    for (const auto& e : builtinReaders())
        out.push_back(e.info);
    return out;
}

void registerReader(const ReaderEntry& entry)
{
    if (!entry.read)
        throw std::invalid_argument("dataset reader '" + entry.info.name + "' has no read function");
    experiment::registerReaderInfo(entry.info); // checks the entry first; throws before anything is kept
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.entries[entry.info.name] = entry;
}

void unregisterReader(const std::string& name)
{
    experiment::unregisterReaderInfo(name); // throws for a built-in one or one in use
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.entries.erase(name);
}

std::optional<ReaderEntry> findReader(const std::string& name)
{
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.entries.find(name);
    if (it == r.entries.end())
        return std::nullopt;
    return it->second;
}

} // namespace gsq::core::data
