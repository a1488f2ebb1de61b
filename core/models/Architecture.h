#pragma once

#include "core/experiment/Architecture.h"
#include "core/models/GnnStack.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

/// An architecture as its file declares it (core/models/architectures/, one file each, or a
/// registerArchitecture call from outside core/): its torch-free entry (keys, parameter count,
/// checks; experiment/Architecture.h) and how to build it. ModelFactory reads nothing else.
namespace gsq::core::models {

class GraphModel;

/// Makes the layer factory of a layer-stack architecture from the model config. `cachedGraph`:
/// one fixed graph (transductive tasks), so a layer may cache its normalisation.
using LayerMaker = std::function<LayerFactory(const experiment::ModelConfig&, bool cachedGraph)>;
/// Makes a whole graph-classification model (HGP-SL) instead of a layer stack.
using GraphModelMaker = std::function<std::shared_ptr<GraphModel>(
    const experiment::ModelConfig&, int64_t numFeatures, int64_t numClasses)>;

struct ArchitectureEntry {
    experiment::ArchitectureInfo info;
    LayerMaker layers; ///< a layer stack's layers (node, graph and link tasks)
    GraphModelMaker graphModel; ///< or a whole graph model (graph classification only)
};

/// The built-in architectures (generated from the files of core/models/architectures/).
std::vector<ArchitectureEntry> builtinArchitectures();

/// Adds (or replaces) a registered architecture: its makers here, its entry in the catalog.
/// Throws std::invalid_argument when it has neither maker or its entry is refused
/// (experiment::registerArchitectureInfo: a built-in name, no parameter count, a key that
/// collides or does not fit its range); then nothing is added.
void registerArchitecture(const ArchitectureEntry& entry);
/// Removes a registered architecture (tests); built-in ones stay (std::invalid_argument).
void unregisterArchitecture(const std::string& name);
/// The entry of `name`; nullopt when there is none.
std::optional<ArchitectureEntry> findArchitecture(const std::string& name);

} // namespace gsq::core::models
