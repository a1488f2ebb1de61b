#pragma once

#include "core/experiment/Catalog.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

/// A key that an architecture adds to `model:` or a dataset reader to `dataset:`: type (Int,
/// Real or Bool), range and help as a step key, and where its value lives. A built-in one is a
/// field of the config struct (`get`, `set`); one registered at run time lives in the struct's
/// `options`, `defaultValue` until a file sets it. The loader reads, the form shows and toYaml
/// writes them from here.
namespace gsq::core::experiment {

template <class Config> struct ConfigKey {
    FieldInfo field;
    bool loOpen = false; ///< Real: the lower bound itself is not valid
    double defaultValue = 0;
    std::function<double(const Config&)> get;
    std::function<void(Config&, double)> set;
};

/// A key's value in `c` (the typed field, the registered option, or its default).
template <class Config> double keyValue(const Config& c, const ConfigKey<Config>& key)
{
    if (key.get)
        return key.get(c);
    auto it = c.options.find(key.field.key);
    return it == c.options.end() ? key.defaultValue : it->second;
}

template <class Config> void setKeyValue(Config& c, const ConfigKey<Config>& key, double value)
{
    if (key.set)
        key.set(c, value);
    else
        c.options[key.field.key] = value;
}

/// A key's catalog side: name, label, help, type and range.
template <class Config>
ConfigKey<Config> describedKey(std::string key, std::string label, std::string help, FieldType type, double lo,
    double hi, bool hiOpen, bool loOpen)
{
    ConfigKey<Config> k;
    k.field.key = std::move(key);
    k.field.label = std::move(label);
    k.field.help = std::move(help);
    k.field.type = type;
    k.field.lo = lo;
    k.field.hi = hi;
    k.field.hiOpen = hiOpen;
    k.loOpen = loOpen;
    return k;
}

/// A key held in a field of the config struct (built-in architectures).
template <class Config, class T>
ConfigKey<Config> memberKey(std::string key, std::string label, std::string help, FieldType type, double lo, double hi,
    T Config::*member, bool hiOpen = false, bool loOpen = false)
{
    auto k = describedKey<Config>(std::move(key), std::move(label), std::move(help), type, lo, hi, hiOpen, loOpen);
    k.get = [member](const Config& c) { return static_cast<double>(c.*member); };
    k.set = [member](Config& c, double v) { c.*member = static_cast<T>(v); };
    return k;
}

/// A key a plug-in registers, held in the config's `options` (type Int, Real or Bool).
template <class Config>
ConfigKey<Config> optionKey(std::string key, std::string label, std::string help, FieldType type, double lo, double hi,
    double defaultValue, bool hiOpen = false, bool loOpen = false)
{
    auto k = describedKey<Config>(std::move(key), std::move(label), std::move(help), type, lo, hi, hiOpen, loOpen);
    k.defaultValue = defaultValue;
    return k;
}

/// "" when `value` is valid for `key` (type and range); else what is expected.
template <class Config> std::string valueProblem(const ConfigKey<Config>& k, double value)
{
    const auto& f = k.field;
    if (f.type == FieldType::Bool)
        return value == 0 || value == 1 ? std::string() : std::string("expected true or false");
    const bool inRange = value >= f.lo && value <= f.hi && !(f.hiOpen && value == f.hi) && !(k.loOpen && value == f.lo);
    if (f.type == FieldType::Int && (!inRange || value != std::floor(value)))
        return "expected a whole number from " + std::to_string(static_cast<int64_t>(f.lo)) + " to "
            + std::to_string(static_cast<int64_t>(f.hi));
    if (!inRange) {
        std::ostringstream o;
        o << "expected a number in " << (k.loOpen ? "(" : "[") << f.lo << ", " << f.hi << (f.hiOpen ? ")" : "]");
        return o.str();
    }
    return {};
}

/// "" when `key` can be registered; else what is wrong with it.
template <class Config> std::string keyProblem(const ConfigKey<Config>& k)
{
    const auto t = k.field.type;
    if (k.field.key.empty())
        return "a key needs a name";
    if (t != FieldType::Int && t != FieldType::Real && t != FieldType::Bool)
        return "key '" + k.field.key + "' must be an Int, Real or Bool field";
    if (static_cast<bool>(k.get) != static_cast<bool>(k.set))
        return "key '" + k.field.key + "' needs both get and set, or neither";
    if (!k.get)
        if (const auto problem = valueProblem(k, k.defaultValue); !problem.empty())
            return "key '" + k.field.key + "': its default does not fit its own range (" + problem + ")";
    return {};
}

/// "" when an entry's keys (entry `self`) may join the section: no key declared twice, none among
/// the section's `fixed` keys (worded by `fixedWhat`), and no option key that another of
/// `others` (entries with `name` and `key()`, worded by `otherKind`) already declares.
template <class Config, class Entry>
std::string collisionProblem(const std::string& self, const std::vector<ConfigKey<Config>>& keys,
    const std::vector<std::string>& fixed, const std::string& fixedWhat, const std::vector<Entry>& others,
    const std::string& otherKind)
{
    for (size_t i = 0; i < keys.size(); ++i) {
        const std::string& name = keys[i].field.key;
        for (size_t j = 0; j < i; ++j)
            if (keys[j].field.key == name)
                return "key '" + name + "' is declared twice";
        if (std::find(fixed.begin(), fixed.end(), name) != fixed.end())
            return "key '" + name + "' is " + fixedWhat;
        if (keys[i].get)
            continue; // a field of the config, read and written as its built-in owner does
        for (const auto& other : others)
            if (other.name != self && other.key(name))
                return "key '" + name + "' is already a key of " + otherKind + " " + other.name;
    }
    return {};
}

} // namespace gsq::core::experiment
