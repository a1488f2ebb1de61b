#pragma once

#include "core/experiment/Steps.h"

namespace gsq::core::pruning {

/// Which weights a step may touch (glob patterns and per-weight overrides); declared with the
/// typed steps in experiment/Steps.h, matched against a model in MaskSet::select.
using Targets = experiment::Targets;

} // namespace gsq::core::pruning
