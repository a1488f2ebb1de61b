#pragma once

#include "core/common/Error.h"
#include "core/experiment/ExperimentConfig.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>
#include <vector>

namespace gsq::core::compression {

/// Typed access to the parameters of one compression step, with errors that name the file, the
/// step's line and the key ("compression[0].prune.sparsity").
struct StepReader {
    const experiment::CompressionStep& step;
    std::string prefix, file;

    [[noreturn]] void fail(const std::string& key, const std::string& msg) const
    {
        throw InputError::atKey(file, step.line, prefix + "." + key, msg);
    }
    YAML::Node node(const std::string& key) const
    {
        auto it = step.params.find(key);
        if (it == step.params.end())
            return YAML::Node();
        try {
            return YAML::Load(it->second);
        } catch (const YAML::Exception& e) {
            fail(key, "not valid YAML: " + e.msg);
        }
    }
    double real(const YAML::Node& n, const std::string& key, double lo, double hi, bool hiOpen) const
    {
        double v = 0;
        try {
            v = n.as<double>();
        } catch (const YAML::Exception&) {
            fail(key, "expected a number, found " + (n.IsScalar() ? n.Scalar() : std::string("a collection")));
        }
        if (!(v >= lo && (hiOpen ? v < hi : v <= hi)))
            fail(key, "expected a number in [" + std::to_string(lo).substr(0, 4) + ", " + std::to_string(hi).substr(0, 4) +
                          (hiOpen ? ")" : "]") + ", found " + n.Scalar());
        return v;
    }
    int integer(const std::string& key, int def, int lo, int hi) const
    {
        auto n = node(key);
        if (!n.IsDefined() || n.IsNull())
            return def;
        int v = 0;
        try {
            v = n.as<int>();
        } catch (const YAML::Exception&) {
            fail(key, "expected an integer, found " + (n.IsScalar() ? n.Scalar() : std::string("a collection")));
        }
        if (v < lo || v > hi)
            fail(key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " +
                          std::to_string(v));
        return v;
    }

    /// Fails on any key outside `known` (the message lists the valid keys).
    void checkKeys(const std::vector<std::string>& known) const
    {
        for (const auto& [key, value] : step.params)
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                std::string list;
                for (const auto& k : known)
                    list += ", " + k;
                fail(key, "unknown key; valid keys of a " + step.kind + " step are: method" + list);
            }
    }
    /// A scalar choice among `valid`, or `def` when the key is absent.
    std::string choice(const std::string& key, const std::string& def, const std::vector<std::string>& valid) const
    {
        auto n = node(key);
        if (!n.IsDefined() || n.IsNull())
            return def;
        const std::string v = n.IsScalar() ? n.Scalar() : "";
        if (std::find(valid.begin(), valid.end(), v) == valid.end()) {
            std::string list;
            for (const auto& c : valid)
                list += (list.empty() ? "" : ", ") + c;
            fail(key, "unknown value '" + v + "'; valid choices: " + list);
        }
        return v;
    }
    /// A number in [lo, hi], or `def` when the key is absent.
    double number(const std::string& key, double def, double lo, double hi) const
    {
        auto n = node(key);
        return !n.IsDefined() || n.IsNull() ? def : real(n, key, lo, hi, false);
    }
    bool boolean(const std::string& key, bool def) const
    {
        auto n = node(key);
        if (!n.IsDefined() || n.IsNull())
            return def;
        try {
            return n.as<bool>();
        } catch (const YAML::Exception&) {
            fail(key, "expected true or false, found " + (n.IsScalar() ? n.Scalar() : std::string("a collection")));
        }
    }
};

} // namespace gsq::core::compression
