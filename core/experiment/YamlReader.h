#pragma once

#include "core/experiment/Catalog.h"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

/// The one YAML reading helper of the experiment loader (internal to core/experiment): every
/// section (dataset, model, train) and every compression step reads its keys through a
/// Section, so types, ranges and messages are checked and worded the same everywhere.
namespace gsq::core::experiment::yaml {

/// What is wrong with a YAML text, at its 1-based line.
struct LoadProblem {
    int line = 0;
    std::string message;
};
/// YAML::Load behind a strict first pass over the events: one document only, no aliases
/// (unbounded expansion, and nothing an experiment needs), no key twice in one mapping
/// (yaml-cpp would keep one silently), and no endless loop on what yaml-cpp 0.7 cannot place
/// (a stray ',': jbeder/yaml-cpp#1040). Every YAML text the loader reads — files, --set values,
/// form fields — goes through it. Fills `out`, or returns the problem.
std::optional<LoadProblem> loadStrict(const std::string& text, YAML::Node& out);

int lineOf(const YAML::Node& n);
/// "a list", "a mapping", "nothing" or the scalar itself, for "found ..." messages.
std::string scalarText(const YAML::Node& n);
/// "[0, 1)" and the like.
std::string rangeText(double lo, double hi, bool loOpen, bool hiOpen);

/// Where errors go: the file name, keys set by --set (reported as such), and the key → line
/// map of the config being read.
struct Context {
    std::string file;
    std::set<std::string> overridden;
    std::map<std::string, int>* keyLines = nullptr;
    bool useMarks = true; ///< false for YAML built in code (the form): node marks are not file lines

    [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& message) const;
};

/// One mapping of the file: checks its keys against the allowed list and converts values.
/// Every reader leaves `out` unchanged when the key is absent or null (the default stays).
class Section {
public:
    /// `unknownKey` words the error for a key outside `allowed` (default: lists the valid keys).
    Section(Context& ctx, const YAML::Node& node, std::string prefix, std::vector<std::string> allowed,
        const std::function<std::string(const std::string& key)>& unknownKey = {});

    std::string path(const std::string& key) const { return m_prefix.empty() ? key : m_prefix + "." + key; }
    YAML::Node value(const std::string& key) const;
    bool has(const std::string& key) const;
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;

    /// `orWord`: a word the caller also accepts in place of the number (named in the message).
    void integer(const std::string& key, int64_t& out, int64_t lo, int64_t hi, const std::string& orWord = {}) const;
    void integer(const std::string& key, int& out, int64_t lo, int64_t hi, const std::string& orWord = {}) const;
    /// Real in [lo, hi] (hi exclusive when `hiOpen`, lo exclusive when `loOpen`).
    void real(
        const std::string& key, double& out, double lo, double hi, bool hiOpen = false, bool loOpen = false) const;
    void boolean(const std::string& key, bool& out) const;
    void text(const std::string& key, std::string& out) const;
    void choice(const std::string& key, std::string& out, const std::vector<std::string>& choices) const;
    void integerList(const std::string& key, std::vector<int64_t>& out, int64_t lo) const;
    /// One number or a list of numbers, each in the range; at least one.
    void realList(const std::string& key, std::vector<double>& out, double lo, double hi, bool hiOpen) const;
    /// A non-empty list of strings.
    void textList(const std::string& key, std::vector<std::string>& out, const std::string& example) const;
    /// A mapping of name → number in the range.
    void realMap(const std::string& key, std::map<std::string, double>& out, double lo, double hi, bool hiOpen) const;

    /// Reads a step key by its catalog entry (type and range from `kind`'s FieldInfo).
    void field(StepKind kind, const std::string& key, int& out) const;
    void field(StepKind kind, const std::string& key, double& out) const;
    void field(StepKind kind, const std::string& key, bool& out) const;
    void field(StepKind kind, const std::string& key, std::string& out) const;
    void field(StepKind kind, const std::string& key, std::vector<double>& out) const;

private:
    double number(const YAML::Node& v, const std::string& key, double lo, double hi, bool hiOpen, bool loOpen) const;

    Context& m_ctx;
    YAML::Node m_node;
    std::string m_prefix;
    std::vector<std::string> m_allowed;
};

} // namespace gsq::core::experiment::yaml
