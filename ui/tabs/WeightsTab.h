#pragma once

#include "core/session/SessionEvents.h"

#include <QMap>
#include <QWidget>

class QComboBox;
class QCheckBox;

namespace gsq::ui {

class ChartView;

/// Per-layer weight histograms of the first seed, stages overlaid on the same fixed bins:
/// the spike at zero after pruning, and how fine-tuning reshapes what is left.
class WeightsTab : public QWidget {
    Q_OBJECT
public:
    explicit WeightsTab(QWidget* parent = nullptr);
    void clear();
    void addEvents(const std::vector<gsq::core::session::SessionEvent>& events);
    QComboBox* layerCombo() const { return m_layer; }
    QComboBox* settingCombo() const { return m_setting; }
    QCheckBox* logToggle() const { return m_log; }
    /// Stages drawn for the current layer and setting.
    int stageCount() const;
    QList<ChartView*> charts() const;

private:
    void refresh();

    ChartView* m_view;
    QComboBox *m_layer, *m_setting;
    QCheckBox* m_log;
    /// layer -> setting ("" = base) -> stage -> row with histogram
    QMap<QString, QMap<QString, QMap<QString, gsq::core::session::LayerRow>>> m_rows;
};

} // namespace gsq::ui
