// One A²Q feature quantization point, forward and backward, at the shapes of GIN 5x64 on BBBP
// (a batch of 128 molecules is about 3,000 atom rows of 64 features, a pool of 32 quantizers
// picked per row): the unfused expression GraphSqueeze used until 2026-12-05 (min/max clamps
// and a straight-through round, the step and width of each row gathered by index_select)
// against core/quantization/A2qFakeQuant.cpp's fused kernel, on 1 thread, side by side in one
// process. Built and run by a2q_fake_quant.sh.
#include "core/quantization/A2qFakeQuant.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>

namespace {

template <class F> double microseconds(const F& f)
{
    for (int i = 0; i < 20; ++i)
        f();
    const int reps = 400;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i)
        f();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / reps;
}

at::Tensor roundSte(const at::Tensor& t)
{
    return t + (t.round() - t).detach();
}

} // namespace

int main()
{
    at::set_num_threads(1);
    torch::manual_seed(0);
    double total[2] = { 0, 0 };
    for (const int64_t rows : { 1000, 3000, 6000 }) {
        const int64_t cols = 64, quantizers = 32;
        auto x0 = torch::randn({ rows, cols }).relu();
        auto step = (torch::rand({ quantizers }) * 0.05 + 0.01).requires_grad_(true);
        auto bits = torch::full({ quantizers }, 6.3).requires_grad_(true);
        auto index = torch::randint(quantizers, { rows }, torch::kLong);
        auto gy = torch::randn({ rows, cols });
        auto unfused = [&] {
            auto x = x0.clone().requires_grad_(true);
            auto s = (step.abs() + 1e-8).index_select(0, index).unsqueeze(1);
            auto b = roundSte(bits.clamp(2.0, 8.0)).index_select(0, index).unsqueeze(1);
            auto qmax = torch::pow(2.0, b) - 1.0;
            auto y = roundSte(torch::min(torch::max(x / s, torch::zeros_like(qmax)), qmax)) * s;
            y.backward(gy);
        };
        auto fused = [&] {
            auto x = x0.clone().requires_grad_(true);
            auto y = gsq::core::quantization::a2qFakeQuant(x, step, bits, index, false);
            y.backward(gy);
        };
        const double a = microseconds(unfused), b = microseconds(fused);
        total[0] += a;
        total[1] += b;
        std::printf("rows %5lld x %lld cols, %lld quantizers: unfused %8.1f us, fused %8.1f us, ratio %.2fx\n",
            static_cast<long long>(rows), static_cast<long long>(cols), static_cast<long long>(quantizers), a, b,
            a / b);
    }
    std::printf("all shapes: unfused / fused = %.2fx\n", total[0] / total[1]);
    return 0;
}
