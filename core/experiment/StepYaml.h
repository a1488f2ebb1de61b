#pragma once

#include "core/experiment/Steps.h"
#include "core/experiment/YamlReader.h"

#include <yaml-cpp/yaml.h>

/// Reading and writing compression steps (internal to core/experiment; front ends use
/// parseStep / stepValues in ConfigYaml.h).
namespace gsq::core::experiment::yaml {

/// Parses item `index` of the `compression:` list: `{prune|quantize|analyze: {method: ..., ...}}`.
/// Strict: the method must be in the catalog and every key must be one the method accepts.
Step readStep(Context& ctx, const YAML::Node& item, size_t index);

/// Writes a step as `{kind: {method: ..., key: value, ...}}`, every key its method accepts
/// (AGP keys only with schedule agp), so that readStep gives back an equal step.
void writeStep(YAML::Emitter& e, const Step& step);

} // namespace gsq::core::experiment::yaml
