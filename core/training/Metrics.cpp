#include "core/training/Metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace gsq::core::training {
namespace {

struct Scored {
    std::vector<double> score;
    std::vector<int64_t> label;
};

Scored toVectors(const at::Tensor& scores, const at::Tensor& labels)
{
    auto s = scores.detach().to(torch::kDouble).contiguous().view({ -1 });
    auto l = labels.detach().to(torch::kLong).contiguous().view({ -1 });
    if (s.numel() != l.numel())
        throw std::invalid_argument(
            "metric: " + std::to_string(s.numel()) + " scores but " + std::to_string(l.numel()) + " labels");
    Scored out;
    out.score.assign(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
    out.label.assign(l.data_ptr<int64_t>(), l.data_ptr<int64_t>() + l.numel());
    return out;
}

} // namespace

double Metrics::accuracy(const at::Tensor& logits, const at::Tensor& labels)
{
    if (labels.numel() == 0)
        return std::numeric_limits<double>::quiet_NaN();
    auto pred = logits.detach().argmax(1);
    return pred.eq(labels).sum().item<double>() / static_cast<double>(labels.numel());
}

double Metrics::macroF1(const at::Tensor& logits, const at::Tensor& labels, int64_t numClasses)
{
    auto pred = logits.detach().argmax(1).contiguous();
    auto lab = labels.contiguous();
    std::vector<double> tp(static_cast<size_t>(numClasses)), fp(tp.size()), fn(tp.size());
    const int64_t* p = pred.data_ptr<int64_t>();
    const int64_t* y = lab.data_ptr<int64_t>();
    for (int64_t i = 0; i < lab.numel(); ++i) {
        if (p[i] == y[i])
            tp[static_cast<size_t>(y[i])] += 1;
        else {
            fp[static_cast<size_t>(p[i])] += 1;
            fn[static_cast<size_t>(y[i])] += 1;
        }
    }
    double sum = 0;
    int present = 0;
    for (size_t c = 0; c < tp.size(); ++c) {
        if (tp[c] + fp[c] + fn[c] == 0)
            continue;
        ++present;
        sum += 2 * tp[c] / (2 * tp[c] + fp[c] + fn[c]);
    }
    return present ? sum / present : std::numeric_limits<double>::quiet_NaN();
}

double Metrics::rocAuc(const at::Tensor& scores, const at::Tensor& labels)
{
    Scored d = toVectors(scores, labels);
    const size_t n = d.score.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d.score[a] < d.score[b]; });
    // Average ranks over ties, then the Mann-Whitney U statistic.
    double rankSumPos = 0;
    double nPos = 0, nNeg = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && d.score[order[j + 1]] == d.score[order[i]])
            ++j;
        const double avgRank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k)
            if (d.label[order[k]] == 1)
                rankSumPos += avgRank;
        i = j + 1;
    }
    for (int64_t l : d.label)
        (l == 1 ? nPos : nNeg) += 1;
    if (nPos == 0 || nNeg == 0)
        return std::numeric_limits<double>::quiet_NaN();
    return (rankSumPos - nPos * (nPos + 1) / 2.0) / (nPos * nNeg);
}

double Metrics::averagePrecision(const at::Tensor& scores, const at::Tensor& labels)
{
    Scored d = toVectors(scores, labels);
    const size_t n = d.score.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d.score[a] > d.score[b]; });
    double totalPos = 0;
    for (int64_t l : d.label)
        totalPos += l == 1 ? 1 : 0;
    if (totalPos == 0)
        return std::numeric_limits<double>::quiet_NaN();
    double tp = 0, seen = 0, ap = 0, prevRecall = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && d.score[order[j]] == d.score[order[i]]) {
            tp += d.label[order[j]] == 1 ? 1 : 0;
            seen += 1;
            ++j;
        }
        const double recall = tp / totalPos;
        ap += (recall - prevRecall) * (tp / seen);
        prevRecall = recall;
        i = j;
    }
    return ap;
}

at::Tensor Metrics::positiveScore(const at::Tensor& logitsOrScores)
{
    if (logitsOrScores.dim() == 2) {
        if (logitsOrScores.size(1) != 2)
            throw std::invalid_argument("binary metric needs 2 classes, got " + std::to_string(logitsOrScores.size(1)));
        return torch::softmax(logitsOrScores.detach(), 1).select(1, 1);
    }
    return logitsOrScores.detach();
}

double Metrics::compute(const std::string& name, const at::Tensor& logits, const at::Tensor& labels, int64_t numClasses)
{
    if (name == "accuracy")
        return accuracy(logits, labels);
    if (name == "macro_f1")
        return macroF1(logits, labels, numClasses);
    if (name == "roc_auc")
        return rocAuc(positiveScore(logits), labels);
    if (name == "average_precision")
        return averagePrecision(positiveScore(logits), labels);
    throw std::invalid_argument("unknown metric '" + name + "'");
}

} // namespace gsq::core::training
