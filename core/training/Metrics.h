#pragma once

#include <ATen/core/Tensor.h>

#include <string>

namespace gsq::core::training {

/// Classification and ranking metrics, computed in double precision on CPU tensors.
struct Metrics {
    /// Fraction of rows whose argmax equals the label. logits [N, C], labels [N] int64.
    static double accuracy(const at::Tensor& logits, const at::Tensor& labels);
    /// Unweighted mean over classes present in labels or predictions of per-class F1.
    static double macroF1(const at::Tensor& logits, const at::Tensor& labels, int64_t numClasses);
    /// Area under the ROC curve for binary labels {0,1} and real scores; ties count one half
    /// (Mann-Whitney U). Returns NaN when only one class is present.
    static double rocAuc(const at::Tensor& scores, const at::Tensor& labels);
    /// Average precision (area under the precision-recall step curve, as scikit-learn):
    /// sum over distinct thresholds of (R_k - R_{k-1}) * P_k. NaN without positives.
    static double averagePrecision(const at::Tensor& scores, const at::Tensor& labels);

    /// Positive-class score for binary metrics from classifier logits [N, 2] (softmax column 1)
    /// or from a score vector [N].
    static at::Tensor positiveScore(const at::Tensor& logitsOrScores);

    /// Computes the named metric ("accuracy", "macro_f1", "roc_auc", "average_precision").
    static double compute(
        const std::string& name, const at::Tensor& logits, const at::Tensor& labels, int64_t numClasses);
};

} // namespace gsq::core::training
