#pragma once

#include <functional>
#include <string>

namespace gsq::core::measure {

/// A measured forward-pass time.
struct Latency {
    double medianMs = 0;
    int runs = 0;
};

/// Times `forward`: `warmup` untimed calls, then the median wall time of `runs` calls
/// (steady clock). Only the forward pass is inside the timed region.
Latency timeForward(const std::function<void()>& forward, int warmup = 3, int runs = 20);

} // namespace gsq::core::measure
