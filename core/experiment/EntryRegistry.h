#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gsq::core::experiment {

/// The behaviour side of a run-time registry whose catalog side is a NamedTable (architectures:
/// models/Architecture.cpp; dataset readers: data/Reader.cpp): name → entry (its info and what
/// makes or reads it). The built-in entries come from their generated list.
template <class Entry> class EntryRegistry {
public:
    explicit EntryRegistry(std::vector<Entry> builtins)
    {
        for (auto& e : builtins)
            m_entries[e.info.name] = std::move(e);
    }
    void add(const Entry& entry)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_entries[entry.info.name] = entry;
    }
    void remove(const std::string& name)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_entries.erase(name);
    }
    /// A copy of the entry of `name`; nullopt when there is none.
    std::optional<Entry> find(const std::string& name) const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_entries.find(name);
        if (it == m_entries.end())
            return std::nullopt;
        return it->second;
    }

private:
    mutable std::mutex m_mutex;
    std::map<std::string, Entry> m_entries;
};

/// The catalog entries of a list of built-in entries.
template <class Entry> auto infosOf(const std::vector<Entry>& entries)
{
    std::vector<decltype(entries.front().info)> out;
    for (const auto& e : entries)
        out.push_back(e.info);
    return out;
}

} // namespace gsq::core::experiment
