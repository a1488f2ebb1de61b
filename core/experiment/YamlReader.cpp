#include "core/experiment/YamlReader.h"

#include "core/common/Error.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>

namespace gsq::core::experiment::yaml {

int lineOf(const YAML::Node& n)
{
    return n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
}

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

std::string rangeText(double lo, double hi, bool loOpen, bool hiOpen)
{
    std::ostringstream o;
    o << (loOpen ? "(" : "[") << lo << ", " << hi << (hiOpen ? ")" : "]");
    return o.str();
}

void Context::fail(const YAML::Node& node, const std::string& key, const std::string& message) const
{
    if (overridden.count(key))
        throw InputError(file, 0, "key '" + key + "' (from --set): " + message);
    throw InputError::atKey(file, useMarks && node ? lineOf(node) : 0, key, message);
}

Section::Section(Context& ctx, const YAML::Node& node, std::string prefix, std::vector<std::string> allowed,
    const std::function<std::string(const std::string&)>& unknownKey)
    : m_ctx(ctx)
    , m_node(node)
    , m_prefix(std::move(prefix))
    , m_allowed(std::move(allowed))
{
    if (node.IsNull() || !node.IsDefined())
        return;
    if (!node.IsMap())
        m_ctx.fail(
            node, m_prefix, "expected a mapping of keys (" + joinNames(m_allowed) + "), found " + scalarText(node));
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) // "? {a: 1}: x" — YAML allows mappings and lists as keys
            m_ctx.fail(it->first, m_prefix.empty() ? std::string("(top level)") : m_prefix,
                "a key must be a plain name, found "
                    + std::string(it->first.IsMap()  ? "a mapping"
                            : it->first.IsSequence() ? "a list"
                                                     : "an empty key")
                    + "; valid keys: " + joinNames(m_allowed));
        const std::string key = it->first.as<std::string>();
        if (std::find(m_allowed.begin(), m_allowed.end(), key) == m_allowed.end()) {
            if (unknownKey)
                m_ctx.fail(it->first, path(key), unknownKey(key));
            m_ctx.fail(it->first, path(key),
                (m_prefix.empty() ? std::string("unknown key; valid top-level keys are: ")
                                  : "unknown key; valid keys in '" + m_prefix + "' are: ")
                    + joinNames(m_allowed));
        }
        if (m_ctx.keyLines && m_ctx.useMarks)
            (*m_ctx.keyLines)[path(key)] = lineOf(it->first);
    }
}

YAML::Node Section::value(const std::string& key) const
{
    if (!m_node.IsMap())
        return YAML::Node();
    return m_node[key];
}

bool Section::has(const std::string& key) const
{
    auto v = value(key);
    return v.IsDefined() && !v.IsNull();
}

void Section::fail(const std::string& key, const std::string& message) const
{
    auto v = value(key);
    m_ctx.fail(v.IsDefined() ? v : m_node, path(key), message);
}

void Section::integer(const std::string& key, int64_t& out, int64_t lo, int64_t hi, const std::string& orWord) const
{
    auto v = value(key);
    if (!v.IsDefined() || v.IsNull())
        return;
    const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    int64_t x = 0;
    try {
        if (!v.IsScalar())
            throw YAML::Exception(v.Mark(), "not a scalar");
        x = v.as<int64_t>();
    } catch (const YAML::Exception&) {
        m_ctx.fail(v, path(key),
            orWord.empty() ? "expected an integer, found " + scalarText(v)
                           : "expected an integer in " + range + " or '" + orWord + "', found " + scalarText(v));
    }
    if (x < lo || x > hi)
        m_ctx.fail(v, path(key),
            "expected an integer in " + range + (orWord.empty() ? "" : " or '" + orWord + "'") + ", found "
                + (orWord.empty() ? std::to_string(x) : scalarText(v)));
    out = x;
}

void Section::integer(const std::string& key, int& out, int64_t lo, int64_t hi, const std::string& orWord) const
{
    int64_t x = out;
    integer(key, x, lo, hi, orWord);
    out = static_cast<int>(x);
}

