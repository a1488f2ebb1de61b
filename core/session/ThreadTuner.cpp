#include "core/session/ThreadTuner.h"

#include "core/training/Task.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace gsq::core::session {

ThreadChoice ThreadTuner::pick(training::Task& probe, int repetitions)
{
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (cores < 2)
        return { 1, "1 core available" };
    auto module = probe.module();
    auto step = [&] {
        module->zero_grad();
        probe.batchLoss(0).backward();
    };
    std::vector<double> t1, t2;
    for (int r = 0; r < repetitions + 1; ++r) {
        for (int threads : { 1, 2 }) {
            at::set_num_threads(threads);
            const auto s = std::chrono::steady_clock::now();
            step();
            const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count();
            if (r > 0) // the first round warms up caches and allocators
                (threads == 1 ? t1 : t2).push_back(dt);
        }
    }
    auto median = [](std::vector<double> v) {
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
        return v[v.size() / 2];
    };
    const double m1 = median(t1), m2 = median(t2);
    const int best = m2 < m1 * 0.95 ? 2 : 1; // prefer 1 thread unless 2 are clearly faster
    char buf[160];
    std::snprintf(buf, sizeof buf, "measured: training step %.2f ms on 1 thread, %.2f ms on 2", m1 * 1e3, m2 * 1e3);
    return { best, buf };
}

} // namespace gsq::core::session
