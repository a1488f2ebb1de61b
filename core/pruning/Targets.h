#pragma once

#include <map>
#include <string>
#include <vector>

namespace gsq::core::pruning {

/// Which weights a pruning step may touch: parameters with more than one dimension whose
/// names match one of the glob patterns ('*' matches any run of characters).
struct Targets {
    std::vector<std::string> patterns{"*"};
    /// Per-parameter sparsity overrides (exact names), for finegrained pruning.
    std::map<std::string, double> overrides;
};

} // namespace gsq::core::pruning