double Section::number(
    const YAML::Node& v, const std::string& key, double lo, double hi, bool hiOpen, bool loOpen) const
{
    double x = 0;
    try {
        if (!v.IsScalar())
            throw YAML::Exception(v.Mark(), "not a scalar");
        x = v.as<double>();
    } catch (const YAML::Exception&) {
        m_ctx.fail(v, path(key), "expected a number, found " + scalarText(v));
    }
    if (!std::isfinite(x) || x < lo || x > hi || (hiOpen && x == hi) || (loOpen && x == lo))
        m_ctx.fail(v, path(key), "expected a number in " + rangeText(lo, hi, loOpen, hiOpen) + ", found " + v.Scalar());
    return x;
}

void Section::real(const std::string& key, double& out, double lo, double hi, bool hiOpen, bool loOpen) const
{
    auto v = value(key);
    if (!v.IsDefined() || v.IsNull())
        return;
    out = number(v, key, lo, hi, hiOpen, loOpen);
}

void Section::boolean(const std::string& key, bool& out) const
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

void Section::text(const std::string& key, std::string& out) const
{
    auto v = value(key);
    if (!v.IsDefined() || v.IsNull())
        return;
    if (!v.IsScalar())
        m_ctx.fail(v, path(key), "expected a string, found " + scalarText(v));
    out = v.Scalar();
}

void Section::choice(const std::string& key, std::string& out, const std::vector<std::string>& choices) const
{
    auto v = value(key);
    if (!v.IsDefined() || v.IsNull())
        return;
    if (!v.IsScalar())
        m_ctx.fail(v, path(key), "expected one of: " + joinNames(choices) + "; found " + scalarText(v));
    if (std::find(choices.begin(), choices.end(), v.Scalar()) == choices.end())
        m_ctx.fail(v, path(key), "unknown value '" + v.Scalar() + "'; valid choices: " + joinNames(choices));
    out = v.Scalar();
}

void Section::integerList(const std::string& key, std::vector<int64_t>& out, int64_t lo) const
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
            m_ctx.fail(
                item, path(key), "list elements must be >= " + std::to_string(lo) + ", found " + std::to_string(x));
        out.push_back(x);
    }
    if (out.empty())
        m_ctx.fail(v, path(key), "expected at least one element");
}

void Section::realList(const std::string& key, std::vector<double>& out, double lo, double hi, bool hiOpen) const
{
    auto v = value(key);
    if (!v.IsDefined() || v.IsNull())
        return;
    std::vector<double> values;
    if (v.IsSequence()) {
        for (const auto& item : v)
            values.push_back(number(item, key, lo, hi, hiOpen, false));
    } else {
        values.push_back(number(v, key, lo, hi, hiOpen, false));
    }
    if (values.empty())
        m_ctx.fail(v, path(key), "expected at least one value");
    out = values;
}

void Section::textList(const std::string& key, std::vector<std::string>& out, const std::string& example) const
{
    auto v = value(key);
    if (!v.IsDefined() || v.IsNull())
        return;
    if (!v.IsSequence() || v.size() == 0)
        m_ctx.fail(v, path(key), "expected a list of " + example + ", found " + scalarText(v));
    std::vector<std::string> values;
    for (const auto& item : v) {
        if (!item.IsScalar() || item.Scalar().empty())
            m_ctx.fail(item, path(key), "expected a list of " + example + ", found element " + scalarText(item));
        values.push_back(item.Scalar());
    }
    out = values;
}

void Section::realMap(
    const std::string& key, std::map<std::string, double>& out, double lo, double hi, bool hiOpen) const
{
    auto v = value(key);
    if (!v.IsDefined() || v.IsNull())
        return;
    if (!v.IsMap())
        m_ctx.fail(v, path(key), "expected a mapping of name to number, found " + scalarText(v));
    std::map<std::string, double> values;
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it->first.IsScalar())
            m_ctx.fail(it->first, path(key), "expected names as keys, found " + scalarText(it->first));
        values[it->first.Scalar()] = number(it->second, key, lo, hi, hiOpen, false);
    }
    out = values;
}

namespace {
const FieldInfo& info(StepKind kind, const std::string& key)
{
    const FieldInfo* f = Catalog::field(kind, key);
    if (!f)
        throw std::logic_error("no catalog entry for step key '" + key + "'");
    return *f;
}
} // namespace

