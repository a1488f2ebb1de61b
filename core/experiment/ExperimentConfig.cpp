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

#define GSQ_CHOICES(fn, ...)                                                                                           \
    const std::vector<std::string>& Choices::fn()                                                                      \
    {                                                                                                                  \
        static const std::vector<std::string> v{__VA_ARGS__};                                                          \
        return v;                                                                                                      \
    }

GSQ_CHOICES(datasets, "cora", "proteins", "bbbp", "tu", "csv")
GSQ_CHOICES(tasks, "node_classification", "graph_classification", "link_prediction")
GSQ_CHOICES(splits, "public", "random", "kfold", "scaffold")
GSQ_CHOICES(archs, "gcn", "sage", "gat", "gin")
GSQ_CHOICES(activations, "relu", "elu")
GSQ_CHOICES(poolings, "mean", "max", "sum")
GSQ_CHOICES(decoders, "inner_product", "mlp")
GSQ_CHOICES(optimizers, "adam", "sgd")
GSQ_CHOICES(selectBy, "val_metric", "val_loss", "last")
GSQ_CHOICES(metrics, "auto", "accuracy", "macro_f1", "roc_auc", "average_precision")
GSQ_CHOICES(featureFormats, "auto", "dense", "sparse")
GSQ_CHOICES(pruneMethods, "finegrained", "global", "l2", "structured")
GSQ_CHOICES(quantizeMethods, "qat", "degree_quant", "a2q", "ptq")
GSQ_CHOICES(analyzeMethods, "sensitivity")

#undef GSQ_CHOICES

} // namespace gsq::core::experiment
