#include "core/experiment/Architecture.h"

#include <algorithm>
#include <deque>
#include <mutex>
#include <stdexcept>

// The built-in architectures' entries (core/models/architectures/, where LibTorch is).
namespace gsq::core::models {
std::vector<experiment::ArchitectureInfo> builtinArchitectureInfos();
}

namespace gsq::core::experiment {
namespace {

void checkInfo(const ArchitectureInfo& a)
{
    if (a.name.empty())
        throw std::invalid_argument("an architecture needs a name");
    if (!a.layerCount)
        throw std::invalid_argument("architecture '" + a.name
            + "' has no parameter count (ArchitectureInfo::layerCount); the memory pre-flight needs it");
    for (const auto& k : a.keys)
        if (const auto problem = keyProblem(k); !problem.empty())
            throw std::invalid_argument("architecture '" + a.name + "': " + problem);
}

struct ArchitectureTable {
    std::mutex mutex;
    /// A deque: pointers handed out stay valid as architectures are added.
    std::deque<ArchitectureInfo> list;
    size_t builtins = 0;
    std::vector<Choice> choices;

    ArchitectureTable()
    {
        auto infos = models::builtinArchitectureInfos();
        std::stable_sort(infos.begin(), infos.end(),
            [](const ArchitectureInfo& a, const ArchitectureInfo& b) { return a.order < b.order; });
        for (auto& a : infos) {
            checkInfo(a);
            list.push_back(std::move(a));
        }
        builtins = list.size();
        rebuildChoices();
    }

    void rebuildChoices()
    {
        choices.clear();
        for (const auto& a : list)
            choices.push_back({ a.name, a.label, a.help });
    }
};

ArchitectureTable& table()
{
    static ArchitectureTable t;
    return t;
}

} // namespace

const ArchitectureKey* ArchitectureInfo::key(const std::string& name) const
{
    for (const auto& k : keys)
        if (k.field.key == name)
            return &k;
    return nullptr;
}

std::vector<ArchitectureInfo> architectures()
{
    auto& t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    return { t.list.begin(), t.list.end() };
}

const ArchitectureInfo* architecture(const std::string& name)
{
    auto& t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    for (const auto& a : t.list)
        if (a.name == name)
            return &a;
    return nullptr;
}

void registerArchitectureInfo(const ArchitectureInfo& info)
{
    checkInfo(info);
    auto& t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    auto it = std::find_if(t.list.begin(), t.list.end(), [&](const ArchitectureInfo& a) { return a.name == info.name; });
    if (it != t.list.end())
        *it = info;
    else
        t.list.push_back(info);
    t.rebuildChoices();
}

void unregisterArchitectureInfo(const std::string& name)
{
    auto& t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    auto it = std::find_if(t.list.begin(), t.list.end(), [&](const ArchitectureInfo& a) { return a.name == name; });
    if (it == t.list.end())
        return;
    if (static_cast<size_t>(it - t.list.begin()) < t.builtins)
        throw std::invalid_argument("the architecture '" + name + "' is built in");
    t.list.erase(it);
    t.rebuildChoices();
}

const std::vector<Choice>& architectureChoices()
{
    return table().choices;
}

} // namespace gsq::core::experiment
