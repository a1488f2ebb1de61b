#include "core/results/Pareto.h"

#include "core/results/ResultSchema.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <tuple>

namespace gsq::core::results {
namespace {

std::tuple<std::string, std::string, std::string> groupOf(const SummaryRow& r)
{
    return { r.dataset, r.task, r.metric };
}

std::string number(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

} // namespace

std::string lineageLabel(const SummaryRow& row)
{
    if (!row.lineage.empty())
        return row.lineage;
    return row.method == "none" || row.method.empty() ? "base" : settingKey(row.method, row.setting);
}

std::vector<ParetoPoint> paretoPoints(const std::vector<SummaryRow>& summaries)
{
    std::vector<ParetoPoint> points;
    for (const auto& s : summaries)
        if (s.sizeDiskBytesMean > 0)
            points.push_back({ s, false });
    std::stable_sort(points.begin(), points.end(), [](const ParetoPoint& a, const ParetoPoint& b) {
        return std::make_tuple(groupOf(a.row), a.row.sizeDiskBytesMean, -a.row.testMean)
            < std::make_tuple(groupOf(b.row), b.row.sizeDiskBytesMean, -b.row.testMean);
    });
    for (auto& p : points) {
        const auto dominates = [&](const ParetoPoint& q) {
            const auto& a = q.row;
            const auto& b = p.row;
            return groupOf(a) == groupOf(b) && a.testMean >= b.testMean && a.sizeDiskBytesMean <= b.sizeDiskBytesMean
                && (a.testMean > b.testMean || a.sizeDiskBytesMean < b.sizeDiskBytesMean);
        };
        p.onFront = std::none_of(points.begin(), points.end(), dominates);
    }
    return points;
}

std::string paretoCsv(const std::vector<ParetoPoint>& points)
{
    std::ostringstream o;
    o << "dataset,task,metric,experiment,model,method,setting,stage,lineage,n,mean,std,size_disk_bytes,on_front\n";
    for (const auto& p : points) {
        const auto& r = p.row;
        o << csvField(r.dataset) << ',' << csvField(r.task) << ',' << csvField(r.metric) << ','
          << csvField(r.experiment) << ',' << csvField(r.model) << ',' << csvField(r.method) << ','
          << csvField(r.setting) << ',' << stageName(r.stage) << ',' << csvField(lineageLabel(r)) << ',' << r.n << ','
          << number(r.testMean) << ',' << number(r.testStd) << ',' << number(r.sizeDiskBytesMean) << ','
          << (p.onFront ? 1 : 0) << '\n';
    }
    return o.str();
}

} // namespace gsq::core::results
