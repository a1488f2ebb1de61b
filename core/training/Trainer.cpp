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

/// One epoch of training batches; the mean batch loss. Throws RunError when the loss diverges.
double trainEpoch(Task& task, torch::optim::Optimizer& optimizer, torch::nn::Module& module, TrainerHooks* hooks,
    const experiment::TrainConfig& config, int epoch, const std::atomic<bool>* cancel)
{
    double lossSum = 0;
    const int64_t batches = task.numBatches();
    for (int64_t b = 0; b < batches; ++b) {
        if (cancel && cancel->load())
            throw Cancelled {};
        optimizer.zero_grad();
        auto loss = task.batchLoss(b);
        if (hooks)
            if (auto extra = hooks->extraLoss(); extra.defined())
                loss = loss + extra;
        const double value = loss.item<double>();
        if (!std::isfinite(value))
            throw RunError("diverged at epoch " + std::to_string(epoch) + ": the training loss is "
                + (std::isnan(value) ? "NaN" : "infinite") + "; lower train.lr (now " + std::to_string(config.lr)
                + ") or check the input features");
        loss.backward();
        if (hooks)
            hooks->beforeOptimizerStep();
        if (config.clipGradNorm > 0) // as torch.nn.utils.clip_grad_norm_ (total norm, all parameters)
            torch::nn::utils::clip_grad_norm_(module.parameters(), config.clipGradNorm);
        optimizer.step();
        if (hooks)
            hooks->afterOptimizerStep();
        lossSum += value;
    }
    return lossSum / static_cast<double>(batches);
}

/// The checkpoint selection of one fit: the best evaluated epoch the hooks accept (by validation
/// metric, validation loss or the last), with patience; when hooks reject epochs, the best of all
/// epochs is kept too, in case none is ever accepted.
class Selection {
public:
    explicit Selection(const experiment::TrainConfig& config)
        : m_byLoss(config.selectBy == "val_loss")
        , m_byLast(config.selectBy == "last")
        , m_evalEvery(config.evalEvery)
    {
    }

    void consider(int epoch, const Evaluation& ev, bool eligible, torch::nn::Module& module, FitResult& result)
    {
        const double score = m_byLoss ? -ev.valLoss : (m_byLast ? static_cast<double>(epoch) : ev.valMetric);
        if (!eligible && m_best.empty() && (score > m_fallbackScore || m_fallback.empty())) {
            m_fallbackScore = score;
            m_fallback = Checkpoint::capture(module);
            m_fallbackEpoch = epoch;
            m_fallbackEval = ev;
        }
        if (eligible && (score > m_bestScore || m_best.empty())) {
            m_bestScore = score;
            m_best = Checkpoint::capture(module);
            result.bestEpoch = epoch;
            result.best = ev;
            sinceImprovement = 0;
        } else if (eligible) {
            sinceImprovement += m_evalEvery;
        }
    }

    /// Restores the selected weights into `module`.
    void restore(torch::nn::Module& module, FitResult& result) const
    {
        if (!m_best.empty()) {
            m_best.restore(module);
        } else if (!m_fallback.empty()) {
            m_fallback.restore(module);
            result.bestEpoch = m_fallbackEpoch;
            result.best = m_fallbackEval;
            result.noEligibleEpoch = true;
        }
    }

    int sinceImprovement = 0; ///< epochs since the last accepted improvement

private:
    bool m_byLoss, m_byLast;
    int m_evalEvery;
    double m_bestScore = -std::numeric_limits<double>::infinity();
    Checkpoint m_best;
    double m_fallbackScore = -std::numeric_limits<double>::infinity();
    Checkpoint m_fallback;
    int m_fallbackEpoch = 0;
    Evaluation m_fallbackEval;
};

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
    Selection selection(m_config);
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
        EpochRecord rec;
        rec.epoch = epoch;
        rec.loss = trainEpoch(task, *optimizer, *module, hooks, m_config, epoch, cancel);
        rec.lr = lr;
        if (epoch % m_config.evalEvery == 0 || epoch == numEpochs) {
            Evaluation ev = task.evaluate();
            rec.trainMetric = ev.trainMetric;
            rec.valMetric = ev.valMetric;
            rec.testMetric = ev.testMetric;
            rec.valLoss = ev.valLoss;
            selection.consider(epoch, ev, !hooks || hooks->acceptCheckpoint(epoch), *module, result);
            if (hooks)
                hooks->onEpochEnd(epoch, ev);
        } else {
            rec.trainMetric = rec.valMetric = rec.testMetric = rec.valLoss = nan;
        }
        rec.seconds = secondsSince(epochStart);
        result.history.push_back(rec);
        if (onEpoch)
            onEpoch(rec);
        if (m_config.patience > 0 && selection.sinceImprovement >= m_config.patience && epoch < numEpochs) {
            result.stoppedEarly = true;
            break;
        }
    }
    selection.restore(*module, result);
    result.trainSeconds = secondsSince(start);
    return result;
}

} // namespace gsq::core::training
