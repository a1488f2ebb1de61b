#include "core/experiment/Reader.h"

#include "core/experiment/Catalog.h"

#include <algorithm>
#include <deque>
#include <mutex>
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

struct ReaderTable {
    std::mutex mutex;
    std::deque<ReaderInfo> list; ///< a deque: pointers handed out stay valid as readers are added
    size_t builtins = 0;
    ReaderTable()
    {
        auto infos = data::builtinReaderInfos();
        std::stable_sort(
            infos.begin(), infos.end(), [](const ReaderInfo& a, const ReaderInfo& b) { return a.order < b.order; });
        for (auto& r : infos) {
            checkInfo(r);
            list.push_back(std::move(r));
        }
        builtins = list.size();
    }
};

ReaderTable& table()
{
    static ReaderTable t;
    return t;
}

} // namespace

const ReaderKey* ReaderInfo::key(const std::string& name) const
{
    for (const auto& k : keys)
        if (k.field.key == name)
            return &k;
    return nullptr;
}

std::vector<ReaderInfo> readers()
{
    auto& t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    return { t.list.begin(), t.list.end() };
}

const ReaderInfo* reader(const std::string& name)
{
    auto& t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    for (const auto& r : t.list)
        if (r.name == name)
            return &r;
    return nullptr;
}

void registerReaderInfo(const ReaderInfo& info)
{
    checkInfo(info);
    auto& t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    auto it = std::find_if(t.list.begin(), t.list.end(), [&](const ReaderInfo& r) { return r.name == info.name; });
    if (it != t.list.end())
        *it = info;
    else
        t.list.push_back(info);
}

void unregisterReaderInfo(const std::string& name)
{
    for (const auto& d : Catalog::datasets())
        if (d.reader == name)
            throw std::invalid_argument(
                "dataset reader '" + name + "' is used by dataset '" + d.name + "'; remove that dataset first");
    auto& t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    auto it = std::find_if(t.list.begin(), t.list.end(), [&](const ReaderInfo& r) { return r.name == name; });
    if (it == t.list.end())
        return;
    if (static_cast<size_t>(it - t.list.begin()) < t.builtins)
        throw std::invalid_argument("the dataset reader '" + name + "' is built in");
    t.list.erase(it);
}

} // namespace gsq::core::experiment
