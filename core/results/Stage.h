#pragma once

#include <optional>
#include <string>

namespace gsq::core::results {

/// What a result row, a training curve or a weight snapshot describes. The names below are the
/// one place they are spelled: results.csv, run.json, the run history and every front end
/// read and write them through stageName / parseStage.
enum class Stage {
    Base, ///< the trained fp32 model
    Pruned, ///< right after pruning, before fine-tuning
    Finetuned, ///< pruned, then fine-tuned with the masks kept
    Regularized, ///< trained with the L2 penalty (l2: before pruning; l2_only: the reported row)
    Qat, ///< quantization-aware training (curves and snapshots only)
    Quantized, ///< the quantized model (fake-quantized; deployed through int8 kernels)
};

inline const char* stageName(Stage s)
{
    switch (s) {
    case Stage::Base:
        return "base";
    case Stage::Pruned:
        return "pruned";
    case Stage::Finetuned:
        return "finetuned";
    case Stage::Regularized:
        return "regularized";
    case Stage::Qat:
        return "qat";
    case Stage::Quantized:
        return "quantized";
    }
    return "base";
}

/// The stage called `name`, or nothing.
inline std::optional<Stage> parseStage(const std::string& name)
{
    for (Stage s : { Stage::Base, Stage::Pruned, Stage::Finetuned, Stage::Regularized, Stage::Qat, Stage::Quantized })
        if (name == stageName(s))
            return s;
    return std::nullopt;
}

} // namespace gsq::core::results
