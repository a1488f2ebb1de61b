#include "core/experiment/Architecture.h"

#include "core/experiment/NamedTable.h"

#include <algorithm>
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

NamedTable<ArchitectureInfo>& table()
{
    static NamedTable<ArchitectureInfo> t("architecture", inOrder(models::builtinArchitectureInfos(), checkInfo));
    return t;
}

std::vector<Choice> choicesOf(const std::vector<ArchitectureInfo>& list)
{
    std::vector<Choice> out;
    for (const auto& a : list)
        out.push_back({ a.name, a.label, a.help });
    return out;
}

/// ChoiceList::Arch: rebuilt when an architecture is registered or removed.
std::vector<Choice>& choices()
{
    static std::vector<Choice> list = choicesOf(table().list());
    return list;
}

} // namespace

const std::vector<std::string>& sharedModelKeys()
{
    static const std::vector<std::string> keys { "arch", "hidden", "layers", "dropout", "input_dropout", "activation",
        "pooling", "head_hidden", "head_layers", "embedding_dim", "decoder" };
    return keys;
}

const ArchitectureKey* ArchitectureInfo::key(const std::string& name) const
{
    for (const auto& k : keys)
        if (k.field.key == name)
            return &k;
    return nullptr;
}

std::vector<ArchitectureInfo> architectures()
{
    return table().all();
}

const ArchitectureInfo* architecture(const std::string& name)
{
    return table().find(name);
}

void registerArchitectureInfo(const ArchitectureInfo& info)
{
    checkInfo(info);
    // A key of its own must have a name no shared key or other architecture uses: the loader
    // reads every architecture's keys from one `model:` mapping.
    if (const auto problem = collisionProblem(info.name, info.keys, sharedModelKeys(),
            "a model key every architecture shares", architectures(), "architecture");
        !problem.empty())
        throw std::invalid_argument("architecture '" + info.name + "': " + problem);
    table().add(info);
    choices() = choicesOf(table().list());
}

void unregisterArchitectureInfo(const std::string& name)
{
    table().remove(name);
    choices() = choicesOf(table().list());
}

const std::vector<Choice>& architectureChoices()
{
    return choices();
}

} // namespace gsq::core::experiment
