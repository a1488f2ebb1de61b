#pragma once

#include "core/experiment/Catalog.h"

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace gsq::core::experiment {

/// One method as its file declares it: the catalog entry and what makes its object.
template <class Factory> struct MethodEntry {
    MethodInfo info;
    Factory make;
};

/// The behaviour side of one step kind's methods (prune: PruneMethod.cpp, quantize:
/// QuantMethod.cpp): name → factory. The built-in methods are listed once, their catalog entries
/// kept for the catalog; methods registered at run time are added to both and can be removed.
template <class Factory> class MethodRegistry {
public:
    MethodRegistry(StepKind kind, std::vector<MethodEntry<Factory>> builtins)
        : m_kind(kind)
    {
        for (auto& entry : builtins) {
            if (entry.info.kind != kind)
                throw std::logic_error(
                    "built-in " + kindName(kind) + " method '" + entry.info.name + "' declares another kind");
            m_factories[entry.info.name] = std::move(entry.make);
            m_builtins.push_back(std::move(entry.info));
        }
    }

    const std::vector<MethodInfo>& builtinInfos() const { return m_builtins; }

    /// Adds (or replaces) a method: its factory here, its entry in the catalog.
    void add(const MethodInfo& info, Factory make)
    {
        if (info.kind != m_kind)
            throw std::invalid_argument("'" + info.name + "' is not a " + kindName(m_kind) + " method");
        if (!make)
            throw std::invalid_argument(kindName(m_kind) + " method '" + info.name + "' has no factory");
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_factories[info.name] = std::move(make);
        }
        Catalog::registerMethod(info);
    }

    /// Removes a registered method (tests); built-in ones stay.
    void remove(const std::string& name)
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            for (const auto& m : m_builtins)
                if (m.name == name)
                    throw std::invalid_argument("the " + kindName(m_kind) + " method '" + name + "' is built in");
            m_factories.erase(name);
        }
        Catalog::unregisterMethod(m_kind, name);
    }

    /// The factory of `name`; empty when nothing registered one.
    Factory find(const std::string& name) const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_factories.find(name);
        return it == m_factories.end() ? Factory() : it->second;
    }

private:
    StepKind m_kind;
    mutable std::mutex m_mutex;
    std::map<std::string, Factory> m_factories;
    std::vector<MethodInfo> m_builtins;
};

} // namespace gsq::core::experiment
