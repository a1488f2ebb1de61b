#include "core/experiment/ConfigYaml.h"

#include "core/common/Error.h"
#include "core/experiment/Architecture.h"
#include "core/experiment/Catalog.h"
#include "core/experiment/Reader.h"
#include "core/experiment/StepYaml.h"
#include "core/experiment/YamlReader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>

namespace gsq::core::experiment {
namespace {

using yaml::Context;
using yaml::lineOf;
using yaml::scalarText;
using yaml::Section;

/// A key an architecture or a reader declares (ConfigKey.h), read by its type and range.
template <class Config> void readKey(const Section& s, const ConfigKey<Config>& k, Config& m)
{
    const auto& f = k.field;
    if (!s.has(f.key))
        return;
    double v = keyValue(m, k);
    if (f.type == FieldType::Int) {
        int64_t i = static_cast<int64_t>(v);
        s.integer(f.key, i, static_cast<int64_t>(f.lo), static_cast<int64_t>(f.hi));
        v = static_cast<double>(i);
    } else if (f.type == FieldType::Bool) {
        bool b = v != 0;
        s.boolean(f.key, b);
        v = b ? 1 : 0;
    } else
        s.real(f.key, v, f.lo, f.hi, f.hiOpen, k.loOpen);
    setKeyValue(m, k, v);
}

/// What a section accepts: its `fixed` keys and every key the entries (architectures or
/// readers) declare.
template <class Entry>
std::vector<std::string> sectionKeys(std::vector<std::string> fixed, const std::vector<Entry>& entries)
{
    for (const auto& e : entries)
        for (const auto& k : e.keys)
            if (std::find(fixed.begin(), fixed.end(), k.field.key) == fixed.end())
                fixed.push_back(k.field.key);
    return fixed;
}

/// The entries' keys: a field of the config whoever declares it (files written by toYaml carry
/// some built-in ones for every model), an option only when its entry is `own`; another entry's
/// option is refused with `elsewhere(entry name)`.
template <class Config, class Entry, class Message>
void readEntryKeys(
    const Section& s, const std::vector<Entry>& entries, const std::string& own, Config& config, Message&& elsewhere)
{
    for (const auto& e : entries)
        for (const auto& k : e.keys) {
            if (!k.get && e.name != own && s.has(k.field.key))
                s.fail(k.field.key, elsewhere(e.name));
            if (k.get || e.name == own)
                readKey(s, k, config);
        }
}

void readDataset(Context& ctx, const YAML::Node& node, DatasetConfig& d)
{
    const auto all = readers();
    const std::vector<std::string> allowed = sectionKeys(builtinDatasetKeys(), all);
    Section s(ctx, node, "dataset", allowed);
    s.choice("name", d.name, Catalog::datasetNames());
    s.text("path", d.path);
    s.text("tu_name", d.tuName);
    s.choice("task", d.task, Catalog::names(ChoiceList::Task));
    s.choice("split", d.split, Catalog::names(ChoiceList::Split));
    s.integer("train_size", d.trainSize, 0, 100000000);
    s.integer("val_size", d.valSize, 0, 100000000);
    s.integer("test_size", d.testSize, 0, 100000000);
    s.real("val_fraction", d.valFraction, 0.0, 1.0, true);
    s.real("test_fraction", d.testFraction, 0.0, 1.0, true);
    s.integer("folds", d.folds, 3, 100);
    s.integer("run_folds", d.runFolds, 0, 100);
    s.integer("split_seed", d.splitSeed, -1, INT64_MAX);
    s.boolean("normalize_features", d.normalizeFeatures);
    s.choice("edge_attr", d.edgeAttr, Catalog::names(ChoiceList::EdgeAttr));
    s.choice("features", d.features, Catalog::names(ChoiceList::FeatureFormat));
    s.boolean("use_node_attributes", d.useNodeAttributes);
    s.text("smiles_column", d.smilesColumn);
    s.text("label_column", d.labelColumn);
    s.choice("atom_features", d.atomFeatures, Catalog::names(ChoiceList::AtomFeatures));
    // A registered reader's own keys, only with a dataset it reads.
    const DatasetInfo* kind = Catalog::dataset(d.name);
    readEntryKeys(s, all, kind ? kind->reader : std::string(), d, [&](const std::string& reader) {
        return "applies to datasets read by " + reader + " only; dataset " + d.name + " is not";
    });
}

void readModel(Context& ctx, const YAML::Node& node, ModelConfig& m)
{
    const auto archs = architectures();
    const std::vector<std::string> allowed = sectionKeys(sharedModelKeys(), archs);
    Section s(ctx, node, "model", allowed);
    s.choice("arch", m.arch, Catalog::names(ChoiceList::Arch));
    s.integer("hidden", m.hidden, 1, 65536);
    s.integer("layers", m.layers, 1, 64);
    s.real("dropout", m.dropout, 0.0, 1.0, true);
    s.real("input_dropout", m.inputDropout, 0.0, 1.0, true);
    s.choice("activation", m.activation, Catalog::names(ChoiceList::Activation));
    s.choice("pooling", m.pooling, Catalog::names(ChoiceList::Pooling));
    s.integer("head_hidden", m.headHidden, 0, 65536);
    s.integer("head_layers", m.headLayers, 1, 2);
    s.integer("embedding_dim", m.embeddingDim, 0, 65536);
    s.choice("decoder", m.decoder, Catalog::names(ChoiceList::Decoder));
    readEntryKeys(s, archs, m.arch, m,
        [&](const std::string& arch) { return "applies to architecture " + arch + " only; this model is " + m.arch; });
}

void readTrain(Context& ctx, const YAML::Node& node, TrainConfig& t)
{
    Section s(ctx, node, "train",
        { "optimizer", "lr", "weight_decay", "momentum", "epochs", "patience", "select_by", "lr_step_size", "lr_gamma",
            "seeds", "repeats", "threads", "batch_size", "metric", "eval_every", "train_metric", "clip_grad_norm",
            "subgraphs", "edge_dropout" });
    s.choice("optimizer", t.optimizer, Catalog::names(ChoiceList::Optimizer));
    s.real("lr", t.lr, 0.0, 10.0, false, true);
    s.real("weight_decay", t.weightDecay, 0.0, 1.0);
    s.real("momentum", t.momentum, 0.0, 1.0, true);
    s.integer("epochs", t.epochs, 1, 100000);
    s.integer("patience", t.patience, 0, 100000);
    s.choice("select_by", t.selectBy, Catalog::names(ChoiceList::SelectBy));
    s.integer("lr_step_size", t.lrStepSize, 0, 100000);
    s.real("lr_gamma", t.lrGamma, 0.0, 1.0, false, true);
    s.integerList("seeds", t.seeds, 0);
    s.integer("repeats", t.repeats, 1, 1000);
    s.integer("threads", t.threads, 0, 256);
    s.integer("batch_size", t.batchSize, 1, 1000000);
    s.choice("metric", t.metric, Catalog::names(ChoiceList::Metric));
    s.integer("eval_every", t.evalEvery, 1, 100000);
    s.choice("train_metric", t.trainMetric, Catalog::names(ChoiceList::TrainMetric));
    s.real("clip_grad_norm", t.clipGradNorm, 0.0, 1e6);
    s.integer("subgraphs", t.subgraphs, 1, 64);
    s.real("edge_dropout", t.edgeDropout, 0.0, 1.0, true);
    if (s.has("seeds") && s.has("repeats"))
        ctx.fail(s.value("repeats"), "train.repeats", "give either 'seeds' or 'repeats', not both");
}

void readCompression(Context& ctx, const YAML::Node& node, std::vector<Step>& steps)
{
    if (!node.IsDefined() || node.IsNull())
        return;
    if (!node.IsSequence())
        ctx.fail(node, "compression",
            "expected a list of steps such as '- prune: {method: finegrained}', found " + scalarText(node));
    for (size_t i = 0; i < node.size(); ++i) {
        steps.push_back(yaml::readStep(ctx, node[i], i));
        // Two quantize steps whose rows would share (method, setting) could not be told apart
        // in summary.csv or the app's curves (steps that start from different models are told
        // apart by their chain).
        const auto* q = std::get_if<QuantSpec>(&steps.back());
        for (size_t j = 0; q && j + 1 < steps.size(); ++j) {
            const auto* other = std::get_if<QuantSpec>(&steps[j]);
            if (other && other->method == q->method && other->settingLabel() == q->settingLabel()
                && other->from == q->from)
                ctx.fail(node[i], "compression[" + std::to_string(i) + "]",
                    "its results would be labelled '" + q->method + " " + q->settingLabel() + "' like step "
                        + std::to_string(j + 1)
                        + "'s; change bits, observer, granularity, protection or the A2Q penalty, or drop one");
        }
    }
}

void applyOverride(YAML::Node root, const std::string& assignment, std::set<std::string>& overridden)
{
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError("--set", 0, "expected key.path=value, found '" + assignment + "'");
    const std::string key = assignment.substr(0, eq);
    const std::string value = assignment.substr(eq + 1);
    std::vector<std::string> parts;
    std::stringstream ss(key);
    for (std::string p; std::getline(ss, p, '.');) {
        if (p.empty())
            throw InputError("--set", 0, "empty component in key '" + key + "'");
        parts.push_back(p);
    }
    YAML::Node parsed;
    if (const auto problem = yaml::loadStrict(value, parsed))
        throw InputError("--set", 0, "value of '" + key + "' is not valid YAML: " + problem->message);
    std::vector<YAML::Node> chain { root };
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        YAML::Node child = chain.back()[parts[i]];
        if (child.IsDefined() && !child.IsNull() && !child.IsMap())
            throw InputError("--set", 0, "cannot set '" + key + "': '" + parts[i] + "' is not a mapping");
        if (!child.IsDefined() || child.IsNull())
            chain.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
        chain.push_back(chain.back()[parts[i]]);
    }
    chain.back()[parts.back()] = parsed;
    overridden.insert(key);
    // seeds and repeats exclude each other: overriding one replaces the other from the file.
    if (key == "train.seeds" || key == "train.repeats") {
        const std::string other = key == "train.seeds" ? "repeats" : "seeds";
        if (!overridden.count("train." + other))
            chain.back().remove(other);
    }
}

ExperimentConfig convert(YAML::Node root, const std::string& source, const std::vector<std::string>& overrides)
{
    ExperimentConfig cfg;
    cfg.sourceFile = source;
    Context ctx;
    ctx.file = source;
    ctx.keyLines = &cfg.keyLines;
    if (!root.IsDefined() || root.IsNull())
        throw InputError(source, 0, "the experiment is empty; expected a mapping with dataset, model and train");
    if (!root.IsMap())
        throw InputError(
            source, lineOf(root), "expected a mapping at the top level (name, dataset, model, train, compression)");
    for (const auto& o : overrides)
        applyOverride(root, o, ctx.overridden);

    Section top(ctx, root, "", { "name", "description", "dataset", "model", "train", "compression" });
    top.text("name", cfg.name);
    top.text("description", cfg.description);
    readDataset(ctx, root["dataset"], cfg.dataset);
    readModel(ctx, root["model"], cfg.model);
    readTrain(ctx, root["train"], cfg.train);
    readCompression(ctx, root["compression"], cfg.steps);
    resolveDefaults(cfg);
    return cfg;
}

/// Whether toYaml writes a model key by name for `m` (as every journal since the key existed
/// holds it); the architecture's other keys are written from its entry.
bool writtenByName(const std::string& key, const ModelConfig& m)
{
    static const std::set<std::string> always { "heads", "output_heads", "batch_norm", "train_eps", "kernel_size",
        "spline_degree" };
    if (always.count(key))
        return true;
    if (key == "attention_dropout")
        return m.attentionDropout >= 0;
    if (key == "appnp_k" || key == "appnp_alpha" || key == "norm_scale")
        return m.arch == "gnae";
    if (key == "pool_ratio" || key == "pool_lambda" || key == "sparse_attention")
        return m.arch == "hgpsl";
    return false;
}

/// An architecture's or reader's keys that `skip` does not say are written already.
template <class Config, class Skip>
void writeKeys(YAML::Emitter& e, const std::vector<ConfigKey<Config>>& keys, const Config& c, Skip&& skip)
{
    for (const auto& k : keys) {
        if (skip(k))
            continue;
        e << YAML::Key << k.field.key << YAML::Value;
        const double v = keyValue(c, k);
        if (k.field.type == FieldType::Int)
            e << static_cast<int64_t>(v);
        else if (k.field.type == FieldType::Bool)
            e << (v != 0);
        else
            e << v;
    }
}

} // namespace

