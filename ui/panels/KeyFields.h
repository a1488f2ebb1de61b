#pragma once

#include "core/experiment/ConfigKey.h"

#include <QObject>
#include <QWidget>

#include <map>
#include <string>
#include <vector>

class QFormLayout;

namespace gsq::ui {

/// One key as the form shows it: its catalog entry and its value in the config.
struct KeyFieldValue {
    core::experiment::FieldInfo field;
    bool loOpen = false;
    double value = 0;
};

/// Rows of a form group for the keys an architecture or a dataset reader declares
/// (experiment/ConfigKey.h: GAT's heads, SplineCNN's kernel size, a registered architecture's or
/// reader's own keys), rebuilt when the choice changes. Only what the user edits is written back,
/// so values the fields cannot show ("unset") pass through intact.
class KeyFields : public QObject {
    Q_OBJECT
public:
    /// Appends its rows to `form`, after the rows already there. `section` ("model", "dataset")
    /// prefixes the key in tooltips and object names.
    KeyFields(QFormLayout* form, std::string section, QObject* parent = nullptr);

    /// Shows the keys of `owner` (an architecture or a reader) with their values, or with the
    /// user's earlier edits of that owner's keys (switching to another architecture and back keeps
    /// them).
    void show(const std::string& owner, const std::vector<KeyFieldValue>& keys);
    /// Forgets every edit (a new experiment is loaded).
    void forget() { m_edited.clear(); }
    /// Values the user changed of `owner`'s keys, by key.
    std::map<std::string, double> edits(const std::string& owner) const;
    /// The field of a key (as under the section), or nullptr.
    QWidget* field(const std::string& key) const;
    QString label(const std::string& key) const;
    /// Hides the rows (classroom mode shows none of these options).
    void setSimplified(bool simplified);

Q_SIGNALS:
    void edited();

private:
    void read(const std::string& key, double value);

    QFormLayout* m_form;
    std::string m_section;
    int m_firstRow;
    std::string m_owner;
    bool m_simplified = false;
    std::vector<std::pair<std::string, QWidget*>> m_fields;
    std::map<std::string, std::map<std::string, double>> m_edited; ///< owner -> key -> value
};

/// The keys of an entry with their values in `config`.
template <class Config>
std::vector<KeyFieldValue> keyFieldValues(
    const std::vector<core::experiment::ConfigKey<Config>>& keys, const Config& config)
{
    std::vector<KeyFieldValue> out;
    for (const auto& k : keys)
        out.push_back({ k.field, k.loOpen, core::experiment::keyValue(config, k) });
    return out;
}

/// Writes `edits` into `config` through `keys` and drops options that are not among `keys`
/// (left over from another architecture or reader); `keys` null: drops every option.
template <class Config>
void applyKeyEdits(const std::vector<core::experiment::ConfigKey<Config>>* keys,
    const std::map<std::string, double>& edits, Config& config)
{
    auto find = [&](const std::string& name) -> const core::experiment::ConfigKey<Config>* {
        if (keys)
            for (const auto& k : *keys)
                if (k.field.key == name)
                    return &k;
        return nullptr;
    };
    for (auto it = config.options.begin(); it != config.options.end();)
        it = find(it->first) ? std::next(it) : config.options.erase(it);
    for (const auto& [name, value] : edits)
        if (const auto* k = find(name))
            core::experiment::setKeyValue(config, *k, value);
}

} // namespace gsq::ui
