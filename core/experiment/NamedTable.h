#pragma once

#include <algorithm>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace gsq::core::experiment {

/// The table behind each run-time registry of the catalog (architectures, dataset readers,
/// dataset kinds): built-in entries first, in their order, then registered ones. An entry's
/// address never changes and is never freed: removing a registered entry only hides it, and
/// registering the name again reuses its slot, so a pointer from find() stays valid for the life
/// of the process (its content changes only when that name is registered again). Built-in
/// entries cannot be replaced or removed. Register before sessions run: lookups from a running
/// session do not wait for a registration in progress to finish rewriting an entry.
template <class Info> class NamedTable {
public:
    NamedTable(std::string kind, std::vector<Info> builtins)
        : m_kind(std::move(kind))
    {
        for (auto& info : builtins)
            m_slots.push_back({ std::move(info), true });
        m_builtins = m_slots.size();
        rebuildList();
    }

    /// The live entries, in order: rebuilt when an entry is added or removed (register before
    /// lists are read, at start-up).
    const std::vector<Info>& list() const { return m_list; }

    /// Copies of the live entries, in order.
    std::vector<Info> all() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        std::vector<Info> out;
        for (const auto& s : m_slots)
            if (s.live)
                out.push_back(s.info);
        return out;
    }

    /// The live entry of `name`, or nullptr.
    const Info* find(const std::string& name) const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const auto& s : m_slots)
            if (s.live && s.info.name == name)
                return &s.info;
        return nullptr;
    }

    /// Adds a registered entry, or replaces the registered entry of that name.
    void add(const Info& info)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (size_t i = 0; i < m_slots.size(); ++i)
            if (m_slots[i].info.name == info.name) {
                if (i < m_builtins)
                    throw std::invalid_argument("the " + m_kind + " '" + info.name + "' is built in");
                m_slots[i] = { info, true };
                rebuildList();
                return;
            }
        m_slots.push_back({ info, true });
        rebuildList();
    }

    /// Hides a registered entry (nothing when there is none of that name).
    void remove(const std::string& name)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (size_t i = 0; i < m_slots.size(); ++i)
            if (m_slots[i].live && m_slots[i].info.name == name) {
                if (i < m_builtins)
                    throw std::invalid_argument("the " + m_kind + " '" + name + "' is built in");
                m_slots[i].live = false;
            }
        rebuildList();
    }

private:
    void rebuildList() // under the lock
    {
        m_list.clear();
        for (const auto& s : m_slots)
            if (s.live)
                m_list.push_back(s.info);
    }

    struct Slot {
        Info info;
        bool live = true;
    };
    std::string m_kind;
    mutable std::mutex m_mutex;
    std::deque<Slot> m_slots;
    size_t m_builtins = 0;
    std::vector<Info> m_list;
};

/// Built-in entries in their declared `order` (files are listed by name), each passed through
/// `check` first.
template <class Info, class Check> std::vector<Info> inOrder(std::vector<Info> infos, Check&& check)
{
    std::stable_sort(infos.begin(), infos.end(), [](const Info& a, const Info& b) { return a.order < b.order; });
    for (const auto& info : infos)
        check(info);
    return infos;
}

} // namespace gsq::core::experiment
