#pragma once

#include "core/experiment/Catalog.h"

#include <functional>
#include <string>
#include <utility>

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

/// A key held in a field of the config struct (built-in architectures and readers).
template <class Config, class T>
ConfigKey<Config> memberKey(std::string key, std::string label, std::string help, FieldType type, double lo, double hi,
    T Config::*member, bool hiOpen = false, bool loOpen = false)
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
    k.get = [member](const Config& c) { return static_cast<double>(c.*member); };
    k.set = [member](Config& c, double v) { c.*member = static_cast<T>(v); };
    return k;
}

/// A key a plug-in registers, held in the config's `options` (type Int, Real or Bool).
template <class Config>
ConfigKey<Config> optionKey(std::string key, std::string label, std::string help, FieldType type, double lo, double hi,
    double defaultValue, bool hiOpen = false, bool loOpen = false)
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
    k.defaultValue = defaultValue;
    return k;
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
    return {};
}

} // namespace gsq::core::experiment
