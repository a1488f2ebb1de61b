#include "core/experiment/ExperimentConfig.h"

#include <algorithm>

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

int ExperimentConfig::foldsRun() const
{
    if (dataset.split != "kfold")
        return 1;
    return dataset.runFolds > 0 ? std::min(dataset.folds, dataset.runFolds) : dataset.folds;
}

int ExperimentConfig::jobCount() const
{
    return foldsRun() * static_cast<int>(train.effectiveSeeds().size());
}

} // namespace gsq::core::experiment
