#pragma once

#include "core/experiment/Catalog.h"
#include "core/experiment/ConfigKey.h"
#include "core/experiment/ExperimentConfig.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

/// What the torch-free code knows of an architecture: its catalog entry (name, label, help), the
/// `model:` keys of its own, how to count its parameters for the memory pre-flight, and its
/// defaults and checks. Each architecture declares this in its own file beside its layer maker
/// (core/models/architectures/), or registers it at run time (models::registerArchitecture);
/// the loader, the form, the CLI help and the pre-flight read it from here.
namespace gsq::core::experiment {

/// One `model:` key of an architecture (experiment/ConfigKey.h): a built-in architecture's
/// keys are fields of ModelConfig, a registered one's live in ModelConfig::options.
using ArchitectureKey = ConfigKey<ModelConfig>;

/// The memory pre-flight's count of one message-passing layer.
struct LayerCount {
    double parameters = 0;
    double width = -1; ///< the output width the next layer sees (-1: `out`)
    double edgeWidth = -1; ///< floats kept per edge while training (-1: `width`)
};

using ResolveFail = std::function<void(const std::string& key, const std::string& message)>;

struct ArchitectureInfo {
    std::string name, label, help;
    int order = 0; ///< position among the built-in architectures (registered ones follow)
    std::vector<ArchitectureKey> keys; ///< its own `model:` keys, in the order the form shows them
    /// Parameters of its layer `in -> out` (`last`: the output layer). Required: an architecture
    /// without it is refused at registration, so the pre-flight never guesses.
    std::function<LayerCount(const ModelConfig&, double in, double out, bool last)> layerCount;
    /// A whole graph model (HGP-SL): its parameters beyond the layers, counted instead of the
    /// graph head (hidden: the layers' width).
    std::function<double(const ModelConfig&, double hidden, double classes)> modelParameters;
    /// Defaults that depend on the dataset or other keys, and checks (`fail` throws with the key).
    std::function<void(ExperimentConfig&, const ResolveFail& fail)> resolve;

    const ArchitectureKey* key(const std::string& name) const;
};

/// The `model:` keys every architecture shares (arch, hidden, layers, dropout, ...).
const std::vector<std::string>& sharedModelKeys();

/// The architectures, built-in ones first (in their order), then registered ones.
std::vector<ArchitectureInfo> architectures();
/// nullptr when there is none of that name. The entry lives as long as the process (a removed
/// one is hidden, not freed); registering its name again rewrites it (experiment/NamedTable.h).
const ArchitectureInfo* architecture(const std::string& name);
/// The catalog side of models::registerArchitecture, which also keeps the maker: call that one
/// (an entry registered here alone is refused by ModelFactory at run time). Adds or replaces a
/// registered entry; throws std::invalid_argument for a built-in name, no name, no parameter
/// count, a key that is not an Int, Real or Bool field or whose default does not fit its range,
/// or a key of its own that a shared model key or another architecture already uses.
void registerArchitectureInfo(const ArchitectureInfo& info);
/// Removes a registered architecture (tests); throws for a built-in one.
void unregisterArchitectureInfo(const std::string& name);

/// The entries of ChoiceList::Arch (Catalog::choices reads them here). Rebuilt when an
/// architecture is registered or removed: register before lists are read (at start-up).
const std::vector<Choice>& architectureChoices();

} // namespace gsq::core::experiment