void Section::field(StepKind kind, const std::string& key, int& out) const
{
    const auto& f = info(kind, key);
    if (const auto v = value(key); !f.word.empty() && v.IsDefined() && v.IsScalar() && v.Scalar() == f.word) {
        out = FieldInfo::kWordValue;
        return;
    }
    integer(key, out, static_cast<int64_t>(f.lo), static_cast<int64_t>(f.hi), f.word);
}

void Section::field(StepKind kind, const std::string& key, double& out) const
{
    const auto& f = info(kind, key);
    real(key, out, f.lo, f.hi, f.hiOpen);
}

void Section::field(StepKind kind, const std::string& key, bool& out) const
{
    info(kind, key);
    boolean(key, out);
}

void Section::field(StepKind kind, const std::string& key, std::string& out) const
{
    const auto& f = info(kind, key);
    if (f.type != FieldType::Name) {
        choice(key, out, Catalog::names(f.choices));
        return;
    }
    if (const auto v = value(key); !v.IsDefined() || v.IsNull())
        return;
    text(key, out);
    const bool valid = !out.empty() && std::all_of(out.begin(), out.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!valid)
        m_ctx.fail(value(key), path(key), "expected a step name of letters, digits, '_' and '-', found '" + out + "'");
}

void Section::field(StepKind kind, const std::string& key, std::vector<double>& out) const
{
    const auto& f = info(kind, key);
    realList(key, out, f.lo, f.hi, f.hiOpen);
}

namespace {

/// A first pass over the YAML events: a key given twice in one mapping (yaml-cpp would keep one
/// silently) and aliases (unbounded expansion, and nothing an experiment needs) are errors.
class StrictYamlCheck : public YAML::EventHandler {
public:
    /// One document per experiment. A second one starting where the first did is yaml-cpp 0.7
    /// stuck on a token it cannot place (a stray ',' at the top: jbeder/yaml-cpp#1040, fixed in
    /// 0.8), which would otherwise loop forever (fuzzing found it).
    void OnDocumentStart(const YAML::Mark& mark) override
    {
        if (m_documents++ == 0) {
            m_firstDocument = mark;
            return;
        }
        if (mark.pos == m_firstDocument.pos)
            throw LoadProblem { mark.line + 1,
                "YAML syntax error: a character that cannot start a value here (a ',' outside [ ] or { }?)" };
        throw LoadProblem { mark.line + 1, "a second YAML document ('---'); an experiment file holds one document" };
    }
    void OnDocumentEnd() override { }
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { value(mark, "~"); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override
    {
        throw LoadProblem { mark.line + 1, "YAML aliases (*name) are not supported; write the value out" };
    }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string& text) override
    {
        value(mark, text);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
    {
        value(mark, {});
        m_stack.push_back({ false, true, {} });
    }
    void OnSequenceEnd() override { m_stack.pop_back(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
    {
        value(mark, {});
        m_stack.push_back({ true, true, {} });
    }
    void OnMapEnd() override { m_stack.pop_back(); }

private:
    struct Level {
        bool map;
        bool expectKey;
        std::map<std::string, int> keys;
    };
    /// A node in the current collection: in a mapping, keys and values alternate.
    void value(const YAML::Mark& mark, const std::string& text)
    {
        if (m_stack.empty() || !m_stack.back().map)
            return;
        Level& level = m_stack.back();
        if (level.expectKey && !text.empty()) {
            const int line = mark.line + 1;
            auto [it, fresh] = level.keys.emplace(text, line);
            if (!fresh)
                throw LoadProblem { line,
                    "key '" + text + "' appears twice in the same mapping (lines " + std::to_string(it->second)
                        + " and " + std::to_string(line) + "); remove one" };
        }
        level.expectKey = !level.expectKey;
    }

    std::vector<Level> m_stack;
    int m_documents = 0;
    YAML::Mark m_firstDocument;
};

} // namespace

std::optional<LoadProblem> loadStrict(const std::string& text, YAML::Node& out)
{
    try {
        std::istringstream in(text);
        YAML::Parser parser(in);
        StrictYamlCheck check;
        while (parser.HandleNextDocument(check)) { }
        out = YAML::Load(text);
    } catch (const LoadProblem& p) {
        return p;
    } catch (const YAML::ParserException& e) {
        return LoadProblem { e.mark.line + 1, "YAML syntax error: " + e.msg };
    }
    return std::nullopt;
}

} // namespace gsq::core::experiment::yaml
