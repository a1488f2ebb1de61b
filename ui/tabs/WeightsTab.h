#pragma once

#include "core/session/SessionEvents.h"

#include <QMap>
#include <QWidget>

class QComboBox;
class QCheckBox;
class QGridLayout;
class QScrollArea;

namespace gsq::ui {

class ChartView;

/// Per-layer weight histograms of the first seed, stages overlaid on the same fixed bins:
/// the spike at zero after pruning, how fine-tuning reshapes what is left, and the discrete
/// levels of a quantized layer. "All layers" shows every layer as small multiples.
class WeightsTab : public QWidget {
    Q_OBJECT
public:
    explicit WeightsTab(QWidget* parent = nullptr);
    void clear();
    void addEvents(const std::vector<gsq::core::session::SessionEvent>& events);
    QComboBox* layerCombo() const { return m_layer; }
    QComboBox* settingCombo() const { return m_setting; }
    QCheckBox* logToggle() const { return m_log; }
    QCheckBox* allLayersToggle() const { return m_all; }
    /// Charts in the small-multiples grid (0 unless "All layers" is on).
    int smallMultipleCount() const { return static_cast<int>(m_small.size()); }
    /// Stages drawn for the current layer and setting.
    int stageCount() const;
    QList<ChartView*> charts() const;

private:
    void refresh();
    /// Draws the histograms of `layer` for the current setting into `view`; returns the stages drawn.
    int draw(ChartView* view, const QString& layer, bool compact) const;

    ChartView* m_view;
    QComboBox *m_layer, *m_setting;
    QCheckBox *m_log, *m_all;
    QScrollArea* m_gridArea;
    QGridLayout* m_grid;
    QList<ChartView*> m_small;
    /// layer -> "method setting" ("" = base) -> stage -> row with histogram
    QMap<QString, QMap<QString, QMap<QString, gsq::core::session::LayerRow>>> m_rows;
};

} // namespace gsq::ui
