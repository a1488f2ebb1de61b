#pragma once

#include "core/experiment/ExperimentConfig.h"

#include <string>
#include <vector>

namespace gsq::core::experiment {

/// Reads an experiment YAML file, applies `--set key.path=value` overrides, checks every key,
/// type and range, and fills per-dataset defaults. Any problem throws InputError naming the file,
/// the line and the key, with the valid choices where there is a list of them.
ExperimentConfig loadExperiment(const std::string& path, const std::vector<std::string>& overrides = {});

/// The same from YAML text; `sourceName` is used in messages.
ExperimentConfig parseExperiment(const std::string& yamlText, const std::string& sourceName,
                                 const std::vector<std::string>& overrides = {});

/// Fills defaults that depend on other fields (task and split per dataset, link fractions, metric)
/// and checks cross-field rules. loadExperiment/parseExperiment call it; call it again after
/// editing a config in code.
void resolveDefaults(ExperimentConfig& config);

/// Writes a config back as YAML that parseExperiment reads to an equal config.
std::string toYaml(const ExperimentConfig& config);

} // namespace gsq::core::experiment
