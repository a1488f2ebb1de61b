#include "core/training/Trainer.h"

#include "core/common/Error.h"
#include "core/training/Checkpoint.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <set>

namespace gsq::core::training {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

/// The optimiser over the model's own parameters with the configured weight decay, then each
/// group the hooks ask for (TrainerHooks::parameterGroups) at its own learning rate without any
/// weight decay (A²Q's step sizes and bit-widths: decay would pull them towards zero).
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(
    const experiment::TrainConfig& c, torch::nn::Module& m, const std::vector<TrainerHooks::Group>& own)
{
    std::set<const void*> inGroups;
    for (const auto& g : own)
        for (const auto& t : g.parameters)
            inGroups.insert(t.unsafeGetTensorImpl());
    std::vector<at::Tensor> weights;
    for (const auto& p : m.parameters(true))
        if (!inGroups.count(p.unsafeGetTensorImpl()))
            weights.push_back(p);
    auto groups = [&](auto options) {
        std::vector<torch::optim::OptimizerParamGroup> out;
        out.emplace_back(weights, std::make_unique<decltype(options)>(options));
        for (const auto& g : own) {
            if (g.parameters.empty())
                continue;
            auto plain = options;
            plain.weight_decay(0);
            plain.lr(g.lr > 0 ? g.lr : c.lr);
            out.emplace_back(g.parameters, std::make_unique<decltype(options)>(plain));
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
    auto optimizer
        = makeOptimizer(m_config, *module, hooks ? hooks->parameterGroups() : std::vector<TrainerHooks::Group> {});
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
