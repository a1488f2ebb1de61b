#include "core/experiment/ExperimentConfig.h"

namespace gsq::core::experiment {

std::vector<int64_t> TrainConfig::effectiveSeeds() const
{
    if (!seeds.empty())
        return seeds;
    std::vector<int64_t> out;
    for (int i = 0; i < repeats; ++i)
        out.push_back(i);
    return out;
}

} // namespace gsq::core::experiment
