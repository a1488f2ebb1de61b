#include "core/experiment/StepYaml.h"

#include "core/common/Error.h"
#include "core/experiment/ConfigYaml.h"

#include <algorithm>

namespace gsq::core::experiment {
namespace yaml {
namespace {

const char* kTargetsExample = "name patterns like [\"stack.conv0.*\"]";

/// The message for a key the method does not accept: which methods do, or the valid keys.
std::string unknownStepKey(StepKind kind, const std::string& method, const std::string& key)
{
    std::vector<std::string> owners;
    for (const auto& m : Catalog::methods(kind))
        if (m.accepts(key))
            owners.push_back(m.name);
    if (Catalog::field(kind, key) && !owners.empty())
        return "does not apply to method " + method + "; it applies to method" + (owners.size() > 1 ? "s " : " ")
            + joinNames(owners) + " only";
    std::vector<std::string> keys { "method" };
    if (const auto* m = Catalog::method(kind, method))
        keys.insert(keys.end(), m->keys.begin(), m->keys.end());
    return "unknown key; valid keys for " + kindName(kind) + " method " + method + " are: " + joinNames(keys);
}

PruneSpec readPrune(const Section& s, const std::string& method)
{
    const auto K = StepKind::Prune;
    PruneSpec p;
    p.method = method;
    s.field(K, "sparsity", p.sparsities);
    s.field(K, "schedule", p.schedule);
    s.field(K, "finetune_epochs", p.finetuneEpochs);
    s.field(K, "agp_start", p.agpStart);
    p.agpEnd = std::max(p.agpStart, std::max(0, p.finetuneEpochs) / 2);
    s.field(K, "agp_end", p.agpEnd);
    s.field(K, "agp_frequency", p.agpFrequency);
    s.textList("targets", p.targets.patterns, kTargetsExample);
    const auto* f = Catalog::field(K, "overrides");
    s.realMap("overrides", p.targets.overrides, f->lo, f->hi, f->hiOpen);
    s.field(K, "lambda", p.lambda);
    s.field(K, "l2_epochs", p.l2Epochs);
    s.field(K, "near_zero", p.nearZero);
    s.field(K, "criterion", p.criterion);
    s.field(K, "name", p.name);
    s.field(K, "from", p.from);
    if (const MethodInfo* info = Catalog::method(K, method); info && info->pruneCheck)
        if (auto [key, message] = info->pruneCheck(p); !key.empty())
            s.fail(key, message);
    if (p.schedule == "agp") {
        if (p.finetuneEpochs == PruneSpec::kSameAsTraining)
            s.fail("finetune_epochs", "agp prunes at given fine-tuning epochs; give finetune_epochs as a number");
        if (p.finetuneEpochs == 0)
            s.fail("schedule", "agp prunes during fine-tuning; set finetune_epochs > 0");
        if (p.agpEnd < p.agpStart || p.agpEnd > p.finetuneEpochs)
            s.fail("agp_end",
                "must lie in [agp_start, finetune_epochs] = [" + std::to_string(p.agpStart) + ", "
                    + std::to_string(p.finetuneEpochs) + "]");
    }
    return p;
}

QuantSpec readQuantize(const Section& s, const std::string& method)
{
    const auto K = StepKind::Quantize;
    QuantSpec q;
    q.method = method;
    const MethodInfo* info = Catalog::method(K, method);
    if (info && info->quantDefaults)
        info->quantDefaults(q); // the method's own defaults (its file in core/quantization/methods/)
    s.field(K, "bits", q.bits);
    s.field(K, "epochs", q.epochs);
    s.field(K, "start", q.start);
    s.field(K, "lr", q.lr);
    s.field(K, "weight_decay", q.weightDecay);
    if (q.weightDecay < 0 && q.weightDecay != -1)
        s.fail("weight_decay", "expected a number in [0, 1], or -1 for train.weight_decay");
    s.field(K, "lr_step_size", q.lrStepSize);
    s.field(K, "lr_gamma", q.lrGamma);
    if (q.lrGamma <= 0 && q.lrGamma != -1)
        s.fail("lr_gamma", "expected a number in (0, 1], or -1 for train.lr_gamma");
    s.field(K, "observer", q.observer);
    s.field(K, "momentum", q.momentum);
    q.percentile = q.bits >= 8 ? 0.001 : 0.01;
    s.field(K, "percentile", q.percentile);
    s.field(K, "granularity", q.granularity);
    if (auto b = s.value("backward"); b.IsDefined() && b.IsScalar() && b.Scalar() == "clipped")
        s.fail("backward",
            "'clipped' is now called 'clip_activations': only activations are clipped (weights take their range "
            "from their own max |w|, so none lies outside it and their gradient is the straight-through one)");
    s.field(K, "backward", q.backward);
    s.field(K, "activations", q.activations);
    s.textList("targets", q.targets.patterns, kTargetsExample);
    s.field(K, "protect_low", q.protectLow);
    s.field(K, "protect_change", q.protectChange);
    if (q.protectLow + q.protectChange > 1.0)
        s.fail("protect_change", "protect_low + protect_change must not exceed 1 (a probability)");
    s.field(K, "target_bits", q.targetBits);
    s.field(K, "penalty", q.penalty);
    s.field(K, "penalty_form", q.penaltyForm);
    s.field(K, "feature_quantizers", q.features);
    s.field(K, "nearest_groups", q.nearestGroups);
    s.field(K, "degree_groups", q.degreeGroups);
    s.field(K, "step_lr", q.stepLr);
    s.field(K, "bits_lr", q.bitsLr);
    s.field(K, "weight_error", q.weightError);
    s.field(K, "storage", q.storage);
    s.field(K, "name", q.name);
    s.field(K, "from", q.from);
    if (info && info->quantCheck)
        if (auto [key, message] = info->quantCheck(q); !key.empty())
            s.fail(key, message);
    if (!q.from.empty() && q.start == "init")
        s.fail("from",
            "a step that starts from another step's models cannot also start from initialisation "
            "(start: init)");
    return q;
}

AnalyzeSpec readAnalyze(const Section& s, const std::string& method)
{
    AnalyzeSpec a;
    a.method = method;
    s.field(StepKind::Analyze, "sparsity", a.sparsities);
    s.textList("targets", a.targets.patterns, kTargetsExample);
    // Robustness: the perturbations given, or, when none is, all at their defaults.
    const auto& names = robustnessPerturbations();
    if (std::any_of(names.begin(), names.end(), [&](const std::string& n) { return s.has(n); }))
        a.perturbations.clear();
    for (const auto& n : names)
        if (s.has(n))
            s.field(StepKind::Analyze, n, a.perturbations[n]);
    s.field(StepKind::Analyze, "pgd_steps", a.pgdSteps);
    return a;
}

void put(YAML::Emitter& e, const std::string& key, const Targets& t)
{
    e << YAML::Key << key << YAML::Value << YAML::Flow << t.patterns;
}

} // namespace

Step readStep(Context& ctx, const YAML::Node& item, size_t index)
{
    const std::string where = "compression[" + std::to_string(index) + "]";
    std::vector<std::string> kinds;
    for (StepKind k : { StepKind::Prune, StepKind::Quantize, StepKind::Analyze })
        kinds.push_back(kindName(k));
    if (!item.IsMap() || item.size() != 1)
        ctx.fail(item, where, "each step is a mapping with exactly one key: " + joinNames(kinds));
    if (!item.begin()->first.IsScalar())
        ctx.fail(item.begin()->first, where, "a step's key must be one of: " + joinNames(kinds));
    const std::string kindText = item.begin()->first.as<std::string>();
    const YAML::Node body = item.begin()->second;
    StepKind kind {};
    if (!kindFromName(kindText, kind))
        ctx.fail(item.begin()->first, where, "unknown step '" + kindText + "'; valid: " + joinNames(kinds));
    const std::string prefix = where + "." + kindText;
    if (!body.IsMap())
        ctx.fail(body, prefix, "expected a mapping with at least 'method'");
    const auto methods = Catalog::methodNames(kind);
    const YAML::Node m = body["method"];
    if (!m.IsDefined() || m.IsNull())
        ctx.fail(body, prefix + ".method", "missing; valid " + kindText + " methods: " + joinNames(methods));
    if (!m.IsScalar() || std::find(methods.begin(), methods.end(), m.Scalar()) == methods.end())
        ctx.fail(m, prefix + ".method",
            "unknown method '" + scalarText(m) + "'; valid " + kindText + " methods: " + joinNames(methods));
    const std::string method = m.Scalar();
    std::vector<std::string> allowed { "method" };
    const auto& keys = Catalog::method(kind, method)->keys;
    allowed.insert(allowed.end(), keys.begin(), keys.end());
    Section s(ctx, body, prefix, allowed, [&](const std::string& key) { return unknownStepKey(kind, method, key); });
    const int line = ctx.useMarks ? lineOf(item) : 0;
    switch (kind) {
    case StepKind::Prune: {
        auto p = readPrune(s, method);
        p.line = line;
        return p;
    }
    case StepKind::Quantize: {
        auto q = readQuantize(s, method);
        q.line = line;
        return q;
    }
    case StepKind::Analyze:
        break;
    }
    auto a = readAnalyze(s, method);
    a.line = line;
    return a;
}

void writeStep(YAML::Emitter& e, const Step& step)
{
    const StepKind kind = kindOf(step);
    const MethodInfo* info = Catalog::method(kind, methodOf(step));
    auto accepts = [&](const char* key) { return info ? info->accepts(key) : Catalog::field(kind, key) != nullptr; };
    e << YAML::BeginMap << YAML::Key << kindName(kind) << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "method" << YAML::Value << methodOf(step);
    auto put = [&](const char* key, const auto& value) {
        if (accepts(key))
            e << YAML::Key << key << YAML::Value << value;
    };
    if (const auto* p = std::get_if<PruneSpec>(&step)) {
        if (accepts("sparsity"))
            e << YAML::Key << "sparsity" << YAML::Value << YAML::Flow << p->sparsities;
        put("schedule", p->schedule);
        if (p->schedule == "agp") {
            put("agp_start", p->agpStart);
            put("agp_end", p->agpEnd);
            put("agp_frequency", p->agpFrequency);
        }
        if (p->finetuneEpochs == PruneSpec::kSameAsTraining)
            put("finetune_epochs", Catalog::field(kind, "finetune_epochs")->word);
        else
            put("finetune_epochs", p->finetuneEpochs);
        if (accepts("targets"))
            yaml::put(e, "targets", p->targets);
        if (accepts("overrides") && !p->targets.overrides.empty())
            e << YAML::Key << "overrides" << YAML::Value << YAML::Flow << p->targets.overrides;
        put("lambda", p->lambda);
        put("l2_epochs", p->l2Epochs);
        put("near_zero", p->nearZero);
        put("criterion", p->criterion);
    } else if (const auto* q = std::get_if<QuantSpec>(&step)) {
        put("bits", q->bits);
        put("epochs", q->epochs);
        put("start", q->start);
        put("lr", q->lr);
        put("weight_decay", q->weightDecay);
        put("lr_step_size", q->lrStepSize);
        put("lr_gamma", q->lrGamma);
        put("observer", q->observer);
        put("momentum", q->momentum);
        put("percentile", q->percentile);
        put("granularity", q->granularity);
        put("backward", q->backward);
        put("activations", q->activations);
        if (accepts("targets"))
            yaml::put(e, "targets", q->targets);
        put("protect_low", q->protectLow);
        put("protect_change", q->protectChange);
        put("target_bits", q->targetBits);
        put("penalty", q->penalty);
        put("penalty_form", q->penaltyForm);
        put("feature_quantizers", q->features);
        put("nearest_groups", q->nearestGroups);
        put("degree_groups", q->degreeGroups);
        put("step_lr", q->stepLr);
        put("bits_lr", q->bitsLr);
        put("weight_error", q->weightError);
        if (q->storage != "packed") // written only when chosen: files and journals of older runs stay valid
            put("storage", q->storage);
    } else if (const auto* a = std::get_if<AnalyzeSpec>(&step)) {
        if (accepts("sparsity"))
            e << YAML::Key << "sparsity" << YAML::Value << YAML::Flow << a->sparsities;
        if (accepts("targets"))
            yaml::put(e, "targets", a->targets);
        for (const auto& n : robustnessPerturbations())
            if (accepts(n.c_str()) && a->perturbations.count(n))
                e << YAML::Key << n << YAML::Value << YAML::Flow << a->perturbations.at(n);
        put("pgd_steps", a->pgdSteps);
    }
    // Pipeline keys only when given: a step without them reads and writes as before.
    for (const auto& [key, value] : { std::pair { "name", &nameOf(step) }, std::pair { "from", &fromOf(step) } })
        if (!value->empty())
            put(key, *value);
    e << YAML::EndMap << YAML::EndMap;
}

} // namespace yaml

namespace {

std::string trimmed(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos)
        return {};
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> splitCommas(const std::string& s)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t comma = s.find(',', start);
        const std::string part
            = trimmed(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!part.empty())
            out.push_back(part);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

/// A scalar as YAML reads it ("0.5" → number, "true" → bool, "a b" → string).
YAML::Node scalar(const std::string& text)
{
    YAML::Node n;
    if (yaml::loadStrict(text, n) || !n.IsScalar())
        n = YAML::Node(text); // "[x", "{" or ",'": keep the text, the reader reports it
    return n;
}

/// Form text → YAML value by the key's type: lists are comma-separated, mappings "name: value".
YAML::Node fromDisplay(const FieldInfo* f, const std::string& text)
{
    const FieldType type = f ? f->type : FieldType::Real;
    if (type == FieldType::RealList || type == FieldType::TextList) {
        YAML::Node seq(YAML::NodeType::Sequence);
        for (const auto& part : splitCommas(text))
            seq.push_back(type == FieldType::TextList ? YAML::Node(part) : scalar(part));
        return seq;
    }
    if (type == FieldType::RealMap) {
        YAML::Node map(YAML::NodeType::Map);
        for (const auto& part : splitCommas(text)) {
            const auto colon = part.rfind(':');
            if (colon == std::string::npos)
                map[part] = YAML::Node();
            else
                map[trimmed(part.substr(0, colon))] = scalar(trimmed(part.substr(colon + 1)));
        }
        return map;
    }
    return scalar(trimmed(text));
}

/// YAML value → form text (the inverse of fromDisplay).
std::string toDisplay(const YAML::Node& n)
{
    auto one = [](const YAML::Node& v) {
        YAML::Emitter e;
        e.SetDoublePrecision(12);
        e << v;
        return std::string(e.c_str());
    };
    std::string out;
    if (n.IsSequence()) {
        for (const auto& item : n)
            out += (out.empty() ? "" : ", ") + (item.IsScalar() ? item.Scalar() : one(item));
        return out;
    }
    if (n.IsMap()) {
        for (auto it = n.begin(); it != n.end(); ++it)
            out += (out.empty() ? "" : ", ") + it->first.Scalar() + ": " + one(it->second);
        return out;
    }
    return n.IsScalar() ? n.Scalar() : one(n);
}

} // namespace

Step parseStep(StepKind kind, const std::string& method, const std::vector<std::pair<std::string, std::string>>& values,
    int index, const std::string& source)
{
    YAML::Node body(YAML::NodeType::Map);
    body["method"] = method;
    for (const auto& [key, text] : values) {
        if (trimmed(text).empty())
            continue; // an empty field: the default
        try {
            body[key] = fromDisplay(Catalog::field(kind, key), text);
        } catch (const YAML::Exception& e) {
            const std::string prefix = "compression[" + std::to_string(index) + "]." + kindName(kind);
            throw InputError::atKey(source, 0, prefix + "." + key, "not a valid value: " + e.msg);
        }
    }
    YAML::Node item(YAML::NodeType::Map);
    item[kindName(kind)] = body;
    yaml::Context ctx;
    ctx.file = source;
    ctx.useMarks = false;
    return yaml::readStep(ctx, item, static_cast<size_t>(index));
}

Step defaultStep(StepKind kind, const std::string& method)
{
    return parseStep(kind, method, {}, 0, "<default>");
}

std::vector<std::pair<std::string, std::string>> stepValues(const Step& step)
{
    YAML::Emitter e;
    e.SetDoublePrecision(12);
    yaml::writeStep(e, step);
    const YAML::Node body = YAML::Load(e.c_str()).begin()->second;
    std::vector<std::pair<std::string, std::string>> out;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (key != "method")
            out.emplace_back(key, toDisplay(it->second));
    }
    return out;
}

