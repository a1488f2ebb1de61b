#include "core/training/Trainer.h"

#include "core/common/Error.h"
#include "core/training/Checkpoint.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <limits>

namespace gsq::core::training {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

/// The optimiser over up to three groups: the model's own parameters with the configured weight
/// decay, and the learned step sizes and bit-widths of its `quant` child (A²Q) without any, each
/// at its own learning rate, as the A²Q reference trains them (weight decay would pull step sizes
/// and bit-widths towards zero). Group order: weights, step sizes, bit-widths.
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const experiment::TrainConfig& c, torch::nn::Module& m)
{
    std::vector<at::Tensor> weights, steps, bits;
    auto endsWith = [](const std::string& s, const std::string& tail) {
        return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
    };
    for (const auto& p : m.named_parameters(true)) {
        if (p.key().rfind("quant.", 0) != 0)
            weights.push_back(p.value());
        else
            (endsWith(p.key(), "__bits") ? bits : steps).push_back(p.value());
    }
    auto groups = [&](auto options) {
        std::vector<torch::optim::OptimizerParamGroup> out;
        out.emplace_back(weights, std::make_unique<decltype(options)>(options));
        for (auto* group : { &steps, &bits }) {
            if (group->empty())
                continue;
            auto plain = options;
            plain.weight_decay(0);
            const double lr = group == &steps ? c.quantStepLr : c.quantBitsLr;
            plain.lr(lr > 0 ? lr : c.lr);
            out.emplace_back(*group, std::make_unique<decltype(options)>(plain));
        }
        return out;
    };
    if (c.optimizer == "sgd") {
        auto o = torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weightDecay);
        return std::make_unique<torch::optim::SGD>(groups(o), o);
    }
    if (c.optimizer == "adamw") { // decoupled weight decay (Loshchilov & Hutter 2019); eps as NESS's code
        auto o = torch::optim::AdamWOptions(c.lr).weight_decay(c.weightDecay).eps(1e-7);
        return std::make_unique<torch::optim::AdamW>(groups(o), o);
    }
    auto o = torch::optim::AdamOptions(c.lr).weight_decay(c.weightDecay);
    return std::make_unique<torch::optim::Adam>(groups(o), o);
}

/// Every group's learning rate at this point of the schedule: its own initial rate times
/// `factor` (the schedule's current lr over train.lr).
void scaleLr(torch::optim::Optimizer& opt, const std::vector<double>& initial, double factor)
{
    auto& groups = opt.param_groups();
    for (size_t i = 0; i < groups.size(); ++i)
        groups[i].options().set_lr(initial[i] * factor);
}

} // namespace

FitResult Trainer::fit(Task& task, uint64_t seed, const std::function<void(const EpochRecord&)>& onEpoch,
    const std::atomic<bool>* cancel, TrainerHooks* hooks, int epochs)
{
    const int numEpochs = epochs > 0 ? epochs : m_config.epochs;
    auto module = task.module();
    auto optimizer = makeOptimizer(m_config, *module);
    std::vector<double> initialLr;
    for (auto& group : optimizer->param_groups())
        initialLr.push_back(group.options().get_lr());
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + 1);
    task.beginTraining();

    FitResult result;
    const auto start = Clock::now();
    const bool byLoss = m_config.selectBy == "val_loss";
    const bool byLast = m_config.selectBy == "last";
    double bestScore = -std::numeric_limits<double>::infinity();
    Checkpoint bestWeights;
    // When hooks reject epochs, the best of all epochs is kept too, in case none is ever accepted.
    double fallbackScore = -std::numeric_limits<double>::infinity();
    Checkpoint fallbackWeights;
    int fallbackEpoch = 0;
    Evaluation fallbackEval;
    int sinceImprovement = 0;
    const double nan = std::numeric_limits<double>::quiet_NaN();

    for (int epoch = 1; epoch <= numEpochs; ++epoch) {
        const auto epochStart = Clock::now();
        double lr = m_config.lr;
        if (m_config.lrStepSize > 0)
            lr = m_config.lr * std::pow(m_config.lrGamma, (epoch - 1) / m_config.lrStepSize);
        scaleLr(*optimizer, initialLr, m_config.lr > 0 ? lr / m_config.lr : 1.0);
        if (hooks)
            hooks->onEpochBegin(epoch);
        task.beginEpoch(rng);
        double lossSum = 0;
        const int64_t batches = task.numBatches();
        for (int64_t b = 0; b < batches; ++b) {
            if (cancel && cancel->load())
                throw Cancelled {};
            optimizer->zero_grad();
            auto loss = task.batchLoss(b);
            if (hooks)
                if (auto extra = hooks->extraLoss(); extra.defined())
                    loss = loss + extra;
            const double value = loss.item<double>();
            if (!std::isfinite(value))
                throw RunError("diverged at epoch " + std::to_string(epoch) + ": the training loss is "
                    + (std::isnan(value) ? "NaN" : "infinite") + "; lower train.lr (now " + std::to_string(m_config.lr)
                    + ") or check the input features");
            loss.backward();
            if (hooks)
                hooks->beforeOptimizerStep();
            if (m_config.clipGradNorm > 0) // as torch.nn.utils.clip_grad_norm_ (total norm, all parameters)
                torch::nn::utils::clip_grad_norm_(module->parameters(), m_config.clipGradNorm);
            optimizer->step();
            if (hooks)
                hooks->afterOptimizerStep();
            lossSum += value;
        }

        EpochRecord rec;
        rec.epoch = epoch;
        rec.loss = lossSum / static_cast<double>(batches);
        rec.lr = lr;
        const bool evaluateNow = epoch % m_config.evalEvery == 0 || epoch == numEpochs;
        if (evaluateNow) {
            Evaluation ev = task.evaluate();
            rec.trainMetric = ev.trainMetric;
            rec.valMetric = ev.valMetric;
            rec.testMetric = ev.testMetric;
            rec.valLoss = ev.valLoss;
            const double score = byLoss ? -ev.valLoss : (byLast ? static_cast<double>(epoch) : ev.valMetric);
            const bool eligible = !hooks || hooks->acceptCheckpoint(epoch);
            if (!eligible && bestWeights.empty() && (score > fallbackScore || fallbackWeights.empty())) {
                fallbackScore = score;
                fallbackWeights = Checkpoint::capture(*module);
                fallbackEpoch = epoch;
                fallbackEval = ev;
            }
            if (eligible && (score > bestScore || bestWeights.empty())) {
                bestScore = score;
                bestWeights = Checkpoint::capture(*module);
                result.bestEpoch = epoch;
                result.best = ev;
                sinceImprovement = 0;
            } else if (eligible) {
                sinceImprovement += m_config.evalEvery;
            }
            if (hooks)
                hooks->onEpochEnd(epoch, ev);
        } else {
            rec.trainMetric = rec.valMetric = rec.testMetric = rec.valLoss = nan;
        }
        rec.seconds = secondsSince(epochStart);
        result.history.push_back(rec);
        if (onEpoch)
            onEpoch(rec);
        if (m_config.patience > 0 && sinceImprovement >= m_config.patience && epoch < numEpochs) {
            result.stoppedEarly = true;
            break;
        }
    }
    if (!bestWeights.empty()) {
        bestWeights.restore(*module);
    } else if (!fallbackWeights.empty()) {
        fallbackWeights.restore(*module);
        result.bestEpoch = fallbackEpoch;
        result.best = fallbackEval;
        result.noEligibleEpoch = true;
    }
    result.trainSeconds = secondsSince(start);
    return result;
}

} // namespace gsq::core::training
