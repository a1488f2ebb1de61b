// The three GEMMs of one dense layer (forward x W^T, input gradient g W, weight gradient g^T x)
// at the shapes of GIN 5x64 on PROTEINS (a batch of 128 graphs is ~5000 node rows, 64 x 64
// weights), timed on 1 thread, on 2 threads with the BLAS splitting the work, and on 2 threads
// with the rows split in two by the caller, one one-thread GEMM per half (what
// core/nn/functional/Linear.cpp's RowSplitLinear does). Built and run by gemm_row_split.sh.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <functional>

namespace {

template <class F> double microseconds(const F& f, int64_t macs)
{
    const int reps = static_cast<int>(400'000'000 / macs) + 20;
    for (int i = 0; i < 20; ++i)
        f();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i)
        f();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / reps;
}

/// f(begin, end) on two halves of `rows`, one per thread, no autograd.
template <class F> void halves(int64_t rows, const F& f)
{
    at::parallel_for(0, 2, 1, [&](int64_t first, int64_t last) {
        for (int64_t b = first; b < last; ++b)
            f(b, rows * b / 2, rows * (b + 1) / 2);
    });
}

} // namespace

int main()
{
    torch::NoGradGuard noGrad;
    std::printf("%-22s %6s %10s %14s %14s %8s %8s\n", "product", "rows", "1 thread", "2 thr (BLAS)", "2 thr (rows)",
        "BLAS x", "rows x");
    for (int64_t n : { 1024, 2048, 5000, 10000 }) {
        const auto x = torch::randn({ n, 64 }), w = torch::randn({ 64, 64 }), b = torch::randn({ 64 }),
                   g = torch::randn({ n, 64 });
        auto out = torch::empty({ n, 64 });
        auto partial = torch::empty({ 2, 64, 64 });
        const int64_t macs = n * 64 * 64;
        struct Case {
            const char* name;
            std::function<void()> whole, split;
        };
        const Case cases[] = {
            { "forward  b + x W^T", [&] { at::addmm_out(out, b, x, w.t()); },
                [&] {
                    halves(n, [&](int64_t, int64_t s, int64_t e) {
                        auto o = out.narrow(0, s, e - s);
                        at::addmm_out(o, b, x.narrow(0, s, e - s), w.t());
                    });
                } },
            { "grad_x   g W", [&] { at::mm_out(out, g, w); },
                [&] {
                    halves(n, [&](int64_t, int64_t s, int64_t e) {
                        auto o = out.narrow(0, s, e - s);
                        at::mm_out(o, g.narrow(0, s, e - s), w);
                    });
                } },
            { "grad_W   g^T x", [&] { auto r = at::mm(g.t(), x); },
                [&] {
                    halves(n, [&](int64_t h, int64_t s, int64_t e) {
                        auto o = partial.select(0, h);
                        at::mm_out(o, g.narrow(0, s, e - s).t(), x.narrow(0, s, e - s));
                    });
                    auto r = partial.select(0, 0) + partial.select(0, 1);
                } },
        };
        for (const auto& c : cases) {
            at::set_num_threads(1);
            const double one = microseconds(c.whole, macs);
            at::set_num_threads(2);
            const double blas = microseconds(c.whole, macs);
            const double rows = microseconds(c.split, macs);
            std::printf("%-22s %6lld %8.1f us %11.1f us %11.1f us %7.2fx %7.2fx\n", c.name, static_cast<long long>(n),
                one, blas, rows, one / blas, one / rows);
        }
    }
}