std::string stepSummary(const Step& step)
{
    std::string s = kindName(kindOf(step)) + " · " + methodOf(step);
    auto number = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    const auto* p = std::get_if<PruneSpec>(&step);
    const MethodInfo* info = p ? Catalog::method(StepKind::Prune, p->method) : nullptr;
    if (info && info->fromInitialisation) {
        s += " · lambda " + number(p->lambda) + " · " + std::to_string(p->l2Epochs) + " epochs from initialisation";
    } else if (p) {
        std::string list;
        if (p->sparsities.size() > 3) // a sweep: its ends and its length keep the line short
            list = number(p->sparsities.front()) + " … " + number(p->sparsities.back()) + " ("
                + std::to_string(p->sparsities.size()) + " levels)";
        else
            for (double v : p->sparsities)
                list += (list.empty() ? "" : ", ") + number(v);
        s += " · sparsity " + list;
        if (p->finetuneEpochs == PruneSpec::kSameAsTraining)
            s += " · fine-tuning as long as training";
        else if (p->finetuneEpochs > 0)
            s += " · " + std::to_string(p->finetuneEpochs) + " fine-tune epochs";
    } else if (const auto* q = std::get_if<QuantSpec>(&step)) {
        s += " · " + q->settingLabel();
        if (q->epochs > 0)
            s += " · " + std::to_string(q->epochs) + " epochs";
    } else if (const auto* a = std::get_if<AnalyzeSpec>(&step)) {
        const MethodInfo* info = Catalog::method(StepKind::Analyze, a->method);
        if (info && info->everyStage)
            s += " · " + std::to_string(a->perturbations.size()) + " perturbations";
        else
            s += " · " + std::to_string(a->sparsities.size()) + " levels";
    }
    if (!fromOf(step).empty())
        s += " · from " + fromOf(step);
    if (!nameOf(step).empty())
        s += " · named " + nameOf(step);
    return s;
}

} // namespace gsq::core::experiment