ExperimentConfig parseExperiment(
    const std::string& yamlText, const std::string& sourceName, const std::vector<std::string>& overrides)
{
    YAML::Node root;
    if (const auto problem = yaml::loadStrict(yamlText, root))
        throw InputError(sourceName, problem->line, problem->message);
    try {
        return convert(root, sourceName, overrides);
    } catch (const YAML::Exception& e) {
        // The readers check every node's type first; this is the backstop for a structure they
        // did not expect (fuzzing found mapping keys; see tests/fuzz/corpus/experiment).
        throw InputError(sourceName, e.mark.is_null() ? 0 : e.mark.line + 1, "unexpected YAML structure: " + e.msg);
    }
}

ExperimentConfig loadExperiment(const std::string& path, const std::vector<std::string>& overrides)
{
    struct stat st { };
    if (::stat(path.c_str(), &st) != 0)
        throw InputError(path, 0, "file not found");
    if (S_ISDIR(st.st_mode))
        throw InputError(path, 0, "expected a YAML file, found a directory");
    std::ifstream in(path);
    if (!in)
        throw InputError(path, 0, "cannot open file for reading");
    std::stringstream buf;
    buf << in.rdbuf();
    return parseExperiment(buf.str(), path, overrides);
}

std::string toYaml(const ExperimentConfig& c)
{
    YAML::Emitter e;
    e.SetDoublePrecision(12);
    e << YAML::BeginMap;
    e << YAML::Key << "name" << YAML::Value << c.name;
    if (!c.description.empty())
        e << YAML::Key << "description" << YAML::Value << c.description;
    const auto& d = c.dataset;
    e << YAML::Key << "dataset" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "name" << YAML::Value << d.name;
    if (!d.path.empty())
        e << YAML::Key << "path" << YAML::Value << d.path;
    if (!d.tuName.empty())
        e << YAML::Key << "tu_name" << YAML::Value << d.tuName;
    e << YAML::Key << "task" << YAML::Value << d.task << YAML::Key << "split" << YAML::Value << d.split;
    e << YAML::Key << "train_size" << YAML::Value << d.trainSize << YAML::Key << "val_size" << YAML::Value << d.valSize
      << YAML::Key << "test_size" << YAML::Value << d.testSize;
    e << YAML::Key << "val_fraction" << YAML::Value << d.valFraction << YAML::Key << "test_fraction" << YAML::Value
      << d.testFraction;
    e << YAML::Key << "folds" << YAML::Value << d.folds;
    if (d.runFolds > 0)
        e << YAML::Key << "run_folds" << YAML::Value << d.runFolds;
    e << YAML::Key << "split_seed" << YAML::Value << d.splitSeed;
    e << YAML::Key << "normalize_features" << YAML::Value << d.normalizeFeatures << YAML::Key << "edge_attr"
      << YAML::Value << d.edgeAttr << YAML::Key << "features" << YAML::Value << d.features;
    e << YAML::Key << "use_node_attributes" << YAML::Value << d.useNodeAttributes;
    e << YAML::Key << "smiles_column" << YAML::Value << d.smilesColumn << YAML::Key << "label_column" << YAML::Value
      << d.labelColumn << YAML::Key << "atom_features" << YAML::Value << d.atomFeatures;
    if (const DatasetInfo* kind = Catalog::dataset(d.name))
        if (const ReaderInfo* r = reader(kind->reader)) // every field of DatasetConfig is written above
            writeKeys(e, r->keys, d, [](const ReaderKey& k) { return static_cast<bool>(k.get); });
    e << YAML::EndMap;
    const auto& m = c.model;
    e << YAML::Key << "model" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "arch" << YAML::Value << m.arch << YAML::Key << "hidden" << YAML::Value << m.hidden;
    e << YAML::Key << "layers" << YAML::Value << m.layers << YAML::Key << "heads" << YAML::Value << m.heads;
    e << YAML::Key << "output_heads" << YAML::Value << m.outputHeads << YAML::Key << "dropout" << YAML::Value
      << m.dropout;
    if (m.inputDropout >= 0)
        e << YAML::Key << "input_dropout" << YAML::Value << m.inputDropout;
    if (m.attentionDropout >= 0)
        e << YAML::Key << "attention_dropout" << YAML::Value << m.attentionDropout;
    e << YAML::Key << "activation" << YAML::Value << m.activation << YAML::Key << "pooling" << YAML::Value << m.pooling;
    e << YAML::Key << "head_hidden" << YAML::Value << m.headHidden << YAML::Key << "head_layers" << YAML::Value
      << m.headLayers << YAML::Key << "batch_norm" << YAML::Value << m.batchNorm;
    e << YAML::Key << "train_eps" << YAML::Value << m.trainEps << YAML::Key << "embedding_dim" << YAML::Value
      << m.embeddingDim;
    e << YAML::Key << "decoder" << YAML::Value << m.decoder << YAML::Key << "kernel_size" << YAML::Value << m.kernelSize
      << YAML::Key << "spline_degree" << YAML::Value << m.splineDegree;
    if (m.arch == "gnae")
        e << YAML::Key << "appnp_k" << YAML::Value << m.appnpK << YAML::Key << "appnp_alpha" << YAML::Value
          << m.appnpAlpha << YAML::Key << "norm_scale" << YAML::Value << m.normScale;
    if (m.arch == "hgpsl")
        e << YAML::Key << "pool_ratio" << YAML::Value << m.poolRatio << YAML::Key << "pool_lambda" << YAML::Value
          << m.poolLambda << YAML::Key << "sparse_attention" << YAML::Value << m.sparseAttention;
    if (const auto* arch = architecture(m.arch))
        writeKeys(e, arch->keys, m, [&](const ArchitectureKey& k) { return k.get && writtenByName(k.field.key, m); });
    e << YAML::EndMap;
    const auto& t = c.train;
    e << YAML::Key << "train" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "optimizer" << YAML::Value << t.optimizer << YAML::Key << "lr" << YAML::Value << t.lr;
    e << YAML::Key << "weight_decay" << YAML::Value << t.weightDecay << YAML::Key << "momentum" << YAML::Value
      << t.momentum;
    e << YAML::Key << "epochs" << YAML::Value << t.epochs << YAML::Key << "patience" << YAML::Value << t.patience;
    e << YAML::Key << "select_by" << YAML::Value << t.selectBy << YAML::Key << "lr_step_size" << YAML::Value
      << t.lrStepSize << YAML::Key << "lr_gamma" << YAML::Value << t.lrGamma;
    e << YAML::Key << "seeds" << YAML::Value << YAML::Flow << t.effectiveSeeds();
    e << YAML::Key << "threads" << YAML::Value << t.threads << YAML::Key << "batch_size" << YAML::Value << t.batchSize;
    e << YAML::Key << "metric" << YAML::Value << t.metric << YAML::Key << "eval_every" << YAML::Value << t.evalEvery;
    if (t.trainMetric != TrainConfig().trainMetric)
        e << YAML::Key << "train_metric" << YAML::Value << t.trainMetric;
    if (t.clipGradNorm > 0)
        e << YAML::Key << "clip_grad_norm" << YAML::Value << t.clipGradNorm;
    if (t.subgraphs != 1)
        e << YAML::Key << "subgraphs" << YAML::Value << t.subgraphs;
    if (t.edgeDropout > 0)
        e << YAML::Key << "edge_dropout" << YAML::Value << t.edgeDropout;
    e << YAML::EndMap;
    if (!c.steps.empty()) {
        e << YAML::Key << "compression" << YAML::Value << YAML::BeginSeq;
        for (const auto& step : c.steps)
            yaml::writeStep(e, step);
        e << YAML::EndSeq;
    }
    e << YAML::EndMap;
    return std::string(e.c_str()) + "\n";
}

} // namespace gsq::core::experiment
