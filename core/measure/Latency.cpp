#include "core/measure/Latency.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace gsq::core::measure {

Latency timeForward(const std::function<void()>& forward, int warmup, int runs)
{
    for (int i = 0; i < warmup; ++i)
        forward();
    std::vector<double> ms;
    ms.reserve(static_cast<size_t>(runs));
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        forward();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(ms.begin(), ms.begin() + static_cast<std::ptrdiff_t>(ms.size() / 2), ms.end());
    return { ms[ms.size() / 2], runs };
}

} // namespace gsq::core::measure
