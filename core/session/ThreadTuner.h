#pragma once

#include <string>

namespace gsq::core::training {
class Task;
}

namespace gsq::core::session {

struct ThreadChoice {
    int threads = 1;
    std::string reason;
};

/// Picks the intra-op thread count by measurement: times a few forward+backward passes of a
/// throwaway task at 1 and at 2 threads (interleaved, median of each) and keeps the faster.
/// On this project's 2-core machines, small sparse graphs often train faster on one thread.
class ThreadTuner {
public:
    static ThreadChoice pick(training::Task& probe, int repetitions = 5);
};

} // namespace gsq::core::session
