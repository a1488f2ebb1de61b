#include "core/experiment/ConfigYaml.h"

#include "core/common/Error.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>

namespace gsq::core::experiment {
namespace {

std::string join(const std::vector<std::string>& v)
{
    std::string s;
    for (size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + v[i];
    return s;
}

int lineOf(const YAML::Node& n)
{
    return n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
}

struct Context {
    std::string file;
    std::set<std::string> overridden;
    ExperimentConfig* config = nullptr;

    [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& message) const
    {
        if (overridden.count(key))
            throw InputError(file, 0, "key '" + key + "' (from --set): " + message);
        throw InputError::atKey(file, node ? lineOf(node) : 0, key, message);
    }
};

std::string scalarText(const YAML::Node& n)
{
    if (n.IsScalar())
        return n.Scalar();
    if (n.IsSequence())
        return "a list";
    if (n.IsMap())
        return "a mapping";
    return "nothing";
}

/// One mapping of the file: checks its keys against the allowed list and converts values.
class Section {
public:
    Section(Context& ctx, const YAML::Node& node, std::string prefix, std::vector<std::string> allowed)
        : m_ctx(ctx), m_node(node), m_prefix(std::move(prefix)), m_allowed(std::move(allowed))
    {
        if (node.IsNull() || !node.IsDefined())
            return;
        if (!node.IsMap())
            m_ctx.fail(node, m_prefix, "expected a mapping of keys (" + join(m_allowed) + "), found " + scalarText(node));
        for (auto it = node.begin(); it != node.end(); ++it) {
            const std::string key = it->first.as<std::string>();
            if (std::find(m_allowed.begin(), m_allowed.end(), key) == m_allowed.end())
                m_ctx.fail(it->first, path(key),
                           (m_prefix.empty() ? std::string("unknown key; valid top-level keys are: ")
                                             : "unknown key; valid keys in '" + m_prefix + "' are: ") +
                               join(m_allowed));
            m_ctx.config->keyLines[path(key)] = lineOf(it->first);
        }
    }

    std::string path(const std::string& key) const { return m_prefix.empty() ? key : m_prefix + "." + key; }

    YAML::Node value(const std::string& key) const
    {
        if (!m_node.IsMap())
            return YAML::Node();
        return m_node[key];
    }

    bool has(const std::string& key) const
    {
        auto v = value(key);
        return v.IsDefined() && !v.IsNull();
    }

    void integer(const std::string& key, int64_t& out, int64_t lo, int64_t hi) const
    {
        auto v = value(key);
        if (!v.IsDefined() || v.IsNull())
            return;
        int64_t x = 0;
        try {
            if (!v.IsScalar())
                throw YAML::Exception(v.Mark(), "not a scalar");
            x = v.as<int64_t>();
        } catch (const YAML::Exception&) {
            m_ctx.fail(v, path(key), "expected an integer, found " + scalarText(v));
        }
        if (x < lo || x > hi)
            m_ctx.fail(v, path(key), "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " +
                                         std::to_string(x));
        out = x;
    }

    void integer(const std::string& key, int& out, int64_t lo, int64_t hi) const
    {
        int64_t x = out;
        integer(key, x, lo, hi);
        out = static_cast<int>(x);
    }

    /// Real in [lo, hi] (hi exclusive when `hiOpen`).
    void real(const std::string& key, double& out, double lo, double hi, bool hiOpen = false, bool loOpen = false) const
    {
        auto v = value(key);
        if (!v.IsDefined() || v.IsNull())
            return;
        double x = 0;
        try {
            if (!v.IsScalar())
                throw YAML::Exception(v.Mark(), "not a scalar");
            x = v.as<double>();
        } catch (const YAML::Exception&) {
            m_ctx.fail(v, path(key), "expected a number, found " + scalarText(v));
        }
        std::ostringstream range;
        range << (loOpen ? "(" : "[") << lo << ", " << hi << (hiOpen ? ")" : "]");
        if (!std::isfinite(x) || x < lo || x > hi || (hiOpen && x == hi) || (loOpen && x == lo))
            m_ctx.fail(v, path(key), "expected a number in " + range.str() + ", found " + v.Scalar());
        out = x;
    }

    void boolean(const std::string& key, bool& out) const
    {
        auto v = value(key);
        if (!v.IsDefined() || v.IsNull())
            return;
        try {
            if (!v.IsScalar())
                throw YAML::Exception(v.Mark(), "not a scalar");
            out = v.as<bool>();
        } catch (const YAML::Exception&) {
            m_ctx.fail(v, path(key), "expected true or false, found " + scalarText(v));
        }
    }

    void text(const std::string& key, std::string& out) const
    {
        auto v = value(key);
        if (!v.IsDefined() || v.IsNull())
            return;
        if (!v.IsScalar())
            m_ctx.fail(v, path(key), "expected a string, found " + scalarText(v));
        out = v.Scalar();
    }

    void choice(const std::string& key, std::string& out, const std::vector<std::string>& choices) const
    {
        auto v = value(key);
        if (!v.IsDefined() || v.IsNull())
            return;
        if (!v.IsScalar())
            m_ctx.fail(v, path(key), "expected one of: " + join(choices) + "; found " + scalarText(v));
        if (std::find(choices.begin(), choices.end(), v.Scalar()) == choices.end())
            m_ctx.fail(v, path(key), "unknown value '" + v.Scalar() + "'; valid choices: " + join(choices));
        out = v.Scalar();
    }

    void integerList(const std::string& key, std::vector<int64_t>& out, int64_t lo) const
    {
        auto v = value(key);
        if (!v.IsDefined() || v.IsNull())
            return;
        if (!v.IsSequence())
            m_ctx.fail(v, path(key), "expected a list of integers like [0, 1, 2], found " + scalarText(v));
        out.clear();
        for (const auto& item : v) {
            int64_t x = 0;
            try {
                if (!item.IsScalar())
                    throw YAML::Exception(item.Mark(), "not a scalar");
                x = item.as<int64_t>();
            } catch (const YAML::Exception&) {
                m_ctx.fail(item, path(key), "expected a list of integers, found element " + scalarText(item));
            }
            if (x < lo)
                m_ctx.fail(item, path(key), "list elements must be >= " + std::to_string(lo) + ", found " + std::to_string(x));
            out.push_back(x);
        }
        if (out.empty())
            m_ctx.fail(v, path(key), "expected at least one element");
    }

private:
    Context& m_ctx;
    YAML::Node m_node;
    std::string m_prefix;
    std::vector<std::string> m_allowed;
};

void readDataset(Context& ctx, const YAML::Node& node, DatasetConfig& d)
{
    Section s(ctx, node, "dataset",
              {"name", "path", "tu_name", "task", "split", "train_size", "val_size", "test_size", "val_fraction",
               "test_fraction", "folds", "run_folds", "split_seed", "normalize_features", "features", "use_node_attributes",
               "smiles_column", "label_column"});
    s.choice("name", d.name, Choices::datasets());
    s.text("path", d.path);
    s.text("tu_name", d.tuName);
    s.choice("task", d.task, Choices::tasks());
    s.choice("split", d.split, Choices::splits());
    s.integer("train_size", d.trainSize, 0, 100000000);
    s.integer("val_size", d.valSize, 0, 100000000);
    s.integer("test_size", d.testSize, 0, 100000000);
    s.real("val_fraction", d.valFraction, 0.0, 1.0, true);
    s.real("test_fraction", d.testFraction, 0.0, 1.0, true);
    s.integer("folds", d.folds, 3, 100);
    s.integer("run_folds", d.runFolds, 0, 100);
    s.integer("split_seed", d.splitSeed, -1, INT64_MAX);
    s.boolean("normalize_features", d.normalizeFeatures);
    s.choice("features", d.features, Choices::featureFormats());
    s.boolean("use_node_attributes", d.useNodeAttributes);
    s.text("smiles_column", d.smilesColumn);
    s.text("label_column", d.labelColumn);
}

void readModel(Context& ctx, const YAML::Node& node, ModelConfig& m)
{
    Section s(ctx, node, "model",
              {"arch", "hidden", "layers", "heads", "output_heads", "dropout", "input_dropout", "attention_dropout",
               "activation", "pooling", "head_hidden", "batch_norm", "train_eps", "embedding_dim", "decoder"});
    s.choice("arch", m.arch, Choices::archs());
    s.integer("hidden", m.hidden, 1, 65536);
    s.integer("layers", m.layers, 1, 64);
    s.integer("heads", m.heads, 1, 64);
    s.integer("output_heads", m.outputHeads, 1, 64);
    s.real("dropout", m.dropout, 0.0, 1.0, true);
    s.real("input_dropout", m.inputDropout, 0.0, 1.0, true);
    s.real("attention_dropout", m.attentionDropout, 0.0, 1.0, true);
    s.choice("activation", m.activation, Choices::activations());
    s.choice("pooling", m.pooling, Choices::poolings());
    s.integer("head_hidden", m.headHidden, 0, 65536);
    s.boolean("batch_norm", m.batchNorm);
    s.boolean("train_eps", m.trainEps);
    s.integer("embedding_dim", m.embeddingDim, 0, 65536);
    s.choice("decoder", m.decoder, Choices::decoders());
}

void readTrain(Context& ctx, const YAML::Node& node, TrainConfig& t)
{
    Section s(ctx, node, "train",
              {"optimizer", "lr", "weight_decay", "momentum", "epochs", "patience", "select_by", "lr_step_size", "lr_gamma",
               "seeds", "repeats", "threads", "batch_size", "metric", "eval_every"});
    s.choice("optimizer", t.optimizer, Choices::optimizers());
    s.real("lr", t.lr, 0.0, 10.0, false, true);
    s.real("weight_decay", t.weightDecay, 0.0, 1.0);
    s.real("momentum", t.momentum, 0.0, 1.0, true);
    s.integer("epochs", t.epochs, 1, 100000);
    s.integer("patience", t.patience, 0, 100000);
    s.choice("select_by", t.selectBy, Choices::selectBy());
    s.integer("lr_step_size", t.lrStepSize, 0, 100000);
    s.real("lr_gamma", t.lrGamma, 0.0, 1.0, false, true);
    s.integerList("seeds", t.seeds, 0);
    s.integer("repeats", t.repeats, 1, 1000);
    s.integer("threads", t.threads, 0, 256);
    s.integer("batch_size", t.batchSize, 1, 1000000);
    s.choice("metric", t.metric, Choices::metrics());
    s.integer("eval_every", t.evalEvery, 1, 100000);
    if (s.has("seeds") && s.has("repeats"))
        ctx.fail(s.value("repeats"), "train.repeats", "give either 'seeds' or 'repeats', not both");
}

void readCompression(Context& ctx, const YAML::Node& node, std::vector<CompressionStep>& steps)
{
    if (!node.IsDefined() || node.IsNull())
        return;
    if (!node.IsSequence())
        ctx.fail(node, "compression", "expected a list of steps such as '- prune: {method: finegrained}', found " + scalarText(node));
    for (size_t i = 0; i < node.size(); ++i) {
        const YAML::Node item = node[i];
        const std::string where = "compression[" + std::to_string(i) + "]";
        if (!item.IsMap() || item.size() != 1)
            ctx.fail(item, where, "each step is a mapping with exactly one key: 'prune', 'quantize' or 'analyze'");
        const std::string kind = item.begin()->first.as<std::string>();
        const YAML::Node body = item.begin()->second;
        if (kind != "prune" && kind != "quantize" && kind != "analyze")
            ctx.fail(item.begin()->first, where, "unknown step '" + kind + "'; valid: prune, quantize, analyze");
        if (!body.IsMap())
            ctx.fail(body, where + "." + kind, "expected a mapping with at least 'method'");
        CompressionStep step;
        step.kind = kind;
        step.line = lineOf(item);
        const auto& methods = kind == "prune"      ? Choices::pruneMethods()
                              : kind == "quantize" ? Choices::quantizeMethods()
                                                   : Choices::analyzeMethods();
        for (auto it = body.begin(); it != body.end(); ++it) {
            const std::string key = it->first.as<std::string>();
            if (key == "method") {
                if (!it->second.IsScalar() ||
                    std::find(methods.begin(), methods.end(), it->second.Scalar()) == methods.end())
                    ctx.fail(it->second, where + "." + kind + ".method",
                             "unknown method '" + scalarText(it->second) + "'; valid " + kind + " methods: " + join(methods));
                step.method = it->second.Scalar();
            } else {
                YAML::Emitter e;
                e << YAML::Flow << it->second;
                step.params[key] = e.c_str();
            }
        }
        if (step.method.empty())
            ctx.fail(body, where + "." + kind + ".method", "missing; valid " + kind + " methods: " + join(methods));
        steps.push_back(step);
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
    try {
        parsed = YAML::Load(value);
    } catch (const YAML::Exception& e) {
        throw InputError("--set", 0, "value of '" + key + "' is not valid YAML: " + e.msg);
    }
    std::vector<YAML::Node> chain{root};
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
    Context ctx{source, {}, &cfg};
    if (!root.IsDefined() || root.IsNull())
        throw InputError(source, 0, "the experiment is empty; expected a mapping with dataset, model and train");
    if (!root.IsMap())
        throw InputError(source, lineOf(root), "expected a mapping at the top level (name, dataset, model, train, compression)");
    for (const auto& o : overrides)
        applyOverride(root, o, ctx.overridden);

    Section top(ctx, root, "", {"name", "description", "dataset", "model", "train", "compression"});
    top.text("name", cfg.name);
    top.text("description", cfg.description);
    readDataset(ctx, root["dataset"], cfg.dataset);
    readModel(ctx, root["model"], cfg.model);
    readTrain(ctx, root["train"], cfg.train);
    readCompression(ctx, root["compression"], cfg.compression);
    resolveDefaults(cfg);
    return cfg;
}

} // namespace

ExperimentConfig parseExperiment(const std::string& yamlText, const std::string& sourceName,
                                 const std::vector<std::string>& overrides)
{
    YAML::Node root;
    try {
        root = YAML::Load(yamlText);
    } catch (const YAML::ParserException& e) {
        throw InputError(sourceName, e.mark.line + 1, "YAML syntax error: " + e.msg);
    }
    return convert(root, sourceName, overrides);
}

ExperimentConfig loadExperiment(const std::string& path, const std::vector<std::string>& overrides)
{
    struct stat st {};
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

void resolveDefaults(ExperimentConfig& c)
{
    auto& d = c.dataset;
    auto line = [&](const std::string& key) {
        auto it = c.keyLines.find(key);
        return it == c.keyLines.end() ? 0 : it->second;
    };
    auto fail = [&](const std::string& key, const std::string& msg) {
        throw InputError::atKey(c.sourceFile.empty() ? "<experiment>" : c.sourceFile, line(key), key, msg);
    };
    const bool molecule = d.name == "bbbp" || d.name == "csv";
    const bool nodeLevel = d.name == "cora";
    if (d.task.empty())
        d.task = nodeLevel ? "node_classification" : "graph_classification";
    if (nodeLevel && d.task == "graph_classification")
        fail("dataset.task", "dataset 'cora' is one graph; valid tasks: node_classification, link_prediction");
    if (!nodeLevel && d.task != "graph_classification")
        fail("dataset.task", "dataset '" + d.name + "' holds many graphs; valid task: graph_classification");
    if (d.split.empty()) {
        if (d.task == "node_classification")
            d.split = "public";
        else if (d.task == "link_prediction")
            d.split = "random";
        else
            d.split = d.name == "bbbp" ? "scaffold" : (molecule ? "random" : "kfold");
    }
    if (d.task == "node_classification" && d.split != "public" && d.split != "random")
        fail("dataset.split", "node classification splits are: public, random");
    if (d.task == "link_prediction" && d.split != "random")
        fail("dataset.split", "link prediction uses a random edge split; valid: random");
    if (d.task == "graph_classification" && d.split == "public")
        fail("dataset.split", "graph classification splits are: kfold, random, scaffold");
    if (d.split == "scaffold" && !molecule)
        fail("dataset.split", "scaffold splits need molecules (bbbp, csv)");
    if (d.task == "link_prediction") {
        if (!c.keyLines.count("dataset.val_fraction"))
            d.valFraction = 0.05;
        if (!c.keyLines.count("dataset.test_fraction"))
            d.testFraction = 0.15;
    }
    if (d.valFraction + d.testFraction >= 1.0)
        fail("dataset.test_fraction", "val_fraction + test_fraction must be below 1");
    if ((d.name == "tu" || d.name == "csv") && d.path.empty())
        fail("dataset.path", "dataset '" + d.name + "' needs a path (" +
                                 (d.name == "tu" ? std::string("directory holding NAME_A.txt ...") : std::string("CSV file")) + ")");
    if (c.train.metric == "auto")
        c.train.metric = d.task == "link_prediction" ? "roc_auc" : "accuracy";
    if (d.task == "link_prediction" && (c.train.metric == "accuracy" || c.train.metric == "macro_f1"))
        fail("train.metric", "link prediction metrics are: roc_auc, average_precision");
    if (c.model.arch == "gat" && c.model.activation == "relu" && !c.keyLines.count("model.activation"))
        c.model.activation = "elu";
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
    e << YAML::Key << "normalize_features" << YAML::Value << d.normalizeFeatures << YAML::Key << "features"
      << YAML::Value << d.features;
    e << YAML::Key << "use_node_attributes" << YAML::Value << d.useNodeAttributes;
    e << YAML::Key << "smiles_column" << YAML::Value << d.smilesColumn << YAML::Key << "label_column" << YAML::Value
      << d.labelColumn;
    e << YAML::EndMap;
    const auto& m = c.model;
    e << YAML::Key << "model" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "arch" << YAML::Value << m.arch << YAML::Key << "hidden" << YAML::Value << m.hidden;
    e << YAML::Key << "layers" << YAML::Value << m.layers << YAML::Key << "heads" << YAML::Value << m.heads;
    e << YAML::Key << "output_heads" << YAML::Value << m.outputHeads << YAML::Key << "dropout" << YAML::Value << m.dropout;
    if (m.inputDropout >= 0)
        e << YAML::Key << "input_dropout" << YAML::Value << m.inputDropout;
    if (m.attentionDropout >= 0)
        e << YAML::Key << "attention_dropout" << YAML::Value << m.attentionDropout;
    e << YAML::Key << "activation" << YAML::Value << m.activation << YAML::Key << "pooling" << YAML::Value << m.pooling;
    e << YAML::Key << "head_hidden" << YAML::Value << m.headHidden << YAML::Key << "batch_norm" << YAML::Value
      << m.batchNorm;
    e << YAML::Key << "train_eps" << YAML::Value << m.trainEps << YAML::Key << "embedding_dim" << YAML::Value
      << m.embeddingDim;
    e << YAML::Key << "decoder" << YAML::Value << m.decoder;
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
    e << YAML::EndMap;
    if (!c.compression.empty()) {
        e << YAML::Key << "compression" << YAML::Value << YAML::BeginSeq;
        for (const auto& s : c.compression) {
            e << YAML::BeginMap << YAML::Key << s.kind << YAML::Value << YAML::BeginMap;
            e << YAML::Key << "method" << YAML::Value << s.method;
            for (const auto& [k, v] : s.params)
                e << YAML::Key << k << YAML::Value << YAML::Load(v);
            e << YAML::EndMap << YAML::EndMap;
        }
        e << YAML::EndSeq;
    }
    e << YAML::EndMap;
    return std::string(e.c_str()) + "\n";
}

} // namespace gsq::core::experiment
