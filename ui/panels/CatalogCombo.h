#pragma once

#include "core/experiment/Catalog.h"

#include <QComboBox>

#include <string>

namespace gsq::ui {

/// Adds one catalog entry to a combo box: shown and stored (item data) by its YAML name, with
/// "label: help" as the item's tooltip. Every combo over the catalog fills itself through this.
inline void addCatalogItem(QComboBox* combo, const std::string& name, const std::string& label, const std::string& help)
{
    combo->addItem(QString::fromStdString(name), QString::fromStdString(name));
    combo->setItemData(combo->count() - 1, QString::fromStdString(label + ": " + help), Qt::ToolTipRole);
}

/// A new combo box holding every choice of `list`.
inline QComboBox* catalogCombo(gsq::core::experiment::ChoiceList list)
{
    auto* combo = new QComboBox;
    for (const auto& c : gsq::core::experiment::Catalog::choices(list))
        addCatalogItem(combo, c.name, c.label, c.help);
    return combo;
}

} // namespace gsq::ui
