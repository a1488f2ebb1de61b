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
ExperimentConfig parseExperiment(
    const std::string& yamlText, const std::string& sourceName, const std::vector<std::string>& overrides = {});

/// Fills defaults that depend on other fields (task and split per dataset, link fractions, metric)
/// and checks cross-field rules. loadExperiment/parseExperiment call it; call it again after
/// editing a config in code.
void resolveDefaults(ExperimentConfig& config);

/// Parses one compression step from the form's key → text pairs, with the loader's own rules.
/// Texts are as stepValues writes them: scalars, comma-separated lists ("0.1, 0.5"), mappings
/// ("name: 0.5, other: 0.3"); an empty text means the default. Errors name `source` and
/// "compression[index].kind.key".
Step parseStep(StepKind kind, const std::string& method, const std::vector<std::pair<std::string, std::string>>& values,
    int index, const std::string& source);

/// A step of `kind` with `method` and every other key at its default (as the loader fills it).
Step defaultStep(StepKind kind, const std::string& method);

/// Every key the step's method accepts, with its value as form text; parseStep of these gives
/// back an equal step.
std::vector<std::pair<std::string, std::string>> stepValues(const Step& step);

/// One line for lists: "prune · global · sparsity 0.5, 0.9 · 100 fine-tune epochs".
std::string stepSummary(const Step& step);

/// Writes a config back as YAML that parseExperiment reads to an equal config.
std::string toYaml(const ExperimentConfig& config);

} // namespace gsq::core::experiment
